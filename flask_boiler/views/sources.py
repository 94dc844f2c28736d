"""Reading what views are computed from: each document and query once, in few round trips.

Three pieces:

* :class:`SourceReader` holds every document snapshot and reverse-query result one refresh
  has read. :meth:`SourceReader.fetch` reads what is still missing in **one wave**: one
  ``get_all`` for the documents and the queries beside it, run in parallel (inside the
  refresh's transaction when there is one). Queries for several targets are merged into
  ``in`` / ``array-contains-any`` queries of up to 30 targets, so a document matching two
  targets is read (and billed) once. It counts what Firestore bills.
* :class:`World` is the data as of one state of the changed document: the reader's
  documents and query results, with that document replaced by its before or after image.
  Views computed in the before-world and the after-world are compared without reading
  anything twice.
* :func:`gather` resolves what a set of (view model, root) pairs needs in a world, hop by
  hop — one wave per reference depth — and :func:`sources_for` hands ``compute`` its values.

A document that does not load as its model blocks only the views computed from it
(:class:`Blocked`): they keep their last good state, and the other roots and view models of
the same refresh go on.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from google.cloud.firestore_v1 import DocumentSnapshot

from ..errors import InvalidSourceDocument, ValidationError
from ..models.document import DocumentModel
from .declaration import ReverseQuery, Source, ViewDeclaration, reference_paths
from .stamp import RootViews

__all__ = [
    "Blocked",
    "SourceReader",
    "World",
    "gather",
    "reference_paths",
    "sources_for",
]

QueryKey = tuple[ReverseQuery | RootViews, str]


def _sort_key(path: str) -> tuple[str, ...]:
    """Firestore orders query results by document name, segment by segment."""
    return tuple(path.split("/"))


@dataclass(frozen=True)
class Blocked:
    """Views that cannot be computed because a source document is invalid."""

    document: str
    error: InvalidSourceDocument


@dataclass
class SourceReader:
    """Every snapshot and query result one refresh reads (see the module docs)."""

    db: Any
    transaction: Any = None
    documents: dict[str, DocumentSnapshot[Any]] = field(default_factory=dict)
    results: dict[QueryKey, list[DocumentSnapshot[Any]]] = field(default_factory=dict)
    reads: int = 0
    round_trips: int = 0
    _loaded: dict[tuple[type, str], Any] = field(default_factory=dict)

    # -- reading ----------------------------------------------------------------------------

    def fetch(self, paths: Iterable[str] = (), queries: Iterable[QueryKey] = ()) -> None:
        """Read the documents and query results not read yet, in one parallel wave."""
        missing_paths = [path for path in dict.fromkeys(paths) if path not in self.documents]
        missing_queries = [key for key in dict.fromkeys(queries) if key not in self.results]
        calls: list[Any] = []
        if missing_paths:
            calls.append(lambda: self._get_all(missing_paths))
        by_query: dict[ReverseQuery | RootViews, list[str]] = {}
        for query, target in missing_queries:
            by_query.setdefault(query, []).append(target)
        for query, targets in by_query.items():
            for start in range(0, len(targets), query.max_targets):
                chunk = targets[start : start + query.max_targets]
                calls.append(lambda query=query, chunk=chunk: self._query(query, chunk))
        if not calls:
            return
        self.round_trips += 1
        if len(calls) == 1:
            calls[0]()
            return
        with ThreadPoolExecutor(max_workers=min(8, len(calls))) as pool:
            for future in [pool.submit(call) for call in calls]:
                future.result()

    def _get_all(self, paths: Sequence[str]) -> None:
        refs = [self.db.document(path) for path in paths]
        source = self.transaction if self.transaction is not None else self.db
        found = {snapshot.reference.path: snapshot for snapshot in source.get_all(refs)}
        self.reads += len(refs)  # found or missing, each document looked up is billed
        self.documents.update(found)

    def _query(self, query: ReverseQuery | RootViews, targets: Sequence[str]) -> None:
        built = query.query(self.db, targets)
        snapshots = list(built.stream(transaction=self.transaction) if self.transaction else built.stream())
        self.reads += max(1, len(snapshots))  # a query is billed one read per result, at least one
        wanted = set(targets)
        per_target: dict[str, list[DocumentSnapshot[Any]]] = {target: [] for target in targets}
        for snapshot in snapshots:
            for target in query.targets_of(snapshot):
                if target in wanted:
                    per_target[target].append(snapshot)
        for target, found in per_target.items():
            self.results[(query, target)] = sorted(found, key=lambda s: _sort_key(s.reference.path))
        for snapshot in snapshots:
            self.documents.setdefault(snapshot.reference.path, snapshot)

    # -- loading ----------------------------------------------------------------------------

    def load(self, model: type[DocumentModel], snapshot: DocumentSnapshot[Any]) -> Any:
        """``model`` loaded from ``snapshot`` (cached), ``None`` if missing; raises
        :class:`InvalidSourceDocument` if the stored data is not a valid ``model``."""
        if not snapshot.exists:
            return None
        key = (model, f"{snapshot.reference.path}@{snapshot.update_time}")
        if key not in self._loaded:
            try:
                self._loaded[key] = model.from_snapshot(snapshot)
            except ValidationError as exc:
                self._loaded[key] = InvalidSourceDocument(snapshot.reference.path, model.__name__, exc.errors)
        loaded = self._loaded[key]
        if isinstance(loaded, InvalidSourceDocument):
            raise loaded
        return loaded


class NotRead(Exception):
    """Internal: a world needed a document or query result the reader has not fetched yet."""

    def __init__(self, path: str | None = None, query: QueryKey | None = None) -> None:
        super().__init__(path or query)
        self.path = path
        self.query = query


@dataclass
class World:
    """The data as of one state of the changed document (see the module docs).

    ``overrides`` maps a document path to the snapshot standing for it in this world (the
    before or after image of the changed document).
    """

    reader: SourceReader
    overrides: Mapping[str, DocumentSnapshot[Any]] = field(default_factory=dict)

    def snapshot(self, path: str) -> DocumentSnapshot[Any]:
        if path in self.overrides:
            return self.overrides[path]
        try:
            return self.reader.documents[path]
        except KeyError:
            raise NotRead(path=path) from None

    def load(self, model: type[DocumentModel], path: str) -> Any:
        return self.reader.load(model, self.snapshot(path))

    def query(self, query: ReverseQuery, target: str) -> list[DocumentSnapshot[Any]]:
        """Documents of ``query.model`` pointing at ``target`` in this world."""
        key = (query, target)
        if key not in self.reader.results:
            raise NotRead(query=key)
        found = [s for s in self.reader.results[key] if s.reference.path not in self.overrides]
        for path, snapshot in self.overrides.items():
            points_here = target in query.targets_of(snapshot)
            if snapshot.exists and query.model.path_template().match(path) is not None and points_here:
                found.append(snapshot)
        return sorted(found, key=lambda s: _sort_key(s.reference.path))


def _follow(world: World, item: Source, root: Any, missing: set[str] | None = None) -> list[Any]:
    """The documents ``item``'s ``via`` chain reaches from ``root`` (missing ones left out).

    With ``missing``, documents not read yet are added to it and skipped instead of raising
    :class:`NotRead`, so one pass finds every document a hop still needs.
    """
    current = [root]
    for hop in item.hops:
        following: list[Any] = []
        for document in current:
            for path in reference_paths(getattr(document, hop.attribute)):
                try:
                    loaded = world.load(hop.target, path)
                except NotRead:
                    if missing is None:
                        raise
                    missing.add(path)
                    continue
                if loaded is not None:
                    following.append(loaded)
        current = following
    return current


def sources_for(declaration: ViewDeclaration, root: Any, world: World) -> dict[str, Any]:
    """The ``source name -> value`` mapping ``compute`` sees for ``root`` in ``world``.

    Raises :class:`NotRead` for data not fetched yet and :class:`InvalidSourceDocument`
    for a source that does not load.
    """
    values: dict[str, Any] = {declaration.root.name: root}
    for item in declaration.followed:
        reached = _follow(world, item, root)
        values[item.name] = reached if item.many else (reached[0] if reached else None)
    for item in declaration.backrefs:
        snapshots = world.query(item.backref_query, root.doc_path)
        values[item.name] = [world.reader.load(item.model, snapshot) for snapshot in snapshots]
    return values


def gather(world: World, wanted: Iterable[tuple[ViewDeclaration, str]]) -> None:
    """Fetch everything the ``(declaration, root path)`` pairs need in ``world``, one wave per
    hop depth: each pass collects what is missing across all pairs, then reads it at once."""
    pending = list(wanted)
    depth = max((len(item.hops) for declaration, _ in pending for item in declaration.followed), default=0)
    for _ in range(depth + 3):  # the root, each hop, back-references: then nothing is missing
        paths: set[str] = set()
        queries: set[QueryKey] = set()
        for declaration, root_path in pending:
            _missing(world, declaration, root_path, paths, queries)
        if not paths and not queries:
            return
        world.reader.fetch(paths, queries)
    raise AssertionError("gather() read more waves than the declarations have hops")  # pragma: no cover


def _missing(
    world: World, declaration: ViewDeclaration, root_path: str, paths: set[str], queries: set[QueryKey]
) -> None:
    """Add to ``paths``/``queries`` what computing ``root_path``'s views still needs in ``world``."""
    try:
        root = world.load(declaration.root.model, root_path)
    except NotRead:
        paths.add(root_path)
        return
    except InvalidSourceDocument:
        return
    if root is None:
        return
    for item in declaration.sources[1:]:
        try:
            if item.is_backref:
                world.query(item.backref_query, root.doc_path)
            else:
                _follow(world, item, root, paths)
        except NotRead as exc:
            if exc.query is not None:
                queries.add(exc.query)
        except InvalidSourceDocument:
            continue
