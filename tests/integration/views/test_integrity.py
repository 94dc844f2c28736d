"""Bad data, bugs and old events: each defect of issue 12 as a regression test.

Each test failed on the engine before the rewrite (refresh.py / writer.py of the first version).
"""

from __future__ import annotations

import datetime
import logging
from typing import Any

import pytest
from marshmallow import validate

from flask_boiler import fields, schema
from flask_boiler.log import fields_of
from flask_boiler.triggers.view_triggers import ViewRefreshFailed, handle_document_event
from flask_boiler.views import ViewModel, source
from flask_boiler.views.rebuild import SKIPPED, repair_skipped
from flask_boiler.views.stamp import view_content

from .delivery import write_with_event
from .fast_app import Agenda, Gathering, Session, TitleView

pytestmark = pytest.mark.emulators
GATHERINGS, PEOPLE = "fastGatherings/{doc_id}", "fastPeople/{doc_id}"
VIEWS = (Session, TitleView, Agenda)


class Writer:
    """Raw writes (valid or not) and the events they emit, with their real update times."""

    def __init__(self, db: Any) -> None:
        self.db = db
        self.state: dict[str, tuple[dict | None, Any]] = {}

    def write(self, path: str, data: dict | None, *, time: datetime.datetime | None = None) -> Any:
        before, before_time = self.state.get(path, (None, None))
        event, after_time = write_with_event(self.db, path, data, before, before_time)
        self.state[path] = (data, after_time)
        if time is not None:
            event["time"] = time.isoformat()
        return event


@pytest.fixture
def world(clean_firestore):
    db = clean_firestore.db
    writer = Writer(db)
    for path, data in {
        "fastPeople/ann": {"name": "Ann", "hearingAid": False},
        "fastPeople/bob": {"name": "Bob", "hearingAid": True},
        "fastRooms/r1": {"name": "Blue"},
        "fastGatherings/g1": {
            "title": "Standup",
            "room": db.document("fastRooms/r1"),
            "people": [db.document("fastPeople/ann"), db.document("fastPeople/bob")],
        },
        "fastGatherings/g2": {"title": "Retro", "people": [db.document("fastPeople/ann")]},
    }.items():
        pattern = GATHERINGS if path.startswith("fastGatherings") else PEOPLE
        event = writer.write(path, data)
        if not path.startswith("fastRooms"):
            handle_document_event(pattern, event, VIEWS, db)
    return db, writer


def view(db, path):
    return view_content(db.document(path).get())


def test_fixing_a_bad_root_heals_its_views(world):
    db, writer = world
    broken = writer.write("fastGatherings/g1", {"notes": "no title"})
    handle_document_event(GATHERINGS, broken, VIEWS, db)
    assert view(db, "fastTitles/g1") == {"title": "STANDUP"}  # last good state kept
    fixed = writer.write("fastGatherings/g1", {"title": "Planning", "people": [db.document("fastPeople/ann")]})
    handle_document_event(GATHERINGS, fixed, VIEWS, db)  # its before-image is the invalid document
    assert view(db, "fastTitles/g1") == {"title": "PLANNING"}
    assert view(db, "fastPeople/ann/sessions/g1")["title"] == "Planning"
    assert view(db, "fastPeople/bob/sessions/g1") is None, "bob's session belonged to the old state only"
    assert view(db, "fastAgendas/bob")["titles"] == []  # back-reference views heal too


def test_fixing_a_bad_source_heals_the_views_it_blocked(world):
    db, writer = world
    handle_document_event(PEOPLE, writer.write("fastPeople/bob", {"name": 7}), VIEWS, db)
    rename = writer.write("fastGatherings/g1", {**writer.state["fastGatherings/g1"][0], "title": "Sync"})
    handle_document_event(GATHERINGS, rename, VIEWS, db)
    assert view(db, "fastPeople/ann/sessions/g1")["title"] == "Standup", "blocked by bob, kept"
    handle_document_event(PEOPLE, writer.write("fastPeople/bob", {"name": "Robert"}), VIEWS, db)
    assert view(db, "fastPeople/ann/sessions/g1")["title"] == "Sync"
    assert view(db, "fastPeople/ann/sessions/g1")["names"] == ["Ann", "Robert"]


def test_one_bad_document_blocks_only_the_views_computed_from_it(world, caplog):
    db, writer = world
    handle_document_event(PEOPLE, writer.write("fastPeople/bob", {"name": ["not", "a", "name"]}), VIEWS, db)
    g1 = writer.state["fastGatherings/g1"][0]
    with caplog.at_level(logging.ERROR, logger="flask_boiler"):
        handle_document_event(GATHERINGS, writer.write("fastGatherings/g1", {**g1, "title": "Sync"}), VIEWS, db)
    assert view(db, "fastTitles/g1") == {"title": "SYNC"}, "TitleView does not read bob"
    assert view(db, "fastAgendas/ann")["titles"] == ["Retro", "Sync"], "ann's agenda does not read bob"
    assert view(db, "fastPeople/ann/sessions/g1")["title"] == "Standup", "sessions of g1 list bob"
    errors = [fields_of(r) for r in caplog.records if r.levelno == logging.ERROR]
    assert {(e["view"], e["root"], e["document"]) for e in errors} == {
        ("Session", "fastGatherings/g1", "fastPeople/bob"),  # every session of g1 lists bob
        ("Agenda", "fastPeople/bob", "fastPeople/bob"),  # bob's own agenda
    }


