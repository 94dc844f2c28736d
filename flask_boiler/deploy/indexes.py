"""Generate ``firestore.indexes.json`` for the queries the framework issues.

What is derived from the declarations today:

* **Dependency look-ups** (:meth:`flask_boiler.views.declaration.Source.reverse_queries`): when a
  followed document changes, one reverse query on the root's reference field finds the
  dependent roots: ``field == ref`` (``source(..., via=...)``) or ``field array-contains
  ref`` (``many=True``); a back-reference source (``source(..., backref=...)``) runs the
  same kind of query on the back-referencing model's field. A single-field query needs no composite index, and
  Firestore indexes every field automatically *for collection queries*. Models that live
  in a subcollection (``users/{uid}/tickets/{id}``) are queried as a **collection group**,
  which automatic indexes do not cover: each such field gets a ``fieldOverride`` adding
  the collection-group index (and restating the automatic collection-scope ones, because
  an override replaces them).

* **List endpoints** (:mod:`flask_boiler.rest`): a stored-mode list queries one view
  collection (all parent parameters fixed, so collection scope) with equality filters on
  the ``Meta.rest`` ``filters`` and the ORM's default ordering by document id; a
  computed-mode list pages the root collection by document id. Equality-only filters
  ordered by document id are served by merging the automatic single-field indexes, so
  neither needs a composite index today. If list endpoints gain orderings or range
  filters, pass the resulting indexes to :func:`required_indexes` as ``composite``
  entries (firebase-tools' index format) so the generated file stays the single source.

firebase-tools replaces the project's indexes with this file on ``firebase deploy --only
firestore`` (asking before deleting ones it does not list), so it must be complete.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..views.view_model import ViewModel

__all__ = ["FieldQuery", "dependency_queries", "render_indexes", "required_indexes"]

_COLLECTION_SCOPE = [
    {"order": "ASCENDING", "queryScope": "COLLECTION"},
    {"order": "DESCENDING", "queryScope": "COLLECTION"},
    {"arrayConfig": "CONTAINS", "queryScope": "COLLECTION"},
]


@dataclass(frozen=True, order=True)
class FieldQuery:
    """One single-field query the framework issues: ``collection_group`` scope or not."""

    collection_id: str
    field_path: str
    operator: str  # "==" or "array_contains"
    collection_group: bool
    reason: str = ""


def dependency_queries(views: Iterable[type[ViewModel]]) -> list[FieldQuery]:
    """The reverse queries the refresh engine runs for ``views`` — the very
    :class:`~flask_boiler.views.declaration.ReverseQuery` objects it issues (back along every
    followed ``via`` chain, and each back-reference), as single-field index needs."""
    queries: set[FieldQuery] = set()
    for view in views:
        declaration = view.declaration()
        for item in declaration.sources:
            for query in item.reverse_queries():
                queries.add(
                    FieldQuery(
                        collection_id=query.collection_id,
                        field_path=query.stored_key,
                        operator=query.operator,
                        collection_group=query.collection_group,
                        reason=f"{view.__name__}.{item.name}",
                    )
                )
        views_of_root = view.root_views()
        if declaration.keys is not None and views_of_root.collection_group:
            queries.add(
                FieldQuery(
                    collection_id=views_of_root.collection_id,
                    field_path=views_of_root.field_path,
                    operator="==",
                    collection_group=True,
                    reason=f"{view.__name__} views of a root",
                )
            )
    return sorted(queries)


def required_indexes(
    views: Iterable[type], composite: Sequence[Mapping[str, Any]] = ()
) -> dict[str, list[dict[str, Any]]]:
    """``{"indexes": [...], "fieldOverrides": [...]}`` for ``views`` plus ``composite`` indexes."""
    overrides: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for query in dependency_queries(views):
        if not query.collection_group:
            continue  # automatic single-field indexes serve collection queries
        needed = (
            {"arrayConfig": "CONTAINS", "queryScope": "COLLECTION_GROUP"}
            if query.operator == "array_contains"
            else {"order": "ASCENDING", "queryScope": "COLLECTION_GROUP"}
        )
        entry = overrides.setdefault((query.collection_id, query.field_path), [dict(i) for i in _COLLECTION_SCOPE])
        if needed not in entry:
            entry.append(needed)
    field_overrides = [
        {"collectionGroup": collection, "fieldPath": field_path, "ttl": False, "indexes": indexes}
        for (collection, field_path), indexes in sorted(overrides.items())
    ]
    indexes = sorted(
        (json.loads(json.dumps(index)) for index in composite), key=lambda i: json.dumps(i, sort_keys=True)
    )
    return {"indexes": indexes, "fieldOverrides": field_overrides}


def render_indexes(spec: Mapping[str, Any]) -> str:
    """The file text (firebase-tools' format; JSON has no comments, so none are written)."""
    return json.dumps(dict(spec), indent=2) + "\n"
