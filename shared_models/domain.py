"""Domain models of the meeting-rooms example."""

from __future__ import annotations

from typing import Any

from flask_boiler import fields, schema
from flask_boiler.domain_model import DomainModel
from flask_boiler.models import ArrayRemove, ArrayUnion


class UserSchema(schema.Schema):
    class Meta:
        camel_case = True

    first_name = fields.String(required=True)
    last_name = fields.String(required=True)
    hearing_aid_requested = fields.Boolean(load_default=False, dump_default=False)


class User(DomainModel):
    class Meta:
        collection_name = "users"
        schema_cls = UserSchema


class LocationSchema(schema.Schema):
    name = fields.String(required=True)
    address = fields.String(load_default="", dump_default="")


class Location(DomainModel):
    class Meta:
        collection_name = "locations"
        schema_cls = LocationSchema


class MeetingSchema(schema.Schema):
    class Meta:
        camel_case = True

    title = fields.String(required=True)
    status = fields.String(load_default="open", dump_default="open")
    starts_at = fields.DateTime(allow_none=True, load_default=None, dump_default=None)
    location = fields.Reference(Location)
    attendees = fields.Reference(User, many=True, load_default=list, dump_default=list)


class Meeting(DomainModel):
    class Meta:
        collection_name = "meetings"
        schema_cls = MeetingSchema

    def join(self, user: User, *, transaction: Any = None) -> None:
        """Add ``user`` to the attendees; the views follow.

        ``ArrayUnion`` adds the reference on the server without reading or rewriting the
        list, so many users joining one meeting at once never overwrite each other (a
        read-modify-write of the whole list would lose joins or abort on contention).
        """
        self.update(attendees=ArrayUnion([user]), transaction=transaction)

    def leave(self, uid: str, *, transaction: Any = None) -> None:
        """Remove the attendee with ``uid`` (``ArrayRemove``: no read-modify-write either)."""
        self.update(attendees=ArrayRemove([User.ref_for(uid)]), transaction=transaction)


class TicketSchema(schema.Schema):
    class Meta:
        camel_case = True

    meeting = fields.Reference(Meeting, required=True)
    user = fields.Reference(User, required=True)
    checked_in = fields.Boolean(load_default=False, dump_default=False)


class Ticket(DomainModel):
    """A user's admission to one meeting, kept under the user: ``users/{uid}/tickets/{meeting_id}``.

    Created when the user joins (``POST`` on ``MeetingAttendance``) and deleted when they leave,
    in the same transaction as the change to ``Meeting.attendees``.
    """

    class Meta:
        path = "users/{uid}/tickets/{meeting_id}"
        schema_cls = TicketSchema
