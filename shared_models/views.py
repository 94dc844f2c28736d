"""View models of the meeting-rooms example."""

from __future__ import annotations

import datetime
from typing import Any

from flask_boiler import fields, schema
from flask_boiler.rest import RestOptions
from flask_boiler.views import ViewModel, owner, source

from .domain import Location, Meeting, Ticket, User


class MeetingSessionSchema(schema.Schema):
    class Meta:
        camel_case = True

    title = fields.String()
    status = fields.String()
    location_name = fields.String(allow_none=True)
    attendee_names = fields.List(fields.String())
    num_attendees = fields.Integer()
    num_hearing_aids = fields.Integer()


class MeetingSession(ViewModel):
    """What one attendee sees of a meeting: ``users/{uid}/meetingSessions/{meeting_id}``."""

    class Meta:
        schema_cls = MeetingSessionSchema
        path = "users/{uid}/meetingSessions/{meeting_id}"
        access = owner("uid")
        # Served as REST from the stored documents the triggers keep fresh; lists filter by status.
        rest = RestOptions(mode="stored", list=True, filters=("status",))

    meeting = source(Meeting, "meetings/{meeting_id}")
    location = source(Location, via="meeting.location")
    attendees = source(User, many=True, via="meeting.attendees")

    @staticmethod
    def keys(meeting: Meeting) -> list[dict[str, str]]:
        return [{"uid": user.doc_id, "meeting_id": meeting.doc_id} for user in meeting.attendees]

    def compute(self) -> dict[str, Any]:
        return {
            "title": self.meeting.title,
            "status": self.meeting.status,
            "location_name": self.location.name if self.location else None,
            "attendee_names": [f"{u.first_name} {u.last_name}" for u in self.attendees],
            "num_attendees": len(self.attendees),
            "num_hearing_aids": sum(1 for u in self.attendees if u.hearing_aid_requested),
        }


class AgendaItemSchema(schema.Schema):
    class Meta:
        camel_case = True

    meeting_id = fields.String()
    title = fields.String()
    starts_at = fields.DateTime(allow_none=True)
    checked_in = fields.Boolean()


class UserViewSchema(schema.Schema):
    class Meta:
        camel_case = True

    name = fields.String()
    upcoming = fields.Nested(AgendaItemSchema, many=True)


class UserView(ViewModel):
    """A user's own page: ``userViews/{uid}``, with the open meetings they attend, soonest first.

    ``meetings`` is a back-reference: the meetings whose ``attendees`` point at this user.
    Joining or leaving a meeting, or a meeting being renamed, refreshes the views of the
    users it points at (before and after the change). ``tickets`` is another one, on a
    subcollection model (a collection-group query): checking in shows up here too.
    """

    class Meta:
        schema_cls = UserViewSchema
        path = "userViews/{uid}"
        access = owner("uid")

    user = source(User, "users/{uid}")
    meetings = source(Meeting, backref="attendees")
    tickets = source(Ticket, backref="user")

    def compute(self) -> dict[str, Any]:
        far_future = datetime.datetime.max.replace(tzinfo=datetime.UTC)
        upcoming = sorted(
            (m for m in self.meetings if m.status == "open"),
            key=lambda m: (m.starts_at or far_future, m.title),
        )
        checked_in = {ticket.meeting.doc_id for ticket in self.tickets if ticket.checked_in}
        return {
            "name": f"{self.user.first_name} {self.user.last_name}",
            "upcoming": [
                {
                    "meeting_id": m.doc_id,
                    "title": m.title,
                    "starts_at": m.starts_at,
                    "checked_in": m.doc_id in checked_in,
                }
                for m in upcoming
            ],
        }
