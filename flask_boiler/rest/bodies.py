"""Reading a write's JSON body: content type (415), size (413), syntax (400), fields (400).

All checks happen before any Firestore access, so bad input costs nothing and writes
nothing. Field validation uses the resource's create/update schema (unknown keys are
errors, see :mod:`.schemas`); messages are keyed by the JSON names the client sent.
"""

from __future__ import annotations

import json
from typing import Any

import marshmallow
from flask import Request

from .errors import ApiError

__all__ = ["DEFAULT_MAX_BODY_BYTES", "json_object", "load_body"]

#: Largest accepted request body; a view write is a handful of fields.
DEFAULT_MAX_BODY_BYTES = 64 * 1024


def json_object(request: Request) -> dict[str, Any]:
    """The body as a JSON object (415: not JSON, 413: too large, 400: malformed or not an object)."""
    if request.mimetype != "application/json":
        raise ApiError(415, "Send the body as application/json.")
    raw = request.get_data(cache=True)  # enforces MAX_CONTENT_LENGTH (413)
    charset = request.mimetype_params.get("charset", "utf-8").lower()
    if charset not in ("utf-8", "utf8"):
        raise ApiError(415, "Send JSON encoded as UTF-8.")
    try:
        data = json.loads(raw.decode("utf-8"), parse_constant=_reject_constant)
    except (UnicodeDecodeError, ValueError) as exc:
        raise ApiError(400, f"The body is not valid JSON: {exc}", code="malformed_json") from None
    if not isinstance(data, dict):
        raise ApiError(400, "The body must be a JSON object.", code="malformed_json")
    return data


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def load_body(schema: marshmallow.Schema, request: Request, *, partial: bool = False) -> dict[str, Any]:
    """Validated attribute values from the body (400 listing every bad or unknown field)."""
    data = json_object(request)
    try:
        return schema.load(data, partial=partial)
    except marshmallow.ValidationError as exc:
        messages = exc.messages if isinstance(exc.messages, dict) else {"_schema": exc.messages}
        raise ApiError(400, "The data is invalid.", code="validation_failed", fields=messages) from None
