"""Count the Firestore operations a piece of code really performs (what Firestore bills).

Counting happens at the wire: a pass-through gRPC proxy sits between a Firestore client
and the emulator and decodes every request and response, so it sees every RPC whichever
API issued it (model methods, raw client calls, transactions, batches, ``BulkWriter``)::

    with count_operations() as cost:
        handle_document_event(pattern, event, views, Context.db)
    assert cost.writes == 0

Inside the block ``Context.db`` is a client connected through the proxy; outside it,
the usual one. Code must therefore use ``Context.db`` (or ``cost.db``) inside the block:
a client fetched before the block is not counted. A block in which no call at all went
through the proxy raises :class:`MeterError` (it almost always means that mistake), unless
``expect_calls=False`` says that costing nothing is the point.

Why a proxy and not a hook in the client: google-cloud-firestore accepts no channel,
transport or interceptor, and the emulator keeps no operation counts, so the address the
client dials (``FIRESTORE_EMULATOR_HOST``) is the only public seam. The proxy costs about
a millisecond per RPC, only inside ``count_operations``.

Billing rules mirrored here: each document returned by a lookup or a query is a read, a
missing document in a lookup is a read too, a query returning nothing costs one read, an
aggregation (``count()``) costs one read per batch of up to 1000 index entries (counted as
one here), every write or delete in a commit or batch write is a write. Listeners
(``on_snapshot``) are not counted.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import grpc
from google.auth.credentials import AnonymousCredentials
from google.cloud import firestore
from google.cloud.firestore_v1.types import firestore as wire

from .._private.grpc_proxy import CallObserver, GrpcProxy
from ..billing import Billed
from ..context import Context
from ..errors import FlaskBoilerError

__all__ = ["FirestoreMeter", "MeterError", "OperationCount", "count_operations"]

_SERVICE = "/google.firestore.v1.Firestore/"
_SERVER_STREAMING = frozenset({"BatchGetDocuments", "RunQuery", "RunAggregationQuery", "ExecutePipeline"})
_BIDI_STREAMING = frozenset({"Write", "Listen"})
#: python-firestore reads the emulator's address from this variable, and from nowhere else.
_EMULATOR_HOST = "FIRESTORE_EMULATOR_HOST"
_ENVIRONMENT_LOCK = threading.Lock()


class MeterError(FlaskBoilerError):
    """Operations cannot be counted here (no emulator configured)."""


@dataclass
class OperationCount(Billed):
    """Billed operations seen on the wire while a :meth:`FirestoreMeter.measure` block ran."""

    lookups: int = 0
    queries: int = 0
    #: Every call that went through the meter, billed or not.
    calls: int = 0
    #: Paths of documents fetched by lookups (``get``/``get_all``), in order.
    looked_up: list[str] = field(default_factory=list)
    #: The client whose calls are counted (set by :func:`count_operations`).
    db: Any = field(default=None, repr=False, compare=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def add(self, looked_up: Iterable[str] = (), **amounts: int) -> None:
        with self._lock:
            for name, amount in amounts.items():
                setattr(self, name, getattr(self, name) + amount)
            self.looked_up.extend(looked_up)


def _document_path(name: str) -> str:
    return name.split("/documents/", 1)[-1]


def _writes_and_deletes(writes: Iterable[Any]) -> tuple[int, int]:
    kinds = [write.WhichOneof("operation") for write in writes]
    deletes = kinds.count("delete")
    return len(kinds) - deletes, deletes


class _BilledCall:
    """Decodes one RPC and adds what it bills to every open measurement, as it happens.

    Documents are charged as their responses pass, so a caller that stops reading a
    stream early is charged for what it received; writes are charged when the server
    accepted them (a rejected commit bills nothing).
    """

    def __init__(self, method: str, charge: Callable[..., None]) -> None:
        self._method = method
        self._charge = charge
        self._returned = 0
        self._writes = (0, 0)

    def request(self, message: bytes) -> None:
        method = self._method
        if method == "BatchGetDocuments":
            names = wire.BatchGetDocumentsRequest.pb().FromString(message).documents
            self._charge(lookups=1, looked_up=[_document_path(name) for name in names])
        elif method == "GetDocument":
            name = wire.GetDocumentRequest.pb().FromString(message).name
            self._charge(lookups=1, looked_up=[_document_path(name)])
        elif method == "Commit":
            self._writes = _writes_and_deletes(wire.CommitRequest.pb().FromString(message).writes)
        elif method == "BatchWrite":
            self._writes = _writes_and_deletes(wire.BatchWriteRequest.pb().FromString(message).writes)
        elif method == "Write":
            writes, deletes = _writes_and_deletes(wire.WriteRequest.pb().FromString(message).writes)
            self._charge(writes=writes, deletes=deletes)
        elif method in ("RunQuery", "RunAggregationQuery", "ListDocuments"):
            self._charge(queries=1)

    def response(self, message: bytes) -> None:
        method = self._method
        if method == "BatchGetDocuments":
            if wire.BatchGetDocumentsResponse.pb().FromString(message).WhichOneof("result") is not None:
                self._charge(reads=1)  # found and missing documents are both billed
        elif method == "GetDocument":
            self._charge(reads=1)
        elif method in ("Commit", "BatchWrite"):
            writes, deletes = self._writes
            self._charge(commits=1, writes=writes, deletes=deletes)
        elif method == "RunQuery":
            if wire.RunQueryResponse.pb().FromString(message).HasField("document"):
                self._returned += 1
                self._charge(reads=1)
        elif method == "ListDocuments":
            returned = len(wire.ListDocumentsResponse.pb().FromString(message).documents)
            self._returned += returned
            self._charge(reads=returned)

    def failed(self, code: grpc.StatusCode) -> None:
        if self._method == "GetDocument" and code == grpc.StatusCode.NOT_FOUND:
            self._charge(reads=1)  # a missing document is billed as a read; GetDocument answers it so

    def close(self) -> None:
        if self._method in ("RunQuery", "ListDocuments", "RunAggregationQuery") and not self._returned:
            self._charge(reads=1)  # an empty result, or an aggregation, costs one read


class FirestoreMeter:
    """A counting gRPC proxy in front of the Firestore emulator at ``emulator_host``.

    :meth:`client` gives a ``firestore.Client`` connected through it; :meth:`measure`
    counts what passes during a block (every client of the meter, every thread).
    """

    def __init__(self, emulator_host: str) -> None:
        self._open: list[OperationCount] = []
        self._lock = threading.Lock()
        self._proxy = GrpcProxy(
            emulator_host, self._observe, server_streaming=_SERVER_STREAMING, bidi_streaming=_BIDI_STREAMING
        )
        self.host = self._proxy.address

    def client(self, project: str, database: str = "(default)") -> firestore.Client:
        """A new Firestore client whose calls pass through this meter.

        The client takes the emulator's address from ``FIRESTORE_EMULATOR_HOST`` when it is
        built, so the variable names the meter for that moment (under a lock; a client that
        another thread builds at the same instant would be metered too).
        """
        with _ENVIRONMENT_LOCK:
            saved = os.environ.get(_EMULATOR_HOST)
            os.environ[_EMULATOR_HOST] = self.host
            try:
                return firestore.Client(project=project, credentials=AnonymousCredentials(), database=database)
            finally:
                if saved is None:
                    os.environ.pop(_EMULATOR_HOST, None)
                else:
                    os.environ[_EMULATOR_HOST] = saved

    @contextlib.contextmanager
    def measure(self) -> Iterator[OperationCount]:
        """The operations billed for calls that pass through the meter during the block."""
        count = OperationCount()
        with self._lock:
            self._open.append(count)
        try:
            yield count
        finally:
            with self._lock:
                self._open.remove(count)

    def close(self) -> None:
        self._proxy.close()

    def __enter__(self) -> FirestoreMeter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _charge(self, looked_up: Iterable[str] = (), **amounts: int) -> None:
        paths = list(looked_up)
        with self._lock:
            counts = list(self._open)
        for count in counts:
            count.add(paths, **amounts)

    def _observe(self, method: str) -> CallObserver | None:
        self._charge(calls=1)
        if not method.startswith(_SERVICE):
            return None
        return _BilledCall(method[len(_SERVICE) :], self._charge)


@contextlib.contextmanager
def count_operations(*, expect_calls: bool = True) -> Iterator[OperationCount]:
    """Count the billed operations of the Firestore calls made through ``Context.db`` in the block.

    ``Context.db`` is a client connected through a :class:`FirestoreMeter` until the block
    ends (the count's ``db`` is the same client). Needs the Firestore emulator.
    """
    config = Context.config
    if config.emulator_host is None:
        raise MeterError("count_operations needs the Firestore emulator (set FIRESTORE_EMULATOR_HOST).")
    with FirestoreMeter(config.emulator_host) as meter:
        db = meter.client(Context.project_id, config.database)
        try:
            with meter.measure() as count, Context.using_db(db):
                count.db = db
                yield count
        finally:
            db.close()
    if expect_calls and count.calls == 0:
        raise MeterError(
            "No Firestore call went through the meter in this block: the code used a client fetched before it. "
            "Use Context.db (or cost.db) inside the block, or pass expect_calls=False if costing nothing is the point."
        )
