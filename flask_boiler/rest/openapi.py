"""The OpenAPI 3 document, generated with apispec from the same schemas the routes validate with.

Nothing is described by hand: each served view contributes its representation, its
create/update bodies (:mod:`.schemas`) and one operation per route, with the responses
the route can actually give (so a contract test can hold the server to them).

flask-boiler's own field types have no marshmallow ancestor that apispec knows, so
:func:`register_field_types` maps them to JSON types, matching what
:mod:`.serialization` emits: ``Reference`` -> document path string (array / map for
``many`` / ``as_map``), ``GeoPoint`` -> ``{latitude, longitude}``, ``Bytes`` -> base64
string, ``Nested`` -> object with the target schema's properties. ``DateTime``, ``Enum``,
``List``, ``Dict`` and the scalars inherit marshmallow's mapping.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import marshmallow
from marshmallow import fields as ma_fields
from marshmallow import validate

from .. import fields as fb_fields
from .resource import Resource

if TYPE_CHECKING:  # pragma: no cover
    from apispec.ext.marshmallow import MarshmallowPlugin

__all__ = ["ERROR_SCHEMA", "build_openapi", "register_field_types"]

OPENAPI_VERSION = "3.0.3"
SECURITY_SCHEME = "firebase"

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "fields"],
            "properties": {
                "code": {"type": "string", "description": "Machine-readable: validation_failed, not_found, ..."},
                "message": {"type": "string"},
                "fields": {
                    "type": "object",
                    "description": "JSON field or query parameter -> messages (empty when no field is at fault).",
                    "additionalProperties": True,
                },
            },
        }
    },
}

_ERROR_TEXT = {
    400: "Invalid input: `fields` lists every bad field.",
    401: "Missing, invalid, expired or revoked Firebase ID token.",
    403: "The token is valid but its user may not access this resource.",
    404: "No such resource.",
    409: "Conflicts with existing data.",
    413: "Body too large.",
    415: "Body is not application/json.",
    503: "Firestore or Auth is busy; retry.",
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


def _flask_boiler_types(self: Any, field: marshmallow.fields.Field, **kwargs: Any) -> dict[str, Any]:
    """apispec attribute function (bound to its converter) for flask-boiler field types."""
    if isinstance(field, fb_fields.Reference):
        path = {"type": "string", "description": "Firestore document path"}
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
        one = {"type": "object", "properties": target.get("properties", {})}
        if target.get("required"):
            one["required"] = target["required"]
        return {"type": "array", "items": one} if field.many else one
    return {}


def register_field_types(plugin: MarshmallowPlugin) -> None:
    """Teach ``plugin`` (after ``APISpec(...)`` initialised it) flask-boiler's field types."""
    assert plugin.converter is not None, "register after APISpec(plugins=[plugin])"
    plugin.converter.add_attribute_function(_flask_boiler_types)


def _query_schema(resource: Resource) -> type[marshmallow.Schema]:
    options = resource.options
    fields: dict[str, Any] = {
        "limit": ma_fields.Integer(
            validate=validate.Range(1, options.max_page_size),
            metadata={"description": f"Page size (default {options.page_size})."},
        ),
        "cursor": ma_fields.String(
            validate=validate.Length(min=1), metadata={"description": "The `next` token of the previous page."}
        ),
    }
    for query_name, (attribute, parser) in resource.filters.items():
        parser_copy = copy.copy(parser)
        parser_copy.metadata = {**parser.metadata, "description": f"Only views whose `{query_name}` equals this."}
        fields[attribute] = parser_copy
    return type(f"{resource.name}ListQuery", (marshmallow.Schema,), fields)


def _path_parameters(names: Iterable[str]) -> list[dict[str, Any]]:
    return [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string", "minLength": 1}} for name in names
    ]


def _responses(ok: dict[str, Any], *statuses: int) -> dict[str, Any]:
    responses = dict(ok)
    for status in statuses:
        responses[str(status)] = {
            "description": _ERROR_TEXT[status],
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        }
    return responses


