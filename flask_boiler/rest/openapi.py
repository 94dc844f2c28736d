"""The OpenAPI 3 document: flask-smorest and apispec, from the schemas the routes validate with.

Nothing is described by hand twice. flask-smorest documents each route from its
decorators (:mod:`.routes`: request bodies and query parameters from the webargs schemas,
responses from the representation schemas, ETag headers and preconditions from
:class:`~.blueprint.ResourceBlueprint`); this module adds what an API-wide document needs
so that a contract test can hold the server to it:

* **errors**: one response component per status the API can answer, each with the error
  shape and the exact ``code`` values that status carries (:data:`.errors.ERROR_CODES`),
  ``fields`` typed as ``{name: [message]}``, and the headers that come with it
  (``WWW-Authenticate``, ``Allow``, ``Retry-After``); no catch-all ``default``;
* **security** per operation (``[]`` for public ones), the Firebase bearer scheme;
* **servers** (default: relative to where the document is served, so the same document
  works in the emulator and deployed), **tags** described by the views' docstrings, the
  body size limit on every request body, and an **example** for every JSON body;
* flask-boiler's field types (:func:`register_field_types`), which have no marshmallow
  ancestor apispec knows: ``Reference`` -> document path string (array / map for
  ``many`` / ``as_map``), ``GeoPoint`` -> ``{latitude, longitude}``, ``Bytes`` -> base64,
  ``Nested`` -> object with the target schema's properties.
"""

from __future__ import annotations

import copy
import http
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import flask_smorest
import marshmallow
from apispec.ext.marshmallow import MarshmallowPlugin

from .. import fields as fb_fields
from .errors import ERROR_CODES, RETRY_AFTER_SECONDS
from .examples import example_of
from .resource import Resource

__all__ = ["OPENAPI_VERSION", "SECURITY_SCHEME", "RestApi", "error_schema", "finish_document", "register_field_types"]

OPENAPI_VERSION = "3.0.3"
SECURITY_SCHEME = "firebase"

_ERROR_TEXT = {
    400: "Invalid input: `fields` names every bad field or parameter.",
    401: "Missing, invalid, expired or revoked Firebase ID token (or a disabled user).",
    403: "The token is valid but its user may not access this resource.",
    404: "No such resource.",
    405: "This method is not served here; `Allow` lists those that are.",
    409: "Conflicts with existing data.",
    412: "If-Match does not name the current ETag: the view changed since it was read.",
    413: "The body is larger than the API's limit.",
    415: "The body is not application/json in UTF-8.",
    428: "This write needs If-Match with the ETag of the view as last read.",
    500: "A bug; it was logged.",
    503: "Firestore contention or an unavailable dependency; retry after `Retry-After` seconds.",
}

_HEADERS = {
    401: {"WWW-Authenticate": {"description": "The Bearer challenge.", "schema": {"type": "string"}}},
    405: {"Allow": {"description": "The methods this URL serves.", "schema": {"type": "string"}}},
    503: {
        "Retry-After": {
            "description": "Seconds to wait before retrying.",
            "schema": {"type": "integer", "minimum": 0, "example": RETRY_AFTER_SECONDS},
        }
    },
}


def error_schema(codes: Sequence[str]) -> dict[str, Any]:
    """The error body, its ``code`` restricted to ``codes``."""
    return {
        "type": "object",
        "required": ["error"],
        "additionalProperties": False,
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message", "fields"],
                "additionalProperties": False,
                "properties": {
                    "code": {"type": "string", "enum": list(codes), "description": "What went wrong, for programs."},
                    "message": {"type": "string", "description": "What went wrong, for people."},
                    "fields": {
                        "type": "object",
                        "description": "Field or parameter (nested ones as dotted paths) -> messages; {} if none.",
                        "additionalProperties": {"type": "array", "items": {"type": "string"}, "minItems": 1},
                    },
                },
            }
        },
    }


def _geo_point_schema() -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["latitude", "longitude"],
        "properties": {
            "latitude": {"type": "number", "minimum": -90, "maximum": 90},
            "longitude": {"type": "number", "minimum": -180, "maximum": 180},
        },
    }


