"""The engine's bookkeeping inside view documents: one map field, ``_fb``.

Every view document the engine writes carries ``_fb = {"root": ..., "event": ...}``:

* ``root``: the path of the domain document the view is computed from. When a root's
  previous state is unknown (its old image did not load, or an event is stale and the root
  changed), the views it had are found by querying ``_fb.root`` (:class:`RootViews`) — the
  only way to find views of a custom ``keys`` whose key is not a path prefix
  (``users/{uid}/meetingSessions/{meeting_id}``), so a view can never be orphaned silently.
* ``event``: the id of the event whose refresh wrote it, present only when that refresh
  handled every view model it concerned. A redelivered event reads one such view beside its
  guard read and stops there (see :mod:`.commit`).

The map costs no extra read or write (it rides on writes that happen anyway); front ends
see it and may ignore it; :func:`view_content` is a view's data without it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from google.cloud.firestore_v1 import DocumentSnapshot
from google.cloud.firestore_v1.base_query import FieldFilter

from ..models.paths import PathTemplate

__all__ = ["FIELD", "ROOT_PATH", "RootViews", "handled_by", "snapshot_data", "stamp", "view_content"]

#: The stored key of the bookkeeping map.
FIELD = "_fb"
#: Its field path for the root (what :class:`RootViews` queries).
ROOT_PATH = f"{FIELD}.root"


def stamp(data: Mapping[str, Any], root: str, event_id: str | None) -> dict[str, Any]:
    """``data`` as written: with the bookkeeping map."""
    bookkeeping = {"root": root, "event": event_id} if event_id else {"root": root}
    return {**data, FIELD: bookkeeping}


def view_content(snapshot: DocumentSnapshot[Any] | None) -> dict[str, Any] | None:
    """What a stored view shows: its data without the bookkeeping (``None`` if missing).

    The nested values are the snapshot's own: compare them, do not modify them."""
    if snapshot is None or not snapshot.exists:
        return None
    return {key: value for key, value in snapshot_data(snapshot).items() if key != FIELD}


def snapshot_data(snapshot: DocumentSnapshot[Any]) -> Mapping[str, Any]:
    """The snapshot's decoded data, not copied (``{}`` for a missing document).

    ``to_dict()`` returns a deep copy, which for a fan-out's views (1,000 sessions listing
    1,000 names each) costs more than reading them, and which a trigger made a dozen times
    per event. The engine only reads and compares what it read: never modify the result."""
    if not snapshot.exists:
        return {}
    data = getattr(snapshot, "_data", None)
    return data if isinstance(data, Mapping) else (snapshot.to_dict() or {})


def handled_by(snapshot: DocumentSnapshot[Any] | None, event_id: str) -> bool:
    """Was this stored view written by a complete refresh for ``event_id``?"""
    if snapshot is None or not snapshot.exists:
        return False
    bookkeeping = snapshot_data(snapshot).get(FIELD)
    return isinstance(bookkeeping, Mapping) and bookkeeping.get("event") == event_id


@dataclass(frozen=True)
class RootViews:
    """The stored views of one view model computed from given roots: ``_fb.root in [...]``.

    Shaped like :class:`~.declaration.ReverseQuery` (``query``, ``targets_of``), so the
    engine's reader runs it the same way. Views under parent documents that the root does not
    name (``users/{uid}/meetingSessions/...``) are a collection-group query, whose index the
    generated ``firestore.indexes.json`` includes.
    """

    view_template: PathTemplate
    root_template: PathTemplate

    @property
    def collection_group(self) -> bool:
        return not set(self.view_template.parent_params) <= set(self.root_template.params)

    @property
    def collection_id(self) -> str:
        return self.view_template.collection_id

    @property
    def field_path(self) -> str:
        return ROOT_PATH

    def query(self, db: Any, targets: Sequence[str]) -> Any:
        if self.collection_group:
            collection = db.collection_group(self.collection_id)
        else:  # the root names the parent documents: one collection per root
            (target,) = targets
            params = self.root_template.match(target) or {}
            collection = db.collection(self.view_template.collection_path(params))
        condition = (
            FieldFilter(ROOT_PATH, "==", targets[0])
            if len(targets) == 1
            else FieldFilter(ROOT_PATH, "in", list(targets))
        )
        return collection.where(filter=condition)

    def targets_of(self, snapshot: DocumentSnapshot[Any]) -> list[str]:
        bookkeeping = snapshot_data(snapshot).get(FIELD)
        root = bookkeeping.get("root") if isinstance(bookkeeping, Mapping) else None
        return [root] if isinstance(root, str) else []

    @property
    def max_targets(self) -> int:
        return 30 if self.collection_group else 1
