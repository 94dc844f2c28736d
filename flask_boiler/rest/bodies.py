"""Reading a write's body: content type (415), size (413, whatever the transfer encoding),
syntax and the shapes Firestore cannot store (400), all before any Firestore access.

Why not ``request.get_json()``: werkzeug enforces ``MAX_CONTENT_LENGTH`` on a
``Content-Length`` body, but a ``Transfer-Encoding: chunked`` body is read through a
stream that stops *at* the limit and returns what it has, so a 100 KB body was
silently truncated to its first 64 KiB and parsed. Here the body is read up to
one byte past the limit, and that byte decides. And ``json.loads`` accepts what Firestore
(or Python) later chokes on: ``NaN``/``Infinity``, ``1e999`` (infinite), integers past
64 bits, strings with lone surrogates (``"\\ud800"``: the Firestore client cannot encode
them), and nesting deep enough to exhaust the interpreter's recursion. Each is refused
here with a 400 ``malformed_json`` naming the problem.
"""

from __future__ import annotations

import json
import math
from collections.abc import MutableMapping
from typing import Any

from flask import Request

from ..log import get_logger
from .errors import ApiError

__all__ = [
    "DEFAULT_MAX_BODY_BYTES",
    "INT64_MAX",
    "INT64_MIN",
    "MAX_JSON_DEPTH",
    "discard_unread_body",
    "parse_json",
    "read_body",
    "read_json_object",
]

logger = get_logger("rest.bodies")

#: Largest accepted request body; a view write is a handful of fields.
DEFAULT_MAX_BODY_BYTES = 64 * 1024

#: Firestore stores integers as signed 64-bit values.
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1

#: Deepest accepted nesting of arrays and objects (a view write needs a few levels).
MAX_JSON_DEPTH = 32

#: environ key counting the body bytes this layer consumed (see :func:`discard_unread_body`).
_CONSUMED = "flask_boiler.rest.body_consumed"

#: Cloud Functions refuses larger requests anyway; past this we stop draining.
_MAX_DISCARD_BYTES = 32 * 1024 * 1024


def _malformed(message: str) -> ApiError:
    return ApiError(400, f"The body is not acceptable JSON: {message}", code="malformed_json")


def _is_chunked(environ: MutableMapping[str, Any]) -> bool:
    return bool(environ.get("HTTP_TRANSFER_ENCODING", "").lower() == "chunked")


def _content_length(environ: MutableMapping[str, Any]) -> int | None:
    """The declared length, ``None`` for a chunked (or unframed) body; 400 if the header is not a number."""
    if _is_chunked(environ):
        return None
    raw = environ.get("CONTENT_LENGTH")
    if raw is None or raw == "":
        return None
    if not (raw.isascii() and raw.isdigit()):
        raise ApiError(400, "The Content-Length header is not a number.")
    return int(raw)


def _read(environ: MutableMapping[str, Any], size: int) -> bytes:
    """Up to ``size`` bytes of the raw input stream (fewer at its end)."""
    stream = environ["wsgi.input"]
    chunks: list[bytes] = []
    remaining = size
    while remaining > 0:
        chunk = stream.read(min(remaining, 65536))
        if not chunk:
            break
        chunks.append(chunk)
        remaining -= len(chunk)
    data = b"".join(chunks)
    environ[_CONSUMED] = environ.get(_CONSUMED, 0) + len(data)
    return data


def read_body(request: Request, max_bytes: int) -> bytes:
    """The whole request body, or 413 if it is longer than ``max_bytes`` (any framing)."""
    environ = request.environ
    length = _content_length(environ)
    if length is not None:
        if length > max_bytes:
            raise ApiError(413, f"The request body is larger than {max_bytes} bytes.")
        return _read(environ, length)
    if not environ.get("wsgi.input_terminated"):
        # A chunked body through a server that does not de-chunk: its end cannot be found.
        if environ.get("HTTP_TRANSFER_ENCODING"):
            raise ApiError(400, "Send the body with Content-Length or a de-chunking server.")
        return b""
    data = _read(environ, max_bytes + 1)
    if len(data) > max_bytes:
        raise ApiError(413, f"The request body is larger than {max_bytes} bytes.")
    return data


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError("a number is too large to be finite")
    return value


def _int64(text: str) -> int:
    value = int(text)
    if not INT64_MIN <= value <= INT64_MAX:
        raise ValueError("an integer does not fit in 64 bits (Firestore's integer range)")
    return value


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _check_tree(data: Any) -> None:
    """Nesting depth and strings (keys included) that cannot be encoded as UTF-8."""
    pending: list[tuple[Any, int]] = [(data, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, str):
            _check_text(value)
        elif isinstance(value, (dict, list)):
            if depth > MAX_JSON_DEPTH:
                raise _malformed(f"nested deeper than {MAX_JSON_DEPTH} levels")
            if isinstance(value, dict):
                for key, item in value.items():
                    _check_text(key)
                    pending.append((item, depth + 1))
            else:
                pending.extend((item, depth + 1) for item in value)


def _check_text(text: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise _malformed("a string contains a lone surrogate (\\ud800-\\udfff escape)") from None


def parse_json(raw: bytes) -> Any:
    """Strict JSON: UTF-8, no NaN/Infinity, finite floats, 64-bit integers, bounded depth, no lone surrogates."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise _malformed("it is not UTF-8") from None
    if not text.strip():
        raise _malformed("the body is empty")
    try:
        data = json.loads(text, parse_constant=_reject_constant, parse_float=_finite_float, parse_int=_int64)
    except RecursionError:
        raise _malformed(f"nested deeper than {MAX_JSON_DEPTH} levels") from None
    except ValueError as exc:  # JSONDecodeError, and the refusals above
        raise _malformed(str(exc)) from None
    _check_tree(data)
    return data


def read_json_object(request: Request, max_bytes: int) -> dict[str, Any]:
    """The body as a JSON object (415: not JSON, 413: too large, 400: malformed or not an object)."""
    if request.mimetype != "application/json":
        raise ApiError(415, "Send the body as application/json.")
    charset = request.mimetype_params.get("charset", "utf-8").lower()
    if charset not in ("utf-8", "utf8"):
        raise ApiError(415, "Send JSON encoded as UTF-8.")
    data = parse_json(read_body(request, max_bytes))
    if not isinstance(data, dict):
        raise ApiError(400, "The body must be a JSON object.", code="malformed_json")
    return data


def discard_unread_body(environ: MutableMapping[str, Any]) -> None:
    """Read what is left of the request body before answering (early answers such as 401
    or 413, and any request that sent a body the route does not read).

    An HTTP/1.1 server that keeps the connection open would otherwise parse the unread
    body as the next request (the Functions emulator then reports a hung-up socket for it).
    """
    try:
        length = _content_length(environ)
    except ApiError:
        return
    consumed = environ.get(_CONSUMED, 0)
    if length is not None:
        remaining = min(length - consumed, _MAX_DISCARD_BYTES)
    elif _is_chunked(environ) and environ.get("wsgi.input_terminated"):
        remaining = _MAX_DISCARD_BYTES - consumed
    else:
        return  # no Content-Length and not chunked: HTTP/1.1 says there is no body
    try:
        while remaining > 0:
            chunk = _read(environ, min(65536, remaining))
            if not chunk:
                break
            remaining -= len(chunk)
    except (OSError, ValueError):  # the client went away: nothing left to protect
        logger.debug("could not discard the request body", exc_info=True)
