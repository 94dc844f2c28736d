"""View model declarations are checked when the class is created (import time)."""

from __future__ import annotations

import pytest

from flask_boiler import fields, schema
from flask_boiler.domain_model import DomainModel
from flask_boiler.errors import ModelDefinitionError
from flask_boiler.views import ViewModel, owner, source
from flask_boiler.views.registry import patterns_overlap, trigger_name, watched_patterns


class NoteSchema(schema.Schema):
    text = fields.String()
    author = fields.Reference("unitAuthor", allow_none=True)


class Note(DomainModel):
    class Meta:
        collection_name = "unitNotes"
        schema_cls = NoteSchema


class TextSchema(schema.Schema):
    text = fields.String()


class Other(DomainModel):
    class Meta:
        collection_name = "unitOther"
        schema_cls = TextSchema


def test_three_line_view_declares_one_trigger():
    class NoteView(ViewModel):
        class Meta:
            schema_cls = TextSchema
            path = "unitNoteViews/{note_id}"

        note = source(Note, "unitNotes/{note_id}")

        def compute(self):
            return {"text": self.note.text}

    assert list(watched_patterns([NoteView])) == ["unitNotes/{doc_id}"]
    assert NoteView.keys_for(Note.new("n1", text="x")) == [{"note_id": "n1"}]


def test_a_view_whose_documents_would_trigger_itself_is_rejected():
    with pytest.raises(ModelDefinitionError, match="Trigger loop"):

        class Echo(ViewModel):
            class Meta:
                schema_cls = TextSchema
                path = "unitNotes/{note_id}"  # writes where its own source lives

            note = source(Note, "unitNotes/{note_id}")


def test_a_view_written_where_another_view_reads_is_rejected():
    class Reader(ViewModel):
        class Meta:
            schema_cls = TextSchema
            path = "unitReaderViews/{note_id}"

        note = source(Note, "unitNotes/{note_id}")

    with pytest.raises(ModelDefinitionError, match="Trigger loop.*Reader"):

        class Shadow(ViewModel):
            class Meta:
                schema_cls = TextSchema
                path = "unitNotes/{x}"  # where Reader's source lives

            other = source(Other, "unitOther/{x}")


def test_exactly_one_root_source_is_required():
    with pytest.raises(ModelDefinitionError, match="0 root sources"):

        class NoRoot(ViewModel):
            class Meta:
                schema_cls = TextSchema
                path = "unitNoRoot/{note_id}"


def test_followed_source_must_start_at_the_root():
    with pytest.raises(ModelDefinitionError, match="must start at the root"):

        class Wrong(ViewModel):
            class Meta:
                schema_cls = TextSchema
                path = "unitWrong/{note_id}"

            note = source(Note, "unitNotes/{note_id}")
            author = source(Note, via="other.author")


def test_view_path_parameters_must_come_from_the_root_or_keys():
    with pytest.raises(ModelDefinitionError, match="define keys"):

        class PerUser(ViewModel):
            class Meta:
                schema_cls = TextSchema
                path = "unitUsers/{uid}/notes/{note_id}"

            note = source(Note, "unitNotes/{note_id}")


def test_owner_access_needs_the_parameter_in_the_path():
    with pytest.raises(ModelDefinitionError, match="owner"):

        class Owned(ViewModel):
            class Meta:
                schema_cls = TextSchema
                path = "unitOwned/{note_id}"
                access = owner("uid")

            note = source(Note, "unitNotes/{note_id}")


def test_source_arguments_are_checked():
    with pytest.raises(ModelDefinitionError):
        source(Note)
    with pytest.raises(ModelDefinitionError):
        source(Note, "a/{b}", via="x.y")
    for bad in ("a", "a..b", "a.b-c", ""):
        with pytest.raises(ModelDefinitionError, match="root_source.reference"):
            source(Note, via=bad)
    assert source(Note, via="a.b.c", many=True).via_attributes == ("b", "c")  # several hops are fine


@pytest.mark.parametrize(
    "first, second, overlap",
    [
        ("users/{uid}", "users/{id}", True),
        ("users/{uid}/sessions/{s}", "users/{id}", False),
        ("users/{uid}/sessions/{s}", "users/me/sessions/{b}", True),  # a wildcard meets a literal id
        ("views/{id}", "meetings/{id}", False),
    ],
)
def test_patterns_overlap(first, second, overlap):
    assert patterns_overlap(first, second) is overlap


def test_trigger_names_are_deployable():
    assert trigger_name("users/{uid}/tickets/{ticket_id}") == "on_users_tickets_written"
    assert trigger_name("meeting-rooms/{id}") == "on_meeting_rooms_written"


def test_root_path_must_name_the_models_documents():
    with pytest.raises(ModelDefinitionError, match="does not name Note's documents"):

        class Elsewhere(ViewModel):
            class Meta:
                schema_cls = TextSchema
                path = "unitElsewhereViews/{note_id}"

            note = source(Note, "otherNotes/{note_id}")


def test_all_sources_of_one_model_share_one_trigger_pattern():
    class ByNote(ViewModel):
        class Meta:
            schema_cls = TextSchema
            path = "unitByNote/{note_id}"

        note = source(Note, "unitNotes/{note_id}")

    class AlsoByNote(ViewModel):
        class Meta:
            schema_cls = TextSchema
            path = "unitAlsoByNote/{n}"

        note = source(Note, "unitNotes/{n}")

    watched = watched_patterns([ByNote, AlsoByNote])
    assert list(watched) == ["unitNotes/{doc_id}"] and len(watched["unitNotes/{doc_id}"]) == 2
