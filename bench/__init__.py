"""Benchmarks of flask-boiler for Cloud Functions against hand-written baselines (issue 8).

``make bench`` (``python -m bench``) starts its own emulator stack on free ports, runs
every scenario against a baseline measured in the same run, and writes
``bench/results/latest.{md,json}`` plus plots. Modules:

* :mod:`.runner` - the command line and the order of the scenarios;
* :mod:`.stack` - the emulator stack, with the benchmark-only baseline trigger as a
  second functions codebase in a generated ``firebase.json`` (nothing is deployed);
* :mod:`.ops`, :mod:`.naive` - Firestore operations per domain change vs a naive refresh;
* :mod:`.latency` - trigger latency through the emulator chain;
* :mod:`.rest`, :mod:`.loadgen` - REST throughput and latency;
* :mod:`.coldstart` - import plus first request in a fresh process;
* :mod:`.fanout` - one change refreshing 10..1,000 views vs the raw BulkWriter;
* :mod:`.stats`, :mod:`.machine`, :mod:`.report`, :mod:`.plots` - figures and output.
"""
