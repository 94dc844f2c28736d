"""Walking and batch-loading references between documents.

A ``fields.Reference`` attribute holds an *unloaded* model instance (a stub) that reads
its document on first field access. That is convenient and correct, but N references
cost N reads. :func:`prefetch` loads them level by level instead: all stubs reachable
from the given objects are read with ONE ``Client.get_all`` call per level, up to
``depth`` levels. Documents already loaded (including the starting objects) are never
read again, so reference cycles end after one pass.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from google.cloud.firestore import Transaction

    from .base import Model
    from .document import DocumentModel

__all__ = ["iter_references", "prefetch"]


def iter_references(obj: Model) -> Iterator[DocumentModel]:
    """Referenced documents held by ``obj``'s reference fields (also inside embedded models, lists, maps).

    Reads nothing: values are taken as they are (stubs stay stubs).
    """
    from ..fields import Field

    schema = obj._meta.schema
    values = obj._fb_values
    for name, field in schema.fields.items():
        if isinstance(field, Field):
            value = values.get(name)
            if value is not None:
                yield from field.iter_models(value)


def prefetch(objs: Iterable[DocumentModel], depth: int = 1, *, transaction: Transaction | None = None) -> int:
    """Load references of ``objs`` ``depth`` levels deep; one ``get_all`` per level.

    Returns the number of documents read. Unloaded objects in ``objs`` themselves are
    loaded first (one extra ``get_all``). Missing referenced documents are marked so that
    accessing their fields raises :class:`~flask_boiler.errors.DocumentNotFound`.
    """
    from ..context import Context
    from .document import DocumentModel

    if depth < 0:
        raise ValueError("prefetch depth must be >= 0")
    roots = [obj for obj in objs if isinstance(obj, DocumentModel)]
    loaded: dict[str, DocumentModel] = {}
    reads = 0

    def load(pending: dict[str, list[DocumentModel]]) -> list[DocumentModel]:
        nonlocal reads
        refs = [stubs[0].doc_ref for stubs in pending.values()]
        ready: list[DocumentModel] = []
        for snapshot in Context.db.get_all(refs, transaction=transaction):
            reads += 1
            from .paths import normalize_path

            stubs = pending.get(normalize_path(snapshot.reference.path), [])
            for stub in stubs:
                stub._fb_fill(snapshot)
            if stubs:
                loaded[stubs[0].doc_path] = stubs[0]
                ready.extend(stub for stub in stubs if stub.is_loaded)
        return ready

    def collect(candidates: Iterable[DocumentModel], pending: dict[str, list[DocumentModel]], ready: list[Any]) -> None:
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

    frontier: list[DocumentModel] = []
    pending: dict[str, list[DocumentModel]] = {}
    collect(roots, pending, frontier)
    if pending:
        frontier.extend(load(pending))

    expanded: set[int] = set()
    for _level in range(depth):
        pending = {}
        next_frontier: list[DocumentModel] = []
        for obj in frontier:
            if id(obj) in expanded:
                continue
            expanded.add(id(obj))
            collect(iter_references(obj), pending, next_frontier)
        if pending:
            next_frontier.extend(load(pending))
        if not next_frontier:
            break
        frontier = [obj for obj in next_frontier if id(obj) not in expanded]
    return reads
