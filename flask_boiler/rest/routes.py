"""One resource's routes: a flask-smorest ``Blueprint`` with a ``MethodView`` for the item
URL and one for the collection URL, each defining only the methods the declaration serves.

Because only declared methods exist, everything else is settled by Flask before any code
of ours runs: ``HEAD`` is ``GET`` without a body (``MethodView`` maps it to ``get``, which
never writes), ``OPTIONS`` answers the ``Allow`` list (and CORS preflights), and any other
method (``PUT``, ``TRACE``, a ``DELETE`` the Writes does not define...) is a 405 whose
``Allow`` header lists what is served. The old hand-written dispatcher treated every
method that was not ``GET`` or ``PATCH`` as ``DELETE``, which is how ``HEAD`` deleted.

Every view function is wrapped by :func:`_guard` (the ``MethodView`` decorator, so it runs
before flask-smorest's body parsing): path ids checked, token verified, the policy
checked on the URL's key. Reads use ``Meta.access``; writes the resource's write policy.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any

import marshmallow
from flask import Response, current_app, request
from flask.views import MethodView
from marshmallow import fields as ma_fields

from ..views.access import Access
from . import reads, writes
from .auth import authenticate, check_access
from .blueprint import MAX_PRECONDITION_LENGTH, ResourceBlueprint, representation_bytes
from .errors import ApiError
from .keys import checked_key
from .openapi import SECURITY_SCHEME, error_responses
from .resource import Resource

__all__ = ["resource_blueprint"]

#: Methods that never change anything (HEAD and OPTIONS included).
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

ViewFunction = Callable[..., Any]


def _check_precondition_headers() -> None:
    too_long = {
        name: [f"Longer than {MAX_PRECONDITION_LENGTH} characters."]
        for name in ("If-Match", "If-None-Match")
        if len(request.headers.get(name, "")) > MAX_PRECONDITION_LENGTH
    }
    if too_long:
        raise ApiError(400, "Invalid headers.", code="validation_failed", fields=too_long)


def _guard(resource: Resource, *, item: bool) -> Callable[[ViewFunction], ViewFunction]:
    """Path ids and precondition headers (400/404), token (401) and the policy on the URL's key (403),
    before anything else."""
    client_ids = resource.writes is not None and resource.writes.client_ids

    def decorate(view: ViewFunction) -> ViewFunction:
        @functools.wraps(view)
        def guarded(**path_params: str) -> Any:
            key = checked_key(path_params)
            _check_precondition_headers()
            write = request.method not in SAFE_METHODS
            policy = resource.write_access if write else resource.read_access
            caller = authenticate(policy, request)
            if item or not (write and client_ids):  # a client-chosen id is checked once the body is read
                check_access(policy, caller, key)
            return view(caller=caller, **key)

        return guarded

    return decorate


def _json(body: Mapping[str, Any] | bytes, policy: Access, status: int = 200) -> Response:
    payload = body if isinstance(body, bytes) else representation_bytes(body)
    response = current_app.response_class(payload, status=status, mimetype="application/json")
    # Representations change with the domain data: caches revalidate (the ETag makes that cheap);
    # what only some callers may read stays out of shared caches.
    response.headers["Cache-Control"] = "no-cache" if not policy.requires_sign_in else "private, no-cache"
    return response


def _security(policy: Access) -> list[dict[str, list[str]]]:
    return [{SECURITY_SCHEME: []}] if policy.requires_sign_in else []


def _auth_errors(policy: Access) -> tuple[int, ...]:
    return (401, 403) if policy.requires_sign_in else ()


def _docstring(summary: str, *paragraphs: str | None) -> str:
    """flask-smorest reads an operation's summary (first line) and description from its docstring."""
    return "\n\n".join([summary, *(p.strip() for p in paragraphs if p and p.strip())])


def _writes_doc(resource: Resource, operation: str) -> str | None:
    """The Writes method's docstring, else the Writes class's (what the write does, in the app's words)."""
    writes_declared = resource.writes
    if writes_declared is None:
        return None
    doc = getattr(type(writes_declared), operation).__doc__ or type(writes_declared).__doc__
    return " ".join(doc.split()) if doc else None


def _page_schema(resource: Resource) -> type[marshmallow.Schema]:
    return type(
        f"{resource.name}Page",
        (marshmallow.Schema,),
        {
            "items": ma_fields.List(ma_fields.Nested(type(resource.representation)), required=True),
            "next": ma_fields.String(
                required=True,
                allow_none=True,
                metadata={"description": "Pass it as `cursor` for the next page; null on the last page."},
            ),
        },
    )


def _mode_sentence(resource: Resource) -> str:
    if resource.options.mode == "computed":
        return "Computed from the domain documents on each request (always current)."
    return "The stored view document, kept fresh by Firestore triggers (may lag a write by a moment)."


