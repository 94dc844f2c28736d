"""Round trips of every field type, validation, unknown keys, create-only, update, server values."""

from __future__ import annotations

import datetime as dt
import enum

import pytest
from google.api_core.datetime_helpers import DatetimeWithNanoseconds
from google.cloud import firestore
from google.cloud.firestore_v1.document import DocumentReference
from marshmallow import validate

from flask_boiler import fields, schema
from flask_boiler.domain_model import DomainModel
from flask_boiler.errors import DocumentAlreadyExists, DocumentNotFound, ValidationError
from flask_boiler.models import EmbeddedModel


class Kind(enum.Enum):
    SMALL = 1
    LARGE = 2


class PointSchema(schema.Schema):
    label = fields.String(required=True)
    weight = fields.Float()


class Point(EmbeddedModel):
    class Meta:
        schema_cls = PointSchema


class OwnerSchema(schema.Schema):
    name = fields.String()


class Owner(DomainModel):
    class Meta:
        collection_name = "owners"
        schema_cls = OwnerSchema


class ThingSchema(schema.Schema):
    title = fields.String(required=True, validate=validate.Length(min=1))
    count = fields.Integer(validate=validate.Range(min=0))
    ratio = fields.Float()
    active = fields.Boolean()
    raw = fields.Raw()
    tags = fields.List(fields.String())
    attrs = fields.Map(values=fields.Integer())
    main_point = fields.Nested(Point)
    points = fields.Nested(Point, many=True)
    owner = fields.Reference(Owner)
    co_owners = fields.Reference(Owner, many=True)
    owners_by_role = fields.Reference(Owner, as_map=True)
    happened_at = fields.DateTime()
    kind = fields.Enum(Kind)
    location = fields.GeoPoint()
    blob = fields.Bytes()


class Thing(DomainModel):
    title: str
    count: int | None

    class Meta:
        collection_name = "things"
        schema_cls = ThingSchema
        camel_case = True


WHEN = dt.datetime(2024, 2, 29, 23, 59, 58, 123457, tzinfo=dt.timezone(dt.timedelta(hours=-5)))


def full_thing(doc_id: str = "t1") -> Thing:
    ada, bob = Owner.new("ada", name="Ada").save(), Owner.new("bob", name="Bob").save()
    return Thing.new(
        doc_id,
        title="Widget",
        count=3,
        ratio=0.25,
        active=True,
        raw={"free": [1, "form"]},
        tags=["a", "b"],
        attrs={"x": 1},
        main_point=Point(label="origin", weight=1.5),
        points=[Point(label="p1", weight=None), Point(label="p2", weight=2.0)],
        owner=ada,
        co_owners=[ada, bob],
        owners_by_role={"admin": bob},
        happened_at=WHEN,
        kind=Kind.LARGE,
        location=firestore.GeoPoint(48.85, 2.35),
        blob=b"\x00\x01\xfe",
    )


def test_every_field_type_round_trips_with_native_stored_types(clean_firestore):
    thing = full_thing().save()
    raw = clean_firestore.db.document("things/t1").get().to_dict()
    assert set(raw) == {
        "title",
        "count",
        "ratio",
        "active",
        "raw",
        "tags",
        "attrs",
        "mainPoint",
        "points",
        "owner",
        "coOwners",
        "ownersByRole",
        "happenedAt",
        "kind",
        "location",
        "blob",
    }
    assert isinstance(raw["happenedAt"], DatetimeWithNanoseconds)
    assert raw["happenedAt"] == WHEN and raw["happenedAt"].microsecond == 123457
    assert isinstance(raw["owner"], DocumentReference) and raw["owner"].path == "owners/ada"
    assert [ref.path for ref in raw["coOwners"]] == ["owners/ada", "owners/bob"]
    assert raw["ownersByRole"]["admin"].path == "owners/bob"
    assert isinstance(raw["location"], firestore.GeoPoint)
    assert raw["blob"] == b"\x00\x01\xfe" and isinstance(raw["blob"], bytes)
    assert raw["kind"] == 2
    assert raw["mainPoint"] == {"label": "origin", "weight": 1.5}
    assert raw["ratio"] == 0.25 and raw["attrs"] == {"x": 1}

    loaded = Thing.get("t1")
    assert loaded == thing
    assert loaded.happened_at == WHEN and loaded.happened_at.microsecond == 123457
    assert loaded.kind is Kind.LARGE
    assert loaded.main_point == Point(label="origin", weight=1.5)
    assert loaded.points[1].label == "p2"
    assert loaded.owner.doc_ref.path == "owners/ada" and loaded.owner.name == "Ada"
    assert [o.name for o in loaded.co_owners] == ["Ada", "Bob"]
    assert loaded.owners_by_role["admin"].name == "Bob"
    assert loaded.location == firestore.GeoPoint(48.85, 2.35)
    assert loaded.blob == b"\x00\x01\xfe"
    assert loaded.update_time is not None and loaded.update_time == thing.update_time


