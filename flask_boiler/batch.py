"""Batched writes that are not limited to one commit's worth of writes.

::

    with City.batch() as batch:          # or flask_boiler.batch.WriteBatch()
        for city in cities:
            city.save(batch=batch)       # or batch.save(city)

Writes are buffered and committed every ``chunk_size`` (500, Firestore's per-commit
limit, :data:`flask_boiler.models.limits.MAX_WRITES_PER_COMMIT`) writes, and once more
when the block ends without an exception.
Each chunk is atomic; the whole batch is not (an error in chunk 3 leaves chunks 1-2
written). Use a transaction when all-or-nothing matters.
"""

from __future__ import annotations

from types import TracebackType
from typing import TYPE_CHECKING, Any, Protocol

from .context import Context
from .errors import UsageError
from .models.limits import MAX_WRITES_PER_COMMIT
from .models.references import is_document

if TYPE_CHECKING:  # pragma: no cover
    from google.cloud.firestore import Client, DocumentReference

__all__ = ["MAX_WRITES_PER_COMMIT", "BatchWritable", "WriteBatch"]


class BatchWritable(Protocol):
    """A document model instance, as a batch sees it (``DocumentModel`` is one)."""

    def save(self, *, batch: Any = ..., merge: bool = ...) -> Any: ...

    def insert(self, *, batch: Any = ...) -> Any: ...

    def delete(self, *, batch: Any = ...) -> None: ...


class WriteBatch:
    """A write batch that commits itself every ``chunk_size`` writes.

    It has the write methods of ``google.cloud.firestore.WriteBatch`` (``set``, ``create``,
    ``update``, ``delete`` on references), so models accept it as ``batch=``.
    """

    def __init__(self, client: Client | None = None, *, chunk_size: int = MAX_WRITES_PER_COMMIT) -> None:
        if not 1 <= chunk_size <= MAX_WRITES_PER_COMMIT:
            raise UsageError(f"chunk_size must be between 1 and {MAX_WRITES_PER_COMMIT}.")
        self._client = client
        self.chunk_size = chunk_size
        self._batch: Any = None
        self._pending = 0
        #: Number of commits made so far.
        self.commits = 0
        #: Number of writes committed so far.
        self.written = 0

    @property
    def client(self) -> Client:
        if self._client is None:
            self._client = Context.db
        return self._client

    @property
    def pending(self) -> int:
        """Writes buffered and not committed yet."""
        return self._pending

    def _current(self) -> Any:
        if self._batch is None:
            self._batch = self.client.batch()
        return self._batch

    def _added(self) -> None:
        self._pending += 1
        if self._pending >= self.chunk_size:
            self.commit()

    # -- Firestore WriteBatch interface ---------------------------------------------------------

    def set(self, reference: DocumentReference, document_data: dict[str, Any], merge: bool = False) -> None:
        self._current().set(reference, document_data, merge=merge)
        self._added()

    def create(self, reference: DocumentReference, document_data: dict[str, Any]) -> None:
        self._current().create(reference, document_data)
        self._added()

    def update(self, reference: DocumentReference, field_updates: dict[str, Any], option: Any = None) -> None:
        self._current().update(reference, field_updates, option=option)
        self._added()

    def delete(self, reference: Any, option: Any = None) -> None:
        """Delete a ``DocumentReference``, or a model instance (``model.delete(batch=self)``)."""
        if is_document(reference):
            model: BatchWritable = reference  # type: ignore[assignment]  # is_document: a DocumentModel
            model.delete(batch=self)
            return
        self._current().delete(reference, option=option)
        self._added()

    # -- model conveniences -------------------------------------------------------------------------

    def save(self, model: BatchWritable, *, merge: bool = False) -> None:
        """``model.save(batch=self, merge=merge)``."""
        model.save(batch=self, merge=merge)

    def insert(self, model: BatchWritable) -> None:
        """``model.insert(batch=self)`` (the commit fails if the document exists)."""
        model.insert(batch=self)

    # -- committing ------------------------------------------------------------------------------------

    def commit(self) -> list[Any]:
        """Commit buffered writes now; returns their write results."""
        if self._batch is None or self._pending == 0:
            return []
        batch, count = self._batch, self._pending
        self._batch, self._pending = None, 0
        results = batch.commit()
        self.commits += 1
        self.written += count
        return list(results)

    def __enter__(self) -> WriteBatch:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if exc_type is None:
            self.commit()
        else:
            self._batch, self._pending = None, 0
