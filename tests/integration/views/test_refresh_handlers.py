"""Generated trigger handlers, called with real protobuf CloudEvents, on the Firestore emulator."""

from __future__ import annotations

import pytest

from flask_boiler.testing.events import document_event
from flask_boiler.triggers.view_triggers import handle_document_event
from flask_boiler.views.stamp import view_content

from .fast_app import Agenda, Gathering, Person, Room, Session, TitleView

pytestmark = pytest.mark.emulators
GATHERINGS = "fastGatherings/{doc_id}"
PEOPLE = "fastPeople/{doc_id}"
ROOMS = "fastRooms/{doc_id}"
VIEWS = (Session, TitleView)


def event_from(db, path, before=None):
    """An event whose 'after' is the document as stored now (with its real update_time)."""
    snapshot = db.document(path).get()
    return document_event(
        path,
        before=before,
        after=snapshot.to_dict() if snapshot.exists else None,
        after_time=snapshot.update_time if snapshot.exists else None,
    )


@pytest.fixture
def world(clean_firestore):
    db = clean_firestore.db
    ann = Person.new("ann", name="Ann")
    bob = Person.new("bob", name="Bob", hearing_aid=True)
    cy = Person.new("cy", name="Cy")
    room = Room.new("r1", name="Blue room")
    for obj in (ann, bob, cy, room):
        obj.save()
    gathering = Gathering.new("g1", title="Standup", room=room, people=[ann, bob])
    gathering.save()
    return db, gathering


def session(db, uid, gathering_id="g1"):
    return view_content(db.document(f"fastPeople/{uid}/sessions/{gathering_id}").get())


def test_root_create_writes_one_view_per_attendee(world):
    db, _gathering = world
    report = handle_document_event(GATHERINGS, event_from(db, "fastGatherings/g1"), VIEWS, db)
    assert session(db, "ann") == {
        "title": "Standup",
        "roomName": "Blue room",
        "names": ["Ann", "Bob"],
        "hearingAids": 1,
    }
    assert session(db, "bob") == session(db, "ann")
    assert view_content(db.document("fastTitles/g1").get()) == {"title": "STANDUP"}
    # One wave: the guard, the probe view, the room and the two people; no stored view is
    # read to compare (the event decides: there was nothing before); one write per view.
    assert (report.writes, report.reads, report.round_trips, report.commits) == (3, 5, 1, 1)


def test_duplicate_event_costs_zero_writes(world):
    db, _ = world
    event = event_from(db, "fastGatherings/g1")
    handle_document_event(GATHERINGS, event, VIEWS, db)
    again = handle_document_event(GATHERINGS, event, VIEWS, db)
    assert again.duplicate and not again.stale
    assert again.writes == 0 and again.deletes == 0 and again.commits == 0


def test_change_to_unused_field_costs_nothing(world):
    db, gathering = world
    handle_document_event(GATHERINGS, event_from(db, "fastGatherings/g1"), VIEWS, db)
    before = db.document("fastGatherings/g1").get().to_dict()
    gathering.update(notes="bring coffee")
    report = handle_document_event(GATHERINGS, event_from(db, "fastGatherings/g1", before=before), VIEWS, db)
    assert report.invisible
    assert (report.reads, report.writes, report.deletes) == (0, 0, 0)


def test_removing_an_attendee_deletes_their_view_and_updates_others(world):
    db, gathering = world
    handle_document_event(GATHERINGS, event_from(db, "fastGatherings/g1"), VIEWS, db)
    before = db.document("fastGatherings/g1").get().to_dict()
    gathering.people = [Person.get(doc_id="ann"), Person.get(doc_id="cy")]
    gathering.save()
    report = handle_document_event(GATHERINGS, event_from(db, "fastGatherings/g1", before=before), VIEWS, db)
    assert session(db, "bob") is None
    assert session(db, "cy")["names"] == ["Ann", "Cy"]
    assert session(db, "ann")["hearingAids"] == 0
    assert "fastPeople/bob/sessions/g1" in report.deleted_paths


def test_deleting_the_root_deletes_all_views(world):
    db, gathering = world
    handle_document_event(GATHERINGS, event_from(db, "fastGatherings/g1"), VIEWS, db)
    before = db.document("fastGatherings/g1").get().to_dict()
    gathering.delete()
    handle_document_event(GATHERINGS, event_from(db, "fastGatherings/g1", before=before), VIEWS, db)
    assert session(db, "ann") is None and session(db, "bob") is None
    assert not db.document("fastTitles/g1").get().exists


