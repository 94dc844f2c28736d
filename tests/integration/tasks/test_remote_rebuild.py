"""A remote rebuild through the real Cloud Tasks emulator and the deployed ``viewTasks`` function:
5,000 views, a task killed mid-way and redelivered, duplicates posted by hand — and every view
equal to a from-scratch recompute, every root counted once."""

from __future__ import annotations

import time

import pytest

from flask_boiler.tasks.queue import TaskQueue
from flask_boiler.tasks.runs import RUNS, request_run, start_run
from flask_boiler.testing import wait_for
from shared_models import Location, Meeting, MeetingSession, User

from .stack_tools import expected_views, in_flight, kill_workers, post_task, stored_views

pytestmark = pytest.mark.emulators

MEETINGS, ATTENDEES = 500, 10  # 5,000 MeetingSession views
# Meetings per page (250 views, one commit): 20 pages, so a kill that lands after a page's work but
# before its answer (nothing to redeliver) leaves pages enough for another try.
PAGE = 25


def _seed(db) -> None:
    users = [User.new(f"u{i:03d}", first_name=f"F{i}", last_name="Rebuild") for i in range(ATTENDEES * 3)]
    with User.batch() as batch:
        for user in users:
            batch.save(user)
    room = Location.new("hall", name="Hall")
    room.save()
    for start in range(0, MEETINGS, 250):
        with Meeting.batch() as batch:
            for m in range(start, start + 250):
                attendees = users[m % 20 : m % 20 + ATTENDEES]
                batch.save(Meeting.new(f"m{m:03d}", title=f"Meeting {m}", location=room, attendees=attendees))
    # What a rebuild must repair: a stale view, and an orphan (a meeting that does not exist).
    db.document("users/u001/meetingSessions/m001").set({"title": "stale", "_fb": {"root": "meetings/m001"}})
    db.document("users/u002/meetingSessions/ghost").set({"title": "orphan", "_fb": {"root": "meetings/ghost"}})


def test_remote_rebuild_of_5000_views_survives_a_killed_task(paused):
    db, stack = paused
    _seed(db)
    run_id, attached = request_run(db, MeetingSession, page_size=PAGE)
    assert not attached
    assert start_run(db, TaskQueue("viewTasks"), run_id)  # what the request trigger does
    run = db.collection(RUNS).document(run_id)

    # Kill the worker while a page is in flight; again if that kill landed between pages. The log
    # cannot tell a killed invocation (never "Finished") from one whose "Finished" is still to
    # come, so the gate is "at least one begun and not finished", not an exact count.
    kills = 0
    started = time.monotonic()
    while time.monotonic() - started < 240:
        state = run.get().to_dict()
        if state["state"] != "running" or state["redelivered"] or kills >= 3:
            break
        if state["step"] >= 2 and in_flight(stack) >= 1 and kill_workers(stack):
            kills += 1
            wait_for(
                lambda at=state["step"]: (s := run.get().to_dict())["step"] > at or s["state"] != "running",
                timeout=120,
                message="the killed page to be redelivered and done",
            )
        time.sleep(0.02)
    # A page delivered again by hand, mid-run or after: counted once.
    assert post_task(stack, {"kind": "page", "run": run_id, "step": 0}).status_code == 200

    final = wait_for(
        lambda: (s := run.get().to_dict())["state"] == "done" and s, timeout=240, message="the run to finish"
    )
    assert kills >= 1 and final["redelivered"] >= 1, f"no task was killed in flight and redelivered: {final}"
    assert final["roots"] == MEETINGS  # each page counted once, none skipped
    views = MEETINGS * ATTENDEES + 1  # and the orphan
    # Pages end after a short one (a full page may be followed by an empty one), views in 500s.
    assert final["step"] == MEETINGS // PAGE + 1 + views // 500 + 1
    assert final["duplicates"] >= 1
    assert final["orphans"] == 1 and final["views"] == views
    assert post_task(stack, {"kind": "page", "run": run_id, "step": 3}).json()["reason"] == "run done"
    assert db.collection(RUNS).document(run_id).get().to_dict()["roots"] == MEETINGS

    stored = stored_views(db, MeetingSession)
    expected = expected_views(db, MeetingSession)
    assert len(expected) == MEETINGS * ATTENDEES
    assert stored == expected
