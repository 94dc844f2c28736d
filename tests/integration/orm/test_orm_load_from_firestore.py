"""Documents read from Firestore load without the walk for values Firestore cannot hold, and
are still validated against their schema (``from_firestore``: snapshots, stubs, view sources).

Each invalid document is written with the raw client, as another program could, and read
back through every loading path the ORM has."""

from __future__ import annotations

import pytest
from marshmallow import validate

from flask_boiler import fields, schema
from flask_boiler.domain_model import DomainModel
from flask_boiler.errors import EncodingError, InvalidSourceDocument, ValidationError
from flask_boiler.views.sources import SourceReader


class CrateSchema(schema.Schema):
    label = fields.String(required=True, validate=validate.Length(min=1))
    count = fields.Integer()


class Crate(DomainModel):
    class Meta:
        collection_name = "loadCrates"
        schema_cls = CrateSchema


class ShelfSchema(schema.Schema):
    crate = fields.Reference(Crate)
    crates = fields.Reference(Crate, many=True)


class Shelf(DomainModel):
    class Meta:
        collection_name = "loadShelves"
        schema_cls = ShelfSchema


def test_a_stored_document_that_breaks_its_schema_still_raises_on_every_read_path(clean_firestore):
    db = clean_firestore.db
    db.document("loadCrates/bad").set({"label": "", "count": "many"})
    with pytest.raises(ValidationError) as info:
        Crate.get("bad")
    assert set(info.value.errors) == {"label", "count"}
    with pytest.raises(ValidationError):
        Crate.from_snapshot(db.document("loadCrates/bad").get())
    with pytest.raises(ValidationError):
        list(Crate.query())
    reader = SourceReader(db)
    reader.fetch(["loadCrates/bad"])
    with pytest.raises(InvalidSourceDocument):
        reader.load(Crate, reader.documents["loadCrates/bad"])
    db.document("loadShelves/s1").set({"crate": db.document("loadCrates/bad")})
    stub = Shelf.get("s1").crate  # a stub: loaded (and validated) on first access
    with pytest.raises(ValidationError):
        _ = stub.label


def test_a_stored_reference_to_another_collection_is_still_refused(clean_firestore):
    """The reference check kept for references read from Firestore: the target's template."""
    db = clean_firestore.db
    db.document("loadShelves/s2").set({"crate": db.document("elsewhere/c1")})
    with pytest.raises(ValidationError) as info:
        Shelf.get("s2")
    assert "crate" in info.value.errors
    db.document("loadShelves/s3").set({"crates": [db.document("loadCrates/c1"), db.document("a/b/c/d")]})
    with pytest.raises(ValidationError) as info:
        Shelf.get("s3")
    assert "crates" in info.value.errors


def test_references_read_from_firestore_load_as_stubs_with_their_path_params(clean_firestore):
    db = clean_firestore.db
    Crate.new("c1", label="one", count=1).save()
    db.document("loadShelves/s4").set({"crate": db.document("loadCrates/c1"), "crates": [db.document("loadCrates/c1")]})
    shelf = Shelf.get("s4")
    assert not shelf.crate.is_loaded and shelf.crate.path_params == {"doc_id": "c1"}
    assert shelf.crate.label == "one" and shelf.crates[0].count == 1


def test_data_from_anywhere_else_is_still_walked(clean_firestore):
    """The same values from a caller (not a snapshot) still raise what saving them would."""
    with pytest.raises(EncodingError):
        Crate.from_stored({"label": "\ud800"}, "loadCrates/x")
    with pytest.raises(EncodingError):
        Crate.from_dict({"label": "\ud800"}, "x")
    loaded = Crate.from_stored({"label": "ok", "count": 2}, "loadCrates/x", from_firestore=True)
    assert loaded.label == "ok" and loaded.count == 2