def test_followed_reference_change_refreshes_dependents_only(world):
    db, _ = world
    other = Gathering.new("g2", title="Retro", people=[Person.get(doc_id="cy")])
    other.save()
    handle_document_event(GATHERINGS, event_from(db, "fastGatherings/g1"), VIEWS, db)
    handle_document_event(GATHERINGS, event_from(db, "fastGatherings/g2"), VIEWS, db)

    before = db.document("fastPeople/bob").get().to_dict()
    Person.get(doc_id="bob").update(name="Robert")
    report = handle_document_event(PEOPLE, event_from(db, "fastPeople/bob", before=before), VIEWS, db)
    assert session(db, "ann")["names"] == ["Ann", "Robert"]
    assert session(db, "cy", "g2")["names"] == ["Cy"]
    assert sorted(report.written_paths) == ["fastPeople/ann/sessions/g1", "fastPeople/bob/sessions/g1"]


def test_room_change_reaches_views_through_reverse_query(world):
    db, _ = world
    handle_document_event(GATHERINGS, event_from(db, "fastGatherings/g1"), VIEWS, db)
    before = db.document("fastRooms/r1").get().to_dict()
    Room.get(doc_id="r1").update(name="Red room")
    handle_document_event(ROOMS, event_from(db, "fastRooms/r1", before=before), VIEWS, db)
    assert session(db, "bob")["roomName"] == "Red room"


def test_stale_root_event_is_ignored(world):
    db, gathering = world
    old_event = event_from(db, "fastGatherings/g1")
    gathering.update(title="Planning")
    handle_document_event(GATHERINGS, event_from(db, "fastGatherings/g1"), VIEWS, db)
    late = handle_document_event(GATHERINGS, old_event, VIEWS, db)
    assert late.stale and late.writes == 0
    assert session(db, "ann")["title"] == "Planning"


def test_a_late_visible_change_still_lands_behind_an_invisible_one(world):
    """X -> Y changes the title (visible), Y -> Z only the notes (invisible); the Y -> Z event is
    handled first and costs nothing, the X -> Y event arrives last: the views must show Y's title."""
    db, gathering = world
    handle_document_event(GATHERINGS, event_from(db, "fastGatherings/g1"), VIEWS, db)
    x = db.document("fastGatherings/g1").get().to_dict()
    gathering.update(title="Retro")
    visible = event_from(db, "fastGatherings/g1", before=x)
    y = db.document("fastGatherings/g1").get().to_dict()
    gathering.update(notes="coffee")
    invisible = handle_document_event(GATHERINGS, event_from(db, "fastGatherings/g1", before=y), VIEWS, db)
    assert invisible.invisible and session(db, "ann")["title"] == "Standup"

    late = handle_document_event(GATHERINGS, visible, VIEWS, db)
    assert late.stale
    assert session(db, "ann")["title"] == session(db, "bob")["title"] == "Retro"
    assert view_content(db.document("fastTitles/g1").get()) == {"title": "RETRO"}


def test_compute_view_on_request_persists_nothing(world):
    from flask_boiler.views.compute import compute_view

    db, _ = world
    view = compute_view(db, Session, {"uid": "bob", "gathering_id": "g1"})
    assert view.to_dict() == {"title": "Standup", "roomName": "Blue room", "names": ["Ann", "Bob"], "hearingAids": 1}
    assert session(db, "bob") is None, "Flask-As-View must not write the view"
    assert compute_view(db, Session, {"uid": "cy", "gathering_id": "g1"}) is None  # cy does not attend
    assert compute_view(db, Session, {"uid": "bob", "gathering_id": "missing"}) is None


