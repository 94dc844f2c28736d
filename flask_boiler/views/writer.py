"""Write view documents at minimal cost, and never from stale data.

Triggers are delivered at least once and in no guaranteed order, so a handler may run
twice for one change, or run for an old version of a document after a newer one was
handled. :func:`apply_view_writes` makes both harmless:

* **Unchanged views cost nothing.** The current view documents are read with one
  batched ``get_all``; a view whose stored content equals the computed content is not
  written. A duplicated event, or a change to a field no view uses, costs zero writes.
* **Stale data never lands.** A handler computes views from the event's payload (the
  triggering document is not read again to compute). Only when some view would actually
  change does it read the triggering document once, inside the same transaction, and
  compare its ``update_time`` (or existence) with the event's. If a newer version
  exists, the event is stale: nothing is written, because the event for the newer
  version recomputes (or already recomputed) the views. Reading it in the transaction
  also serializes us against a concurrent write of that document.

  Why not record source versions in each view and compare? Because "no write when
  nothing visible changed" and "a stale event never overwrites" then conflict: after
  A -> B -> A with the B event delivered last, the skipped (equal) A write would leave an
  old version recorded and let B overwrite. One guarded read per changing event is the
  price of correctness in every order.
* **Crash-safe.** Each chunk of at most 500 writes commits atomically; a crash between
  chunks leaves views that are each either old or new, and the platform's retry
  recomputes and finishes the rest (the already-written ones now compare equal).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Optional, Sequence

from google.cloud import firestore

MAX_WRITES_PER_COMMIT = 500


@dataclass(frozen=True)
class ViewWrite:
    """The desired state of one view document: ``data`` (stored keys), or ``None`` for absent."""

    path: str
    data: Optional[dict[str, Any]]


@dataclass(frozen=True)
class SourceGuard:
    """The version of the triggering document the views were computed from.

    ``update_time=None`` means the event said the document no longer exists.

    ``current_paths`` (root documents only) maps the document's *current* snapshot to the
    view paths it has now. A stale event may be the only one that saw a view become
    obsolete (attendee b removed in v2, v3 adds c: only the v1->v2 event knows b's view
    must go). So when an event turns out stale, planned views that exist but are not among
    the current paths are still deleted; everything else is left to the newer event.
    """

    path: str
    update_time: Optional[datetime.datetime]
    current_paths: Optional[Callable[[Any], set[str]]] = None


@dataclass
class WriteReport:
    """What a refresh did and what it cost (Firestore bills each read and write)."""

    reads: int = 0
    writes: int = 0
    deletes: int = 0
    unchanged: int = 0
    stale: bool = False
    commits: int = 0
    written_paths: list[str] = field(default_factory=list)
    deleted_paths: list[str] = field(default_factory=list)

    def merge(self, other: "WriteReport") -> "WriteReport":
        self.reads += other.reads
        self.writes += other.writes
        self.deletes += other.deletes
        self.unchanged += other.unchanged
        self.stale = self.stale or other.stale
        self.commits += other.commits
        self.written_paths += other.written_paths
        self.deleted_paths += other.deleted_paths
        return self


def _guard_holds(snapshot: Any, guard: SourceGuard) -> bool:
    if guard.update_time is None:
        return not snapshot.exists
    return bool(snapshot.exists) and snapshot.update_time == guard.update_time


def _chunks(items: Sequence[ViewWrite], size: int) -> Iterable[Sequence[ViewWrite]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def apply_view_writes(
    db: firestore.Client,
    writes: Sequence[ViewWrite],
    guard: Optional[SourceGuard] = None,
    *,
    chunk_size: int = MAX_WRITES_PER_COMMIT,
) -> WriteReport:
    """Bring the view documents in ``writes`` to their desired state (see module docs)."""
    report = WriteReport()
    unique = list({write.path: write for write in writes}.values())
    for chunk in _chunks(unique, chunk_size):
        report.merge(_apply_chunk(db, chunk, guard))
    return report


def _apply_chunk(db: firestore.Client, chunk: Sequence[ViewWrite], guard: Optional[SourceGuard]) -> WriteReport:
    @firestore.transactional
    def run(transaction: firestore.Transaction) -> WriteReport:
        report = WriteReport()  # fresh per attempt: a retried transaction reports its last attempt
        refs = [db.document(write.path) for write in chunk]
        current = {snap.reference.path: snap for snap in transaction.get_all(refs)}
        report.reads += len(refs)
        changes: list[ViewWrite] = []
        for write in chunk:
            snapshot = current.get(write.path)
            exists = snapshot is not None and snapshot.exists
            if write.data is None:
                if exists:
                    changes.append(write)
                else:
                    report.unchanged += 1
            elif exists and snapshot.to_dict() == write.data:
                report.unchanged += 1
            else:
                changes.append(write)
        if not changes:
            return report
        if guard is not None:
            source = next(iter(transaction.get_all([db.document(guard.path)])))
            report.reads += 1
            if not _guard_holds(source, guard):
                report.stale = True
                if guard.current_paths is None:
                    return report
                keep = guard.current_paths(source)
                changes = [
                    ViewWrite(write.path, None)
                    for write in chunk
                    if write.path not in keep and current.get(write.path) is not None and current[write.path].exists
                ]
        for write in changes:
            ref = db.document(write.path)
            if write.data is None:
                transaction.delete(ref)
                report.deletes += 1
                report.deleted_paths.append(write.path)
            else:
                transaction.set(ref, write.data)
                report.writes += 1
                report.written_paths.append(write.path)
        report.commits = 1 if changes else 0
        return report

    return run(db.transaction())
