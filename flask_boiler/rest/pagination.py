"""List query strings (``?limit=&cursor=&<filter>=``) and the page envelope ``{items, next}``.

Pages are the ORM's (:meth:`flask_boiler.query.Query.page`): the ``next`` token is the
ORM's opaque cursor, valid only for the query that issued it (same collection, same
ordering), so a client cannot splice a token into another list. Unknown query
parameters are a 400: a misspelt filter silently ignored would return the wrong list.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import marshmallow
from werkzeug.datastructures import MultiDict

from .errors import ApiError
from .resource import Resource

__all__ = ["ListQuery", "page_body", "parse_list_query"]

_MAX_CURSOR_LENGTH = 4096


@dataclass(frozen=True)
class ListQuery:
    limit: int
    cursor: str | None
    #: view attribute -> value (equality filters)
    filters: dict[str, Any]


def parse_list_query(resource: Resource, args: MultiDict) -> ListQuery:
    errors: dict[str, list[str]] = {}
    options = resource.options
    unknown = sorted(set(args) - {"limit", "cursor", *resource.filters})
    for name in unknown:
        errors[name] = ["Unknown query parameter."]
    for name in set(args):
        if len(args.getlist(name)) > 1:
            errors[name] = ["Give this parameter once."]
    limit = options.page_size
    raw_limit = args.get("limit")
    if raw_limit is not None:
        if not raw_limit.isdigit() or not (1 <= int(raw_limit) <= options.max_page_size):
            errors["limit"] = [f"Must be an integer from 1 to {options.max_page_size}."]
        else:
            limit = int(raw_limit)
    cursor = args.get("cursor")
    if cursor is not None and (not cursor or len(cursor) > _MAX_CURSOR_LENGTH):
        errors["cursor"] = ["Not a cursor from this list."]
    filters: dict[str, Any] = {}
    for query_name, (attribute, parser) in resource.filters.items():
        raw = args.get(query_name)
        if raw is None:
            continue
        try:
            filters[attribute] = parser.deserialize(raw)
        except marshmallow.ValidationError as exc:
            errors[query_name] = exc.messages if isinstance(exc.messages, list) else [str(exc.messages)]
    if errors:
        raise ApiError(400, "Invalid query parameters.", code="validation_failed", fields=errors)
    return ListQuery(limit=limit, cursor=cursor, filters=filters)


def page_body(items: list[Mapping[str, Any]], next_cursor: str | None) -> dict[str, Any]:
    return {"items": list(items), "next": next_cursor}
