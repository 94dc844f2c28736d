"""The GET path, kept lean: what it reads, and that the shortcuts give the same answers.

* A computed view reads its root and the documents it follows, once each, nothing else
  (counted on the wire), like the hand-written handler the REST benchmark compares with.
* A stored view is answered from the document as read (checked against the view's schema)
  rather than dumped back from the loaded model: the body must be the one the model gives.
* A stored document that no longer fits its schema is the server's problem: a logged 500
  in the JSON shape that tells the client nothing, never the data.
"""

from __future__ import annotations

import functions_framework
import pytest

from flask_boiler.context import Context
from flask_boiler.rest import reads
from flask_boiler.testing.costs import count_operations
from shared_models.rest import MeetingCard
from shared_models.seed import seed_domain
from shared_models.views import MeetingSession

from .conftest import ROOT
from .rest_app import StoredNote, make_app


@pytest.fixture
def client(accounts):
    return make_app().test_client()


def _resource(app, view_cls):
    return next(r for r in app.extensions["flask_boiler.rest"]["resources"] if r.view_cls is view_cls)


def _example_api():
    """The example app's API (functions/main.py's ``api``), as functions-framework builds it."""
    function = functions_framework.create_app(target="api", source=str(ROOT / "functions" / "main.py"))
    handler = function.view_functions["run"]
    while not hasattr(handler, "app"):
        handler = handler.__wrapped__
    return handler.app()


def test_a_computed_get_reads_its_root_and_what_it_follows_once_each(clean_firestore):
    seed_domain()
    client = functions_framework.create_app(target="api", source=str(ROOT / "functions" / "main.py")).test_client()
    assert client.get("/meetingCards/standup").status_code == 200  # the app is built, the read set inferred
    with count_operations() as cost:
        response = client.get("/meetingCards/standup")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["locationName"] == "Blue room"
    assert cost.looked_up == ["meetings/standup", "locations/blue"]
    assert (cost.reads, cost.queries, cost.writes) == (2, 0, 0)


def test_a_stored_get_reads_one_document(clean_firestore, accounts):
    ann = accounts.create("ann")
    StoredNote.new("s1", text="hello", color="red", text_length=5).save()
    client = make_app().test_client()
    with count_operations() as cost:
        response = client.get("/restStoredNotes/s1", headers=ann.headers)
    assert response.status_code == 200
    assert cost.looked_up == ["restStoredNotes/s1"] and cost.reads == 1


def test_the_stored_body_is_the_one_the_view_model_gives(clean_firestore, accounts):
    ann = accounts.create("ann")
    app = make_app()
    resource = _resource(app, StoredNote)
    # unknown stored keys (bookkeeping, removed fields) stay out; a missing field is null
    Context.db.document("restStoredNotes/s1").set({"text": "héllo ✓", "textLength": 7, "_fb": {"root": "x"}, "old": 1})
    body = app.test_client().get("/restStoredNotes/s1", headers=ann.headers).get_json()
    assert body == {"noteId": "s1", "text": "héllo ✓", "color": None, "textLength": 7}
    assert body == reads.to_json(resource, StoredNote.get("s1"))

    seed_domain()
    sessions = _resource(_example_api(), MeetingSession)
    key = {"uid": "ann", "meeting_id": "standup"}
    Context.db.document("users/ann/meetingSessions/standup").set(
        {
            "title": "Daily standup",
            "status": "open",
            "locationName": None,
            "attendeeNames": ["Ann A"],
            "numAttendees": 1,
        }
    )
    assert reads.read_item(sessions, key) == reads.to_json(sessions, MeetingSession.get(**key))


def test_a_stored_document_that_no_longer_fits_is_a_logged_500(client, accounts, caplog):
    ann = accounts.create("ann")
    Context.db.document("restStoredNotes/bad").set({"text": "fine", "textLength": "not a number"})
    response = client.get("/restStoredNotes/bad", headers=ann.headers)
    assert response.status_code == 500
    assert response.get_json()["error"]["code"] == "internal"
    assert "not a number" not in response.get_data(as_text=True)
    assert any(r.name == "flask_boiler.rest" and r.levelname == "ERROR" for r in caplog.records)


def test_computed_views_of_the_same_class_share_their_json_keys(clean_firestore):
    seed_domain()
    cards = _resource(_example_api(), MeetingCard)
    body = reads.read_item(cards, {"meeting_id": "standup"})
    assert list(body) == ["meetingId", *cards.representation_keys]
