"""A copy of the example app's shape on collections no deployed trigger watches.

Handler tests call the refresh code directly with real protobuf events; the Functions
emulator only imports ``shared_models``, so nothing else writes these views meanwhile.
"""

from __future__ import annotations

from flask_boiler import fields, schema
from flask_boiler.domain_model import DomainModel
from flask_boiler.views.declaration import source
from flask_boiler.views.view_model import ViewModel


class PersonSchema(schema.Schema):
    name = fields.String(required=True)
    hearing_aid = fields.Boolean(load_default=False, dump_default=False, data_key="hearingAid")
    nickname = fields.String(load_default="", dump_default="")


class Person(DomainModel):
    class Meta:
        collection_name = "fastPeople"
        schema_cls = PersonSchema


class RoomSchema(schema.Schema):
    name = fields.String(required=True)


class Room(DomainModel):
    class Meta:
        collection_name = "fastRooms"
        schema_cls = RoomSchema


class GatheringSchema(schema.Schema):
    title = fields.String(required=True)
    notes = fields.String(load_default="", dump_default="")
    room = fields.Reference(Room)
    people = fields.Reference(Person, many=True, load_default=list, dump_default=list)


class Gathering(DomainModel):
    class Meta:
        collection_name = "fastGatherings"
        schema_cls = GatheringSchema


class SessionSchema(schema.Schema):
    title = fields.String()
    room_name = fields.String(allow_none=True, data_key="roomName")
    names = fields.List(fields.String())
    hearing_aids = fields.Integer(data_key="hearingAids")


class Session(ViewModel):
    class Meta:
        schema_cls = SessionSchema
        path = "fastPeople/{uid}/sessions/{gathering_id}"

    gathering = source(Gathering, "fastGatherings/{gathering_id}")
    room = source(Room, via="gathering.room")
    people = source(Person, many=True, via="gathering.people")

    @staticmethod
    def keys(gathering):
        return [{"uid": person.doc_id, "gathering_id": gathering.doc_id} for person in gathering.people]

    def compute(self):
        return {
            "title": self.gathering.title,
            "room_name": self.room.name if self.room else None,
            "names": [p.name for p in self.people],
            "hearing_aids": sum(1 for p in self.people if p.hearing_aid),
        }


class TitleViewSchema(schema.Schema):
    title = fields.String()


class TitleView(ViewModel):
    """The three-line single-source view."""

    class Meta:
        schema_cls = TitleViewSchema
        path = "fastTitles/{gathering_id}"

    gathering = source(Gathering, "fastGatherings/{gathering_id}")

    def compute(self):
        return {"title": self.gathering.title.upper()}


class AgendaSchema(schema.Schema):
    name = fields.String()
    titles = fields.List(fields.String())


class Agenda(ViewModel):
    """A back-reference view: one person's gatherings (the gatherings point at the person)."""

    class Meta:
        schema_cls = AgendaSchema
        path = "fastAgendas/{uid}"

    person = source(Person, "fastPeople/{uid}")
    gatherings = source(Gathering, backref="people")

    def compute(self):
        return {"name": self.person.name, "titles": sorted(g.title for g in self.gatherings)}


class BadgeSchema(schema.Schema):
    title = fields.String()
    name = fields.String()


class Badge(ViewModel):
    """A constant-size view per attendee (fan-outs larger than one commit stay cheap to test)."""

    class Meta:
        schema_cls = BadgeSchema
        path = "fastPeople/{uid}/badges/{gathering_id}"

    gathering = source(Gathering, "fastGatherings/{gathering_id}")
    people = source(Person, many=True, via="gathering.people")

    @staticmethod
    def keys(gathering):
        return [{"uid": person.doc_id, "gathering_id": gathering.doc_id} for person in gathering.people]

    def compute(self):
        me = next((p for p in self.people if p.doc_id == self.key["uid"]), None)
        return {"title": self.gathering.title, "name": me.name if me else ""}
