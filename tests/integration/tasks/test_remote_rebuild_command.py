"""``flask-boiler rebuild View --remote`` end to end: the command creates a run document, the
deployed ``on_view_rebuild_requested`` trigger enqueues its first page, ``viewTasks`` runs the
pages, and the command follows the run document to the end."""

from __future__ import annotations

import pytest

from flask_boiler.cli import main
from flask_boiler.tasks.runs import RUNS
from shared_models import Meeting, User, UserView

from .stack_tools import expected_views, stored_views, triggers_paused

pytestmark = pytest.mark.emulators


def test_rebuild_remote_command_repairs_views_and_reports(clean_firestore, emulators, capsys):
    if emulators.process is None or not emulators.tasks_host:
        pytest.skip("needs the Functions and Cloud Tasks emulators")
    db = clean_firestore.db
    with triggers_paused(emulators):  # data written around the triggers: what a rebuild is for
        users = [User.new(f"cli{i:02d}", first_name=f"C{i}", last_name="Li") for i in range(16)]
        with User.batch() as batch:
            for user in users:
                batch.save(user)
        Meeting.new("standup", title="Standup", attendees=users[:5]).save()
        db.document("userViews/cli03").set({"name": "stale", "upcoming": [], "_fb": {"root": "users/cli03"}})
        db.document("userViews/ghost").set({"name": "orphan", "upcoming": []})

    # The request trigger runs in the Functions emulator: the command only writes the run document.
    assert main(["rebuild", "shared_models.UserView", "--remote", "--quiet", "--page-size", "5"]) == 0
    out = capsys.readouterr().out
    assert "started rebuild run UserView-" in out
    assert "done: 16 roots" in out and "1 orphans deleted" in out
    assert stored_views(db, UserView) == expected_views(db, UserView)
    (run,) = [s.to_dict() for s in db.collection(RUNS).stream()]
    assert run["state"] == "done" and run["roots"] == 16 and run["duplicates"] == 0
    assert run["written"] + run["unchanged"] == 16  # the stale view and the missing ones written
