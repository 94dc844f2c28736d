"""Write view documents at minimal cost, and never from stale data.

Triggers are delivered at least once and in no guaranteed order, so a handler may run
twice for one change, or run for an old version of a document after a newer one was
handled. :func:`run_refresh` makes both harmless:

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
* **Serializable.** :func:`run_refresh` reads every source, computes and writes in one
  transaction, so two refreshes running at once (a user renamed while their meeting
  moves) cannot interleave into a view that mixes old and new data.
* **Crash-safe.** A refresh commits atomically (a very large one in rounds, each atomic);
  a crash before a commit leaves the old views, and the platform's retry recomputes
  (already-current views compare equal).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from google.cloud import firestore

MAX_WRITES_PER_COMMIT = 500
#: Estimated payload per commit: Firestore refuses requests over 10 MiB, and the emulator
#: gRPC messages over 4 MiB; 3 MiB keeps both well clear.
MAX_BYTES_PER_COMMIT = 3 * 1024 * 1024


@dataclass(frozen=True)
class ViewWrite:
    """The desired state of one view document: ``data`` (stored keys), or ``None`` for absent."""

    path: str
    data: dict[str, Any] | None


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
    update_time: datetime.datetime | None
    current_paths: Callable[[Any], set[str]] | None = None


@dataclass
class WriteReport:
    """What a refresh did and what it cost (Firestore bills each read and write)."""

    reads: int = 0
    writes: int = 0
    deletes: int = 0
    unchanged: int = 0
    stale: bool = False
    commits: int = 0
    #: Changes left for another round (a refresh larger than one commit); see run_refresh.
    remaining: int = 0
    written_paths: list[str] = field(default_factory=list)
    deleted_paths: list[str] = field(default_factory=list)

    def merge(self, other: WriteReport) -> WriteReport:
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


Plan = Callable[["Reader"], Sequence[ViewWrite]]


class Reader:
    """Reads for a refresh, all through one transaction, with their cost counted.

    Computing views inside the transaction that writes them makes a refresh serializable
    with concurrent refreshes: if a source read here changes before the commit, Firestore
    aborts and the whole computation is re-run with fresh reads.
    """

    def __init__(self, db: firestore.Client, transaction: firestore.Transaction | None, report: WriteReport) -> None:
        self.db = db
        self.transaction = transaction
        self.report = report

    def get_all(self, paths: Iterable[str]) -> dict[str, Any]:
        """path -> snapshot, one batched lookup (each document, found or missing, is a read)."""
        refs = [self.db.document(path) for path in dict.fromkeys(paths)]
        if not refs:
            return {}
        source = self.transaction if self.transaction is not None else self.db
        snapshots = {snapshot.reference.path: snapshot for snapshot in source.get_all(refs)}
        self.report.reads += len(refs)
        return snapshots

    def query(self, query: Any) -> list[Any]:
        """A query's snapshots (billed one read per result, at least one)."""
        snapshots = list(query.stream(transaction=self.transaction)) if self.transaction else list(query.stream())
        self.report.reads += max(1, len(snapshots))
        return snapshots


def apply_view_writes(
    db: firestore.Client,
    writes: Sequence[ViewWrite],
    guard: SourceGuard | None = None,
    *,
    chunk_size: int = MAX_WRITES_PER_COMMIT,
) -> WriteReport:
    """Bring precomputed view documents to their desired state, ``chunk_size`` per commit."""
    report = WriteReport()
    unique = list({write.path: write for write in writes}.values())
    for chunk in _chunks(unique, chunk_size):
        report.merge(run_refresh(db, lambda reader, chunk=chunk: chunk, guard))
    return report


def _commit_share(changes: Sequence[ViewWrite], max_writes: int, max_bytes: int) -> Sequence[ViewWrite]:
    """The leading changes that fit one commit: at most ``max_writes``, and an estimated
    payload under ``max_bytes`` (Firestore refuses requests over 10 MiB)."""
    size = 0
    for count, write in enumerate(changes):
        size += len(write.path) + (len(repr(write.data)) if write.data is not None else 0)
        if count >= max_writes or (count and size > max_bytes):
            return changes[:count]
    return changes


def run_refresh(
    db: firestore.Client,
    plan: Plan,
    guard: SourceGuard | None = None,
    *,
    max_writes: int = MAX_WRITES_PER_COMMIT,
    max_bytes: int = MAX_BYTES_PER_COMMIT,
) -> WriteReport:
    """Compute ``plan`` (reading through the given :class:`Reader`) and apply it in a transaction.

    A refresh that changes more views than fit one commit (``max_writes`` or ``max_bytes``)
    commits the first share and runs again: the views already written now compare equal, so
    each round writes the next share, from freshly read sources, until none is left. That
    costs the reads once more per extra round, and never writes stale or oversized commits.
    """

    @firestore.transactional
    def run(transaction: firestore.Transaction) -> WriteReport:
        report = WriteReport()  # fresh per attempt: a retried transaction reports its last attempt
        reader = Reader(db, transaction, report)
        wanted = list({write.path: write for write in plan(reader)}.values())
        current = reader.get_all(write.path for write in wanted)
        changes: list[ViewWrite] = []
        for write in wanted:
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
            source = reader.get_all([guard.path])[guard.path]
            if not _guard_holds(source, guard):
                report.stale = True
                if guard.current_paths is None:
                    return report
                keep = guard.current_paths(source)
                changes = [
                    ViewWrite(write.path, None)
                    for write in wanted
                    if write.path not in keep and current.get(write.path) is not None and current[write.path].exists
                ]
        share = _commit_share(changes, max_writes, max_bytes)
        report.remaining = len(changes) - len(share)
        for write in share:
            ref = db.document(write.path)
            if write.data is None:
                transaction.delete(ref)
                report.deletes += 1
                report.deleted_paths.append(write.path)
            else:
                transaction.set(ref, write.data)
                report.writes += 1
                report.written_paths.append(write.path)
        report.commits = 1 if share else 0
        return report

    total = WriteReport()
    while True:
        report = run(db.transaction())
        changed_before = total.writes + total.deletes
        total.merge(report)
        if not report.remaining:
            # Views written by earlier rounds compared equal in this one: they changed.
            total.unchanged = report.unchanged - changed_before
            return total
