"""Scenario 6: Cloud Tasks — rebuild throughput, local vs on the task queue, and a 10,000-view fan-out.

**Rebuild.** The example app's ``MeetingSession`` (meetings × attendees views) is rebuilt from
no views at all, alternately by the local rebuild (``rebuild()``: pages in this process) and by
the remote one (a run of page tasks on the Cloud Tasks emulator, run by the ``viewTasks``
function in the Functions emulator: request, first page enqueued, then the chain), same page
size, orphan check included. Views/s = views written ÷ wall time from start to finish.

**Fan-out.** ``bench/tasks_app.py``'s ``FanBadge`` (one small view per attendee) on a meeting
with N attendees, in a codebase of its own: renaming the meeting fires its trigger in the
Functions emulator, which plans slices and enqueues them on ``benchTasks``; the tasks write the
N views. A first rename creates the views (and starts the worker processes); the second is
measured: the wall time until all N views show the new title, and every invocation's own
duration (the emulator's ``Finished ... in X ms``) against the function's timeout. For
comparison, the same change refreshed in one invocation (``handle_document_event`` without
tasks, in-process): what a trigger would have to do alone.
"""

from __future__ import annotations

import json
import time
from typing import Any

from google.cloud.firestore_v1.base_query import FieldFilter

from flask_boiler.context import Context
from flask_boiler.tasks.queue import TaskQueue
from flask_boiler.tasks.runs import RUNS, request_run, start_run
from flask_boiler.testing import wait_for
from flask_boiler.testing.emulators import EmulatorStack, clear_firestore
from flask_boiler.triggers.view_triggers import handle_document_event
from flask_boiler.views.compute import computed_views
from flask_boiler.views.rebuild import rebuild
from flask_boiler.views.stamp import view_content
from shared_models import Location, Meeting, MeetingSession, User

from . import stack as bench_stack
from . import world
from .latency import LogWatch
from .stats import summary
from .tasks_app import FanBadge, FanMeeting

PAGE = 50  # meetings per page: 500 views, one commit


def _delete_group(group: str) -> None:
    db = Context.db
    writer = db.bulk_writer()
    for snapshot in db.collection_group(group).select([]).stream():
        writer.delete(snapshot.reference)
    writer.close()


def _seed_meetings(meetings: int, attendees: int) -> None:
    users = [User.new(f"rb{i:03d}", first_name=f"R{i}", last_name="Bench") for i in range(attendees * 2)]
    with User.batch() as batch:
        for user in users:
            batch.save(user)
    room = Location.new("benchhall", name="Hall")
    room.save()
    for start in range(0, meetings, 250):
        with Meeting.batch() as batch:
            for m in range(start, min(meetings, start + 250)):
                people = users[m % attendees : m % attendees + attendees]
                batch.save(Meeting.new(f"rb{m:04d}", title=f"Rebuild {m}", location=room, attendees=people))


def _remote(db: Any) -> tuple[float, dict]:
    run_id, _ = request_run(db, MeetingSession, page_size=PAGE, restart=True)
    start = time.perf_counter()
    start_run(db, TaskQueue("viewTasks"), run_id)
    run = db.collection(RUNS).document(run_id)
    final = wait_for(lambda: (s := run.get().to_dict())["state"] == "done" and s, timeout=1800, interval=0.05)
    return time.perf_counter() - start, final


def rebuild_throughput(stack: EmulatorStack, meetings: int, attendees: int, repeats: int) -> dict:
    clear_firestore(stack)
    db = Context.db
    _seed_meetings(meetings, attendees)
    views = meetings * attendees
    times: dict[str, list[float]] = {"local": [], "remote": []}
    _remote(db)  # not measured: starts the function's worker processes, as a first request on Cloud Run would
    log = LogWatch(stack.log_path)
    for _ in range(repeats):
        _delete_group("meetingSessions")
        start = time.perf_counter()
        report = rebuild(MeetingSession, db, page_size=PAGE, restart=True, progress=False)
        times["local"].append(time.perf_counter() - start)
        if report.cost.writes != views:
            raise AssertionError(f"local rebuild wrote {report.cost.writes} views, expected {views}")
        _delete_group("meetingSessions")
        elapsed, run = _remote(db)
        times["remote"].append(elapsed)
        if run["written"] != views or run["roots"] != meetings:
            raise AssertionError(f"remote rebuild: {run}")
    log.poll()
    pages = [ms / 1000 for name, ms in log.finished if name == "viewTasks"]
    return {
        "meetings": meetings,
        "attendees": attendees,
        "views": views,
        "page_size": PAGE,
        "repeats": repeats,
        "seconds": {side: summary(values) for side, values in times.items()},
        "views_per_second": {side: summary([views / t for t in values]) for side, values in times.items()},
        # remote views/s ÷ local views/s, per pair (= local time ÷ remote time)
        "ratio": summary([local / remote for local, remote in zip(times["local"], times["remote"])]),
        "page_seconds": summary(pages),
        "raw": times,
    }


