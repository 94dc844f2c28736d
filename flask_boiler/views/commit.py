"""Writing view documents: in the refresh's transaction, or — past one commit — in parallel
batches guarded by per-document preconditions.

**Small refreshes** (at most :data:`MAX_WRITES_PER_COMMIT` writes and about
:data:`MAX_BYTES_PER_COMMIT` bytes) are written by the transaction that read their sources,
so they are serializable with every other refresh: none can interleave reads and writes
with ours and leave a view mixing old and new data.

**Larger refreshes** (a meeting with 1,000 attendees has 1,000 sessions, 13 MB of them)
cannot be one commit. Re-reading every source once per 500-write round inside fresh
transactions costs the reads again per round, so instead the transaction reads the stored
views once as well, and the writes go out afterwards in parallel batches where **each write
is conditional on the view still being the version we read** (``update_time`` precondition;
``create`` for a view that did not exist). Why that is enough: our content was computed from
the sources as of our transaction. If any source changed since, its own refresh either wrote
the affected views before our batch — then their ``update_time`` moved, our precondition
fails, and the refresh runs again from fresh data — or it runs after our batch and writes the
newer content over ours. A view is therefore never overwritten with data older than what it
holds.

**Duplicate detection.** Every view a refresh writes carries the id of the event whose
refresh wrote it (:mod:`.stamp`), but only when that refresh handled every view model it
concerned. A redelivery of the same event reads one such view (the *probe*) beside its guard
read and stops there: the first delivery's commit was atomic, so all its views are in place
(a large refresh writes its probe view in the last batch, after every other batch succeeded).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from google.api_core import exceptions as api_exceptions
from google.cloud.firestore_v1 import DELETE_FIELD, DocumentSnapshot
from google.cloud.firestore_v1.field_path import FieldPath

from ..errors import FlaskBoilerError
from ..models.limits import MAX_WRITES_PER_COMMIT
from .stamp import stamp

__all__ = [
    "MAX_BYTES_PER_COMMIT",
    "ConflictingWrite",
    "ViewWrite",
    "commit_in_parallel",
    "fits_one_commit",
    "write_in_transaction",
]

#: Estimated payload per commit: Firestore refuses requests over 10 MiB, and the emulator
#: gRPC messages over 4 MiB; 3 MiB keeps both well clear.
MAX_BYTES_PER_COMMIT = 3 * 1024 * 1024


@dataclass(frozen=True)
class ViewWrite:
    """The desired state of one view document: ``data`` (stored keys), or ``None`` for absent.

    ``stored`` is the snapshot read before, when there is one: large refreshes write
    conditionally on it.
    """

    path: str
    data: dict[str, Any] | None
    root: str
    stored: DocumentSnapshot[Any] | None = None

    def size(self) -> int:
        """A cheap estimate of the bytes this write adds to a commit."""
        return len(self.path) + (len(repr(self.data)) if self.data is not None else 0)


def fits_one_commit(writes: Sequence[ViewWrite]) -> bool:
    return len(writes) <= MAX_WRITES_PER_COMMIT and sum(w.size() for w in writes) <= MAX_BYTES_PER_COMMIT


def write_in_transaction(db: Any, transaction: Any, writes: Sequence[ViewWrite], event_id: str | None) -> None:
    """Add ``writes`` to ``transaction`` (committed when the transaction function returns)."""
    for write in writes:
        ref = db.document(write.path)
        if write.data is None:
            transaction.delete(ref)
        else:
            transaction.set(ref, stamp(write.data, write.root, event_id))


class ConflictingWrite(FlaskBoilerError):
    """A view changed between our read and our conditional write: recompute and try again."""


#: Parallel batches are kept smaller than one commit could be, so that several go out at once.
PARALLEL_BATCH_WRITES = 100
PARALLEL_BATCH_BYTES = 512 * 1024


def _batches(writes: Sequence[ViewWrite]) -> list[list[ViewWrite]]:
    batches: list[list[ViewWrite]] = [[]]
    size = 0
    for write in writes:
        if batches[-1] and (len(batches[-1]) >= PARALLEL_BATCH_WRITES or size + write.size() > PARALLEL_BATCH_BYTES):
            batches.append([])
            size = 0
        batches[-1].append(write)
        size += write.size()
    return [batch for batch in batches if batch]


def _conditional(db: Any, batch: Any, write: ViewWrite, event_id: str | None) -> None:
    ref = db.document(write.path)
    stored = write.stored
    exists = stored is not None and stored.exists
    if write.data is None:
        if exists:
            assert stored is not None
            batch.delete(ref, option=db.write_option(last_update_time=stored.update_time))
        return
    data = stamp(write.data, write.root, event_id)
    if not exists:
        batch.create(ref, data)
        return
    assert stored is not None
    # A full replacement conditional on the version read: every top-level field set, and
    # the fields the new content no longer has deleted.
    changes: dict[str, Any] = {FieldPath(key).to_api_repr(): value for key, value in data.items()}
    for key in (stored.to_dict() or {}).keys() - data.keys():
        changes[FieldPath(key).to_api_repr()] = DELETE_FIELD
    batch.update(ref, changes, option=db.write_option(last_update_time=stored.update_time))


def commit_in_parallel(
    db: Any, writes: Sequence[ViewWrite], event_id: str | None, probe: str | None, *, threads: int = 8
) -> int:
    """Write ``writes`` (each with its ``stored`` snapshot) in parallel conditional batches.

    The batch holding ``probe`` goes last, after every other batch committed. Raises
    :class:`ConflictingWrite` if a precondition failed (some batches may have committed:
    a rerun finds those views current). Returns the number of commits.
    """
    last = [write for write in writes if write.path == probe]
    first = [write for write in writes if write.path != probe]
    groups = _batches(first)

    def commit(group: list[ViewWrite]) -> None:
        batch = db.batch()
        for write in group:
            _conditional(db, batch, write, event_id)
        try:
            batch.commit()
        except (api_exceptions.FailedPrecondition, api_exceptions.AlreadyExists, api_exceptions.NotFound) as exc:
            raise ConflictingWrite(str(exc)) from exc

    run: Callable[[list[ViewWrite]], None] = commit
    if len(groups) > 1:
        with ThreadPoolExecutor(max_workers=min(threads, len(groups))) as pool:
            for future in [pool.submit(run, group) for group in groups]:
                future.result()
    elif groups:
        run(groups[0])
    if last:
        run(last)
    return len(groups) + (1 if last else 0)