def _json(ref: str, description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": {"$ref": ref}}}}


def _operations(resource: Resource) -> dict[str, dict[str, Any]]:
    """path -> method -> operation for one resource."""
    view_ref = f"#/components/schemas/{resource.name}"
    read_auth = (401, 403) if resource.read_access.requires_sign_in else ()
    write_auth = (401, 403) if resource.write_access.requires_sign_in else ()
    read_security = [{SECURITY_SCHEME: []}] if read_auth else []
    write_security = [{SECURITY_SCHEME: []}] if write_auth else []
    mode = (
        "computed from domain documents on request"
        if resource.options.mode == "computed"
        else ("the stored view document, kept fresh by Firestore triggers")
    )
    item, collection = resource.url(item=True), resource.url(item=False)
    paths: dict[str, dict[str, Any]] = {item: {}, collection: {}}
    tags = [resource.tag]
    paths[item]["get"] = {
        "operationId": f"get{resource.name}",
        "summary": f"One {resource.name}",
        "description": f"The view, {mode}. Access: {type(resource.read_access).__name__}.",
        "tags": tags,
        "security": read_security,
        "parameters": _path_parameters(resource.params),
        "responses": _responses({"200": _json(view_ref, "The view.")}, 400, *read_auth, 404, 503),
    }
    if resource.supports("list"):
        paths[collection]["get"] = {
            "operationId": f"list{resource.name}",
            "summary": f"List {resource.name} views",
            "description": f"A page of views, {mode}; pass `next` back as `cursor` for the following page.",
            "tags": tags,
            "security": read_security,
            "parameters": [
                *_path_parameters(resource.parent_params),
                {"in": "query", "schema": _query_schema(resource)},
            ],
            "responses": _responses(
                {"200": _json(f"#/components/schemas/{resource.name}Page", "A page of views.")},
                400,
                *read_auth,
                404,
                503,
            ),
        }
    body_errors = (400, *write_auth, 404, 409, 413, 415, 503)
    if resource.supports("create"):
        paths[collection]["post"] = {
            "operationId": f"create{resource.name}",
            "summary": f"Create a {resource.name}",
            "description": "Changes the domain documents behind the view in one transaction; answers the new view.",
            "tags": tags,
            "security": write_security,
            "parameters": _path_parameters(resource.parent_params),
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{resource.name}Create"}}},
            },
            "responses": _responses(
                {
                    "201": {
                        **_json(view_ref, "Created; the view as it is now."),
                        "headers": {
                            "Location": {
                                "description": "The new view, relative to this URL.",
                                "schema": {"type": "string"},
                            }
                        },
                    }
                },
                *body_errors,
            ),
        }
    if resource.supports("update"):
        paths[item]["patch"] = {
            "operationId": f"update{resource.name}",
            "summary": f"Change a {resource.name}",
            "description": "Only the fields sent change, in one transaction; answers the view as it is now.",
            "tags": tags,
            "security": write_security,
            "parameters": _path_parameters(resource.params),
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{resource.name}Update"}}},
            },
            "responses": _responses(
                {
                    "200": _json(view_ref, "The view as it is now."),
                    "204": {"description": "The change removed the view."},
                },
                *body_errors,
            ),
        }
    if resource.supports("delete"):
        paths[item]["delete"] = {
            "operationId": f"delete{resource.name}",
            "summary": f"Delete a {resource.name}",
            "description": "Removes what makes the view exist, in one transaction.",
            "tags": tags,
            "security": write_security,
            "parameters": _path_parameters(resource.params),
            "responses": _responses({"204": {"description": "Deleted."}}, 400, *write_auth, 404, 409, 503),
        }
    return {path: ops for path, ops in paths.items() if ops}


def build_openapi(resources: Iterable[Resource], *, title: str, version: str, description: str = "") -> dict[str, Any]:
    """The OpenAPI 3 document (a dict ready for JSON) for ``resources``."""
    from apispec import APISpec
    from apispec.ext.marshmallow import MarshmallowPlugin

    plugin = MarshmallowPlugin(schema_name_resolver=lambda schema: None)
    spec = APISpec(
        title=title,
        version=version,
        openapi_version=OPENAPI_VERSION,
        plugins=[plugin],
        info={"description": description} if description else {},
    )
    register_field_types(plugin)
    spec.components.security_scheme(
        SECURITY_SCHEME,
        {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": "A Firebase ID token of a signed-in user (Firebase Auth `getIdToken()`).",
        },
    )
    spec.components.schema("Error", ERROR_SCHEMA)
    for resource in resources:
        spec.components.schema(resource.name, schema=resource.representation)
        spec.components.schema(
            f"{resource.name}Page",
            {
                "type": "object",
                "required": ["items", "next"],
                "properties": {
                    "items": {"type": "array", "items": {"$ref": f"#/components/schemas/{resource.name}"}},
                    "next": {
                        "type": "string",
                        "nullable": True,
                        "description": "Cursor of the next page; null on the last.",
                    },
                },
            },
        )
        if resource.writes is not None:
            spec.components.schema(f"{resource.name}Create", schema=resource.create_schema)
            spec.components.schema(f"{resource.name}Update", schema=resource.update_schema)
        for path, operations in _operations(resource).items():
            spec.path(path=path, operations=operations)
    return spec.to_dict()
