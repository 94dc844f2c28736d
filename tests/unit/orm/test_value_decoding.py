"""``_private.value_decoding`` decodes exactly as the client does: same values, same types.

Values are encoded by the client's own ``encode_value``, then decoded both ways; equality
is checked with types, recursively (``1 == 1.0 == True`` would hide a wrong type), and NaN
is compared as NaN.
"""

from __future__ import annotations

import datetime
import math
from typing import Any

from google.auth.credentials import AnonymousCredentials
from google.cloud import firestore
from google.cloud.firestore_v1 import _helpers
from google.cloud.firestore_v1.types import Document, Value
from google.cloud.firestore_v1.vector import Vector
from hypothesis import given
from hypothesis import strategies as st

from flask_boiler._private.value_decoding import decode_fields, decode_value, snapshot

CLIENT = firestore.Client(project="demo-decoding", credentials=AnonymousCredentials())
#: Keys the client reads as special forms (vectors, BSON values) when they are a map's only key.
SPECIAL_KEYS = ("__type__", "value", "__oid__", "__min__", "__max__", "__int__", "__regex__", "__binary__")

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(st.characters(exclude_categories=("Cs",))),
    st.binary(),
    st.datetimes(timezones=st.just(datetime.UTC)),
    st.builds(firestore.GeoPoint, st.floats(-90, 90), st.floats(-180, 180)),
    st.sampled_from(["users/ann", "meetings/m1/tickets/t1"]).map(CLIENT.document),
    st.just(Vector([1.0, 2.5])),
)
keys = st.one_of(st.text(st.characters(exclude_categories=("Cs",)), max_size=8), st.sampled_from(SPECIAL_KEYS))
values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=6) | st.dictionaries(keys, children, max_size=4),
    max_leaves=40,
)


def same(ours: Any, theirs: Any) -> bool:
    if type(ours) is not type(theirs):
        return False
    if isinstance(ours, float) and math.isnan(ours):
        return math.isnan(theirs)
    if isinstance(ours, list):
        return len(ours) == len(theirs) and all(same(a, b) for a, b in zip(ours, theirs))
    if isinstance(ours, dict):
        return ours.keys() == theirs.keys() and all(same(ours[k], theirs[k]) for k in ours)
    if isinstance(ours, firestore.DocumentReference):
        return ours.path == theirs.path
    return bool(ours == theirs)


@given(values)
def test_a_value_decodes_as_the_client_decodes_it(value):
    encoded = Value.pb(_helpers.encode_value(value))
    assert same(decode_value(encoded, CLIENT), _helpers.decode_value(encoded, CLIENT))


@given(st.dictionaries(keys, values, max_size=5))
def test_a_documents_fields_decode_as_the_client_decodes_them(data):
    fields = Document.pb(Document(fields=_helpers.encode_dict(data))).fields
    assert same(decode_fields(fields, CLIENT), _helpers.decode_dict(fields, CLIENT))


def test_a_snapshot_holds_the_decoded_data_and_the_documents_times():
    created = datetime.datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=datetime.UTC)
    document = Document(name="x", fields=_helpers.encode_dict({"names": ["Ann", "Bob"]}))
    pb = Document.pb(document)
    pb.create_time.FromDatetime(created)
    pb.update_time.FromDatetime(created)
    found = snapshot(CLIENT.document("users/ann"), pb)
    assert found.exists and found.to_dict() == {"names": ["Ann", "Bob"]}
    assert (found.create_time, found.update_time) == (created, created)
    found.to_dict()["names"].append("Cy")  # to_dict is a copy, as the client's
    assert found.get("names") == ["Ann", "Bob"]
    missing = snapshot(CLIENT.document("users/bob"), None)
    assert not missing.exists and missing.to_dict() is None