def test_invalid_save_lists_every_bad_field_and_writes_nothing(clean_firestore):
    thing = Thing.new(
        "bad", title="", count=-1, ratio="x", happened_at=dt.datetime(2024, 1, 1), main_point=Point(label=None)
    )
    with pytest.raises(ValidationError) as info:
        thing.save()
    assert set(info.value.errors) == {"title", "count", "ratio", "happened_at", "main_point"}
    assert info.value.errors["main_point"] == {"label": ["Missing data for required field."]}
    assert not clean_firestore.db.document("things/bad").get().exists


def test_invalid_stored_data_fails_on_load(clean_firestore):
    clean_firestore.db.document("things/corrupt").set({"title": 5, "count": "many"})
    with pytest.raises(ValidationError) as info:
        Thing.get("corrupt")
    assert set(info.value.errors) == {"title", "count"}


def test_unknown_stored_fields_survive_load_and_save(clean_firestore):
    clean_firestore.db.document("things/legacy").set({"title": "Old", "legacyScore": 7, "nested": {"keep": True}})
    thing = Thing.get("legacy")
    thing.title = "New"
    thing.save()
    raw = clean_firestore.db.document("things/legacy").get().to_dict()
    assert raw["legacyScore"] == 7 and raw["nested"] == {"keep": True} and raw["title"] == "New"


def test_create_only_save_conflicts(clean_firestore):
    Thing.new("once", title="first").insert()
    with pytest.raises(DocumentAlreadyExists):
        Thing.new("once", title="second").save(create_only=True)
    assert clean_firestore.db.document("things/once").get().get("title") == "first"


def test_update_writes_only_changed_fields(clean_firestore):
    thing = Thing.new("u1", title="T", count=1, main_point=Point(label="a", weight=1.0), tags=["x"]).save()
    # Someone else changes other fields behind our back; a partial update must not clobber them.
    clean_firestore.db.document("things/u1").update({"tags": ["theirs"], "mainPoint.weight": 9.0, "outside": 1})
    thing.count = 2
    thing.main_point.label = "b"
    thing.update()
    raw = clean_firestore.db.document("things/u1").get().to_dict()
    assert raw["count"] == 2
    assert raw["mainPoint"] == {"label": "b", "weight": 9.0}  # only mainPoint.label written
    assert raw["tags"] == ["theirs"] and raw["outside"] == 1

    thing.update(title="T2")
    raw = clean_firestore.db.document("things/u1").get().to_dict()
    assert raw["title"] == "T2" and raw["tags"] == ["theirs"]
    assert thing.update_time == clean_firestore.db.document("things/u1").get().update_time


def test_update_validates_and_requires_existing_document(clean_firestore):
    thing = Thing.new("u2", title="T", count=1).save()
    with pytest.raises(ValidationError) as info:
        thing.update(count=-5)
    assert set(info.value.errors) == {"count"}
    assert thing.count == 1  # rolled back locally
    with pytest.raises(DocumentNotFound):
        Thing.new("ghost", title="x").update(count=3)


def test_server_values_pass_through(clean_firestore):
    thing = Thing.new("s1", title="T", count=1, tags=["a"], happened_at=firestore.SERVER_TIMESTAMP).save()
    raw = clean_firestore.db.document("things/s1").get().to_dict()
    assert isinstance(raw["happenedAt"], dt.datetime)
    thing.update(count=firestore.Increment(5), tags=firestore.ArrayUnion(["b"]))
    thing.update(tags=firestore.ArrayRemove(["a"]))
    thing.reload()
    assert thing.count == 6 and thing.tags == ["b"]
    assert thing.happened_at.tzinfo is not None


def test_merge_save_keeps_other_keys(clean_firestore):
    clean_firestore.db.document("things/m1").set({"title": "T", "outside": True})
    Thing.new("m1", title="Merged").save(merge=True)
    raw = clean_firestore.db.document("things/m1").get().to_dict()
    assert raw["title"] == "Merged" and raw["outside"] is True


def test_get_or_raise_and_missing_lazy_reference(clean_firestore):
    with pytest.raises(DocumentNotFound, match="things/none"):
        Thing.get_or_raise("none")
    Thing.new("dangling", title="T", owner=clean_firestore.db.document("owners/gone")).save()
    loaded = Thing.get("dangling")
    assert loaded.owner.doc_id == "gone"  # no read needed
    with pytest.raises(DocumentNotFound):
        _ = loaded.owner.name


def test_from_snapshot_and_from_stored(clean_firestore):
    full_thing("fs").save()
    snapshot = clean_firestore.db.document("things/fs").get()
    via_snapshot = Thing.from_snapshot(snapshot)
    via_stored = Thing.from_stored(snapshot.to_dict(), "things/fs", update_time=snapshot.update_time)
    assert via_snapshot == via_stored
    assert via_stored.doc_id == "fs" and via_stored.update_time == snapshot.update_time
