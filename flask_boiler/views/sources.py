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

import datetime
import functools
import os
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any

from google.cloud.firestore_v1 import DocumentSnapshot

from .._private.document_reads import read_many, read_one
from ..errors import InvalidSourceDocument, ValidationError
from ..models.document import DocumentModel
from .declaration import ReverseQuery, Source, ViewDeclaration, reference_paths
from .stamp import RootViews, snapshot_data

__all__ = [
    "Blocked",
    "SourceReader",
    "Wave",
    "World",
    "gather",
    "reference_paths",
    "sources_for",
]

QueryKey = tuple[ReverseQuery | RootViews, str]


_NOT_LOADED = object()


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
    _loaded: dict[tuple[type, str, Any], Any] = field(default_factory=dict)

    # -- reading ----------------------------------------------------------------------------

    def fetch(self, paths: Iterable[str] = (), queries: Iterable[QueryKey] = ()) -> None:
        """Read the documents and query results not read yet, in one parallel wave."""
        self.start(paths, queries).wait()

    def start(self, paths: Iterable[str] = (), queries: Iterable[QueryKey] = ()) -> Wave:
        """Start :meth:`fetch`'s wave and return once its documents are read: its queries may
        still be running until :meth:`Wave.wait` (the caller can work meanwhile).

        In a transaction not begun yet, the documents' ``get_all`` begins it (see
        :mod:`flask_boiler._private.inline_begin`); the queries go out in it as soon as its id
        is known. A wave of one document reads it by itself (``read_one``: outside a
        transaction, the unary read of :mod:`flask_boiler._private.document_reads`).
        """
        missing_paths = [path for path in dict.fromkeys(paths) if path not in self.documents]
        missing_queries = [key for key in dict.fromkeys(queries) if key not in self.results]
        by_query: dict[ReverseQuery | RootViews, list[str]] = {}
        for query, target in missing_queries:
            by_query.setdefault(query, []).append(target)
        chunks = [
            (query, targets[start : start + query.max_targets])
            for query, targets in by_query.items()
            for start in range(0, len(targets), query.max_targets)
        ]
        if not missing_paths and not chunks:
            return Wave(self, [], [])
        self.round_trips += 1
        calls = [functools.partial(self._run_query, query, targets) for query, targets in chunks]
        if not missing_paths:
            first = calls.pop(0)
            futures = [_wave_pool().submit(call) for call in calls]
            return Wave(self, chunks, [_done_with(first, futures), *futures])
        refs = [self.db.document(path) for path in missing_paths]
        # In a transaction not begun yet, the get_all (in this thread) begins it; the queries
        # prepare their requests meanwhile and go out with its id.
        reserve = getattr(self.transaction, "reserve_beginning", None)
        if reserve is not None and chunks:
            reserve()
        if calls:
            futures = [_wave_pool().submit(call) for call in calls]
            found = _done_with(functools.partial(_read_all, self.db, self.transaction, refs), futures).result()
        else:  # documents only: nothing runs beside the lookup
            futures, found = [], _read_all(self.db, self.transaction, refs)
        self.reads += len(missing_paths)  # found or missing, each document looked up is billed
        self.documents.update((snapshot.reference.path, snapshot) for snapshot in found)
        return Wave(self, chunks, futures)

    def found_views(self) -> bool:
        """Did this reader run a query over view documents (:class:`~.stamp.RootViews`)? In a
        transaction, a query's locks may cover more than the documents it returned (the range
        it scanned), so writes of new views there could wait for the transaction."""
        return any(isinstance(query, RootViews) for query, _ in self.results)

    def begin_ahead(self) -> None:
        """Have the transaction begin now, on a wave thread, when the next wave holds queries:
        they need its id, and would otherwise wait for the first answer of the wave's lookup
        (see :mod:`flask_boiler._private.inline_begin`)."""
        begin_ahead = getattr(self.transaction, "begin_ahead", None)
        if begin_ahead is not None:
            begin_ahead(_wave_pool())

    def read_meanwhile(self, paths: Iterable[str]) -> Callable[[], None]:
        """Start reading the documents at ``paths`` not read yet on a wave thread, into a reader
        of its own; the returned function waits for them and adds them (and what they cost) to
        this reader, which only the caller's thread touches meanwhile."""
        side = SourceReader(self.db, self.transaction)
        future = _wave_pool().submit(side.fetch, [path for path in paths if path not in self.documents])

        def join() -> None:
            future.result()
            for path, snapshot in side.documents.items():
                self.documents.setdefault(path, snapshot)
            self.reads += side.reads
            self.round_trips += side.round_trips

        return join

    def _run_query(self, query: ReverseQuery | RootViews, targets: Sequence[str]) -> list[DocumentSnapshot[Any]]:
        built = query.query(self.db, targets)
        return list(built.stream(transaction=self.transaction) if self.transaction else built.stream())

    def _add_results(
        self, query: ReverseQuery | RootViews, targets: Sequence[str], snapshots: list[DocumentSnapshot[Any]]
    ) -> None:
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
        key = (model, snapshot.reference.path, _version(snapshot.update_time))
        loaded = self._loaded.get(key, _NOT_LOADED)
        if loaded is _NOT_LOADED:
            try:
                # What ``model.from_snapshot`` would load, without the deep copy ``to_dict()``
                # makes: the reader's snapshots are never written to, and a loaded source is
                # only read (by ``compute``), never saved.
                loaded = model.from_stored(
                    snapshot_data(snapshot),
                    snapshot.reference,
                    update_time=snapshot.update_time,
                    create_time=snapshot.create_time,
                    from_firestore=True,  # a snapshot: what Firestore holds (or a trigger's image of it)
                )
            except ValidationError as exc:
                loaded = InvalidSourceDocument(snapshot.reference.path, model.__name__, exc.errors)
            self._loaded[key] = loaded
        if isinstance(loaded, InvalidSourceDocument):
            raise loaded
        return loaded


