"""``GET`` an item or a page of a resource, in its declared mode.

Stored mode reads view documents (one read per item; a Firestore query per page).
Computed mode runs :func:`~flask_boiler.views.compute.compute_view` (the root plus one
batched read of its references) or, for lists, pages over the root documents and
computes their views with one batched read of all their references.

A page holds only views the caller may read: the policy was checked on the list's
parent key already (an owner's list is under the owner's own URL), and each item is
checked again against its own key, so a declaration mistake can shorten a page but never
widen it.

Stored or domain data that no longer fits its schema is a server-side problem: it is
reported as a 500 (and logged), never as the client's 400.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._private.document_reads import read_one
from ..context import Context
from ..errors import FlaskBoilerError, InvalidSourceDocument, ValidationError
from ..models.serialization import load_values
from ..views.compute import compute_view, computed_views
from .errors import ApiError
from .resource import Resource
from .serialization import stored_json, view_json

__all__ = ["current_view", "read_item", "read_page", "to_json"]


class StoredDataError(FlaskBoilerError, RuntimeError):
    """Data in Firestore does not fit its schema (answered as a 500, and logged)."""


def current_view(
    resource: Resource, key: Mapping[str, str], *, computed: bool | None = None, transaction: Any = None
) -> Any | None:
    """The view at ``key`` now, or ``None`` (computed unless the resource serves stored views).

    With ``transaction``, every read goes through it (and is locked until it commits)."""
    if computed is None:
        computed = resource.options.mode == "computed"
    try:
        if computed:
            return compute_view(Context.db, resource.view_cls, key, transaction=transaction)
        return resource.view_cls.get(**key, transaction=transaction)
    except (ValidationError, InvalidSourceDocument) as exc:
        raise StoredDataError(f"{resource.name} at {dict(key)}: {exc}") from exc


def to_json(resource: Resource, view: Any) -> dict[str, Any]:
    keys = resource.representation_keys if type(view) is resource.view_cls else None
    try:
        return view_json(view, resource.key_json_names, keys)
    except ValidationError as exc:
        raise StoredDataError(f"{resource.name}: {exc}") from exc


def _stored_item(resource: Resource, key: Mapping[str, str]) -> dict[str, Any] | None:
    """A stored view's JSON, from the document as read.

    Loading it with the view's schema checks it (a 500 if it no longer fits; what Firestore
    holds cannot break encoding or limits, so that walk is skipped), and the JSON is that
    same document: it is not built into a model and dumped back first."""
    view_cls = resource.view_cls
    snapshot = read_one(view_cls.ref_for(**key))
    if not snapshot.exists:
        return None
    stored = snapshot.to_dict() or {}
    options = view_cls._meta
    try:
        if options.type_field is not None:  # the stored type picks the class, and so the schema
            return to_json(resource, view_cls.from_snapshot(snapshot))
        load_values(options.schema, stored, model_name=resource.name, from_firestore=True)
    except ValidationError as exc:
        raise StoredDataError(f"{resource.name} at {dict(key)}: {exc}") from exc
    return stored_json(stored, key, resource.key_json_names, resource.representation_keys)


def read_item(resource: Resource, key: Mapping[str, str]) -> dict[str, Any]:
    if resource.options.mode == "stored":
        body = _stored_item(resource, key)
    else:
        view = current_view(resource, key)
        body = None if view is None else to_json(resource, view)
    if body is None:
        raise ApiError(404, f"No {resource.name} here.")
    return body


def read_page(
    resource: Resource, parent_key: Mapping[str, str], query: Mapping[str, Any], caller: Mapping[str, Any] | None
) -> dict[str, Any]:
    """``{"items": [...], "next": cursor | None}`` for the parsed list ``query``."""
    limit: int = query["limit"]
    cursor: str | None = query.get("cursor")
    filters = {attribute: value for attribute, value in query.items() if attribute in resource.filters}
    try:
        if resource.options.mode == "stored":
            views, next_cursor = _stored_page(resource, parent_key, limit, cursor, filters)
        else:
            views, next_cursor = _computed_page(resource, parent_key, limit, cursor)
    except (ValidationError, InvalidSourceDocument) as exc:
        errors = getattr(exc, "errors", {})
        if "cursor" in errors or any(attribute in errors for attribute in filters):
            raise  # a cursor or filter value the ORM refused: the client's 400
        raise StoredDataError(f"{resource.name}: {exc}") from exc
    policy = resource.read_access
    items = [
        to_json(resource, view) for view in views if not policy.requires_sign_in or policy.allows(caller, view.key)
    ]
    return {"items": items, "next": next_cursor}


def _stored_page(
    resource: Resource, parent_key: Mapping[str, str], limit: int, cursor: str | None, filters: Mapping[str, Any]
) -> tuple[list[Any], str | None]:
    orm_query = resource.view_cls.query(**parent_key)
    if filters:
        orm_query = orm_query.where(**filters)
    page = orm_query.page(limit, cursor)
    return list(page.items), page.next_cursor


def _computed_page(
    resource: Resource, parent_key: Mapping[str, str], limit: int, cursor: str | None
) -> tuple[list[Any], str | None]:
    view_cls = resource.view_cls
    declaration = view_cls.declaration()
    source_template = declaration.root_path
    model_template = declaration.root.model.path_template()
    parents = {
        model_param: parent_key[source_param]
        for model_param, source_param in zip(model_template.parent_params, source_template.parent_params)
    }
    page = declaration.root.model.query(**parents).page(limit, cursor)
    wanted = [source_template.match(root.doc_path) for root in page.items]
    views = [view for view in computed_views(Context.db, view_cls, page.items) if view.key in wanted]
    return views, page.next_cursor
