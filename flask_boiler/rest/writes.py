"""``POST`` / ``PATCH`` / ``DELETE``: a client's change applied to domain documents, atomically.

Order of checks, cheapest and least revealing first:

1. the token (401) — before the body, so anonymous callers learn nothing about fields;
2. the body: content type, size, JSON, declared fields only (415/413/400), no reads yet;
3. the write policy on the full key (403) — for a create with a client-chosen id the
   key needs the body, which is why it comes after it;
4. the view exists (404, updates and deletes) — after 403, so existence does not leak;
5. the declaration's :class:`~.options.Writes` method, in one Firestore transaction run
   by :func:`flask_boiler.transactions.run_in_transaction` (retried on contention). Any
   exception aborts it, so a write is all or nothing; ORM errors map to 400/404/409.

The answer is the view computed from the committed domain data (what stored views will
become once the triggers ran), so the client sees its change at once in either mode.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Request

from ..transactions import run_in_transaction
from .auth import authenticate, check_access
from .bodies import load_body
from .errors import ApiError
from .options import Change
from .reads import current_view, to_json
from .resource import Resource

__all__ = ["create", "delete", "update"]


class HandlerError(RuntimeError):
    """A Writes method broke its contract (answered as a 500)."""


def create(resource: Resource, request: Request, parent_key: Mapping[str, str]) -> tuple[dict[str, Any], str]:
    """Run the create; the new view's JSON and its URL relative to the collection URL."""
    writes = resource.writes
    assert writes is not None
    claims = authenticate(resource.write_access, request)
    values = load_body(resource.create_schema, request)
    key = dict(parent_key)
    if writes.client_ids:
        key[resource.id_param] = values.pop(resource.id_param)
    check_access(resource.write_access, claims, key)
    returned = run_in_transaction(writes.create, Change(key=key, values=values, caller=claims))
    new_key = dict(returned) if returned is not None else key
    if set(new_key) != set(resource.params) or any(new_key[p] != v for p, v in parent_key.items()):
        raise HandlerError(
            f"{type(writes).__name__}.create returned key {new_key!r}; expected {resource.params} under {dict(parent_key)}."
        )
    view = current_view(resource, new_key, computed=True)
    if view is None:
        raise HandlerError(f"{type(writes).__name__}.create committed, but no {resource.name} exists at {new_key}.")
    location = f"{resource.template.collection_id}/{new_key[resource.id_param]}"
    return to_json(resource, view), location


def update(resource: Resource, request: Request, key: Mapping[str, str]) -> dict[str, Any] | None:
    """Run the update; the view's JSON afterwards (``None`` if the change removed it)."""
    writes = resource.writes
    assert writes is not None
    claims = authenticate(resource.write_access, request)
    values = load_body(resource.update_schema, request, partial=True)
    check_access(resource.write_access, claims, key)
    if current_view(resource, key, computed=True) is None:
        raise ApiError(404, f"No {resource.name} here.")
    if values:
        run_in_transaction(writes.update, Change(key=dict(key), values=values, caller=claims))
    view = current_view(resource, key, computed=True)
    return to_json(resource, view) if view is not None else None


def delete(resource: Resource, request: Request, key: Mapping[str, str]) -> None:
    writes = resource.writes
    assert writes is not None
    claims = authenticate(resource.write_access, request)
    check_access(resource.write_access, claims, key)
    if current_view(resource, key, computed=True) is None:
        raise ApiError(404, f"No {resource.name} here.")
    run_in_transaction(writes.delete, Change(key=dict(key), values={}, caller=claims))