def _version(update_time: Any) -> Any:
    """``update_time`` as a cache key: a datetime with its nanoseconds (which datetime equality
    ignores), without formatting it; anything else (a protobuf ``Timestamp``) as its text."""
    if isinstance(update_time, datetime.datetime):
        return update_time, getattr(update_time, "nanosecond", 0)
    return update_time if update_time is None else str(update_time)


#: Threads running the calls of one wave side by side (a wave has a few: one ``get_all``, a
#: query per reverse query). Kept for the process rather than started per wave: starting
#: threads cost a trigger about a millisecond each, a tenth of a hand-written trigger's whole
#: run. They hold no data; a forked child starts its own.
WAVE_THREADS = 8
_pool: tuple[int, ThreadPoolExecutor] | None = None
_pool_lock = threading.Lock()


def _wave_pool() -> ThreadPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None or _pool[0] != os.getpid():
            _pool = (os.getpid(), ThreadPoolExecutor(WAVE_THREADS, thread_name_prefix="flask-boiler-wave"))
        return _pool[1]


def _read_all(db: Any, transaction: Any, refs: list[Any]) -> list[DocumentSnapshot[Any]]:
    if len(refs) == 1:  # one document: its own read (unary outside a transaction, see read_one)
        return [read_one(refs[0], transaction)]
    return list(read_many(db, refs, transaction))


def _done_with(call: Callable[[], Any], others: Sequence[Future[Any]]) -> Future[Any]:
    """Run ``call`` in this thread, as a finished future; if it raises, ``others`` (started
    beside it) are waited for first, so nothing of the wave is left running."""
    future: Future[Any] = Future()
    try:
        future.set_result(call())
    except BaseException as exc:  # noqa: BLE001 - handed on: raised by the future's result()
        wait(others)
        future.set_exception(exc)
    return future


@dataclass
class Wave:
    """A wave of reads whose queries may still be running (see :meth:`SourceReader.start`)."""

    reader: SourceReader
    chunks: list[tuple[ReverseQuery | RootViews, list[str]]]
    futures: list[Future[Any]]

    def wait(self) -> None:
        """Wait for the queries and add their results to the reader (the first error raises,
        once every query has ended)."""
        wait(self.futures)
        for (query, targets), future in zip(self.chunks, self.futures, strict=True):
            self.reader._add_results(query, targets, future.result())
        self.chunks, self.futures = [], []


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
    #: Query results as seen in this world (a result read once never changes: the reader
    #: does not read a query twice), computed once however many roots and states ask.
    _queried: dict[QueryKey, list[DocumentSnapshot[Any]]] = field(default_factory=dict, repr=False)

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
        if key in self._queried:
            return self._queried[key]
        if key not in self.reader.results:
            raise NotRead(query=key)
        found = [s for s in self.reader.results[key] if s.reference.path not in self.overrides]
        for path, snapshot in self.overrides.items():
            if (
                snapshot.exists
                and query.model.path_template().match(path) is not None
                and target in query.targets_of(snapshot)
            ):
                found.append(snapshot)
        self._queried[key] = sorted(found, key=lambda s: _sort_key(s.reference.path))
        return self._queried[key]


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
