"""``ViewModel.key``: which view ``compute`` is building, read-only, the same whether computed or read."""

from __future__ import annotations

import pytest

from flask_boiler import fields, schema
from flask_boiler.domain_model import DomainModel
from flask_boiler.views import ViewModel, source


class KeyMemberSchema(schema.Schema):
    name = fields.String()


class KeyMember(DomainModel):
    class Meta:
        collection_name = "keyMembers"
        schema_cls = KeyMemberSchema


class KeyClubSchema(schema.Schema):
    members = fields.Reference(KeyMember, many=True)


class KeyClub(DomainModel):
    class Meta:
        collection_name = "keyClubs"
        schema_cls = KeyClubSchema


class KeyCardSchema(schema.Schema):
    name = fields.String()


class KeyCard(ViewModel):
    class Meta:
        schema_cls = KeyCardSchema
        path = "keyClubs/{club_id}/cards/{uid}"

    club = source(KeyClub, "keyClubs/{club_id}")
    members = source(KeyMember, many=True, via="club.members")

    @staticmethod
    def keys(club: KeyClub) -> list[dict[str, str]]:
        return [{"club_id": club.doc_id, "uid": member.doc_id} for member in club.members]

    def compute(self) -> dict:
        return {"name": next(m.name for m in self.members if m.doc_id == self.key["uid"])}


def _computed() -> list[KeyCard]:
    members = [KeyMember.new(f"m{i}", name=f"Member {i}") for i in range(3)]
    club = KeyClub.new("c1", members=members)
    return KeyCard.compute_all(club, {"club": club, "members": members})


def test_each_computed_view_sees_its_own_key():
    views = _computed()
    assert [dict(view.key) for view in views] == [{"club_id": "c1", "uid": f"m{i}"} for i in range(3)]
    assert [view.name for view in views] == ["Member 0", "Member 1", "Member 2"]


def test_the_key_is_read_only():
    view = _computed()[0]
    with pytest.raises(TypeError):
        view.key["uid"] = "someone else"  # type: ignore[index]
    assert view.key["uid"] == "m0"


def test_a_view_built_by_hand_has_the_key_of_its_path():
    view = KeyCard.new("m7", club_id="c9")
    assert view.key == {"club_id": "c9", "uid": "m7"}
    assert view.doc_path == "keyClubs/c9/cards/m7"
