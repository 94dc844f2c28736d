"""Firestore CloudEvents decode into snapshots with the client's own value types."""

from __future__ import annotations

import datetime

import google.auth.credentials
import pytest
from google.cloud import firestore

from flask_boiler.testing.events import document_event
from flask_boiler.triggers.events import EventDecodeError, decode_document_event

#: Events here are built without a database, so their documents' times are given.
WHEN = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)


@pytest.fixture
def client():
    # An emulator-style client: building references needs no network.
    return firestore.Client(project="demo-flask-boiler", credentials=google.auth.credentials.AnonymousCredentials())


def test_update_event_carries_before_after_and_typed_values(client):
    when = datetime.datetime(2026, 1, 2, 3, 4, 5, 123456, tzinfo=datetime.UTC)
    after = {
        "name": "Room 1",
        "at": when,
        "where": firestore.GeoPoint(1.5, 2.5),
        "owner": client.document("users/u1"),
        "blob": b"\x00\x01",
        "tags": ["a", "b"],
        "nested": {"x": 1},
    }
    event = document_event("meetings/m1", before={"name": "Room 0"}, after=after, after_time=WHEN)
    decoded = decode_document_event(event, client, "meetings/{meeting_id}")

    assert decoded.params == {"meeting_id": "m1"}
    assert decoded.before.to_dict() == {"name": "Room 0"}
    data = decoded.after.to_dict()
    assert data["at"] == when and data["at"].microsecond == 123456
    assert data["where"] == firestore.GeoPoint(1.5, 2.5)
    assert data["owner"].path == "users/u1"
    assert data["blob"] == b"\x00\x01"
    assert data["tags"] == ["a", "b"] and data["nested"] == {"x": 1}
    assert not decoded.is_create and not decoded.is_delete
    assert decoded.after.update_time is not None


def test_create_and_delete_have_a_missing_side(client):
    created = decode_document_event(document_event("a/1", after={"v": 1}, after_time=WHEN), client)
    deleted = decode_document_event(document_event("a/1", before={"v": 1}), client)
    assert created.is_create and not created.before.exists
    assert deleted.is_delete and not deleted.after.exists and deleted.after.to_dict() is None


def test_path_outside_the_pattern_is_an_error(client):
    with pytest.raises(EventDecodeError, match="does not match"):
        decode_document_event(document_event("other/1", after={}, after_time=WHEN), client, "meetings/{meeting_id}")


def test_json_body_is_rejected_with_a_clear_error(client):
    event = document_event("a/1", after={"v": 1}, after_time=WHEN)
    event.data = {"value": {}}
    with pytest.raises(EventDecodeError, match="protobuf"):
        decode_document_event(event, client)


def test_an_event_for_a_document_that_was_never_written_needs_its_time():
    """The default ``after_time`` is the stored document's; without a document there is none to read."""
    from flask_boiler.errors import UsageError

    class NoDocuments:
        def document(self, path):
            class Missing:
                exists = False

            return type("Ref", (), {"get": lambda self: Missing()})()

    with pytest.raises(UsageError, match="after_time"):
        document_event("a/1", after={"v": 1}, db=NoDocuments())
