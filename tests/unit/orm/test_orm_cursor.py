"""Cursor tokens: round trip and rejection of garbage (pure)."""

from __future__ import annotations

import base64
import datetime as dt
import json

import pytest
from google.cloud import firestore

from flask_boiler._private.cursor import decode_cursor, encode_cursor, query_fingerprint
from flask_boiler.errors import InvalidCursorError

FP = query_fingerprint("cities", [("name", "ASCENDING"), ("__name__", "ASCENDING")])


def test_round_trip_of_every_value_type():
    when = dt.datetime(2024, 2, 3, 4, 5, 6, 789012, tzinfo=dt.UTC)
    values = [
        "x",
        3,
        2.5,
        True,
        None,
        when,
        b"\x00\xff",
        firestore.GeoPoint(1.0, 2.0),
        [1, "a"],
        {"k": when},
        float("inf"),
    ]
    token = encode_cursor(FP, "cities/SF", values)
    assert isinstance(token, str) and "=" not in token and "/" not in token and "+" not in token
    path, decoded = decode_cursor(token, fingerprint=FP, value_count=len(values))
    assert path == "cities/SF"
    assert decoded == values
    assert decoded[5].microsecond == 789012


def test_references_are_rebuilt_with_make_ref():
    import google.auth.credentials
    from google.cloud.firestore_v1.document import DocumentReference

    # Building a client and a reference does no network I/O.
    client = firestore.Client(project="demo-unit", credentials=google.auth.credentials.AnonymousCredentials())
    token = encode_cursor(FP, "cities/SF", [DocumentReference("states", "CA", client=client)])
    _, (value,) = decode_cursor(token, fingerprint=FP, value_count=1, make_ref=lambda path: ("ref", path))
    assert value == ("ref", "states/CA")


def _token(body) -> str:
    return base64.urlsafe_b64encode(json.dumps(body).encode()).rstrip(b"=").decode()


@pytest.mark.parametrize(
    "token",
    [
        "",
        "not base64 !!!",
        "e30",  # {}
        base64.urlsafe_b64encode(b"\xff\xfe").decode(),
        _token([1, 2]),
        _token({"v": 2, "q": FP, "p": "cities/SF", "o": ["x"]}),
        _token({"v": 1, "q": "other", "p": "cities/SF", "o": ["x"]}),
        _token({"v": 1, "q": FP, "p": "cities", "o": ["x"]}),
        _token({"v": 1, "q": FP, "p": "cities/SF", "o": ["x", "y"]}),
        _token({"v": 1, "q": FP, "p": "cities/SF", "o": [{"$dt": "yesterday"}]}),
        _token({"v": 1, "q": FP, "p": "cities/SF", "o": [{"$dt": "2024-01-01T00:00:00"}]}),
        _token({"v": 1, "q": FP, "p": "cities/SF", "o": [{"$weird": 1}]}),
        "A" * 20000,
    ],
)
def test_garbage_is_rejected_with_a_typed_error(token):
    with pytest.raises(InvalidCursorError):
        decode_cursor(token, fingerprint=FP, value_count=1)


def test_fingerprint_depends_on_scope_and_order():
    orders = [("name", "ASCENDING")]
    assert query_fingerprint("cities", orders) != query_fingerprint("towns", orders)
    assert query_fingerprint("cities", orders) != query_fingerprint("cities", [("name", "DESCENDING")])
