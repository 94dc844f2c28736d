"""View models of the meeting-rooms example."""

from __future__ import annotations

from flask_boiler import fields, schema
from flask_boiler.views import ViewModel, owner, source

from .domain import Location, Meeting, User


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

    meeting = source(Meeting, "meetings/{meeting_id}")
    location = source(Location, via="meeting.location")
    attendees = source(User, many=True, via="meeting.attendees")

    @staticmethod
    def keys(meeting: Meeting) -> list[dict[str, str]]:
        return [{"uid": user.doc_id, "meeting_id": meeting.doc_id} for user in meeting.attendees]

    def compute(self) -> dict:
        return {
            "title": self.meeting.title,
            "status": self.meeting.status,
            "location_name": self.location.name if self.location else None,
            "attendee_names": [f"{u.first_name} {u.last_name}" for u in self.attendees],
            "num_attendees": len(self.attendees),
            "num_hearing_aids": sum(1 for u in self.attendees if u.hearing_aid_requested),
        }
