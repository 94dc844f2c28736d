"""Firestore's limits at their boundaries, on the emulator: at the limit the write lands,
one byte over it our typed error names the field, nothing is written, and the raw client
confirms that Firestore itself refuses that data (so the numbers are Firestore's, not ours).
"""

from __future__ import annotations

import pytest
from google.api_core.exceptions import InvalidArgument

from flask_boiler import fields, schema
from flask_boiler.domain_model import DomainModel
from flask_boiler.errors import EncodingError, PathError, StorageLimitError
from flask_boiler.models import limits


class BlobSchema(schema.Schema):
    body = fields.Raw()
    title = fields.String()


class Blob(DomainModel):
    class Meta:
        collection_name = "limits"
        schema_cls = BlobSchema


def _two_strings(path: str, total: int) -> dict:
    """A ``body`` map of two strings making the document exactly ``total`` bytes."""
    base = limits.document_size(path, {"body": {"a": "", "b": ""}, "title": None})
    first = 600_000
    return {"a": "x" * first, "b": "y" * (total - base - first)}


def nested(depth: int) -> object:
    value: object = 1
    for _ in range(depth):
        value = {"n": value}
    return value


CASES = [
    # (name, body at the limit, body one step over it)
    (
        "document size",
        lambda path: _two_strings(path, limits.MAX_DOCUMENT_BYTES),
        lambda path: _two_strings(path, limits.MAX_DOCUMENT_BYTES + 1),
    ),
    ("string size", lambda path: "s" * limits.MAX_VALUE_BYTES, lambda path: "s" * (limits.MAX_VALUE_BYTES + 1)),
    ("bytes size", lambda path: b"b" * limits.MAX_VALUE_BYTES, lambda path: b"b" * (limits.MAX_VALUE_BYTES + 1)),
    ("nesting depth", lambda path: nested(limits.MAX_DEPTH), lambda path: nested(limits.MAX_DEPTH + 1)),
    # "body" + "." + key: 1,500 bytes at the limit
    ("field path", lambda path: {"k" * 1495: 1}, lambda path: {"k" * 1496: 1}),
    ("64-bit integer", lambda path: 2**63 - 1, lambda path: 2**63),
]


@pytest.mark.parametrize(("name", "at_limit", "over"), CASES, ids=[case[0] for case in CASES])
def test_limit_boundaries_agree_with_firestore(clean_firestore, name, at_limit, over):
    ok = Blob.new("at", body=at_limit("limits/at"))
    ok.save()
    assert Blob.get("at").body == ok.body

    bad_body = over("limits/over")
    with pytest.raises(StorageLimitError) as info:
        Blob.new("over", body=bad_body).save()
    assert info.value.fields == ["body"]
    assert not clean_firestore.db.document("limits/over").get().exists  # nothing was sent

    with pytest.raises((InvalidArgument, ValueError)):  # Firestore itself refuses it (ints: the client)
        clean_firestore.db.document("limits/over").set(Blob.new("over", body=bad_body).to_dict())


def test_lone_surrogates_are_refused_before_sending_and_nothing_changes(clean_firestore):
    Blob.new("doc", title="before", body={"k": "v"}).save()
    obj = Blob.get("doc")
    obj.title = "after \udc80"
    obj.body = {"ok": "fine", "bad\ud800key": 1}
    with pytest.raises(EncodingError) as info:
        obj.save()
    assert info.value.fields == ["body", "title"]
    with pytest.raises(EncodingError):
        obj.update(title="x\ud800")
    assert clean_firestore.db.document("limits/doc").get().to_dict() == {"title": "before", "body": {"k": "v"}}
    with pytest.raises(UnicodeEncodeError):  # what the client does with it
        clean_firestore.db.document("limits/doc").set({"title": "x\ud800"})


def test_update_checks_the_resulting_document_size(clean_firestore):
    Blob.new("grow", body={"a": "x" * 600_000}).save()
    obj = Blob.get("grow")
    with pytest.raises(StorageLimitError) as info:
        obj.update(title="y" * 500_000)  # fine alone, too much beside body
    assert set(info.value.fields) <= {"body", "title"} and info.value.fields
    stored = clean_firestore.db.document("limits/grow").get().to_dict()
    assert stored["title"] is None
    assert obj.title is None  # the attribute kept its value


@pytest.mark.parametrize("doc_id", ["__reserved__", "x" * 1501, "a\ud800"])
def test_invalid_document_ids_are_path_errors(clean_firestore, doc_id):
    with pytest.raises(PathError):
        Blob.new(doc_id, title="t")
    with pytest.raises(PathError):
        Blob.get(doc_id)
