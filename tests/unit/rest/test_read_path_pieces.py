"""Pieces of the lean GET path that need no emulator."""

from __future__ import annotations

import pytest

from flask_boiler import fields, schema
from flask_boiler.errors import EncodingError, ValidationError
from flask_boiler.models.serialization import load_values
from flask_boiler.rest.serialization import stored_json


class CardSchema(schema.Schema):
    class Meta:
        camel_case = True

    title = fields.String()
    num_attendees = fields.Integer()


def test_data_read_from_firestore_is_still_checked_against_the_schema():
    with pytest.raises(ValidationError):
        load_values(CardSchema(), {"title": "x", "numAttendees": "many"}, from_firestore=True)


def test_only_data_from_elsewhere_is_walked_for_what_firestore_would_refuse():
    """A lone surrogate cannot come out of Firestore (it refused it on write); from a caller it can."""
    data = {"title": "\ud800", "numAttendees": 1}
    with pytest.raises(EncodingError):
        load_values(CardSchema(), data)
    values, extra = load_values(CardSchema(), data, from_firestore=True)
    assert values == {"title": "\ud800", "num_attendees": 1} and extra == {}


def test_the_json_of_a_stored_view_is_its_fields_and_key_params():
    stored = {"title": "Standup", "numAttendees": 2, "_fb": {"root": "meetings/m1"}, "removedField": 1}
    body = stored_json(stored, {"meeting_id": "m1"}, {"meeting_id": "meetingId"}, ("title", "numAttendees", "gone"))
    assert body == {"meetingId": "m1", "title": "Standup", "numAttendees": 2, "gone": None}