def _item_view(resource: Resource, blp: ResourceBlueprint) -> type[MethodView]:
    read, write = resource.read_access, resource.write_access
    methods: dict[str, Any] = {"decorators": [_guard(resource, item=True)], "init_every_request": False}

    def get(self: MethodView, caller: Mapping[str, Any] | None, **key: str) -> Response:
        payload = representation_bytes(reads.read_item(resource, key))
        blp.set_etag(payload)  # 304 when If-None-Match names it
        return _json(payload, read)

    get.__doc__ = _docstring(f"Get one {resource.name}", _mode_sentence(resource), read.describe())
    methods["get"] = blp.etag(
        blp.response(200, resource.representation, description=f"The {resource.name} view.")(
            blp.doc(
                operationId=f"get{resource.name}",
                security=_security(read),
                responses=error_responses(400, *_auth_errors(read), 404, 503),
            )(get)
        )
    )

    if resource.supports("update"):

        def patch(self: MethodView, values: dict[str, Any], caller: Mapping[str, Any] | None, **key: str) -> Response:
            body = writes.update(resource, key, values, caller, blp.check_if_match)
            if body is None:
                return Response(status=204)
            payload = representation_bytes(body)
            blp.set_etag(payload)
            return _json(payload, read)

        patch.__doc__ = _docstring(
            f"Change a {resource.name}",
            _writes_doc(resource, "update"),
            "Only the fields sent change, in one transaction with the If-Match check; answers the view as it is "
            "now (204 if the change removed it).",
            write.describe(),
        )
        methods["patch"] = blp.etag(
            blp.arguments(resource.update_schema, location="json", description="The fields to change.")(
                blp.response(200, resource.representation, description="The view as it is now.")(
                    blp.alt_response(204, description="The change removed the view.", success=True)(
                        blp.doc(
                            operationId=f"update{resource.name}",
                            security=_security(write),
                            responses=error_responses(400, *_auth_errors(write), 404, 409, 413, 415, 503),
                        )(patch)
                    )
                )
            )
        )

    if resource.supports("delete"):

        def delete(self: MethodView, caller: Mapping[str, Any] | None, **key: str) -> Response:
            writes.delete(resource, key, caller, blp.check_if_match)
            return Response(status=204)

        delete.__doc__ = _docstring(
            f"Delete a {resource.name}",
            _writes_doc(resource, "delete"),
            "Removes what makes the view exist, in one transaction with the If-Match check.",
            write.describe(),
        )
        methods["delete"] = blp.etag(
            blp.response(204, description="Deleted.")(
                blp.doc(
                    operationId=f"delete{resource.name}",
                    security=_security(write),
                    responses=error_responses(400, *_auth_errors(write), 404, 409, 503),
                )(delete)
            )
        )
    return type(f"{resource.name}Item", (MethodView,), methods)


def _collection_view(resource: Resource, blp: ResourceBlueprint) -> type[MethodView] | None:
    read, write = resource.read_access, resource.write_access
    writes_declared = resource.writes
    methods: dict[str, Any] = {"decorators": [_guard(resource, item=False)], "init_every_request": False}

    if resource.supports("list"):

        def get(
            self: MethodView, query: dict[str, Any], caller: Mapping[str, Any] | None, **parent_key: str
        ) -> Response:
            return _json(reads.read_page(resource, parent_key, query, caller), read)

        get.__doc__ = _docstring(
            f"List {resource.name} views",
            _mode_sentence(resource),
            "A page of views; pass `next` back as `cursor` for the following page. Only views the caller "
            "may read are listed.",
            read.describe(),
        )
        methods["get"] = blp.arguments(resource.list_query_schema, location="query", unknown=marshmallow.RAISE)(
            blp.response(200, _page_schema(resource)(), description="A page of views.")(
                blp.doc(
                    operationId=f"list{resource.name}",
                    security=_security(read),
                    responses=error_responses(400, *_auth_errors(read), 404, 503),
                )(get)
            )
        )

    if resource.supports("create") and writes_declared is not None:
        client_ids = writes_declared.client_ids

        def post(
            self: MethodView, values: dict[str, Any], caller: Mapping[str, Any] | None, **parent_key: str
        ) -> Response:
            if client_ids:
                check_access(write, caller, {**parent_key, resource.id_param: values[resource.id_param]})
            body, location = writes.create(resource, parent_key, values, caller)
            payload = representation_bytes(body)
            blp.set_etag(payload)
            response = _json(payload, read, status=201)
            response.headers["Location"] = location
            return response

        post.__doc__ = _docstring(
            f"Create a {resource.name}",
            _writes_doc(resource, "create"),
            "Changes the domain documents behind the view in one transaction; answers the new view.",
            write.describe(),
        )
        location_header = {
            "Location": {"description": "The new view, relative to this URL.", "schema": {"type": "string"}}
        }
        methods["post"] = blp.etag(
            blp.arguments(resource.create_schema, location="json", description="The new view's fields.")(
                blp.response(
                    201, resource.representation, description="Created; the view as it is now.", headers=location_header
                )(
                    blp.doc(
                        operationId=f"create{resource.name}",
                        security=_security(write),
                        responses=error_responses(400, *_auth_errors(write), 404, 409, 413, 415, 503),
                    )(post)
                )
            )
        )
    if len(methods) == 2:
        return None
    return type(f"{resource.name}Collection", (MethodView,), methods)


def resource_blueprint(resource: Resource) -> ResourceBlueprint:
    """The blueprint serving ``resource`` (register it with :class:`~.openapi.RestApi`)."""
    blp = ResourceBlueprint(
        resource.name, description=resource.description, require_if_match=resource.options.require_if_match
    )
    tags = [resource.tag]
    blp.add_url_rule(resource.url(item=True, flask=True), "item", _item_view(resource, blp), tags=tags)
    collection = _collection_view(resource, blp)
    if collection is not None:
        blp.add_url_rule(resource.url(item=False, flask=True), "collection", collection, tags=tags)
    return blp
