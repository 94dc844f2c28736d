"""Writing views: one transaction when they fit one commit, parallel batches beyond (sent while the
transaction holds the sources, or conditional on the versions read)."""

from __future__ import annotations

import datetime

import pytest
from google.cloud.firestore_v1 import SERVER_TIMESTAMP

from flask_boiler.testing.events import document_event
from flask_boiler.triggers.view_triggers import handle_document_event
from flask_boiler.views.commit import ConflictingWrite, ViewWrite, commit_in_parallel
from flask_boiler.views.stamp import view_content

from .fast_app import Badge, Gathering, Person

pytestmark = pytest.mark.emulators


def test_conditional_batches_write_everything(clean_firestore):
    db = clean_firestore.db
    db.document("fanout/v0000").set({"i": -1})
    stored = {s.reference.path: s for s in db.get_all([db.document(f"fanout/v{i:04d}") for i in range(1201)])}
    writes = [ViewWrite(path, {"i": int(path[-4:])}, "roots/r", snapshot) for path, snapshot in stored.items()]
    commits = commit_in_parallel(db, writes, "event-1")
    assert commits == 25  # 1,201 writes in batches of at most 50
    found = {s.reference.path: s.to_dict() for s in db.collection("fanout").stream()}
    assert len(found) == 1201
    assert all(
        data == {"i": int(path[-4:]), "_fb": {"root": "roots/r", "event": "event-1"}} for path, data in found.items()
    )


def test_a_view_changed_since_it_was_read_is_never_overwritten(clean_firestore):
    db = clean_firestore.db
    db.document("fanout/a").set({"v": "old"})
    db.document("fanout/b").set({"v": "old"})
    snapshots = {s.reference.path: s for s in db.get_all([db.document("fanout/a"), db.document("fanout/b")])}
    db.document("fanout/a").set({"v": "newer, written by another refresh"})
    with pytest.raises(ConflictingWrite):
        commit_in_parallel(db, [ViewWrite(p, {"v": "ours"}, "roots/r", s) for p, s in snapshots.items()], None)
    assert db.document("fanout/a").get().to_dict() == {"v": "newer, written by another refresh"}
    # A view created meanwhile is not overwritten either (we read it as missing: create-only).
    missing = db.document("fanout/c").get()
    db.document("fanout/c").set({"v": "created meanwhile"})
    with pytest.raises(ConflictingWrite):
        commit_in_parallel(db, [ViewWrite("fanout/c", {"v": "ours"}, "roots/r", missing)], None)
    assert db.document("fanout/c").get().to_dict() == {"v": "created meanwhile"}


def test_unconditional_batches_replace_create_and_delete_whatever_is_stored(clean_firestore):
    """What a held refresh sends (its transaction read none of these views): no precondition."""
    db = clean_firestore.db
    db.document("fanout/replaced").set({"v": "old", "gone": True})
    db.document("fanout/deleted").set({"v": "old"})
    writes = [
        ViewWrite("fanout/replaced", {"v": "ours"}, "roots/r"),
        ViewWrite("fanout/created", {"v": "ours"}, "roots/r"),
        ViewWrite("fanout/deleted", None, "roots/r"),
        ViewWrite("fanout/never-there", None, "roots/r"),
    ]
    assert commit_in_parallel(db, writes, "event-2", conditional=False) == 1
    found = {s.reference.path: s.to_dict() for s in db.collection("fanout").stream()}
    stamped = {"v": "ours", "_fb": {"root": "roots/r", "event": "event-2"}}
    assert found == {"fanout/replaced": stamped, "fanout/created": stamped}


@pytest.mark.parametrize("conditional", [True, False], ids=["conditional", "unconditional"])
def test_batches_write_a_view_holding_a_server_value(clean_firestore, conditional):
    """A ``DateTime`` view field may hold ``SERVER_TIMESTAMP`` (a transaction's ``set()`` takes
    it); the parallel batches must write it too, not fail encoding it."""
    db = clean_firestore.db
    missing = db.document("fanout/stamped").get()
    write = ViewWrite("fanout/stamped", {"at": SERVER_TIMESTAMP, "n": 1}, "roots/r", missing)
    commit_in_parallel(db, [write], None, conditional=conditional)
    stored = db.document("fanout/stamped").get()
    assert stored.get("n") == 1
    at = stored.get("at")
    assert isinstance(at, datetime.datetime), "the server should have put its time there"
    assert abs(at - stored.update_time) < datetime.timedelta(seconds=5)


