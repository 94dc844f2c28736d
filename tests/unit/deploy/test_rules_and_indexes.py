"""firestore.rules and firestore.indexes.json are derived from the declarations and committed current."""

from __future__ import annotations

import json

import pytest

from flask_boiler import fields, schema
from flask_boiler.deploy.indexes import dependency_queries, render_indexes, required_indexes
from flask_boiler.deploy.rules import RulesError, render_rules
from flask_boiler.views import ViewModel, owner, source

from .sample_app import SAMPLE_VIEWS, AdminBoard, Inbox, MemberBoard, PublicBoard, RtTeam, StaffBoard, TicketView


def rule_block(text: str, path: str) -> str:
    start = text.index(f"match {path} {{")
    return text[start : text.index("\n    }", start)]


def test_each_policy_becomes_its_condition():
    text = render_rules(SAMPLE_VIEWS)
    assert "allow read: if true;" in rule_block(text, "/rtPublicBoards/{team_id}")
    assert "allow read: if request.auth != null;" in rule_block(text, "/rtMemberBoards/{team_id}")
    assert "request.auth.token.admin == true;" in rule_block(text, "/rtAdminBoards/{team_id}")
    assert 'request.auth.token.level == "staff";' in rule_block(text, "/rtStaffBoards/{team_id}")
    assert "request.auth.uid == uid;" in rule_block(text, "/rtInboxes/{uid}")
    for view in SAMPLE_VIEWS:
        assert "allow write: if false;" in rule_block(text, "/" + view._meta.path.template)


class SealedBoard(ViewModel):
    """Declares no Meta.access."""

    class Meta:
        schema_cls = MemberBoard.Meta.schema_cls
        path = "rtSealedUnitBoards/{team_id}"

    team = source(RtTeam, "rtTeams/{team_id}")

    def compute(self):
        return {}


def test_a_view_without_declared_access_is_closed():
    block = rule_block(render_rules([SealedBoard]), "/rtSealedUnitBoards/{team_id}")
    assert "allow read: if false;" in block and "allow write: if false;" in block
    assert "closed to clients" in render_rules([SealedBoard])


def test_output_is_stable_whatever_the_order():
    assert render_rules(SAMPLE_VIEWS) == render_rules(tuple(reversed(SAMPLE_VIEWS)))
    assert render_rules([PublicBoard, PublicBoard]) == render_rules([PublicBoard])


def test_overlapping_view_paths_are_rejected():
    class BoardAlias(ViewModel):
        class Meta:
            schema_cls = MemberBoard.Meta.schema_cls
            path = "rtPublicBoards/{board_id}"
            access = owner("board_id")

        team = source(RtTeam, "rtTeams/{board_id}")

        def compute(self):
            return {}

    with pytest.raises(RulesError, match="same document"):
        render_rules([PublicBoard, BoardAlias])


def test_path_parameters_may_not_shadow_rule_names():
    class ShadowSchema(schema.Schema):
        name = fields.String()

    class Shadowing(ViewModel):
        class Meta:
            schema_cls = ShadowSchema
            path = "rtShadows/{request}"

        team = source(RtTeam, "rtTeams/{request}")

        def compute(self):
            return {}

    with pytest.raises(RulesError, match="shadow"):
        render_rules([Shadowing])


def test_top_level_roots_need_no_index():
    assert required_indexes([PublicBoard, MemberBoard, AdminBoard, StaffBoard, Inbox]) == {
        "indexes": [],
        "fieldOverrides": [],
    }


def test_subcollection_roots_get_collection_group_field_overrides():
    queries = dependency_queries([TicketView])
    assert [(q.collection_id, q.field_path, q.operator, q.collection_group) for q in queries] == [
        ("rtTickets", "assignedTo", "==", True),  # the stored key (data_key), not the attribute
        ("rtTickets", "watchers", "array_contains", True),
    ]
    spec = required_indexes([TicketView])
    overrides = {o["fieldPath"]: o for o in spec["fieldOverrides"]}
    assert {"order": "ASCENDING", "queryScope": "COLLECTION_GROUP"} in overrides["assignedTo"]["indexes"]
    assert {"arrayConfig": "CONTAINS", "queryScope": "COLLECTION_GROUP"} in overrides["watchers"]["indexes"]
    for override in overrides.values():  # an override replaces the automatic indexes: they are restated
        assert override["collectionGroup"] == "rtTickets"
        assert {"order": "ASCENDING", "queryScope": "COLLECTION"} in override["indexes"]
        assert {"arrayConfig": "CONTAINS", "queryScope": "COLLECTION"} in override["indexes"]
    assert json.loads(render_indexes(spec)) == spec


def test_composite_indexes_pass_through_sorted():
    composite = [
        {"collectionGroup": "b", "queryScope": "COLLECTION", "fields": [{"fieldPath": "x", "order": "ASCENDING"}]},
        {"collectionGroup": "a", "queryScope": "COLLECTION", "fields": [{"fieldPath": "y", "order": "ASCENDING"}]},
    ]
    spec = required_indexes([], composite)
    assert [index["collectionGroup"] for index in spec["indexes"]] == ["a", "b"]
