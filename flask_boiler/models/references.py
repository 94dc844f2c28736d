"""Walking and batch-loading references between documents.

A ``fields.Reference`` attribute holds an *unloaded* model instance (a stub) that reads
its document on first field access. That is convenient and correct, but N references
cost N reads. :func:`prefetch` loads them level by level instead: all stubs reachable
from the given objects are read with ONE ``Client.get_all`` call per level, up to
``depth`` levels. Documents already loaded (including the starting objects) are never
read again, so reference cycles end after one pass.

This module sits below :mod:`.document`: it knows documents through the
:class:`LoadableDocument` protocol (what ``DocumentModel`` offers a loader), and fields
through :class:`~.serialization.StorageField`'s ``iter_models``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any, Protocol, TypeGuard

from .._private.document_reads import read_many
from ..context import Context
from ..errors import UsageError
from .base import Model
from .paths import normalize_path
from .serialization import storage_field

if TYPE_CHECKING:  # pragma: no cover
    from google.cloud.firestore import DocumentReference, DocumentSnapshot, Transaction

__all__ = ["LoadableDocument", "is_document", "iter_references", "prefetch"]


class LoadableDocument(Protocol):
    """What the loader needs of a document model instance."""

    @property
    def doc_path(self) -> str: ...

    @property
    def doc_ref(self) -> DocumentReference: ...

    @property
    def is_loaded(self) -> bool: ...

    def _fb_fill(self, snapshot: DocumentSnapshot[Any]) -> None: ...

    def _fb_copy_from(self, other: Any) -> None: ...


def is_document(value: object) -> TypeGuard[LoadableDocument]:
    """True for instances of document models (``DocumentModel`` and its subclasses)."""
    return isinstance(value, Model) and type(value)._fb_persistent


def iter_references(obj: Model) -> Iterator[LoadableDocument]:
    """Referenced documents held by ``obj``'s reference fields (also inside embedded models, lists, maps).

    Reads nothing: values are taken as they are (stubs stay stubs).
    """
    values = obj._fb_values
    for name, field in obj._meta.schema.fields.items():
        value = values.get(name)
        protocol = storage_field(field)
        if value is not None and protocol is not None:
            yield from (item for item in protocol.iter_models(value) if is_document(item))


def prefetch(objs: Iterable[Any], depth: int = 1, *, transaction: Transaction | None = None) -> int:
    """Load references of the documents ``objs`` ``depth`` levels deep; one ``get_all`` per level.

    Returns the number of documents read. Unloaded objects in ``objs`` themselves are
    loaded first (one extra ``get_all``). Missing referenced documents are marked so that
    accessing their fields raises :class:`~flask_boiler.errors.DocumentNotFound`.
    """
    if depth < 0:
        raise UsageError("prefetch depth must be >= 0")
    roots = [obj for obj in objs if is_document(obj)]
    loaded: dict[str, LoadableDocument] = {}
    reads = 0

    def load(pending: dict[str, list[LoadableDocument]]) -> list[LoadableDocument]:
        nonlocal reads
        refs = [stubs[0].doc_ref for stubs in pending.values()]
        ready: list[LoadableDocument] = []
        for snapshot in read_many(Context.db, refs, transaction):
            reads += 1
            stubs = pending.get(normalize_path(snapshot.reference.path), [])
            for stub in stubs:
                stub._fb_fill(snapshot)
            if stubs:
                loaded[stubs[0].doc_path] = stubs[0]
                ready.extend(stub for stub in stubs if stub.is_loaded)
        return ready

    def collect(
        candidates: Iterable[LoadableDocument], pending: dict[str, list[LoadableDocument]], ready: list[Any]
    ) -> None:
        for obj in candidates:
            if obj.is_loaded:
                if obj.doc_path not in loaded:
                    loaded[obj.doc_path] = obj
                ready.append(obj)
            elif obj.doc_path in loaded:
                obj._fb_copy_from(loaded[obj.doc_path])  # already read: no second read (cycles end here)
                if obj.is_loaded:
                    ready.append(obj)
            else:
                pending.setdefault(obj.doc_path, []).append(obj)

    frontier: list[LoadableDocument] = []
    pending: dict[str, list[LoadableDocument]] = {}
    collect(roots, pending, frontier)
    if pending:
        frontier.extend(load(pending))

    expanded: set[int] = set()
    for _level in range(depth):
        pending = {}
        next_frontier: list[LoadableDocument] = []
        for obj in frontier:
            if id(obj) in expanded:
                continue
            expanded.add(id(obj))
            if isinstance(obj, Model):
                collect(iter_references(obj), pending, next_frontier)
        if pending:
            next_frontier.extend(load(pending))
        if not next_frontier:
            break
        frontier = [obj for obj in next_frontier if id(obj) not in expanded]
    return reads
