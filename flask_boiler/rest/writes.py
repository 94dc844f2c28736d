"""``POST`` / ``PATCH`` / ``DELETE``: a client's change applied to domain documents, atomically.

Order of checks, cheapest and least revealing first (:mod:`.routes` runs the first ones):

1. the path ids (400/404) and the token (401) — before the body, so anonymous callers
   learn nothing about fields;
2. the write policy on the URL's key (403); for a create with a client-chosen id the key
   needs the body, so that check comes after step 4;
3. ``If-Match`` present where the resource requires it (428);
4. the body: content type, size, JSON, declared fields and strict types only
   (415/413/400), no reads yet;
5. one Firestore transaction, run by :func:`flask_boiler.transactions.run_in_transaction`
   (retried on contention; 503 with ``Retry-After`` when it gives up): the view is
   computed from the domain documents *through the transaction* (404 if there is none),
   its ETag compared with ``If-Match`` (412), and the declaration's
   :class:`~.options.Writes` method applied. Reads lock what they read until the commit,
   so a concurrent change to anything the view shows aborts and re-runs this attempt,
   whose ETag check then fails: two clients holding the same ETag cannot both win. Any
   exception rolls everything back; ORM errors map to 400/404/409.

The answer is the view computed from the committed domain data (what stored views will
become once the triggers ran), so the client sees its change at once in either mode,
with the ETag to send with its next change. For a stored view the ETag check also
compares against the computed view: a client that read a stale stored document gets a
412 and reads again, rather than overwriting what it has not seen.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ..errors import FlaskBoilerError
from ..transactions import run_in_transaction
from .errors import ApiError
from .options import Change
from .reads import current_view, to_json
from .resource import Resource

__all__ = ["HandlerError", "create", "delete", "update"]

#: Called inside the transaction with the view's current JSON; raises 412 on a mismatch.
Precondition = Callable[[Mapping[str, Any]], None]


class HandlerError(FlaskBoilerError, RuntimeError):
    """A Writes method broke its contract (answered as a 500, and logged)."""


def create(
    resource: Resource, parent_key: Mapping[str, str], values: dict[str, Any], caller: Mapping[str, Any] | None
) -> tuple[dict[str, Any], str]:
    """Run the create; the new view's JSON and its URL relative to the collection URL.

    ``values`` carries the client-chosen id (``Writes.client_ids``) already moved into the key."""
    writes = resource.writes
    assert writes is not None
    key = dict(parent_key)
    if writes.client_ids:
        key[resource.id_param] = values.pop(resource.id_param)
    returned = run_in_transaction(writes.create, Change(key=key, values=values, caller=caller))
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


def _guarded(
    resource: Resource, key: Mapping[str, str], precondition: Precondition, apply: Callable[[Any], None]
) -> Callable[[Any], None]:
    """A transaction body: the view through the transaction (404), the precondition (412), then ``apply``."""

    def run(transaction: Any) -> None:
        view = current_view(resource, key, computed=True, transaction=transaction)
        if view is None:
            raise ApiError(404, f"No {resource.name} here.")
        precondition(to_json(resource, view))
        apply(transaction)

    return run


def update(
    resource: Resource,
    key: Mapping[str, str],
    values: Mapping[str, Any],
    caller: Mapping[str, Any] | None,
    precondition: Precondition,
) -> dict[str, Any] | None:
    """Run the update; the view's JSON afterwards (``None`` if the change removed it)."""
    writes = resource.writes
    assert writes is not None
    change = Change(key=dict(key), values=dict(values), caller=caller)

    def apply(transaction: Any) -> None:
        if change.values:
            writes.update(transaction, change)

    run_in_transaction(_guarded(resource, key, precondition, apply))
    view = current_view(resource, key, computed=True)
    return to_json(resource, view) if view is not None else None


def delete(
    resource: Resource, key: Mapping[str, str], caller: Mapping[str, Any] | None, precondition: Precondition
) -> None:
    writes = resource.writes
    assert writes is not None
    change = Change(key=dict(key), values={}, caller=caller)
    run_in_transaction(_guarded(resource, key, precondition, lambda transaction: writes.delete(transaction, change)))
