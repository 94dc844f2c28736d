"""One JSON error shape for every failure: ``{"error": {"code", "message", "fields"}}``.

Clients (and the OpenAPI document) deal with a single error schema, whatever went
wrong: routing (404/405), HTTP framing (413/415), bad input (400 with per-field
messages), auth (401/403), ORM errors raised inside write handlers, or a bug (500, with
no internals in the body; the traceback goes to the function's log).

``fields`` maps a JSON field name (or query parameter) to its messages; it is ``{}``
when the error is not about particular fields.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import marshmallow
from flask import Flask, jsonify
from werkzeug.exceptions import HTTPException

from ..errors import (
    DocumentAlreadyExists,
    DocumentNotFound,
    InvalidCursorError,
    PathError,
    QueryError,
    UnknownFieldError,
    ValidationError,
)

__all__ = ["ERROR_CODES", "ApiError", "error_body", "install_error_handlers"]

logger = logging.getLogger("flask_boiler.rest")

#: HTTP status -> the ``code`` a client switches on.
ERROR_CODES: dict[int, str] = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    500: "internal",
    503: "unavailable",
}


class ApiError(Exception):
    """Raise anywhere in a request to answer with this status and error body."""

    def __init__(
        self, status: int, message: str, *, code: str | None = None, fields: Mapping[str, Any] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code or ERROR_CODES.get(status, "error")
        self.fields = _normalize_fields(fields or {})


def _messages(value: Any) -> Any:
    """marshmallow message trees: lists of strings, nested dicts keyed by field or index."""
    if isinstance(value, Mapping):
        return {str(key): _messages(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        if all(isinstance(item, str) for item in value):
            return list(value)
        return [_messages(item) for item in value]
    return [str(value)]


def _normalize_fields(fields: Mapping[str, Any]) -> dict[str, Any]:
    return {str(name): _messages(messages) for name, messages in fields.items()}


def error_body(status: int, message: str, code: str | None = None, fields: Mapping[str, Any] | None = None) -> dict:
    return {
        "error": {
            "code": code or ERROR_CODES.get(status, "error"),
            "message": message,
            "fields": _normalize_fields(fields or {}),
        }
    }


def _respond(error: ApiError) -> Any:
    response = jsonify(error_body(error.status, error.message, error.code, error.fields))
    response.status_code = error.status
    if error.status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="flask-boiler"'
    return response


def translate(exc: BaseException) -> ApiError | None:
    """The API error an exception stands for, or ``None`` if it is a bug (500)."""
    if isinstance(exc, ApiError):
        return exc
    if isinstance(exc, HTTPException):
        status = exc.code or 500
        messages = {
            404: "No such resource.",
            405: "This method is not allowed here.",
            413: "The request body is too large.",
            415: "Send the body as application/json.",
        }
        return ApiError(status, messages.get(status, exc.description or exc.name))
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
        return ApiError(404, "No such resource.")
    if isinstance(exc, DocumentAlreadyExists):
        return ApiError(409, "It already exists.")
    try:
        from google.api_core import exceptions as google_errors
    except ImportError:  # pragma: no cover
        return None
    if isinstance(exc, google_errors.AlreadyExists):
        return ApiError(409, "It already exists.")
    if isinstance(exc, google_errors.InvalidArgument):
        return ApiError(400, "Firestore rejected the request's values.")
    if isinstance(exc, google_errors.NotFound):
        return ApiError(404, "No such resource.")
    if isinstance(exc, (google_errors.Aborted, google_errors.ServiceUnavailable, google_errors.DeadlineExceeded)):
        return ApiError(503, "Firestore is busy; retry the request.")
    return None


def install_error_handlers(app: Flask) -> None:
    """Route every exception, Flask's own included, through :func:`translate`."""

    @app.errorhandler(Exception)
    def handle(exc: Exception) -> Any:
        error = translate(exc)
        if error is None:
            logger.exception("Unhandled error in %s", app.name)
            error = ApiError(500, "Internal error; it has been logged.")
        return _respond(error)
