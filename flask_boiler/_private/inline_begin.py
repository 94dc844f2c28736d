"""A transaction that begins with its first read, not with a round trip of its own.

Why: the Python client begins every transaction with a ``BeginTransaction`` call before the
first read, so a view trigger's refresh (one wave of reads, then a commit) costs three round
trips where a hand-written trigger's read and blind batch cost two. Firestore's
``BatchGetDocuments`` accepts ``new_transaction`` instead of a transaction id and sends the
new id in its first response (the Node.js admin SDK begins its transactions this way since
v7); the Firestore emulator does too.

:class:`InlineBeginTransaction` is the client's own ``Transaction`` (writes, commit,
rollback, every read the library offers) whose beginning is deferred:

* the first :meth:`~InlineBeginTransaction.get_all` while nothing has begun carries
  ``new_transaction``: the call waits for the first response (it holds the id), so once it
  returns, the transaction has begun and any other read can run in it;
  :meth:`~InlineBeginTransaction.reserve_beginning` says so ahead, so that reads started on
  other threads before it prepare their requests meanwhile and wait for the id;
* any other read before that (a query, ``DocumentReference.get``) asks the library for the
  transaction id, which waits for a ``get_all`` in flight on another thread, or else begins
  the transaction the usual way, with ``BeginTransaction``;
* a commit with nothing read and nothing written sends nothing; a rollback of a transaction
  that never began has nothing to roll back.

When the first reads include queries, which cannot go out before the id is known, a lookup
beginning the transaction puts two round trips in a row (the lookup's first answer, then the
queries). :meth:`~InlineBeginTransaction.begin_ahead` sends ``BeginTransaction`` at once
instead, on a thread the caller keeps for its reads (a gRPC future would start a thread of
its own), so the caller's work before its first reads runs while it is in flight; then the
lookup and the queries all go out together with the id.

If the server answers without a transaction (a Firestore that ignores ``new_transaction``),
or the beginning read fails with a transient error, the documents are read again inside a
transaction begun with ``BeginTransaction``: never outside one.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Generator, Iterator
from concurrent.futures import Executor
from typing import Any, cast

from google.api_core import exceptions as api_exceptions
from google.api_core import gapic_v1
from google.cloud.firestore_v1 import DocumentSnapshot
from google.cloud.firestore_v1.base_client import _reference_info
from google.cloud.firestore_v1.transaction import Transaction
from google.cloud.firestore_v1.types import TransactionOptions

from ..errors import UsageError
from .document_reads import get_all, snapshots_from_responses

__all__ = ["InlineBeginTransaction"]

#: Errors after which the beginning read is sent again the usual way (the library retries them).
_TRANSIENT = (
    api_exceptions.ServiceUnavailable,
    api_exceptions.DeadlineExceeded,
    api_exceptions.InternalServerError,
    api_exceptions.ResourceExhausted,
)


class InlineBeginTransaction(Transaction):
    """A ``google.cloud.firestore_v1.Transaction`` begun by its first ``get_all`` (see the module docs).

    ``retry_id``: the id of the first attempt of the work this transaction retries (keeps its
    place in line for the locks, as the client's own retries do).
    """

    def __init__(self, client: Any, *, max_attempts: int, read_only: bool, retry_id: bytes | None = None) -> None:
        super().__init__(client, max_attempts=max_attempts, read_only=read_only)
        options = self._options_protobuf(None if read_only else retry_id)
        self._begin_options = options or TransactionOptions(read_write=TransactionOptions.ReadWrite())
        self._lock = threading.Lock()
        self._inline_done = threading.Event()
        self._inline = False  # a get_all carrying new_transaction is in flight (or reserved)
        self._reserved = False  # the next get_all begins the transaction
        self._open = True  # not committed or rolled back yet
        self._ahead: Any = None  # a BeginTransaction sent by begin_ahead(), not answered yet

    # -- the id, known once begun ---------------------------------------------------------------

    @property
    def begun_id(self) -> bytes | None:
        """The transaction's id, or ``None`` if it has not begun (never begins it)."""
        began: bytes | None = self._id
        return began

    @property
    def in_progress(self) -> bool:
        # The library refuses to read in a transaction not "in progress": this one is, from its
        # creation to its commit or rollback, begun or not (its id is supplied on demand).
        return self._open

    @property
    def id(self) -> bytes:
        """The transaction id for a read: begins the transaction if nothing has yet."""
        return self._ensure_begun()

    def reserve_beginning(self) -> bool:
        """Make the next :meth:`get_all` the read that begins the transaction; reads started
        meanwhile (on other threads) wait for its id. ``False`` (nothing reserved) if the
        transaction has begun or a beginning is under way."""
        with self._lock:
            if not self._open or self._id is not None or self._inline or self._ahead is not None:
                return False
            self._inline = self._reserved = True
            return True

    def begin_ahead(self, executor: Executor) -> bool:
        """Send ``BeginTransaction`` now, on one of ``executor``'s threads, without waiting for
        its answer: reads that need the id (a query, a lookup) wait for it when they go out,
        not before. ``False`` (nothing sent) if the transaction has begun or a beginning is
        under way."""
        with self._lock:
            if not self._open or self._id is not None or self._inline or self._ahead is not None:
                return False
            self._ahead = executor.submit(self._begin_now)
            return True

    def _begin_now(self) -> Any:
        """``BeginTransaction``: the new transaction's id."""
        response = self._client._firestore_api.begin_transaction(
            request={"database": self._client._database_string, "options": self._begin_options},
            metadata=self._client._rpc_metadata,
        )
        return response.transaction

    def _ensure_begun(self) -> bytes:
        with self._lock:
            inline = self._inline
            ahead = self._ahead
        if inline:
            self._inline_done.wait()
        if ahead is not None:
            began = ahead.result()  # its error, if it failed, is the read's
            with self._lock:
                if self._id is None:
                    self._id = began
        with self._lock:
            if self._id is None:
                self._id = self._begin_now()
            return cast(bytes, self._id)

    def _begin(self, retry_id: bytes | None = None) -> None:
        raise UsageError("an InlineBeginTransaction begins with its first read, not with _begin()")

    # -- reading -----------------------------------------------------------------------------------

    def get_all(
        self,
        references: list[Any],
        retry: Any = gapic_v1.method.DEFAULT,
        timeout: float | None = None,
        *,
        read_time: Any = None,
    ) -> Generator[DocumentSnapshot[Any], Any, None]:
        """Like the client's: the first call before the transaction began begins it, and
        returns once the server has sent the id (the snapshots then stream in)."""
        references = list(references)
        can_begin = bool(references) and read_time is None
        with self._lock:
            reserved, self._reserved = self._reserved, False
            claimed = can_begin and (
                reserved or (self._open and self._id is None and not self._inline and self._ahead is None)
            )
            if claimed or reserved:
                self._inline = claimed
        if not claimed:
            if reserved:  # a read that cannot begin it: whoever needs the id begins the usual way
                self._inline_done.set()
            return get_all(
                self._client, references, transaction=self, retry=retry, timeout=timeout, read_time=read_time
            )
        try:
            responses = self._begin_with(references, timeout)
        except _TRANSIENT:
            responses = None
        finally:
            with self._lock:
                self._inline = False
            self._inline_done.set()
        if responses is None:  # not begun: read again in a transaction begun the usual way
            return get_all(self._client, references, transaction=self, retry=retry, timeout=timeout)
        return responses

    def _begin_with(
        self, references: list[Any], timeout: float | None
    ) -> Generator[DocumentSnapshot[Any], Any, None] | None:
        """Send the beginning ``BatchGetDocuments``; wait for the id; the snapshots, lazily."""
        client = self._client
        paths, reference_map = _reference_info(references)
        stream = client._firestore_api.batch_get_documents(
            request={"database": client._database_string, "documents": paths, "new_transaction": self._begin_options},
            metadata=client._rpc_metadata,
            # Not retried as a whole: a resent request would begin a second transaction.
            retry=None,
            **({"timeout": timeout} if timeout is not None else {}),
        )
        first = next(iter(stream), None)
        if first is None or not first.transaction:
            return None  # the server ignored new_transaction: these reads were outside any transaction
        with self._lock:
            self._id = first.transaction
        return self._snapshots(first, stream, reference_map)

    def _snapshots(
        self, first: Any, stream: Any, reference_map: dict[str, Any]
    ) -> Generator[DocumentSnapshot[Any], Any, None]:
        yield from snapshots_from_responses(_chain(first, stream), reference_map, self._client)

    # -- ending ------------------------------------------------------------------------------------

    def _commit(self) -> list[Any]:
        if self._id is None and self._ahead is None and not self._write_pbs:
            self._clean_up()  # nothing read, nothing written: nothing to send
            self.write_results: list[Any] = []
            return []
        self._ensure_begun()
        results: list[Any] = super()._commit()
        return results

    def _rollback(self) -> None:
        if self._ahead is not None:
            with contextlib.suppress(Exception):  # a beginning that failed began nothing
                self._ensure_begun()  # begun ahead: roll back what the server began
        if self._id is None:
            self._clean_up()
            return
        super()._rollback()

    def _clean_up(self) -> None:
        super()._clean_up()
        self._open = False


def _chain(first: Any, rest: Any) -> Iterator[Any]:
    yield first
    yield from rest
