"""Benchmark-only app for scenario 6 (Cloud Tasks): a meeting-like root on its own collection
with one constant-size view per attendee, so a 10,000-attendee fan-out is 10,000 small views.

It runs in a codebase of its own in the benchmark stack (:mod:`bench.stack`, from
``bench/tasks_main.py``), with its own task queue (``benchTasks``): nothing the example app
deploys watches these collections.
"""

from __future__ import annotations

from flask_boiler import fields, schema
from flask_boiler.domain_model import DomainModel
from flask_boiler.views import ViewModel, source
from shared_models import User


class FanMeetingSchema(schema.Schema):
    title = fields.String(required=True)
    attendees = fields.Reference(User, many=True, load_default=list, dump_default=list)


class FanMeeting(DomainModel):
    class Meta:
        collection_name = "benchFanMeetings"
        schema_cls = FanMeetingSchema


class FanBadgeSchema(schema.Schema):
    title = fields.String()
    member = fields.String()
    num_attendees = fields.Integer(data_key="numAttendees")


class FanBadge(ViewModel):
    """One badge per attendee (an inbox-style fan-out): the meeting's title and head count.

    It reads the meeting only, so each view costs the same whatever N is, and what is measured
    is the fan-out itself. (A view that reads every attendee — ``MeetingSession`` — makes each
    slice read the N attendees again: see the README on what tasks cost.)
    """

    class Meta:
        schema_cls = FanBadgeSchema
        path = "benchFanBadges/{meeting_id}/badges/{uid}"

    meeting = source(FanMeeting, "benchFanMeetings/{meeting_id}")

    @staticmethod
    def keys(meeting: FanMeeting) -> list[dict[str, str]]:
        return [{"meeting_id": meeting.doc_id, "uid": user.doc_id} for user in meeting.attendees]

    def compute(self) -> dict:
        return {"title": self.meeting.title, "member": self.key["uid"], "num_attendees": len(self.meeting.attendees)}


VIEW_MODELS = (FanBadge,)
