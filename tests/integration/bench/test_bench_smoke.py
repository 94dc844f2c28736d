"""The benchmark's quick mode keeps working: operation counts (scenario 1) and a tiny fan-out,
rendered as the tables ``make bench`` writes. Full runs: ``make bench``."""

from __future__ import annotations

import pytest

from bench import fanout, ops, report
from bench import stack as bench_stack
from flask_boiler.testing import clear_firestore

pytestmark = pytest.mark.emulators


@pytest.fixture
def no_triggers(clean_firestore, emulators):
    """In-process handlers only: the Functions emulator's triggers are paused meanwhile."""
    if not emulators.hub_host:
        pytest.skip("a stack started elsewhere (no hub address): its triggers would race the counts")
    bench_stack.disable_triggers(emulators)
    try:
        yield emulators
    finally:
        clear_firestore(emulators)
        bench_stack.enable_triggers(emulators)


def test_quick_ops_and_fanout_render(no_triggers, tmp_path):
    results = {"ops": ops.run(no_triggers, runs=1, quick=True)}
    scenarios = results["ops"]["scenarios"]
    assert {"field_used", "duplicate", "field_unused", "add_attendee", "remove_attendee", "stale"} <= set(scenarios)
    for key, row in scenarios.items():
        assert row["naive_same_views"], f"{key}: the naive baseline must leave the same views"
        assert row["ours"]["writes"] == row["min_writes"], f"{key}: writes only views whose content changed"
        assert row["naive"]["writes"] >= row["ours"]["writes"]
    assert scenarios["duplicate"]["ours"]["writes"] == 0 and scenarios["stale"]["ours"]["writes"] == 0
    assert scenarios["field_used"]["ours_triggering_reads"] <= 1  # only the guard read

    results["fanout"] = {"FanCard": {"10": fanout._measure(no_triggers, fanout.FanCard, 10, 1)}}
    fan = results["fanout"]["FanCard"]["10"]
    assert fan["cost"]["ours"]["writes"] == 10
    # the floor reads the meeting, the room and the 10 attendees, and writes the same 10 views
    assert fan["cost"]["floor"] == {"reads": 12, "writes": 10}
    assert fan["ceiling_ratio"]["median"] > 0

    results["meta"] = {
        "date": "now",
        "machine": {"nproc": 1, "cpu_model": "x", "memory_gib": 1.0, "python": "3"},
        "platform": "test",
        "quick": True,
        "seconds": 1.0,
    }
    text = report.render(results)
    assert "| change a field a view uses" in text and "| FanCard | 10 |" in text
