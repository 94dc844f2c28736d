"""Flask-As-View resources of the meeting-rooms example: what HTTP clients read and change.

* ``MeetingCard`` (``/meetingCards/{meeting_id}``): the public card of a meeting,
  computed on request. Organizers (custom claim ``organizer: true``) create, rename,
  close and cancel meetings through it.
* ``MeetingAttendance`` (``/meetings/{meeting_id}/attendees/{uid}``): one user's place in
  a meeting, computed on request, visible to that user only. ``POST`` joins, ``PATCH``
  changes the hearing-aid request, ``DELETE`` leaves. Each changes domain documents
  (``Meeting.attendees``, ``User``), so the stored ``MeetingSession`` views of every
  attendee follow through the triggers.

``MeetingSession`` (the stored per-attendee view) is served too; its REST options are in
:mod:`.views`.
"""

from __future__ import annotations

from typing import Any

from marshmallow import validate

from flask_boiler import fields, schema
from flask_boiler.errors import DocumentNotFound
from flask_boiler.rest import Change, RestOptions, Writes
from flask_boiler.views import ViewModel, owner, public, role, source

from .domain import Location, Meeting, Ticket, User

STATUSES = ("open", "closed")


class MeetingCardSchema(schema.Schema):
    class Meta:
        camel_case = True

    title = fields.String(required=True, validate=validate.Length(min=1, max=200), metadata={"example": "Planning"})
    status = fields.String(required=True, validate=validate.OneOf(STATUSES))
    location_name = fields.String(allow_none=True, metadata={"example": "Blue room"})
    num_attendees = fields.Integer(required=True, validate=validate.Range(min=0), metadata={"example": 3})


class MeetingCardWrites(Writes):
    """Organizers manage meetings through their cards."""

    fields = ("title", "status")
    required = ("title",)

    def create(self, transaction: Any, change: Change) -> dict[str, str]:
        meeting = Meeting.new(title=change.values["title"], status=change.values.get("status", "open"))
        meeting.insert(transaction=transaction)
        return {"meeting_id": meeting.doc_id}

    def update(self, transaction: Any, change: Change) -> None:
        meeting = Meeting.get_or_raise(change.key["meeting_id"], transaction=transaction)
        meeting.update(transaction=transaction, **change.values)

    def delete(self, transaction: Any, change: Change) -> None:
        Meeting.get_or_raise(change.key["meeting_id"], transaction=transaction).delete(transaction=transaction)


class MeetingCard(ViewModel):
    """The public face of a meeting (computed per request; not stored)."""

    class Meta:
        schema_cls = MeetingCardSchema
        path = "meetingCards/{meeting_id}"
        access = public()
        rest = RestOptions(mode="computed", list=True, writes=MeetingCardWrites(), write_access=role("organizer"))

    meeting = source(Meeting, "meetings/{meeting_id}")
    location = source(Location, via="meeting.location")

    def compute(self) -> dict[str, Any]:
        return {
            "title": self.meeting.title,
            "status": self.meeting.status,
            "location_name": self.location.name if self.location else None,
            "num_attendees": len(self.meeting.attendees),
        }


class MeetingAttendanceSchema(schema.Schema):
    class Meta:
        camel_case = True

    name = fields.String(required=True, metadata={"example": "Ann Lee"})
    meeting_title = fields.String(required=True, metadata={"example": "Planning"})
    hearing_aid_requested = fields.Boolean(required=True)
    checked_in = fields.Boolean(required=True)


class AttendanceWrites(Writes):
    """Join (``POST``: adds the user to ``Meeting.attendees`` and issues their ``Ticket``),
    check in or change the hearing-aid request (``PATCH``), leave (``DELETE``)."""

    fields = ("hearing_aid_requested", "checked_in")
    client_ids = True  # the joining user's uid is in the body, so owner("uid") is checked first

    def create(self, transaction: Any, change: Change) -> None:
        # The meeting is the hot document (everyone joins it): it is not read in the
        # transaction, which would make concurrent joins abort each other. Its existence is
        # checked before (404), and the ArrayUnion update fails at commit if it vanished
        # meanwhile (404 too); the ticket, created only if absent, makes a second join a 409.
        meeting = Meeting.get_or_raise(change.key["meeting_id"])
        user = User.get_or_raise(change.key["uid"], transaction=transaction)
        if "hearing_aid_requested" in change.values:
            user.update(transaction=transaction, hearing_aid_requested=change.values["hearing_aid_requested"])
        ticket = Ticket.new(
            meeting.doc_id,
            uid=user.doc_id,
            meeting=meeting,
            user=user,
            checked_in=change.values.get("checked_in", False),
        )
        ticket.insert(transaction=transaction)
        meeting.join(user, transaction=transaction)

    def update(self, transaction: Any, change: Change) -> None:
        user = User.get_or_raise(change.key["uid"], transaction=transaction)
        ticket = Ticket.get_or_raise(change.key["meeting_id"], uid=change.key["uid"], transaction=transaction)
        if "hearing_aid_requested" in change.values:
            user.update(transaction=transaction, hearing_aid_requested=change.values["hearing_aid_requested"])
        if "checked_in" in change.values:
            ticket.update(transaction=transaction, checked_in=change.values["checked_in"])

    def delete(self, transaction: Any, change: Change) -> None:
        meeting = Meeting.get_or_raise(change.key["meeting_id"], transaction=transaction)
        meeting.leave(change.key["uid"], transaction=transaction)
        transaction.delete(Ticket.ref_for(change.key["meeting_id"], uid=change.key["uid"]))


class MeetingAttendance(ViewModel):
    """One attendee's place in a meeting (computed per request; owner only)."""

    class Meta:
        schema_cls = MeetingAttendanceSchema
        path = "meetings/{meeting_id}/attendees/{uid}"
        access = owner("uid")
        # Only the attendee changes their own attendance (owner), so concurrent edits are theirs
        # alone, and leaving or setting a flag means the same whatever was read before: the
        # last write wins, no ETag needed (the web page's "Leave meeting" sends none).
        rest = RestOptions(mode="computed", writes=AttendanceWrites(), require_if_match=False)

    meeting = source(Meeting, "meetings/{meeting_id}")
    attendees = source(User, many=True, via="meeting.attendees")
    tickets = source(Ticket, backref="meeting")

    @staticmethod
    def keys(meeting: Meeting) -> list[dict[str, str]]:
        return [{"meeting_id": meeting.doc_id, "uid": user.doc_id} for user in meeting.attendees]

    def compute(self) -> dict[str, Any] | None:
        user = next((u for u in self.attendees if u.doc_id == self.key["uid"]), None)
        if user is None:  # listed, but the user document is gone
            raise DocumentNotFound(f"users/{self.key['uid']}")
        return {
            "name": f"{user.first_name} {user.last_name}",
            "meeting_title": self.meeting.title,
            "hearing_aid_requested": user.hearing_aid_requested,
            "checked_in": any(t.uid == user.doc_id and t.checked_in for t in self.tickets),
        }
