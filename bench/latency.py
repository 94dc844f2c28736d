"""Scenario 2: trigger latency, domain write to view document seen by a snapshot listener.

Through the whole emulator chain: the client writes the meeting, the Firestore emulator
delivers the event to the Functions emulator, which runs the function (a functions-framework
worker process), whose view write reaches a snapshot listener in this process.

* ours: ``meetings/standup`` title changed; ``users/ann/meetingSessions/standup`` watched
  (``on_meetings_written`` from ``functions/main.py``: it refreshes ``MeetingSession`` first,
  then ``UserView``, in the same invocation);
* baseline: ``benchBaselineMeetings/standup`` (the same data) title changed;
  ``benchBaselineUsers/ann/sessions/standup`` watched (:mod:`bench.baselines.trigger_main`,
  a hand-written function on the same stack, in a second codebase).

Writes are made one at a time with the same raw client call, alternating ours and the
baseline; the next write waits until the emulator logged the previous invocation as finished.
The first ``warmup`` pairs are not recorded (workers start on first use).
"""

from __future__ import annotations

import re
import threading
import time
from typing import Any

from flask_boiler.context import Context
from flask_boiler.testing import wait_for
from flask_boiler.testing.emulators import EmulatorStack, clear_firestore
from shared_models.seed import seed_domain

from .stats import percentile, summary

TARGETS = {
    "ours": ("meetings/standup", "users/ann/meetingSessions/standup", "on_meetings_written"),
    "baseline": ("benchBaselineMeetings/standup", "benchBaselineUsers/ann/sessions/standup", "bench_baseline_session"),
}
FINISHED = re.compile(r'Finished "[^"]*-(\w+)" in ([\d.]+)ms')


class LogWatch:
    """Counts 'Finished "<function>" in X ms' lines the Functions emulator writes to the stack log."""

    def __init__(self, path: Any) -> None:
        self.path = path
        self.offset = path.stat().st_size
        self.finished: list[tuple[str, float]] = []

    def poll(self) -> list[tuple[str, float]]:
        with self.path.open("r", errors="replace") as log:
            log.seek(self.offset)
            text = log.read()
        complete, _, _ = text.rpartition("\n")
        self.offset += len(complete.encode()) + (1 if complete else 0)
        found = [(m.group(1), float(m.group(2))) for m in FINISHED.finditer(complete)]
        self.finished += found
        return found


def run(stack: EmulatorStack, runs: int, warmup: int = 3) -> dict:
    db = Context.db
    clear_firestore(stack)
    seed_domain()
    meeting = db.document("meetings/standup").get().to_dict()
    db.document(TARGETS["baseline"][0]).set(meeting)
    for _, view, _ in TARGETS.values():
        wait_for(
            lambda view=view: db.document(view).get().exists, timeout=120, message=f"{view} written by its trigger"
        )
    time.sleep(2)  # let the seed's other triggers finish
    log = LogWatch(stack.log_path)
    seen: dict[str, float] = {}
    lock = threading.Lock()
    live: set[str] = set()  # views whose watch has sent its first snapshot

    def listener(snapshots: Any, _changes: Any, _read_time: Any) -> None:
        now = time.perf_counter()
        for snapshot in snapshots:
            title = (snapshot.to_dict() or {}).get("title")
            with lock:
                live.add(snapshot.reference.path)
                seen.setdefault(title, now)

    watches = [db.document(view).on_snapshot(listener) for _, view, _ in TARGETS.values()]
    # The watches are live before the first timed write: a write made while they were still
    # connecting (after the Cloud Tasks scenario) was once not seen within a minute.
    wait_for(lambda: len(live) == len(TARGETS), timeout=120, message="the view watches are live")
    latencies: dict[str, list[float]] = {"ours": [], "baseline": []}
    executions: dict[str, list[float]] = {"ours": [], "baseline": []}
    try:
        for number in range(warmup + runs):
            order = ("ours", "baseline") if number % 2 == 0 else ("baseline", "ours")
            for name in order:
                domain, _, function = TARGETS[name]
                title = f"{name} write {number}"
                log.poll()
                start = time.perf_counter()
                db.document(domain).update({"title": title})
                wait_for(
                    lambda title=title: title in seen,
                    timeout=60,
                    interval=0.002,
                    message=f"{name}: view with {title!r}",
                )
                finished = wait_for(
                    lambda function=function: [ms for fn, ms in log.poll() if fn == function] or None,
                    timeout=60,
                    interval=0.02,
                    message=f"{function} finished",
                )
                if number >= warmup:
                    latencies[name].append(seen[title] - start)
                    executions[name].append(finished[0] / 1000)
    finally:
        for watch in watches:
            watch.unsubscribe()
    ours, base = latencies["ours"], latencies["baseline"]
    return {
        "runs": runs,
        "warmup": warmup,
        "latency": {name: {**summary(values), "p95": percentile(values, 95)} for name, values in latencies.items()},
        "execution": {name: summary(values) for name, values in executions.items()},
        "p50_ratio": percentile(ours, 50) / percentile(base, 50),
        "p95_ratio": percentile(ours, 95) / percentile(base, 95),
        # per-pair ratios, to give the median ratio a spread
        "pair_ratio": summary([o / b for o, b in zip(ours, base)]),
        "raw": latencies,
    }
