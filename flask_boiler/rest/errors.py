"""One JSON error shape for every failure: ``{"error": {"code", "message", "fields"}}``.

Clients (and the OpenAPI document) deal with a single error schema, whatever went
wrong: routing (404/405), HTTP framing (413/415), bad input (400 with per-field
messages), auth (401/403), preconditions (412/428), ORM errors raised inside write
handlers, contention or Firestore unavailable, too slow or over its quota (503, with
``Retry-After``; the last three logged at WARNING), or a bug (500, with no internals in the body; the traceback
goes to the function's log with severity ERROR).

``code`` is one of :data:`ERROR_CODES` (the OpenAPI document lists, per status, the codes
it can carry). ``fields`` maps a JSON field or query/path parameter to its messages;
nested fields are flattened to dotted paths (``"upcoming.0.title"``), so it is always a
flat ``{name: [message, ...]}`` object, and ``{}`` when no field is at fault.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import marshmallow
from flask import Flask, Response, current_app, request
from werkzeug.exceptions import HTTPException

from ..errors import (
    ContentionError,
    DocumentAlreadyExists,
    DocumentNotFound,
    FlaskBoilerError,
    InvalidCursorError,
    PathError,
    QueryError,
    UnknownFieldError,
    ValidationError,
)
from ..log import get_logger

__all__ = [
    "ERROR_CODES",
    "RETRY_AFTER_SECONDS",
    "ApiError",
    "error_body",
    "error_response",
    "flatten_messages",
    "install_error_handlers",
    "translate",
]

logger = get_logger("rest")

#: HTTP status -> the ``code`` values an error with that status can carry (first: the default).
ERROR_CODES: dict[int, tuple[str, ...]] = {
    400: ("bad_request", "validation_failed", "malformed_json", "invalid_cursor"),
    401: ("unauthenticated",),
    403: ("forbidden",),
    404: ("not_found",),
    405: ("method_not_allowed",),
    409: ("conflict",),
    412: ("precondition_failed",),
    413: ("payload_too_large",),
    415: ("unsupported_media_type",),
    428: ("precondition_required",),
    500: ("internal",),
    503: ("unavailable",),
}

#: What a 503 asks the client to wait before retrying (contention clears in well under that).
RETRY_AFTER_SECONDS = 1

_MESSAGES = {
    400: "The request is malformed.",
    401: "Sign in: send a Firebase ID token as 'Authorization: Bearer <token>'.",
    403: "Your account may not access this resource.",
    404: "No such resource.",
    405: "This method is not allowed here; see the Allow header.",
    409: "It conflicts with existing data.",
    412: "The resource changed since you read it (If-Match does not match its ETag); read it again.",
    413: "The request body is too large.",
    415: "Send the body as application/json (UTF-8).",
    428: "Send If-Match with the ETag of the resource as you last read it.",
    500: "Internal error; it has been logged.",
    503: "The service is busy; retry shortly.",
}


def default_code(status: int) -> str:
    codes = ERROR_CODES.get(status)
    if codes:
        return codes[0]
    return "bad_request" if status < 500 else "internal"


class ApiError(FlaskBoilerError):
    """Raise anywhere in a request to answer with this status and error body."""

    def __init__(
        self,
        status: int,
        message: str | None = None,
        *,
        code: str | None = None,
        fields: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.status = status
        self.message = message or _MESSAGES.get(status, "The request failed.")
        super().__init__(self.message)
        self.code = code or default_code(status)
        self.fields = flatten_messages(fields or {})
        self.headers = dict(headers or {})


def flatten_messages(messages: Any, prefix: str = "") -> dict[str, list[str]]:
    """marshmallow message trees (dicts keyed by field or index, lists of strings) as
    ``{"a.b.0": ["message", ...]}``; a message not under any field goes to ``"_schema"``."""
    flat: dict[str, list[str]] = {}
    pending: list[tuple[str, Any]] = [(prefix, messages)]
    while pending:
        path, value = pending.pop()
        if isinstance(value, Mapping):
            for key, item in value.items():
                pending.append((f"{path}.{key}" if path else str(key), item))
        elif isinstance(value, (list, tuple)):
            for index, item in enumerate(value):
                if isinstance(item, (Mapping, list, tuple)):
                    pending.append((f"{path}.{index}" if path else str(index), item))
                else:
                    _add(flat, path or "_schema", str(item))
        else:
            _add(flat, path or "_schema", str(value))
    return dict(sorted(flat.items()))


def _add(flat: dict[str, list[str]], path: str, message: str) -> None:
    messages = flat.setdefault(path, [])
    if message not in messages:
        messages.append(message)


def error_body(
    status: int, message: str, code: str | None = None, fields: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    return {
        "error": {"code": code or default_code(status), "message": message, "fields": flatten_messages(fields or {})}
    }


def error_response(error: ApiError) -> Response:
    response = current_app.response_class(
        current_app.json.dumps(error_body(error.status, error.message, error.code, error.fields)) + "\n",
        mimetype="application/json",
    )
    response.status_code = error.status
    if error.status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="flask-boiler"'
    if error.status == 503:
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    for name, value in error.headers.items():
        response.headers[name] = value
    return response


def _is_contention(exc: BaseException) -> bool:
    """A transaction that gave up on contention: the ORM's ContentionError, or what the
    Firestore client raises itself (an ``Aborted``, or a ``ValueError`` wrapping the last one)."""
    from google.api_core import exceptions as google_errors

    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, (ContentionError, google_errors.Aborted)):
            return True
        current = current.__cause__ or current.__context__
    return isinstance(exc, ValueError) and str(exc).startswith("Failed to commit transaction")


def _from_http_exception(exc: HTTPException) -> ApiError:
    status = exc.code or 500
    if status == 400:
        # Refused by werkzeug or the host (functions-framework) before any route ran: logged with
        # its first line (the rest may quote the request's headers, tokens included).
        first_line = next(iter((exc.description or "").strip().splitlines()), "")
        log_client_error("HTTP request refused", reason=type(exc).__name__, description=first_line[:200])
    headers = {
        name: value for name, value in exc.get_headers() if name.lower() in ("allow", "www-authenticate", "retry-after")
    }
    return ApiError(status, _MESSAGES.get(status, exc.description or exc.name), headers=headers)


def translate(exc: BaseException) -> ApiError | None:
    """The API error an exception stands for, or ``None`` if it is a bug (500)."""
    if isinstance(exc, ApiError):
        return exc
    if isinstance(exc, HTTPException):
        return _from_http_exception(exc)
    if isinstance(exc, ValidationError):
        return ApiError(400, "The data is invalid.", code="validation_failed", fields=exc.errors)
    if isinstance(exc, marshmallow.ValidationError):
        messages = exc.messages if isinstance(exc.messages, Mapping) else {"_schema": exc.messages}
        return ApiError(400, "The data is invalid.", code="validation_failed", fields=messages)
    if isinstance(exc, UnknownFieldError):
        return ApiError(400, str(exc), code="validation_failed", fields={exc.field: ["Unknown field."]})
    if isinstance(exc, InvalidCursorError):
        return ApiError(400, str(exc), code="invalid_cursor", fields={"cursor": [str(exc)]})
    if isinstance(exc, QueryError):
        return ApiError(400, str(exc))
    if isinstance(exc, (DocumentNotFound, PathError)):
        return ApiError(404)
    if isinstance(exc, DocumentAlreadyExists):
        return ApiError(409, "It already exists.")
    from google.api_core import exceptions as google_errors

    if _is_contention(exc):
        return ApiError(503, "Too many concurrent changes to the same data; retry shortly.")
    if isinstance(exc, google_errors.AlreadyExists):
        return ApiError(409, "It already exists.")
    if isinstance(exc, google_errors.InvalidArgument):
        # Logged: the request passed our own validation, so what Firestore objected to is
        # worth seeing (the client is told only that its values were refused).
        log_client_error("Firestore refused a request's values", firestore_message=exc.message)
        return ApiError(400, "Firestore refused the request's values.")
    if isinstance(exc, google_errors.NotFound):
        return ApiError(404)
    if isinstance(
        exc, (google_errors.ServiceUnavailable, google_errors.DeadlineExceeded, google_errors.ResourceExhausted)
    ):
        # Unavailable, too slow, or over its quota (429): the client can only wait; logged, so
        # that a quota running out shows up as records, not as 500s filed as bugs.
        log_unavailable("Firestore did not serve a request", exc)
        return ApiError(503, "Firestore is unavailable right now; retry shortly.")
    return None


def handle_exception(exc: Exception) -> Response:
    """The Flask error handler of the API: every exception becomes the JSON error shape."""
    if isinstance(exc, HTTPException) and exc.code == 304:
        return _not_modified()
    error = translate(exc)
    if error is None or (error.status >= 500 and error.status != 503):
        logger.error(
            "Unhandled error answering %s %s",
            request.method,
            request.path,
            exc_info=exc,
            extra={"fields": {"method": request.method, "path": request.path, "error_type": type(exc).__name__}},
        )
        error = ApiError(500)
    return error_response(error)


def _not_modified() -> Response:
    """304 for a GET whose If-None-Match names the current ETag (no body, the ETag repeated)."""
    from flask_smorest.utils import get_appcontext

    response = current_app.response_class(status=304)
    etag = get_appcontext().get("etag", {}).get("etag")
    if etag:
        response.set_etag(etag)
    return response


def install_error_handlers(app: Flask) -> None:
    """Route every exception, Flask's and flask-smorest's own included, through :func:`translate`."""
    app.register_error_handler(HTTPException, handle_exception)
    app.register_error_handler(Exception, handle_exception)


def log_client_error(message: str, **fields: Any) -> None:
    """Refused input worth seeing in the logs (bad tokens), at INFO: it is the client's fault."""
    logger.info(message, extra={"fields": fields})


def log_unavailable(message: str, exc: BaseException) -> None:
    """A service we depend on (Firestore, Auth) did not serve a request, at WARNING with the
    exception's type: the client was told to retry (503), and an operator should see it."""
    logger.warning(message, extra={"fields": {"reason": type(exc).__name__}})