class StrictSchema(schema.Schema):
    code = fields.String(validate=validate.Length(max=4))
    kind = fields.String(validate=validate.OneOf(["short", "long"]))


class StrictView(ViewModel):
    """A view whose compute breaks its own schema's validators for long titles."""

    class Meta:
        schema_cls = StrictSchema
        path = "fastStrict/{gathering_id}"

    gathering = source(Gathering, "fastGatherings/{gathering_id}")

    def compute(self) -> dict:
        long = len(self.gathering.title) > 4
        return {"code": self.gathering.title, "kind": "lengthy" if long else "short"}


def test_a_view_breaking_its_schema_is_never_written_and_other_views_go_on(world):
    db, writer = world
    g2 = writer.state["fastGatherings/g2"][0]
    event = writer.write("fastGatherings/g2", {**g2, "title": "Daily retro"})
    with pytest.raises(ViewRefreshFailed) as raised:
        handle_document_event(GATHERINGS, event, (StrictView, TitleView), db)
    (failure,) = raised.value.failures
    assert failure.view is StrictView and failure.error.path == "fastStrict/g2"
    assert set(failure.error.errors) == {"code", "kind"}
    assert view(db, "fastStrict/g2") is None
    assert view(db, "fastTitles/g2") == {"title": "DAILY RETRO"}


class BuggyView(ViewModel):
    class Meta:
        schema_cls = StrictSchema
        path = "fastBuggy/{gathering_id}"

    gathering = source(Gathering, "fastGatherings/{gathering_id}")

    def compute(self) -> dict:
        if self.gathering.title == "Boom":
            raise ZeroDivisionError("a bug in compute")
        return {"code": self.gathering.title[:4], "kind": "short"}


def test_a_bug_is_retried_until_the_event_is_too_old_then_recorded_and_repaired(world, caplog):
    db, writer = world
    g2 = writer.state["fastGatherings/g2"][0]
    now = datetime.datetime.now(datetime.UTC)
    fresh = writer.write("fastGatherings/g2", {**g2, "title": "Boom"}, time=now)
    with pytest.raises(ViewRefreshFailed):  # young: raise, so the platform retries
        handle_document_event(GATHERINGS, fresh, (BuggyView,), db)

    with caplog.at_level(logging.ERROR, logger="flask_boiler"):  # two hours later, still failing
        report = handle_document_event(GATHERINGS, fresh, (BuggyView,), db, now=now + datetime.timedelta(hours=2))
    assert report.failures and any("giving up" in r.getMessage() for r in caplog.records)
    (record,) = [s.to_dict() for s in db.collection(SKIPPED).stream()]
    assert record["roots"] == ["fastGatherings/g2"] and record["view"].endswith("BuggyView")

    # The data changes (or a fix is deployed): the repair recomputes exactly that root.
    db.document("fastGatherings/g2").set({**g2, "title": "Fine"})
    repaired = repair_skipped(db, progress=False)
    assert (repaired.records, repaired.roots) == (1, 1)
    assert view(db, "fastBuggy/g2") == {"code": "Fine", "kind": "short"}
    assert list(db.collection(SKIPPED).stream()) == []


def test_a_missing_followed_document_is_none_in_compute(world):
    db, writer = world
    g1 = writer.state["fastGatherings/g1"][0]
    event = writer.write("fastGatherings/g1", {**g1, "room": db.document("fastRooms/gone")})
    handle_document_event(GATHERINGS, event, VIEWS, db)
    assert view(db, "fastPeople/ann/sessions/g1")["roomName"] is None


def test_locally_a_failed_run_is_retried_in_process(monkeypatch):
    from flask_boiler.triggers import view_triggers

    calls: list[int] = []

    def flaky(event: Any) -> str:
        calls.append(1)
        if len(calls) < 3:
            raise RuntimeError("transient")
        return "done"

    monkeypatch.setattr(view_triggers, "LOCAL_BACKOFF_SECONDS", 0.01)
    monkeypatch.setenv("FUNCTIONS_EMULATOR", "true")
    assert view_triggers._with_local_retries(flaky)(object()) == "done" and len(calls) == 3
    monkeypatch.delenv("FUNCTIONS_EMULATOR")
    calls.clear()
    with pytest.raises(RuntimeError):
        view_triggers._with_local_retries(flaky)(object())  # in production: fail, and let the platform retry
    assert len(calls) == 1
