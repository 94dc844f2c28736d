"""``GET`` an item or a page of a resource, in its declared mode.

Stored mode reads view documents (one read per item; a Firestore query per page).
Computed mode runs :func:`~flask_boiler.views.refresh.compute_view` (the root plus one
batched read of its references) or, for lists, pages over the root documents and
computes their views with one batched read of all their references.

Stored or domain data that no longer fits its schema is a server-side problem: it is
reported as a 500 (and logged), never as the client's 400.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..context import Context
from ..errors import ValidationError
from ..models.paths import PathTemplate
from ..views.compute import compute_view, computed_views
from .errors import ApiError
from .pagination import ListQuery, page_body
from .resource import Resource
from .serialization import view_json

__all__ = ["current_view", "read_item", "read_page"]


class StoredDataError(RuntimeError):
    """Data in Firestore does not fit its schema (answered as a 500)."""


def current_view(resource: Resource, key: Mapping[str, str], *, computed: bool | None = None) -> Any | None:
    """The view at ``key`` now, or ``None`` (computed unless the resource serves stored views)."""
    if computed is None:
        computed = resource.options.mode == "computed"
    try:
        if computed:
            return compute_view(Context.db, resource.view_cls, key)
        return resource.view_cls.get(**key)
    except ValidationError as exc:
        raise StoredDataError(f"{resource.name} at {dict(key)}: {exc}") from exc


def to_json(resource: Resource, view: Any) -> dict[str, Any]:
    try:
        return view_json(view, resource.key_json_names)
    except ValidationError as exc:
        raise StoredDataError(f"{resource.name}: {exc}") from exc


def read_item(resource: Resource, key: Mapping[str, str]) -> dict[str, Any]:
    view = current_view(resource, key)
    if view is None:
        raise ApiError(404, f"No {resource.name} here.")
    return to_json(resource, view)


def read_page(resource: Resource, parent_key: Mapping[str, str], query: ListQuery) -> dict[str, Any]:
    try:
        if resource.options.mode == "stored":
            return _stored_page(resource, parent_key, query)
        return _computed_page(resource, parent_key, query)
    except ValidationError as exc:
        if "cursor" in exc.errors or any(name in exc.errors for name, _ in resource.filters.values()):
            raise  # a filter value the ORM refused: the client's 400
        raise StoredDataError(f"{resource.name}: {exc}") from exc


def _stored_page(resource: Resource, parent_key: Mapping[str, str], query: ListQuery) -> dict[str, Any]:
    orm_query = resource.view_cls.query(**parent_key)
    if query.filters:
        orm_query = orm_query.where(**query.filters)
    page = orm_query.page(query.limit, query.cursor)
    return page_body([to_json(resource, view) for view in page.items], page.next_cursor)


def _computed_page(resource: Resource, parent_key: Mapping[str, str], query: ListQuery) -> dict[str, Any]:
    view_cls = resource.view_cls
    declaration = view_cls._fb_declaration
    root_source = declaration.root
    source_template = PathTemplate.parse(root_source.path)
    model_template = root_source.model._meta.path
    parents = {
        model_param: parent_key[source_param]
        for model_param, source_param in zip(model_template.parent_params, source_template.parent_params)
    }
    page = root_source.model.query(**parents).page(query.limit, query.cursor)
    wanted = [source_template.match(root.doc_path) for root in page.items]
    items = [to_json(resource, view) for view in computed_views(Context.db, view_cls, page.items) if view.key in wanted]
    return page_body(items, page.next_cursor)
