"""Which fields of each source a view reads: inferred from the code, declared, and enforced."""

from __future__ import annotations

import pytest

from flask_boiler import fields, schema
from flask_boiler.domain_model import DomainModel
from flask_boiler.errors import UndeclaredSourceRead
from flask_boiler.views import ViewModel, source
from flask_boiler.views.dependencies import EVERY_FIELD, infer_reads


class PlayerSchema(schema.Schema):
    name = fields.String()
    score = fields.Integer()
    secret = fields.String()
    team = fields.Reference("DepTeam")


class DepPlayer(DomainModel):
    class Meta:
        collection_name = "depPlayers"
        schema_cls = PlayerSchema

    def shout(self) -> str:
        return self.name.upper()


class TeamSchema(schema.Schema):
    title = fields.String()
    motto = fields.String()
    members = fields.Reference(DepPlayer, many=True)
    captain = fields.Reference(DepPlayer)


class DepTeam(DomainModel):
    class Meta:
        collection_name = "depTeams"
        schema_cls = TeamSchema


class CardSchema(schema.Schema):
    text = fields.Raw()


@pytest.fixture(autouse=True)
def isolated_registry():
    from flask_boiler.views import registry

    with registry.isolated():
        yield


def reads_of(compute, keys=None, **declared):
    namespace = {
        "Meta": type("Meta", (), {"schema_cls": CardSchema, "path": "depCards/{doc_id}"}),
        "team": source(DepTeam, "depTeams/{doc_id}", fields=declared.get("team")),
        "members": source(DepPlayer, many=True, via="team.members", fields=declared.get("members")),
        "captain": source(DepPlayer, via="team.captain"),
        "players": source(DepPlayer, backref="team"),
        "compute": compute,
    }
    if keys is not None:
        namespace["keys"] = staticmethod(keys)
        namespace["Meta"].path = "depCards/{doc_id}/c/{member}"
    view = type("DepCard", (ViewModel,), namespace)
    return dict(infer_reads(view, view.declaration()).fields)


def test_attribute_reads_loops_and_comprehensions_are_followed():
    def compute(self):
        best = max(self.members, key=lambda m: m.score)
        names = [m.name for m in self.members if m.score > 0]
        return {"text": f"{self.team.title}: {best.name} {names} {len(self.players)} {self.captain is None}"}

    assert reads_of(compute) == {
        "team": frozenset({"title"}),  # the references it follows are the engine's, not compute's
        "members": frozenset({"name", "score"}),
        "captain": frozenset(),
        "players": frozenset(),
    }


def test_sorted_next_enumerate_and_aliases_keep_track_of_documents():
    def compute(self):
        ranked = sorted(self.members, key=lambda m: (m.score, m.name))
        first = next((m for m in ranked if m.doc_id == self.key["doc_id"]), None)
        lines = []
        for index, player in enumerate(self.players):
            lines.append(f"{index}:{player.name}")
        return {"text": [first.name if first else "", *lines, self.team.title if self.team else ""]}

    found = reads_of(compute)
    assert found["members"] == frozenset({"score", "name"})
    assert found["players"] == frozenset({"name"})
    assert found["team"] == frozenset({"title"})


def test_identity_and_lazy_reference_identity_read_no_field():
    def compute(self):
        return {"text": [self.team.doc_id, self.captain.doc_path, [p.team.doc_id for p in self.players]]}

    found = reads_of(compute)
    assert found["team"] == frozenset() and found["captain"] == frozenset()
    assert found["players"] == frozenset({"team"})  # the reference field itself, not the team's fields


@pytest.mark.parametrize(
    "compute",
    [
        lambda self: {"text": self.team.to_dict()},  # a method of the model
        lambda self: {"text": str(self.team)},  # passed to a function
        lambda self: {"text": self.team == self.team},  # equality compares every field
        lambda self: {"text": getattr(self.team, "motto")},  # noqa: B009 - dynamic access on purpose
        lambda self: {"text": self.team},  # stored in the view
    ],
    ids=["method", "call", "equality", "getattr", "stored"],
)
def test_anything_the_analysis_cannot_follow_means_every_field(compute):
    def wrapper(self):
        return compute(self)

    # Lambdas inside a list are analysed through the wrapper: `compute(self)` passes self on.
    assert reads_of(wrapper) == dict.fromkeys(["team", "members", "captain", "players"], EVERY_FIELD)


def test_a_direct_escape_only_widens_that_source():
    def compute(self):
        return {"text": [self.team.title, self.captain.shout()]}

    found = reads_of(compute)
    assert found["captain"] is EVERY_FIELD
    assert found["team"] == frozenset({"title"})


def test_helper_methods_of_the_view_are_analysed_too():
    def compute(self):
        return {"text": self.describe(self.captain)}

    def describe(self, player):
        return f"{player.name} of {self.team.title}"

    namespace_compute = compute

    class Meta:
        schema_cls = CardSchema
        path = "depCards/{doc_id}"

    view = type(
        "DepHelperCard",
        (ViewModel,),
        {
            "Meta": Meta,
            "team": source(DepTeam, "depTeams/{doc_id}"),
            "captain": source(DepPlayer, via="team.captain"),
            "compute": namespace_compute,
            "describe": describe,
        },
    )
    found = dict(infer_reads(view, view.declaration()).fields)
    assert found == {"team": frozenset({"title"}), "captain": frozenset({"name"})}


def test_keys_reads_count_for_the_root():
    def compute(self):
        return {"text": self.team.title}

    def keys(team):
        return [{"doc_id": team.doc_id, "member": m.doc_id} for m in team.members]

    assert reads_of(compute, keys)["team"] == frozenset({"title", "members"})


def test_declared_fields_win_and_reading_outside_them_raises():
    def compute(self):
        return {"text": self.team.motto}

    class Meta:
        schema_cls = CardSchema
        path = "depCards/{doc_id}"

    view = type(
        "DepDeclaredCard",
        (ViewModel,),
        {"Meta": Meta, "team": source(DepTeam, "depTeams/{doc_id}", fields=("title",)), "compute": compute},
    )
    assert view.read_set().of("team") == frozenset({"title"})
    team = DepTeam.new("t1", title="Blue", motto="go")
    with pytest.raises(UndeclaredSourceRead, match="team.motto"):
        view.compute_all(team, {"team": team})
