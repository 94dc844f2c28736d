"""Writing view documents: in the refresh's transaction, or — past one commit — in parallel
batches, sent while the transaction holds the sources or guarded by per-document preconditions.

**Small refreshes** (at most :data:`MAX_WRITES_PER_COMMIT` writes and about
:data:`MAX_BYTES_PER_COMMIT` bytes) are written by the transaction that read their sources,
so they are serializable with every other refresh: none can interleave reads and writes
with ours and leave a view mixing old and new data.

**Larger refreshes** (a meeting with 1,000 attendees has 1,000 sessions, 13 MB of them)
cannot be one commit; their writes go out in parallel batches, one of two ways (see
:mod:`.refresh`):

* **Held**, for a fresh event: the refresh decided what to write from the event alone and read
  none of those views, so each write replaces the view whatever is stored
  (:func:`blind_write`), and the batches go out *before* the refresh's transaction commits.
  Until then the transaction's locks keep its sources as read: no other refresh can have
  computed these views from other data meanwhile, and any that computes them later sees our
  writes. (Views the transaction did read — the probe, views it compared — are written by
  the transaction itself: a batch writing one would wait for the transaction's lock, and the
  transaction for the batch.)
* **Conditional**, when the stored views were read to compare (a stale event, a rerun, a
  reconcile): the transaction commits first, then the writes go out in parallel batches where
  **each write is conditional on the view still being the version we read** (a whole-document
  replacement with an ``update_time`` precondition; ``exists: false`` for a view that did not
  exist). Re-reading every source once per 500-write round inside fresh transactions would
  cost the reads again per round; instead the stored views are read once, in the transaction
  (on a thread, while the views are computed: which views a root has is known from its
  ``keys`` before its sources are).

**Why the preconditions are not enough alone** (conditional way). Our content was computed from
the sources as of our transaction. If a source changed since and its refresh *wrote* the
affected views before our batch, their ``update_time`` moved, our precondition fails, and the
refresh runs again from fresh data; if that refresh runs after our batch, it reads our views
and writes the newer content over ours. But a refresh may also write *nothing*: when the data
went back (X→Y read by us, Y→X since), the refresh of Y→X compares X with the views still
stored — X, our batches have not landed — and leaves them; our preconditions then hold, our Y
lands, and no event is left to fix it. (Firestore does not move ``update_time`` for a write
that changes nothing, so even a refresh that did write unchanged content would not stop us;
each view carries the id of the event that wrote it, which makes most such writes real, but not
those without one.) So after its batches a large refresh **confirms that its sources are
unchanged** (:mod:`.confirm`), in a transaction, and runs again from fresh data when one
changed. Once confirmed, each view we wrote holds what the data computes at the moment of the
confirmation — as if a transaction had written it there — and every later change is followed by
a refresh that reads our views.

**Duplicate detection.** Every view a refresh writes carries the id of the event whose
refresh wrote it (:mod:`.stamp`), but only when that refresh handled every view model it
concerned. A redelivery of the same event reads one such view (the *probe*) beside its guard
read and stops there: the first delivery's commit was atomic, so all its views are in place
(a large refresh writes its probe view in the transaction that ends it — the one holding its
sources, or the confirming one — after every batch succeeded: a refresh that crashed before
leaves the probe as it was, and the redelivery redoes the work).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, as_completed, wait
from dataclasses import dataclass
from typing import Any

from google.api_core import exceptions as api_exceptions
from google.cloud.firestore_v1 import DocumentSnapshot, _helpers
from google.cloud.firestore_v1.types import Precondition, Write

from .._private.write_encoding import UnsupportedValue, replace_write
from ..errors import FlaskBoilerError
from ..models.limits import MAX_WRITES_PER_COMMIT
from .stamp import stamp

__all__ = [
    "MAX_BYTES_PER_COMMIT",
    "ConflictingWrite",
    "ViewWrite",
    "blind_write",
    "commit_in_parallel",
    "conditional_write",
    "fits_one_commit",
    "parallel_batches",
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
        """A cheap estimate of the bytes this write adds to a commit (asked more than once:
        by :func:`fits_one_commit`, then by the batching)."""
        return self._size

    @functools.cached_property
    def _size(self) -> int:
        return len(self.path) + (len(repr(self.data)) if self.data is not None else 0)


def fits_one_commit(writes: Sequence[ViewWrite]) -> bool:
    return len(writes) <= MAX_WRITES_PER_COMMIT and sum(w.size() for w in writes) <= MAX_BYTES_PER_COMMIT


def write_in_transaction(db: Any, transaction: Any, writes: Sequence[ViewWrite], event_id: str | None) -> None:
    """Add ``writes`` to ``transaction`` (committed when the transaction function returns).

    Each write is :func:`blind_write`'s: the view replaced whole, as ``transaction.set()``
    would, but encoded straight into its protobuf (:mod:`flask_boiler._private.write_encoding`:
    the client's encoding cost a view trigger a tenth of its run), or deleted. The
    transaction's read locks are what guard it.
    """
    transaction._add_write_pbs([blind_write(db, write, event_id) for write in writes])


class ConflictingWrite(FlaskBoilerError):
    """A view changed between our read and our conditional write: recompute and try again."""


#: Parallel batches are kept much smaller than one commit may be, so that many go out at once
#: (the Firestore client's ``BulkWriter`` sends batches of 20). Measured on the emulator with
#: 1,000 views of 200 bytes (``python -m bench --only fanout``): 50 writes per batch with 16
#: in flight beat 100 x 8 (the previous setting) and 20 x 16; bytes bound the batches of large
#: views (13 kB each for a 1,000-attendee ``MeetingSession``) the same way.
PARALLEL_BATCH_WRITES = 50
PARALLEL_BATCH_BYTES = 256 * 1024
#: Batches in flight at once.
PARALLEL_COMMITS = 16


def parallel_batches(writes: Iterable[ViewWrite]) -> Iterator[list[ViewWrite]]:
    """``writes`` in batches of at most :data:`PARALLEL_BATCH_WRITES` writes and about
    :data:`PARALLEL_BATCH_BYTES` bytes, each yielded as soon as it is full (what
    :func:`commit_in_parallel` sends; the benchmark's floor sends the same batches)."""
    batch: list[ViewWrite] = []
    size = 0
    for write in writes:
        if batch and (len(batch) >= PARALLEL_BATCH_WRITES or size + write.size() > PARALLEL_BATCH_BYTES):
            yield batch
            batch, size = [], 0
        batch.append(write)
        size += write.size()
    if batch:
        yield batch


def _document_name(db: Any, path: str) -> str:
    """The full resource name of ``path`` (what ``DocumentReference._document_path`` builds)."""
    return f"{db._database_string}/documents/{path}"


def conditional_write(db: Any, write: ViewWrite, event_id: str | None) -> Write | None:
    """The ``Write`` that puts ``write`` in place only if the view is still as it was read:

    * a view read as missing is *created* (``exists: false`` precondition);
    * a view read as stored is *replaced whole* (no update mask: fields the new content no
      longer has disappear) on condition that its ``update_time`` is still the one read;
    * a view to remove is deleted on the same condition (nothing to do if it was missing).

    Built as the protobuf directly: the client's ``update()`` needs a field path per key and
    a ``DELETE_FIELD`` per removed key (so the stored content), and ``set()`` takes no
    precondition.
    """
    stored = write.stored
    exists = stored is not None and stored.exists
    if write.data is None and not exists:
        return None
    pb = blind_write(db, write, event_id)
    if not exists:
        pb.current_document = Precondition(exists=False)
    else:
        assert stored is not None
        pb.current_document = Precondition(update_time=stored.update_time)
    return pb


def blind_write(db: Any, write: ViewWrite, event_id: str | None) -> Write:
    """The ``Write`` that puts ``write`` in place whatever is stored: the view replaced whole
    (or created), or deleted. For a refresh whose transaction still holds its sources (see the
    module docs): nothing else can have computed these views from other data meanwhile.

    The content is encoded by :func:`replace_write`: for a 1,000-attendee ``MeetingSession``
    view, 1 ms against the client's 18 ms. A view holding a server value (``SERVER_TIMESTAMP``
    on a ``DateTime`` field, a transform) goes through the client's own ``set()`` encoding,
    which turns those into field transforms of the same ``Write``.
    """
    name = _document_name(db, write.path)
    if write.data is None:
        return Write(delete=name)
    data = stamp(write.data, write.root, event_id)
    try:
        return replace_write(name, data)
    except UnsupportedValue:
        (replacement,) = _helpers.pbs_for_set_no_merge(name, data)
        return replacement


def _commit(db: Any, writes: Sequence[ViewWrite], event_id: str | None, conditional: bool) -> None:
    encode = conditional_write if conditional else blind_write
    pbs = [pb for pb in (encode(db, write, event_id) for write in writes) if pb is not None]
    if not pbs:
        return
    batch = db.batch()
    batch._add_write_pbs(pbs)  # the client's own way to add prepared writes (its BulkWriter does too)
    try:
        batch.commit()
    except (api_exceptions.FailedPrecondition, api_exceptions.AlreadyExists, api_exceptions.NotFound) as exc:
        raise ConflictingWrite(str(exc)) from exc


def commit_in_parallel(
    db: Any,
    writes: Iterable[ViewWrite],
    event_id: str | None,
    *,
    conditional: bool = True,
    threads: int = PARALLEL_COMMITS,
) -> int:
    """Write ``writes`` in parallel batches: conditional on each one's ``stored`` snapshot
    (:func:`conditional_write`), or, with ``conditional=False``, whatever is stored
    (:func:`blind_write`: the caller's transaction holds the sources).

    Batches go out as soon as they fill, up to ``threads`` at once. Raises
    :class:`ConflictingWrite` if a precondition failed (batches not sent yet are dropped; some
    may have committed: the rerun compares those views again). Returns the number of commits.
    The probe view is not among ``writes``: the refresh writes it in a transaction, last (the
    one holding its sources, or the one confirming them: :mod:`.confirm`).
    """
    commits = 0
    with ThreadPoolExecutor(max_workers=threads) as pool:
        pending: set[Future[None]] = set()
        try:
            for batch in parallel_batches(writes):
                if len(pending) >= threads:  # keep at most ``threads`` queued: fail fast on a conflict
                    done, pending = wait(pending, return_when=FIRST_COMPLETED)
                    for future in done:
                        future.result()
                pending.add(pool.submit(_commit, db, batch, event_id, conditional))
                commits += 1
            for future in as_completed(pending):
                future.result()
        except BaseException:
            for future in pending:
                future.cancel()
            raise
    return commits