def test_a_conditional_replacement_removes_fields_the_view_no_longer_has(clean_firestore):
    db = clean_firestore.db
    db.document("fanout/a").set({"keep": 1, "drop": 2, "a.b": 3})
    snapshot = db.document("fanout/a").get()
    commit_in_parallel(db, [ViewWrite("fanout/a", {"keep": 10, "a.b": 30}, "roots/r", snapshot)], None)
    assert db.document("fanout/a").get().to_dict() == {"keep": 10, "a.b": 30, "_fb": {"root": "roots/r"}}


def _big_gathering(db, size):
    """``size`` people in one gathering "big" (written, no view yet): the people, the gathering
    and its stored snapshot."""
    people = [Person.new(f"p{i:03d}", name=f"Person {i}") for i in range(size)]
    with Person.batch() as batch:
        for person in people:
            batch.save(person)
    gathering = Gathering.new("big", title="All hands", people=people)
    gathering.save()
    return people, gathering, db.document("fastGatherings/big").get()


def test_a_fan_out_larger_than_one_commit_refreshes_every_view(clean_firestore):
    """600 attendees, 600 badges: more than one commit's 500 writes. The stored views are read
    once, then written in conditional batches."""
    db = clean_firestore.db
    _people, gathering, created = _big_gathering(db, 600)
    first = handle_document_event(
        "fastGatherings/{doc_id}",
        document_event("fastGatherings/big", after=created.to_dict(), after_time=created.update_time),
        (Badge,),
        db,
    )
    assert first.writes == 600 and first.commits >= 2

    gathering.update(title="All hands v2")
    renamed = db.document("fastGatherings/big").get()
    event = document_event(
        "fastGatherings/big",
        before=created.to_dict(),
        after=renamed.to_dict(),
        before_time=created.update_time,
        after_time=renamed.update_time,
    )
    second = handle_document_event("fastGatherings/{doc_id}", event, (Badge,), db)
    assert second.writes == 600
    views = [view_content(s) for s in db.collection_group("badges").stream()]
    assert len(views) == 600 and {v["title"] for v in views} == {"All hands v2"}
    again = handle_document_event("fastGatherings/{doc_id}", event, (Badge,), db)
    assert again.duplicate and again.writes == 0


def test_a_large_fan_out_deletes_the_views_the_root_no_longer_has(clean_firestore):
    """Past one commit the refresh compares the current state with what is stored (no before
    state computed): a person who left still loses their badge, and a stale redelivery of the
    older event leaves the views at the current state."""
    db = clean_firestore.db
    people, gathering, created = _big_gathering(db, 520)
    created_event = document_event("fastGatherings/big", after=created.to_dict(), after_time=created.update_time)
    handle_document_event("fastGatherings/{doc_id}", created_event, (Badge,), db)

    gathering.update(people=people[:-1], title="Fewer hands")
    shrunk = db.document("fastGatherings/big").get()
    report = handle_document_event(
        "fastGatherings/{doc_id}",
        document_event(
            "fastGatherings/big",
            before=created.to_dict(),
            after=shrunk.to_dict(),
            before_time=created.update_time,
            after_time=shrunk.update_time,
        ),
        (Badge,),
        db,
    )
    assert report.deleted_paths and all("p519" in path for path in report.deleted_paths)
    stale = handle_document_event("fastGatherings/{doc_id}", created_event, (Badge,), db)
    assert stale.writes == 0
    views = {s.reference.path: view_content(s) for s in db.collection_group("badges").stream()}
    assert len(views) == 519 and not any("p519" in path for path in views)
    assert {v["title"] for v in views.values()} == {"Fewer hands"}