def _timeouts() -> dict[str, int]:
    manifest_text = (bench_stack.GENERATED / bench_stack.TASKS_CODEBASE / "functions.yaml").read_text()
    endpoints = json.loads(manifest_text.split("\n", 1)[1])["endpoints"]
    return {name: int(endpoint.get("timeoutSeconds", 60)) for name, endpoint in endpoints.items()}


def _seed_fan(n: int) -> list[User]:
    users = [User.new(f"fan{i:05d}", first_name=f"F{i}", last_name="Fan") for i in range(n)]
    for start in range(0, n, 500):
        with User.batch() as batch:
            for user in users[start : start + 500]:
                batch.save(user)
    return users


def fanout(stack: EmulatorStack, n: int, in_trigger_baseline: bool) -> dict:
    clear_firestore(stack)
    db = Context.db
    bench_stack.disable_triggers(stack)
    try:
        users = _seed_fan(n)
        FanMeeting.new("fan", title="v0", attendees=users).save()
    finally:
        bench_stack.enable_triggers(stack)
    # A first rename creates the N views (and starts the workers, as traffic would); the second is measured.
    for title in ("v1", "v2"):
        log = LogWatch(stack.log_path)
        start = time.perf_counter()
        FanMeeting.get_or_raise("fan").update(title=title)
        done = db.collection_group("badges").where(filter=FieldFilter("title", "==", title))
        wait_for(lambda q=done: q.count().get()[0][0].value == n, timeout=1800, interval=0.5, message=f"{n} badges")
        wall = time.perf_counter() - start
    time.sleep(1.0)  # the last invocations' "Finished" lines
    log.poll()
    timeouts = _timeouts()
    trigger = "on_benchFanMeetings_written"
    invocations = {name: [ms / 1000 for fn, ms in log.finished if fn == name] for name in (trigger, "benchTasks")}
    expected = {v.doc_path: v.stored() for v in computed_views(db, FanBadge, [FanMeeting.get_or_raise("fan")])}
    stored = {s.reference.path: view_content(s) for s in db.collection_group("badges").stream()}
    result: dict[str, Any] = {
        "n": n,
        "wall_seconds": wall,
        "views_per_second": n / wall,
        "equal_to_recompute": stored == expected,
        "trigger_seconds": invocations[trigger],
        "task_seconds": summary(invocations["benchTasks"]),
        "tasks": len(invocations["benchTasks"]),
        "timeout_seconds": {"trigger": timeouts[trigger], "tasks": timeouts["benchTasks"]},
        "longest_seconds": max(invocations[trigger] + invocations["benchTasks"]),
    }
    if in_trigger_baseline:
        bench_stack.disable_triggers(stack)
        try:
            path = "benchFanMeetings/fan"
            before = world.snapshot(path)
            FanMeeting.get_or_raise("fan").update(title="v3")
            event = world.event_for(path, before)
            begin = time.perf_counter()
            report = handle_document_event("benchFanMeetings/{doc_id}", event, (FanBadge,), db)
            result["in_trigger_seconds"] = time.perf_counter() - begin
            result["in_trigger_writes"] = report.writes
        finally:
            bench_stack.enable_triggers(stack)
    return result


def run(stack: EmulatorStack, settings: dict) -> dict:
    bench_stack.disable_triggers(stack)  # the rebuild starts its runs itself; page tasks are HTTP
    try:
        rebuild_results = rebuild_throughput(
            stack, settings["rebuild_meetings"], settings["rebuild_attendees"], settings["rebuild_repeats"]
        )
    finally:
        bench_stack.enable_triggers(stack)
    try:
        return {
            "rebuild": rebuild_results,
            "fanout": fanout(stack, settings["fan_tasks_n"], settings["fan_in_trigger"]),
        }
    finally:
        # The fan-out's attendees are example-app users: deleting them with triggers on would
        # queue one `on_users_written` run per user ahead of the next scenario's writes.
        bench_stack.disable_triggers(stack)
        try:
            clear_firestore(stack)
        finally:
            bench_stack.enable_triggers(stack)
        waited = bench_stack.wait_until_events_drain(stack)  # the deletes' events, queued even so
        print(f"[bench] the trigger event backlog drained in {waited:.0f} s", flush=True)
