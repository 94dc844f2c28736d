"""Path params from the URL, checked before they reach Firestore.

The router already refuses empty segments and ``/``. Firestore refuses ids longer than
1,500 bytes (UTF-8), and ids that are ``.``, ``..`` or ``__...__``, with an error that
would otherwise surface as a 500. An id longer than the documented bound is a malformed
request (400, naming the parameter); an id of the reserved forms is within the
documented format but no document can have it, so it is a 404. The OpenAPI document
states both (:data:`ID_SCHEMA`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from werkzeug.routing import BaseConverter

from .errors import ApiError

__all__ = ["ID_SCHEMA", "MAX_ID_BYTES", "DocumentIdConverter", "checked_key"]

_RESERVED_ID = re.compile(r"__.*__", re.DOTALL)

#: Firestore's limit on a document id.
MAX_ID_BYTES = 1500

#: How every path id is documented.
ID_SCHEMA: dict[str, Any] = {
    "type": "string",
    "minLength": 1,
    "maxLength": MAX_ID_BYTES,
    "description": (
        f"A Firestore document id: at most {MAX_ID_BYTES:,} bytes of UTF-8, no '/'; "
        "'.', '..' and '__…__' name no document (404)."
    ),
}


class DocumentIdConverter(BaseConverter):
    """``<docid:name>``: one path segment, newlines included (werkzeug's default is the same
    pattern; the named converter lets the OpenAPI plugin document its bounds)."""

    regex = "[^/]+"


def checked_key(values: Mapping[str, str]) -> dict[str, str]:
    """``values`` as a view key; 400 for ids past Firestore's limit, 404 for reserved ids."""
    too_long = {
        name: [f"Longer than Firestore's {MAX_ID_BYTES:,}-byte id limit."]
        for name, value in values.items()
        if len(value) > MAX_ID_BYTES // 4 and len(value.encode("utf-8", "surrogatepass")) > MAX_ID_BYTES
    }
    if too_long:
        raise ApiError(400, "Invalid path parameters.", code="validation_failed", fields=too_long)
    for value in values.values():
        if value in (".", "..") or _RESERVED_ID.fullmatch(value):
            raise ApiError(404)
    return dict(values)
