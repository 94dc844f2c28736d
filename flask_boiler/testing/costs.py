"""Count the Firestore operations a piece of code really performs (what Firestore bills).

Counting happens at the wire (the client's GAPIC layer), so it sees every RPC whichever
API issued it: model methods, raw client calls, transactions, batches::

    with count_operations(Context.db) as cost:
        handle_document_event(...)
    assert cost.writes == 0

Billing rules mirrored here: each document returned by a lookup or a query is a read, a
missing document in a lookup is a read too, a query returning nothing costs one read, an
aggregation (``count()``) costs one read per batch of up to 1000 index entries (counted as
one here), every write or delete in a commit is a write.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any


@dataclass
class OperationCount:
    reads: int = 0
    writes: int = 0
    deletes: int = 0
    lookups: int = 0
    queries: int = 0
    commits: int = 0
    #: Paths of documents fetched by lookups (``get``/``get_all``), in order.
    looked_up: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    @property
    def billed_writes(self) -> int:
        return self.writes + self.deletes

    def add(self, **amounts: int) -> None:
        with self._lock:
            for name, amount in amounts.items():
                setattr(self, name, getattr(self, name) + amount)


class _CountingApi:
    """Wraps the GAPIC ``FirestoreClient``; forwards everything, counts what is billed."""

    def __init__(self, api: Any, count: OperationCount) -> None:
        self._api = api
        self._count = count

    def __getattr__(self, name: str) -> Any:
        return getattr(self._api, name)

    def batch_get_documents(self, *args: Any, **kwargs: Any) -> Iterator[Any]:
        request = kwargs.get("request") or (args[0] if args else None)
        names = list(getattr(request, "documents", None) or (request or {}).get("documents", []))
        with self._count._lock:
            self._count.looked_up.extend(name.split("/documents/", 1)[-1] for name in names)
        self._count.add(lookups=1)
        for response in self._api.batch_get_documents(*args, **kwargs):
            if "found" in response or "missing" in response:
                self._count.add(reads=1)
            yield response

    def run_query(self, *args: Any, **kwargs: Any) -> Iterator[Any]:
        self._count.add(queries=1)
        returned = 0
        for response in self._api.run_query(*args, **kwargs):
            if "document" in response:
                returned += 1
            yield response
        self._count.add(reads=max(1, returned))

    def run_aggregation_query(self, *args: Any, **kwargs: Any) -> Iterator[Any]:
        self._count.add(queries=1, reads=1)
        yield from self._api.run_aggregation_query(*args, **kwargs)

    def commit(self, *args: Any, **kwargs: Any) -> Any:
        request = kwargs.get("request") or (args[0] if args else None)
        writes = list(getattr(request, "writes", None) or (request or {}).get("writes", []))
        deletes = sum(1 for write in writes if _is_delete(write))
        self._count.add(commits=1, writes=len(writes) - deletes, deletes=deletes)
        return self._api.commit(*args, **kwargs)


def _is_delete(write: Any) -> bool:
    if isinstance(write, dict):
        return bool(write.get("delete"))
    return bool(getattr(write, "delete", ""))


@contextlib.contextmanager
def count_operations(db: Any) -> Iterator[OperationCount]:
    """Count the billed operations made through ``db`` (a ``firestore.Client``) in the block."""
    count = OperationCount()
    api = db._firestore_api  # builds the GAPIC client if needed
    db._firestore_api_internal = _CountingApi(api, count)
    try:
        yield count
    finally:
        db._firestore_api_internal = api
