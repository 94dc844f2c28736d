"""Huge fan-outs through the real Cloud Tasks emulator: the trigger plans slices (writing no view
itself), the deployed ``viewTasks`` function reconciles them, and the views converge — with
duplicate deliveries, an older slice arriving after a newer change, and views a change removes."""

from __future__ import annotations

import pytest

from flask_boiler.tasks import ViewTasks
from flask_boiler.tasks.queue import TaskQueue
from flask_boiler.tasks.slices import enqueue_slices
from flask_boiler.testing import wait_for
from flask_boiler.triggers.view_triggers import handle_document_event
from flask_boiler.views.compute import computed_views
from flask_boiler.views.fanout import FanoutPolicy
from shared_models import VIEW_MODELS, Location, Meeting, MeetingSession, User, UserView

from .stack_tools import event_for, expected_views, post_task, snapshot_of, stored_views

pytestmark = pytest.mark.emulators

PATTERN = "meetings/{doc_id}"
SMALL = ViewTasks(fanout=FanoutPolicy(threshold=25, slice_size=10))  # 60 attendees: slices


def _sessions_of(db, meeting_id: str) -> dict[str, dict]:
    return {p: v for p, v in stored_views(db, MeetingSession).items() if p.endswith(f"/{meeting_id}")}


def _expected_sessions(db, meeting_id: str) -> dict[str, dict]:
    views = computed_views(db, MeetingSession, [Meeting.get_or_raise(meeting_id)])
    return {view.doc_path: view.stored() for view in views}


def _converged(db, meeting_id: str) -> bool:
    return _sessions_of(db, meeting_id) == _expected_sessions(db, meeting_id) and stored_views(
        db, UserView
    ) == expected_views(db, UserView)


def test_a_fanout_past_the_threshold_is_reconciled_by_tasks(paused):
    db, stack = paused
    users = [User.new(f"fan{i:02d}", first_name=f"F{i}", last_name="Out") for i in range(60)]
    with User.batch() as batch:
        for user in users:
            batch.save(user)
    room = Location.new("arena", name="Arena")
    room.save()
    Meeting.new("small", title="Small", location=room, attendees=users[:3]).save()
    before = snapshot_of(db, "meetings/big")
    Meeting.new("big", title="Big", location=room, attendees=users).save()
    first = event_for(db, "meetings/big", before)

    report = handle_document_event(PATTERN, first, VIEW_MODELS, db, tasks=SMALL)
    assert report.writes == 0 and report.deletes == 0  # the trigger wrote nothing itself
    by_view = {view: [s for s in report.deferred if s.view is view] for view in (MeetingSession, UserView)}
    assert [s.size for s in by_view[MeetingSession]] == [10] * 6  # 60 sessions, by path
    assert all(s.paths is not None and len(s.roots) == 1 for s in by_view[MeetingSession])
    assert [s.size for s in by_view[UserView]] == [10] * 6  # 60 users, one view each
    wait_for(lambda: _converged(db, "big"), timeout=90, message="the slices of the first change")
    assert len(_sessions_of(db, "big")) == 60

    # A redelivery of the event enqueues nothing new: its tasks are named after it.
    assert enqueue_slices(TaskQueue("viewTasks"), report.deferred, origin=first["id"]) == 0

    # 20 attendees leave and the meeting is renamed: their sessions go, the others change.
    before = snapshot_of(db, "meetings/big")
    Meeting.get_or_raise("big").update(title="Big, renamed", attendees=users[20:])
    second = event_for(db, "meetings/big", before)
    report = handle_document_event(PATTERN, second, VIEW_MODELS, db, tasks=SMALL)
    assert sum(s.size for s in report.deferred if s.view is MeetingSession) == 60  # before ∪ after
    wait_for(lambda: _converged(db, "big"), timeout=90, message="the slices of the second change")
    assert len(_sessions_of(db, "big")) == 40

    # A slice of the first change, arriving late, recomputes from current data: nothing comes back.
    late = next(s for s in handle_document_event(PATTERN, first, VIEW_MODELS, db, tasks=SMALL).deferred)
    answer = post_task(
        stack,
        {
            "kind": "slice",
            "view": "shared_models.views.MeetingSession",
            "roots": list(late.roots),
            "paths": list(late.paths or ()),
        },
    )
    assert answer.status_code == 200 and answer.json()["writes"] == 0
    assert _converged(db, "big") and len(_sessions_of(db, "big")) == 40
