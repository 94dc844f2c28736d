"""A small REST app on collections no deployed trigger watches, one view per access policy.

Served through Flask's test client with :func:`flask_boiler.rest.create_api`; tokens are
real Auth-emulator tokens, data is in the real Firestore emulator.
"""

from __future__ import annotations

from typing import Any

from marshmallow import validate

from flask_boiler import fields, schema
from flask_boiler.context import Context
from flask_boiler.domain_model import DomainModel
from flask_boiler.rest import Change, RestOptions, Writes, create_api
from flask_boiler.views import ViewModel, owner, public, role, signed_in, source


class NoteSchema(schema.Schema):
    owner = fields.String(required=True)
    text = fields.String(required=True, validate=validate.Length(max=20))
    color = fields.String(load_default="grey", dump_default="grey")


class Note(DomainModel):
    class Meta:
        collection_name = "restNotes"
        schema_cls = NoteSchema


class NoteViewSchema(schema.Schema):
    class Meta:
        camel_case = True

    text = fields.String()
    color = fields.String()
    text_length = fields.Integer()


def _note_view(note: Note) -> dict[str, Any]:
    return {"text": note.text, "color": note.color, "text_length": len(note.text)}


class NoteWrites(Writes):
    """Edits notes; every change first records an audit document in the same transaction."""

    fields = ("text", "color")
    required = ("text",)

    def create(self, transaction: Any, change: Change) -> dict[str, str]:
        note = Note.new(owner=change.caller["uid"], **change.values)
        self._audit(transaction, note.doc_id, "create")
        note.insert(transaction=transaction)
        return {"note_id": note.doc_id}

    def update(self, transaction: Any, change: Change) -> None:
        note = Note.get_or_raise(change.key["note_id"], transaction=transaction)
        self._audit(transaction, note.doc_id, "update")
        note.update(transaction=transaction, **change.values)  # the ORM validates (text <= 20)

    def delete(self, transaction: Any, change: Change) -> None:
        note = Note.get_or_raise(change.key["note_id"], transaction=transaction)
        note.delete(transaction=transaction)

    @staticmethod
    def _audit(transaction: Any, note_id: str, what: str) -> None:
        transaction.set(Context.db.collection("restNoteAudit").document(note_id), {"last": what})


class PublicNote(ViewModel):
    """Computed, public, listable (pages over the notes), writable by signed-in users (If-Match required)."""

    class Meta:
        schema_cls = NoteViewSchema
        path = "restPublicNotes/{note_id}"
        access = public()
        rest = RestOptions(mode="computed", list=True, page_size=2, writes=NoteWrites(), write_access=signed_in())

    note = source(Note, "restNotes/{note_id}")

    def compute(self) -> dict:
        return _note_view(self.note)


class StoredNote(ViewModel):
    """Stored (its documents are written by the tests here), signed-in, filterable by color."""

    class Meta:
        schema_cls = NoteViewSchema
        path = "restStoredNotes/{note_id}"
        access = signed_in()
        rest = RestOptions(mode="stored", list=True, filters=("color", "text_length"), page_size=2)

    note = source(Note, "restNotes/{note_id}")

    def compute(self) -> dict:
        return _note_view(self.note)


class OwnerNote(ViewModel):
    """Computed, only for the note's owner: ``/restOwners/{uid}/notes/{note_id}``."""

    class Meta:
        schema_cls = NoteViewSchema
        path = "restOwners/{uid}/notes/{note_id}"
        access = owner("uid")
        rest = RestOptions(mode="computed")

    note = source(Note, "restNotes/{note_id}")

    @staticmethod
    def keys(note: Note) -> list[dict[str, str]]:
        return [{"uid": note.owner, "note_id": note.doc_id}]

    def compute(self) -> dict:
        return _note_view(self.note)


class StaffNote(ViewModel):
    """Computed, for users with the custom claim ``staff: true``."""

    class Meta:
        schema_cls = NoteViewSchema
        path = "restStaffNotes/{note_id}"
        access = role("staff")
        rest = RestOptions(mode="computed")

    note = source(Note, "restNotes/{note_id}")

    def compute(self) -> dict:
        return _note_view(self.note)


class Shelf(ViewModel):
    """Stored under its owner (the tests write the documents): an owner-scoped list."""

    class Meta:
        schema_cls = NoteViewSchema
        path = "restShelves/{uid}/notes/{note_id}"
        access = owner("uid")
        rest = RestOptions(mode="stored", list=True)

    note = source(Note, "restNotes/{note_id}")

    @staticmethod
    def keys(note: Note) -> list[dict[str, str]]:
        return [{"uid": note.owner, "note_id": note.doc_id}]

    def compute(self) -> dict:
        return _note_view(self.note)


class SecretNote(ViewModel):
    """Declares no ``Meta.access``: closed to every caller."""

    class Meta:
        schema_cls = NoteViewSchema
        path = "restSecretNotes/{note_id}"
        rest = RestOptions(mode="computed")

    note = source(Note, "restNotes/{note_id}")

    def compute(self) -> dict:
        return _note_view(self.note)


VIEWS = (PublicNote, StoredNote, OwnerNote, StaffNote, Shelf, SecretNote)


def make_app():
    return create_api(VIEWS, title="REST test app", max_body_bytes=4096)
