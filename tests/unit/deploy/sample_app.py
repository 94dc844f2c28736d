"""View models covering every access policy and a subcollection root, on collections nothing else uses.

Shared by the rules/indexes unit tests and the rules integration tests (which load rules
generated from these views into the Firestore emulator).
"""

from __future__ import annotations

from flask_boiler import fields, schema
from flask_boiler.domain_model import DomainModel
from flask_boiler.views import ViewModel, owner, public, role, signed_in, source


class RtUserSchema(schema.Schema):
    name = fields.String(required=True)


class RtUser(DomainModel):
    class Meta:
        collection_name = "rtUsers"
        schema_cls = RtUserSchema


class RtTeamSchema(schema.Schema):
    name = fields.String(required=True)


class RtTeam(DomainModel):
    class Meta:
        collection_name = "rtTeams"
        schema_cls = RtTeamSchema


class RtTicketSchema(schema.Schema):
    title = fields.String(required=True)
    assignee = fields.Reference(RtUser, data_key="assignedTo")
    watchers = fields.Reference(RtUser, many=True, load_default=list, dump_default=list)


class RtTicket(DomainModel):
    """A root that lives in a subcollection: its reverse queries are collection-group queries."""

    class Meta:
        path = "rtOrgs/{org_id}/rtTickets/{ticket_id}"
        schema_cls = RtTicketSchema


class BoardSchema(schema.Schema):
    name = fields.String()


def _board(self) -> dict:
    return {"name": self.team.name}


class PublicBoard(ViewModel):
    class Meta:
        schema_cls = BoardSchema
        path = "rtPublicBoards/{team_id}"
        access = public()

    team = source(RtTeam, "rtTeams/{team_id}")
    compute = _board


class MemberBoard(ViewModel):
    class Meta:
        schema_cls = BoardSchema
        path = "rtMemberBoards/{team_id}"
        access = signed_in()

    team = source(RtTeam, "rtTeams/{team_id}")
    compute = _board


class AdminBoard(ViewModel):
    class Meta:
        schema_cls = BoardSchema
        path = "rtAdminBoards/{team_id}"
        access = role("admin")

    team = source(RtTeam, "rtTeams/{team_id}")
    compute = _board


class StaffBoard(ViewModel):
    class Meta:
        schema_cls = BoardSchema
        path = "rtStaffBoards/{team_id}"
        access = role("level", "staff")

    team = source(RtTeam, "rtTeams/{team_id}")
    compute = _board


class Inbox(ViewModel):
    class Meta:
        schema_cls = RtUserSchema
        path = "rtInboxes/{uid}"
        access = owner("uid")

    user = source(RtUser, "rtUsers/{uid}")

    def compute(self) -> dict:
        return {"name": self.user.name}


class TicketSchema(schema.Schema):
    title = fields.String()


class TicketView(ViewModel):
    class Meta:
        schema_cls = TicketSchema
        path = "rtTicketViews/{ticket_id}"
        access = signed_in()
        trigger_options = {"memory": "512MiB", "timeout": 120}

    ticket = source(RtTicket, "rtOrgs/{org_id}/rtTickets/{ticket_id}")
    assignee = source(RtUser, via="ticket.assignee")
    watchers = source(RtUser, many=True, via="ticket.watchers")

    def compute(self) -> dict:
        return {"title": self.ticket.title}


SAMPLE_VIEWS = (PublicBoard, MemberBoard, AdminBoard, StaffBoard, Inbox, TicketView)
