"""Reading a write's JSON body: content type (415), size (413), syntax (400), fields (400).

All checks happen before any Firestore access, so bad input costs nothing and writes
nothing. Field validation uses the resource's create/update schema (unknown keys are
errors, see :mod:`.schemas`); messages are keyed by the JSON names the client sent.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import marshmallow
from flask import Request

from .errors import ApiError

logger = logging.getLogger(__name__)

__all__ = ["DEFAULT_MAX_BODY_BYTES", "discard_unread_body", "json_object", "load_body"]

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


#: Cloud Functions refuses larger requests anyway; past this we stop reading.
_MAX_DISCARD_BYTES = 32 * 1024 * 1024


def discard_unread_body() -> None:
    """Read what is left of the request body before answering (early answers such as 401
    or 413, and any request that sent a body the route does not read).

    An HTTP/1.1 server that keeps the connection open would otherwise parse the unread
    body as the next request (the Functions emulator then reports a hung-up socket for it).
    """
    from flask import request
    from werkzeug.wsgi import get_input_stream

    try:
        # The request's own stream knows how much was read already; a fresh one would wait
        # for bytes that were consumed.
        stream = request.__dict__.get("stream") or get_input_stream(
            request.environ, safe_fallback=True, max_content_length=None
        )
        remaining = _MAX_DISCARD_BYTES
        while remaining > 0:
            chunk = stream.read(min(65536, remaining))
            if not chunk:
                break
            remaining -= len(chunk)
    except Exception:  # pragma: no cover - best effort: the answer matters more
        logger.debug("could not discard the request body", exc_info=True)