def test_a_failing_view_model_does_not_stop_the_others_and_the_event_is_retried(world):
    from flask_boiler.triggers.view_triggers import ViewRefreshFailed
    from flask_boiler.views import ViewModel, source

    from .fast_app import TitleViewSchema

    class Exploding(ViewModel):
        class Meta:
            schema_cls = TitleViewSchema
            path = "fastExploding/{gathering_id}"

        gathering = source(Gathering, "fastGatherings/{gathering_id}")

        def compute(self):
            raise RuntimeError("bug in compute")

    db, _ = world
    with pytest.raises(ViewRefreshFailed, match="Exploding.*bug in compute") as raised:
        handle_document_event(GATHERINGS, event_from(db, "fastGatherings/g1"), (TitleView, Exploding), db)
    assert [failure.view for failure in raised.value.failures] == [Exploding]
    assert view_content(db.document("fastTitles/g1").get()) == {"title": "STANDUP"}, "TitleView was refreshed"


def test_costs_counted_on_the_wire_match_the_report(world):
    """Root create: one wave of lookups, no stored view read, exactly one write per view. The
    triggering document is read once, by the guard, never to compute; an invisible change
    sends nothing at all."""
    from flask_boiler.testing.costs import count_operations

    db, gathering = world
    event = event_from(db, "fastGatherings/g1")
    with count_operations() as cost:
        report = handle_document_event(GATHERINGS, event, VIEWS, cost.db)
    assert cost.writes == report.writes == 3 and cost.deletes == 0
    assert cost.reads == report.reads == 5
    assert cost.looked_up.count("fastGatherings/g1") == 1
    assert cost.queries == 0 and cost.commits == 1

    before = db.document("fastGatherings/g1").get().to_dict()
    gathering.update(notes="unused by every view")
    unused_change = event_from(db, "fastGatherings/g1", before=before)
    with count_operations(expect_calls=False) as cost:
        handle_document_event(GATHERINGS, unused_change, VIEWS, cost.db)
    assert (cost.reads, cost.billed_writes, cost.lookups, cost.queries, cost.commits) == (0, 0, 0, 0, 0)


def agenda(db, uid):
    return view_content(db.document(f"fastAgendas/{uid}").get())


def test_backref_view_follows_documents_pointing_at_the_root(world):
    db, gathering = world
    views = (Agenda,)
    for uid in ("ann", "bob", "cy"):
        handle_document_event(PEOPLE, event_from(db, f"fastPeople/{uid}"), views, db)
    assert agenda(db, "ann") == {"name": "Ann", "titles": ["Standup"]}
    assert agenda(db, "cy") == {"name": "Cy", "titles": []}

    before = db.document("fastGatherings/g1").get().to_dict()
    gathering.people = [Person.get(doc_id="cy")]
    gathering.title = "Sync"
    gathering.save()
    report = handle_document_event(GATHERINGS, event_from(db, "fastGatherings/g1", before=before), views, db)
    # The people before (ann, bob) and after (cy) are refreshed; nobody else.
    assert sorted(report.written_paths) == ["fastAgendas/ann", "fastAgendas/bob", "fastAgendas/cy"]
    assert agenda(db, "ann")["titles"] == [] and agenda(db, "cy")["titles"] == ["Sync"]

    before = db.document("fastPeople/cy").get().to_dict()
    Person.get(doc_id="cy").update(name="Cyrus")
    handle_document_event(PEOPLE, event_from(db, "fastPeople/cy", before=before), views, db)
    assert agenda(db, "cy") == {"name": "Cyrus", "titles": ["Sync"]}


def test_an_invalid_domain_document_is_reported_not_retried_forever(world, caplog):
    import logging

    from flask_boiler.log import fields_of

    db, _ = world
    handle_document_event(GATHERINGS, event_from(db, "fastGatherings/g1"), VIEWS, db)
    before = db.document("fastGatherings/g1").get().to_dict()
    db.document("fastGatherings/g1").set({"notes": "someone wrote this without a title"})

    with caplog.at_level(logging.INFO, logger="flask_boiler"):
        report = handle_document_event(GATHERINGS, event_from(db, "fastGatherings/g1", before=before), VIEWS, db)
    assert report.writes == 0 and report.deletes == 0
    assert session(db, "ann")["title"] == "Standup", "views keep their last good state"
    errors = [fields_of(r) for r in caplog.records if r.levelno == logging.ERROR]
    assert {(e["view"], e["root"], e["document"]) for e in errors} == {
        ("Session", "fastGatherings/g1", "fastGatherings/g1"),
        ("TitleView", "fastGatherings/g1", "fastGatherings/g1"),
    }
    assert all("title" in e["invalidFields"] for e in errors)