def _flask_boiler_types(self: Any, field: marshmallow.fields.Field[Any], **kwargs: Any) -> dict[str, Any]:
    """apispec attribute function (bound to its converter) for flask-boiler field types."""
    if isinstance(field, fb_fields.Reference):
        path: dict[str, Any] = {"type": "string", "description": "Firestore document path"}
        if field.target is not None and field.target._meta.path is not None:
            path["description"] = f"Path of a {field.target.__name__} document ({field.target._meta.path.template})"
        if field.many:
            return {"type": "array", "items": path}
        if field.as_map:
            return {"type": "object", "additionalProperties": path}
        return path
    if isinstance(field, fb_fields.GeoPoint):
        return _geo_point_schema()
    if isinstance(field, fb_fields.Bytes):
        return {"type": "string", "format": "byte"}
    if isinstance(field, fb_fields.Nested):
        target = self.schema2jsonschema(field.target_schema())
        one: dict[str, Any] = {"type": "object", "properties": target.get("properties", {})}
        if target.get("required"):
            one["required"] = target["required"]
        return {"type": "array", "items": one} if field.many else one
    return {}


def register_field_types(plugin: MarshmallowPlugin) -> None:
    """Teach ``plugin`` (after ``APISpec(...)`` initialised it) flask-boiler's field types."""
    assert plugin.converter is not None, "register after APISpec(plugins=[plugin])"
    plugin.converter.add_attribute_function(_flask_boiler_types)  # type: ignore[no-untyped-call]


class RestApi(flask_smorest.Api):  # type: ignore[misc]
    """flask-smorest's ``Api`` with this API's error responses and no catch-all ``default``."""

    DEFAULT_ERROR_RESPONSE_NAME = None

    def _register_error_handlers(self) -> None:
        """Errors are answered by :func:`.errors.install_error_handlers` (one shape for all)."""

    def _register_pagination_header(self) -> None:
        """Lists page with cursors in the body (:mod:`.reads`), not flask-smorest's page numbers."""

    def _register_responses(self) -> None:
        self.spec.components.response("NOT_MODIFIED", {"description": "The view still has the ETag you sent."})
        for status, codes in ERROR_CODES.items():
            response: dict[str, Any] = {
                "description": _ERROR_TEXT[status],
                "content": {"application/json": {"schema": error_schema(codes)}},
            }
            if status in _HEADERS:
                response["headers"] = copy.deepcopy(_HEADERS[status])
            self.spec.components.response(http.HTTPStatus(status).name, response, lazy=True)


def error_responses(*statuses: int) -> dict[int, str]:
    """``{status: component name}`` for an operation's ``responses``."""
    return {status: http.HTTPStatus(status).name for status in statuses}


def _tags(resources: Iterable[Resource]) -> list[dict[str, str]]:
    tags: dict[str, str] = {}
    for resource in resources:
        tags.setdefault(resource.tag, resource.description)
    return [{"name": name, "description": text} if text else {"name": name} for name, text in tags.items()]


def _add_examples(document: dict[str, Any]) -> None:
    """An ``example`` on every JSON request and response body that has none."""
    components = document.get("components", {})
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict):
                continue
            bodies = [operation.get("requestBody", {})]
            bodies += [r for r in operation.get("responses", {}).values() if isinstance(r, dict)]
            for body in bodies:
                media = body.get("content", {}).get("application/json")
                if media and "schema" in media and "example" not in media and "examples" not in media:
                    media["example"] = example_of(media["schema"], components)


def finish_document(
    spec: Mapping[str, Any],
    resources: Iterable[Resource],
    *,
    description: str,
    servers: Sequence[Mapping[str, Any]],
    max_body_bytes: int,
) -> dict[str, Any]:
    """flask-smorest's document, completed with what only the whole API knows."""
    resources = list(resources)
    document = copy.deepcopy(dict(spec))
    document["servers"] = [dict(server) for server in servers]
    document["tags"] = _tags(resources)
    info = document.setdefault("info", {})
    info["description"] = description
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            body = operation.get("requestBody") if isinstance(operation, dict) else None
            if body is not None:
                body["description"] = (
                    body.get("description", "") + f" At most {max_body_bytes:,} bytes (413 beyond)."
                ).strip()
                body["x-max-body-bytes"] = max_body_bytes
    _add_examples(document)
    return document
