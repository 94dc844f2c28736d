"""Opaque, URL-safe pagination cursor tokens.

A token records where a page ended: the last document's path and its values for the
query's order-by fields, plus a fingerprint of the query (collection + orders) so a
token is only accepted by the query that issued it. Tokens are base64url JSON without
padding; Firestore types are tagged so they survive the trip exactly
(``$dt`` timestamps with microseconds, ``$ref`` references, ``$geo``, ``$bytes``).

Tokens are not encrypted or signed: they contain only what the client could query
anyway. Anything malformed raises :class:`~flask_boiler.errors.InvalidCursorError`.
"""

from __future__ import annotations

import base64
import binascii
import datetime as _dt
import hashlib
import json
import math
from collections.abc import Callable, Sequence
from typing import Any

from ..errors import InvalidCursorError, QueryError
from .firestore_types import document_reference_type, geo_point_type

__all__ = ["decode_cursor", "encode_cursor", "query_fingerprint"]

VERSION = 1
_MAX_TOKEN_LENGTH = 16_384


def query_fingerprint(scope: str, orders: Sequence[tuple[str, str]]) -> str:
    """Short digest of what a cursor depends on: the collection scope and the ordering."""
    payload = json.dumps([scope, [list(order) for order in orders]], separators=(",", ":"))
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


def _encode_value(value: Any) -> Any:
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return {"$float": repr(value)}
        return value
    if isinstance(value, _dt.datetime):
        if value.tzinfo is None:
            raise QueryError("Cannot page by a naive datetime value.")
        return {"$dt": value.astimezone(_dt.UTC).isoformat(timespec="microseconds")}
    if isinstance(value, (bytes, bytearray)):
        return {"$bytes": base64.b64encode(bytes(value)).decode()}
    if isinstance(value, document_reference_type()):
        return {"$ref": value.path}
    if isinstance(value, geo_point_type()):
        return {"$geo": [value.latitude, value.longitude]}
    if isinstance(value, (list, tuple)):
        return [_encode_value(item) for item in value]
    if isinstance(value, dict):
        return {"$map": {str(key): _encode_value(item) for key, item in value.items()}}
    raise QueryError(f"Cannot page by a {type(value).__name__} value.")


def _decode_value(value: Any, make_ref: Callable[[str], Any]) -> Any:
    if value is None or isinstance(value, (bool, str, int, float)):
        return value
    if isinstance(value, list):
        return [_decode_value(item, make_ref) for item in value]
    if isinstance(value, dict) and len(value) == 1:
        ((tag, payload),) = value.items()
        if tag == "$dt" and isinstance(payload, str):
            parsed = _dt.datetime.fromisoformat(payload)
            if parsed.tzinfo is None:
                raise InvalidCursorError("The cursor holds a naive timestamp.")
            return parsed
        if tag == "$bytes" and isinstance(payload, str):
            return base64.b64decode(payload, validate=True)
        if tag == "$ref" and isinstance(payload, str) and payload.count("/") % 2 == 1:
            return make_ref(payload)
        if tag == "$geo" and isinstance(payload, list) and len(payload) == 2:
            return geo_point_type()(float(payload[0]), float(payload[1]))
        if tag == "$float" and payload in ("nan", "inf", "-inf"):
            return float(payload)
        if tag == "$map" and isinstance(payload, dict):
            return {key: _decode_value(item, make_ref) for key, item in payload.items()}
    raise InvalidCursorError("The cursor holds an invalid value.")


def encode_cursor(fingerprint: str, path: str, values: Sequence[Any]) -> str:
    """Token for "continue after document ``path`` whose order values are ``values``"."""
    body = {"v": VERSION, "q": fingerprint, "p": path, "o": [_encode_value(value) for value in values]}
    raw = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def decode_cursor(
    token: str, *, fingerprint: str, value_count: int, make_ref: Callable[[str], Any] = lambda path: path
) -> tuple[str, list[Any]]:
    """``(document path, order values)`` from ``token``, checked against the query that reads it."""
    if not isinstance(token, str) or not token or len(token) > _MAX_TOKEN_LENGTH:
        raise InvalidCursorError("The cursor is empty, too long or not a string.")
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        body = json.loads(raw.decode("utf-8"))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise InvalidCursorError("The cursor is not a valid token.") from None
    if not isinstance(body, dict) or body.get("v") != VERSION:
        raise InvalidCursorError("The cursor is not a valid token (unknown format).")
    if body.get("q") != fingerprint:
        raise InvalidCursorError("The cursor belongs to a different query (collection or ordering changed).")
    path, values = body.get("p"), body.get("o")
    if not isinstance(path, str) or not path or path.count("/") % 2 != 1 or "//" in path:
        raise InvalidCursorError("The cursor does not name a document.")
    if not isinstance(values, list) or len(values) != value_count:
        raise InvalidCursorError("The cursor does not match the query's ordering.")
    try:
        decoded = [_decode_value(value, make_ref) for value in values]
    except (ValueError, TypeError, binascii.Error):
        raise InvalidCursorError("The cursor holds an invalid value.") from None
    return path, decoded
