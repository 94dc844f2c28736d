"""Path templates: parsing, rendering and matching (pure)."""

from __future__ import annotations

import pytest

from flask_boiler.errors import ModelDefinitionError, PathError
from flask_boiler.models.paths import PathTemplate, normalize_path


def test_parse_subcollection_template():
    template = PathTemplate.parse("users/{uid}/tickets/{ticket_id}")
    assert template.params == ("uid", "ticket_id")
    assert template.id_param == "ticket_id"
    assert template.parent_params == ("uid",)
    assert template.collection_id == "tickets"


def test_for_collection_uses_doc_id():
    template = PathTemplate.for_collection("cities")
    assert template.template == "cities/{doc_id}"
    assert template.render({"doc_id": "SF"}) == "cities/SF"


def test_render_and_collection_path():
    template = PathTemplate.parse("users/{uid}/tickets/{ticket_id}")
    assert template.render({"uid": "u1", "ticket_id": "t9"}) == "users/u1/tickets/t9"
    assert template.collection_path({"uid": "u1"}) == "users/u1/tickets"


@pytest.mark.parametrize(
    "params",
    [
        {"ticket_id": "t"},
        {"uid": "", "ticket_id": "t"},
        {"uid": "a/b", "ticket_id": "t"},
        {"uid": "..", "ticket_id": "t"},
    ],
)
def test_render_rejects_missing_or_unsafe_params(params):
    with pytest.raises(PathError):
        PathTemplate.parse("users/{uid}/tickets/{ticket_id}").render(params)


def test_match_extracts_params_and_rejects_other_shapes():
    template = PathTemplate.parse("users/{uid}/tickets/{ticket_id}")
    assert template.match("users/u1/tickets/t1") == {"uid": "u1", "ticket_id": "t1"}
    assert template.match("projects/p/databases/(default)/documents/users/u1/tickets/t1") == {
        "uid": "u1",
        "ticket_id": "t1",
    }
    assert template.match("orgs/u1/tickets/t1") is None
    assert template.match("users/u1/tickets") is None


def test_literal_document_segments_are_allowed():
    template = PathTemplate.parse("config/global/flags/{name}")
    assert template.params == ("name",)
    assert template.render({"name": "beta"}) == "config/global/flags/beta"
    assert template.match("config/other/flags/beta") is None


@pytest.mark.parametrize(
    "bad",
    [
        "users",
        "users/{uid}/tickets",
        "{coll}/{id}",
        "users/{uid}/tickets/fixed",
        "users/u{uid}/t/{id}",
        "a/{x}/b/{x}",
        "a//b/{id}",
    ],
)
def test_invalid_templates(bad):
    with pytest.raises(ModelDefinitionError):
        PathTemplate.parse(bad)


def test_normalize_path():
    assert normalize_path("/cities/SF/") == "cities/SF"
    assert normalize_path("projects/p/databases/(default)/documents/cities/SF") == "cities/SF"
