"""Refreshing the views one domain document change affects: one pipeline, one transaction.

    decode (triggers) → find dependents → read the sources once → compute → diff → guarded commit

Each stage is a function of its own; :func:`refresh` runs them in order, for every view model
the change concerns, inside **one** transaction sharing its reads.

1. **Dependents** (:func:`~.dependents.find_dependents`, no reads): the view models whose
   sources the change touches, field by field. A change to a field no view reads stops here
   at zero cost.
2. **First wave** (:class:`Affected`, one parallel round trip): the changed document itself
   (the *guard*: is the event's state still the current one?), one *probe* view (was this
   event already handled? see :mod:`.commit`), and everything the event's payload already
   names — the references its old and new state point at, the roots it points at, their
   back-reference queries, the reverse queries finding the roots that reference it.
3. **Sources** (:func:`~.sources.gather`): the rest, one wave per reference hop, each
   document and query read once for every view model and every state.
4. **Compute** (:func:`~.compute.compute_root`): each affected root's views from the data as
   it was before the change and as it is after it (two :class:`~.sources.World` s over the
   same reads).
5. **Diff** (:class:`Diff`: ``fresh``, ``stale``): views whose content differs between the
   two states are written with the new content — no need to read what is stored, the event
   decides. Views that came out equal although a field they read changed are compared with
   what is stored (another change may have been masked: two attendees turning a flag on at
   once each see the other's). A *stale* event (the document changed again since) leaves to
   the newer events every view they will rewrite anyway, and brings the others to the
   current state by comparison; so a visible change X→Y whose event arrives after the one
   for an invisible change Y→Z still leaves the views at Z.
6. **Commit** (:mod:`.commit`): in the transaction, or in parallel batches when larger than
   one commit (below).

With a :class:`~.fanout.FanoutPolicy`, a view model whose fan-out exceeds its threshold skips
stages 3 to 6: its roots are planned into slices right after stage 2, returned in
``report.deferred`` for the caller to hand to tasks (:mod:`.fanout`).

Correctness under at-least-once, unordered delivery: every transaction sets each view it
concerns to what the current data computes, and every change to a field a view reads is
followed by such a transaction (its event's) — so once all events have been handled, each view
equals a recompute from the final data. Changes to fields no view reads can be skipped
because they change no view in any state.

A refresh larger than one commit writes its views in parallel batches (:mod:`.commit`), in
one of two ways:

* **Held** (a fresh event, the usual case: stage 5 decided from the event, and the transaction
  read none of the views it writes but the probe): the batches go out, unconditionally,
  *before* the transaction commits. Its reads lock its sources until then, so no source can
  change between our read and our last batch: a write to one waits for our commit (or aborts
  our transaction, which then runs again). Committing — with the probe view — is the last
  step, as for a small refresh. No stored view is read and no source read twice.
* **Conditional** (a stale event, a rerun, a reconcile: the stored views are read to compare):
  the transaction commits first — the batches' writes would otherwise wait for its locks on
  the views, and it for them — then the batches go out, each conditional on the version read,
  and the data may change in between, its refresh finding nothing to write (the views still
  show what the data went back to). So the refresh confirms after its batches that none of its
  sources changed (:func:`run_attempts`, :mod:`.confirm`): then every view it wrote holds what
  the data computes at the confirmation, as if written by a transaction at that moment, and
  the argument above holds; otherwise it runs again from fresh data.

The held way keeps the sources locked for the batches' time too (a second or two at 1,000
views): a client's write to one of them waits that long (the emulator gives up after two
seconds with ``ABORTED``; the client may retry).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from google.cloud.firestore_v1 import DocumentSnapshot

from ..billing import Billed
from ..errors import ContentionError, InvalidSourceDocument
from ..log import log
from ..models.limits import MAX_WRITES_PER_COMMIT
from ..transactions import run_in_transaction
from .change import DocumentChange
from .commit import ConflictingWrite, ViewWrite, commit_in_parallel, fits_one_commit, write_in_transaction
from .compute import Computed, ComputeFailed, compute_root
from .confirm import SourceVersions
from .declaration import ReverseQuery
from .dependents import Dependent, find_dependents, relevant_fields
from .fanout import FanoutPolicy, Slice, plan_fanout, view_paths
from .sources import Blocked, SourceReader, World, gather, reference_paths
from .stamp import handled_by, snapshot_data, view_content
from .view_model import ViewModel

__all__ = [
    "Attempt",
    "BlockedRoot",
    "Failure",
    "HeldWrites",
    "LargeWrites",
    "RefreshReport",
    "earlier_views",
    "finish",
    "known_views",
    "refresh",
    "resolve_checks",
    "run_attempts",
    "usable",
]

#: How many times a refresh runs again after a conflict before giving up (ContentionError).
MAX_ATTEMPTS = 5


@dataclass(frozen=True)
class BlockedRoot:
    """A root whose views kept their last good state: ``document`` does not load."""

    view: type[ViewModel]
    root: str
    document: str
    error: InvalidSourceDocument


@dataclass(frozen=True)
class Failure:
    """A view model whose refresh failed for ``roots`` (a bug in its ``compute``/``keys``, or an
    invalid view); the other view models of the same change were refreshed."""

    view: type[ViewModel]
    roots: tuple[str, ...]
    error: Exception


@dataclass
class RefreshReport(Billed):
    """What a refresh did and what it cost (Firestore bills each read and write)."""

    unchanged: int = 0
    round_trips: int = 0
    attempts: int = 0
    invisible: bool = False
    duplicate: bool = False
    stale: bool = False
    written_paths: list[str] = field(default_factory=list)
    deleted_paths: list[str] = field(default_factory=list)
    blocked: list[BlockedRoot] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    #: Work left to tasks (a fan-out past the policy's threshold): the caller must enqueue it.
    deferred: list[Slice] = field(default_factory=list)


@dataclass(frozen=True)
class LargeWrites:
    """What an attempt larger than one commit, which read the views it compares, leaves to
    :func:`run_attempts` after its transaction: the ``writes`` (each with the stored snapshot
    its precondition names) and the versions of the ``sources`` they were computed from,
    confirmed after the batches (:mod:`.confirm`)."""

    writes: list[ViewWrite]
    sources: SourceVersions


@dataclass(frozen=True)
class HeldWrites:
    """What an attempt larger than one commit, which read none of the views it writes but
    those in ``in_transaction``, leaves to :func:`run_attempts` *before* its transaction
    commits: ``batches`` go out in parallel, unconditionally, while the transaction still holds
    its sources, then the transaction commits with ``in_transaction`` (the probe among them).
    ``event_id``: the id the views are stamped with."""

    batches: list[ViewWrite]
    in_transaction: list[ViewWrite]
    event_id: str | None


#: One attempt's outcome: its report, and the writes left for parallel batches, if any.
Attempt = tuple[RefreshReport, LargeWrites | HeldWrites | None]


def report_fields(report: RefreshReport) -> dict[str, Any]:
    """What a refresh cost and did, as the fields of its log record (one shape for triggers and tasks)."""
    return {
        **report.billing_fields(),
        "unchanged": report.unchanged,
        "roundTrips": report.round_trips,
        "stale": report.stale,
        "duplicate": report.duplicate,
        "invisible": report.invisible,
        "slices": len(report.deferred),
        "deferredViews": sum(work.size for work in report.deferred),
    }


def log_blocked(logger: logging.Logger, report: RefreshReport, **fields: Any) -> None:
    """One ERROR record per blocked root: the view model, the root and the invalid document
    whose fix will refresh them (``fields`` add context, such as the event id)."""
    for blocked in report.blocked:
        log(
            logger,
            logging.ERROR,
            f"{blocked.view.__name__} views of {blocked.root} kept as they were: {blocked.error}",
            view=blocked.view.__name__,
            root=blocked.root,
            document=blocked.document,
            invalidFields=blocked.error.errors,
            **fields,
        )


# -- the pipeline ------------------------------------------------------------------------------


def refresh(
    db: Any, change: DocumentChange, views: Sequence[type[ViewModel]], fanout: FanoutPolicy | None = None
) -> RefreshReport:
    """Bring every view of ``views`` that ``change`` affects up to date (see the module docs).

    Returns a report; view models that failed are listed in ``report.failures`` (the caller
    decides whether to retry) and blocked roots in ``report.blocked``. With ``fanout``, work
    past its threshold is not done but returned in ``report.deferred``.
    """
    dependents = find_dependents(change, views)
    if not dependents:
        return RefreshReport(invisible=True)
    probe = _probe(change, dependents)  # loads the root's new state: once, not once per attempt
    return run_attempts(
        db,
        lambda transaction, earlier: _refresh_in(db, transaction, change, dependents, fanout, probe, earlier),
        what=change.path,
        event_id=change.event_id,
        probe=probe,
    )


def run_attempts(
    db: Any,
    attempt: Callable[[Any, Sequence[ViewWrite]], Attempt],
    *,
    what: str,
    event_id: str | None = None,
    probe: str | None = None,
) -> RefreshReport:
    """Run ``attempt`` in a transaction. If it leaves :class:`HeldWrites`, send their batches
    before the transaction commits (the probe view among the writes it commits). If it leaves
    :class:`LargeWrites`, write them in conditional parallel batches after it, then confirm
    that its sources still hold (writing the ``probe`` view there, last); run it all again from
    fresh data when a batch conflicts or a source changed. Each attempt is handed the writes
    earlier attempts sent (``earlier``): it compares those views too, since some may have
    landed, and the roots a rerun finds on fresh data need not include theirs (a renamed
    attendee who left a meeting since no longer leads to it), while nothing else may be left to
    correct them.

    Why the confirmation: a source may have changed after our read and its refresh found the
    views as they were (our batches had not landed) and wrote nothing; our batches, computed
    from the older data, would then stand for good (see :mod:`.confirm`). Once the sources are
    confirmed unchanged after the last batch, every view we wrote holds what the data computes
    at that moment, and any later change is followed by a refresh that reads our views.
    """
    earlier: dict[str, ViewWrite] = {}

    def attempt_holding_sources(transaction: Any) -> tuple[RefreshReport, LargeWrites | None]:
        """``attempt``; writes it hands back as :class:`HeldWrites` go out before the commit."""
        report, large = attempt(transaction, list(earlier.values()))
        if not isinstance(large, HeldWrites):
            return report, large
        # Noted first: batches may land although the transaction then aborts.
        earlier.update((write.path, write) for write in large.batches)
        report.commits += commit_in_parallel(db, large.batches, large.event_id, conditional=False)
        write_in_transaction(db, transaction, large.in_transaction, large.event_id)
        report.commits += 1
        return report, None

    for number in range(1, MAX_ATTEMPTS + 1):
        report, large = run_in_transaction(attempt_holding_sources, client=db)
        report.attempts = number
        if large is None:
            return report
        marker = None if report.failures or report.deferred else event_id
        try:
            report.commits += commit_in_parallel(db, [w for w in large.writes if w.path != probe], marker)
        except ConflictingWrite:
            earlier.update((write.path, write) for write in large.writes)
            continue  # a view moved under us: recompute from fresh data
        last = [w for w in large.writes if w.path == probe]
        sources = large.sources.without([probe] if probe else [])
        holds, reader = run_in_transaction(_confirm, db, sources, last, marker, client=db)
        report.reads += reader.reads
        report.round_trips += reader.round_trips
        if holds:
            report.commits += 1 if last else 0
            return report
        earlier.update((write.path, write) for write in large.writes)
    raise ContentionError(f"views of {what} kept changing during {MAX_ATTEMPTS} attempts", attempts=MAX_ATTEMPTS)


def _confirm(
    transaction: Any, db: Any, sources: SourceVersions, last: list[ViewWrite], event_id: str | None
) -> tuple[bool, SourceReader]:
    """In ``transaction``: are ``sources`` unchanged? If so, write ``last`` (the probe view) in
    it, so that a redelivery stops at the probe only once the whole refresh is confirmed (a
    crash before leaves the probe as it was, and the redelivery redoes the work). Returns the
    answer and the reader (what the check cost)."""
    reader = SourceReader(db, transaction)
    holds = sources.still_hold(reader) if sources else True
    if holds:
        write_in_transaction(db, transaction, last, event_id)
    return holds, reader


def _refresh_in(
    db: Any,
    transaction: Any,
    change: DocumentChange,
    dependents: list[Dependent],
    fanout: FanoutPolicy | None,
    probe: str | None,
    earlier: Sequence[ViewWrite] = (),
) -> Attempt:
    """One attempt, inside ``transaction`` (a retried transaction starts over with a new report).
    Returns the report and the writes left for parallel conditional batches, if any. The views
    of ``earlier`` attempts' writes are compared too, their roots recomputed."""
    report = RefreshReport()
    reader = SourceReader(db, transaction)
    affected = Affected(change, dependents)
    queries = affected.payload_queries()
    if queries:
        # Queries wait for the transaction's id: ask for it now, while the changed document's
        # states load, rather than after a lookup's first answer (one round trip less in a row).
        reader.begin_ahead()
    models = _loaded_models(dependents)
    _load_ahead(reader, models, [change.before, change.after])
    guard = [] if _carries_guard(affected, queries) else [change.path]
    wave = reader.start([*guard, *([probe] if probe else []), *affected.payload_paths()], queries)
    _load_ahead(reader, models, reader.documents.values())  # while the wave's queries are in flight
    wave.wait()
    if probe is not None and handled_by(reader.documents.get(probe), change.event_id):
        report.duplicate = True
        return _done(report, reader), None

    reader.fetch([change.path])  # already read, unless a query expected to return it did not: stale
    current = reader.documents[change.path]
    report.stale = not _same_version(current, change.after)
    before = World(reader, {change.path: change.before})
    after = World(reader, {change.path: change.after})
    latest_world = World(reader) if report.stale else after
    roots = affected.roots(reader)
    if fanout is not None:
        roots, report.deferred = plan_fanout(fanout, reader, roots, {change.path: (change.before, change.after)})
    carried = earlier_views(earlier, [dependent.watcher.view for dependent in dependents])
    for view, root in carried:
        listed = roots.setdefault(view, [])
        if root not in listed:
            listed.append(root)
    views = _views(reader, roots, {change.path: (change.before, change.after)})
    for key, paths in carried.items():
        views[key] = [*views.get(key, ()), *paths]
    if (report.stale or carried) and sum(len(paths) for paths in views.values()) > MAX_WRITES_PER_COMMIT:
        # Larger than one commit, and the stored views must be read anyway (to compare with the
        # current state): compare with them directly instead of computing the event's states too.
        return _refresh_large(db, transaction, reader, roots, views, latest_world, report, change)
    worlds = [before, after, latest_world] if report.stale else [before, after]
    for world in worlds:
        gather(world, [(view.declaration(), root) for view, paths in roots.items() for root in paths])

    # Only the last world's views are written: the others are compared, not validated.
    outcomes = {
        (view, root): [compute_root(view, root, world, validate=world is worlds[-1]) for world in worlds]
        for view, paths in roots.items()
        for root in paths
    }
    # Where a root's earlier state is unknown, the views it had are found by their bookkeeping.
    unknown = [(view, root) for (view, root), results in outcomes.items() if _earlier_unknown(view, results)]
    reader.fetch(queries=[(view.root_views(), root) for view, root in unknown])

    diff = Diff()
    for (view, root), results in outcomes.items():
        latest = usable(report, view, root, results[-1])
        if latest is None:
            continue
        known = known_views(reader, view, root)
        if report.stale:
            diff.stale(root, (results[0], results[1]), latest, known)
        else:
            diff.fresh(root, results[0], latest, known)
        diff.check(root, latest, carried.get((view, root), ()))

    return finish(db, transaction, reader, diff, report, _marker(change, report))


def _loaded_models(dependents: list[Dependent]) -> list[type[Any]]:
    """The models the dependent view models load documents as (roots, hops, back-references)."""
    models: dict[type[Any], None] = {}
    for dependent in dependents:
        declaration = dependent.watcher.view.declaration()
        models[declaration.root.model] = None
        for item in declaration.followed:
            models.update(dict.fromkeys(hop.target for hop in item.hops))
        models.update(dict.fromkeys(item.model for item in declaration.backrefs))
    return list(models)


def _load_ahead(reader: SourceReader, models: list[type[Any]], snapshots: Iterable[DocumentSnapshot[Any]]) -> None:
    """Load ``snapshots`` as the ``models`` the dependent view models read them as: work
    ``compute`` needs anyway, done while a round trip is in flight (the reader caches the loads)."""
    for snapshot in list(snapshots):
        if not snapshot.exists:
            continue
        path = snapshot.reference.path
        for model in models:
            if model.path_template().match(path) is not None:
                # Speculative: whatever fails here fails again, and is reported, where it matters.
                with contextlib.suppress(Exception):
                    reader.load(model, snapshot)


def _views(
    reader: SourceReader,
    roots: dict[type[ViewModel], list[str]],
    states: dict[str, tuple[DocumentSnapshot[Any], DocumentSnapshot[Any]]],
) -> dict[tuple[type[ViewModel], str], list[str]]:
    """(view model, root) -> the views the root has in any known state (:func:`~.fanout.view_paths`:
    the fan-out's size); roots whose views cannot be worked out are left to the pipeline to report."""
    found: dict[tuple[type[ViewModel], str], list[str]] = {}
    for view, paths in roots.items():
        _, per_root = view_paths(view, reader, paths, states)
        found.update(((view, root), views) for root, views in per_root.items())
    return found


def _refresh_large(
    db: Any,
    transaction: Any,
    reader: SourceReader,
    roots: dict[type[ViewModel], list[str]],
    paths: dict[tuple[type[ViewModel], str], list[str]],
    latest: World,
    report: RefreshReport,
    change: DocumentChange,
) -> Attempt:
    """A fan-out larger than one commit whose stored views must be read (a stale event, or a
    rerun carrying an earlier attempt's writes): every view the roots have now, and had before
    (``paths``: their keys, or their bookkeeping when the old state does not load), compared
    with what is stored.

    Which views those are is known from the roots alone, so the stored views are read — in
    the transaction, for the conditional writes' versions — on a thread of their own while the
    sources are gathered and the views computed, not after.
    """
    every_view = [path for found in paths.values() for path in found]
    stored = reader.read_meanwhile(every_view)
    gather(latest, [(view.declaration(), root) for view, paths in roots.items() for root in paths])
    results = {(view, root): compute_root(view, root, latest) for view, paths in roots.items() for root in paths}
    stored()
    diff = Diff()
    for (view, root), result in results.items():
        views = usable(report, view, root, result)
        if views is not None:
            diff.check(root, views, [*paths.get((view, root), ()), *known_views(reader, view, root), *views])
    return finish(db, transaction, reader, diff, report, _marker(change, report), views=every_view)


def earlier_views(
    earlier: Sequence[ViewWrite], views: Iterable[type[ViewModel]]
) -> dict[tuple[type[ViewModel], str], list[str]]:
    """(view model, root) -> the paths among ``earlier`` writes that are views of that model."""
    found: dict[tuple[type[ViewModel], str], list[str]] = {}
    for write in earlier:
        view = next((view for view in views if view.path_template().match(write.path) is not None), None)
        if view is not None:
            found.setdefault((view, write.root), []).append(write.path)
    return found


def _earlier_unknown(view: type[ViewModel], results: list[Computed | Blocked | ComputeFailed]) -> bool:
    """Are this root's views in an earlier state unknown, and not derivable from its path?"""
    return view.declaration().keys is not None and not all(isinstance(r, dict) for r in results[:-1])


def finish(
    db: Any,
    transaction: Any,
    reader: SourceReader,
    diff: Diff,
    report: RefreshReport,
    event_id: str | None,
    *,
    views: Iterable[str] = (),
) -> Attempt:
    """Keep the writes of ``diff`` that change something (:func:`resolve_checks`) and write them
    in ``transaction`` if they fit one commit. Larger, they are handed back for parallel
    batches: unconditional ones sent before the transaction commits (:class:`HeldWrites`), when
    the transaction read none of those views — else the batches' writes would wait for its
    locks, and it for them; otherwise conditional ones after it, with what is stored of them
    (read now) and the versions of the sources they were computed from, everything ``reader``
    read except the views (``diff``'s and ``views``)."""
    writes = resolve_checks(reader, diff, report)
    report.written_paths = [w.path for w in writes if w.data is not None]
    report.deleted_paths = [w.path for w in writes if w.data is None]
    report.writes, report.deletes = len(report.written_paths), len(report.deleted_paths)
    if fits_one_commit(writes):
        write_in_transaction(db, transaction, writes, event_id)
        report.commits = 1 if writes else 0
        return _done(report, reader), None
    read = [w for w in writes if w.path in reader.documents]
    if fits_one_commit(read) and not reader.found_views():
        unread = [w for w in writes if w.path not in reader.documents]
        return _done(report, reader), HeldWrites(unread, read, event_id)
    reader.fetch([w.path for w in writes])
    sources = SourceVersions.of(reader, {*diff.changes, *diff.checks, *views})
    stored = [ViewWrite(w.path, w.data, w.root, reader.documents[w.path]) for w in writes]
    return _done(report, reader), LargeWrites(stored, sources)


def usable(
    report: RefreshReport, view: type[ViewModel], root: str, result: Computed | Blocked | ComputeFailed
) -> Computed | None:
    """The views computed for ``root``, or ``None`` after reporting why there are none to write
    (a blocked root keeps its views; a failed view model is retried)."""
    if isinstance(result, Blocked):
        report.blocked.append(BlockedRoot(view, root, result.document, result.error))
        return None
    if isinstance(result, ComputeFailed):
        record_failure(report, view, root, result.error)
        return None
    return result


def known_views(reader: SourceReader, view: type[ViewModel], root: str) -> list[str]:
    """The view paths ``root`` has whatever its state: the one keyed by its own params (no custom
    ``keys``), and those its stored views' bookkeeping names, where they were looked up."""
    declaration = view.declaration()
    listed = reader.results.get((view.root_views(), root), [])
    if declaration.keys is not None:
        return [snapshot.reference.path for snapshot in listed]
    return [view.path_template().render(declaration.root_path.match(root) or {})]


def _done(report: RefreshReport, reader: SourceReader) -> RefreshReport:
    report.reads = reader.reads
    report.round_trips = reader.round_trips
    return report


def record_failure(report: RefreshReport, view: type[ViewModel], root: str, error: Exception) -> None:
    for index, failure in enumerate(report.failures):
        if failure.view is view:
            report.failures[index] = Failure(view, (*failure.roots, root), failure.error)
            return
    report.failures.append(Failure(view, (root,), error))


def _marker(change: DocumentChange, report: RefreshReport) -> str | None:
    """Views carry the event id only when every view model the change concerns was handled here
    (not failed, not left to tasks): a redelivery must then redo, or re-enqueue, the rest."""
    return None if report.failures or report.deferred else change.event_id


def _same_version(current: DocumentSnapshot[Any], state: DocumentSnapshot[Any]) -> bool:
    if not current.exists or not state.exists:
        return bool(current.exists) == bool(state.exists)
    return bool(current.update_time == state.update_time)


def _carries_guard(affected: Affected, queries: Sequence[tuple[ReverseQuery, str]]) -> bool:
    """Will one of ``queries`` return the changed document if it is still in the event's state?

    A back-reference query for a root the new state points at returns the document as it is
    now — the guard read, for free. If it does not come back, the event is stale, and the
    document is read on its own.
    """
    if not affected.change.after.exists:
        return False
    return any(
        query.model.path_template().match(affected.change.path) is not None
        and target in reference_paths(affected.after_data.get(query.stored_key))
        for query, target in queries
    )


# -- stage: which roots ---------------------------------------------------------------------


class Affected:
    """The roots each view model must recompute for one change, per kind of watcher:

    * as a **root**: the changed document itself;
    * as a **back-reference**: the roots it points at before and after the change — except
      those it points at in both states when no field the view reads changed (their views
      cannot differ);
    * as a **followed** document (or a hop towards one): the roots reaching it, found by
      reverse queries back along the ``via`` chain, on current data.
    """

    def __init__(self, change: DocumentChange, dependents: list[Dependent]) -> None:
        self.change = change
        self.dependents = dependents
        # The stored data of both states, read leniently (an invalid image still says whom it
        # pointed at); only read, so not copied out of the snapshots.
        self.before_data = snapshot_data(change.before)
        self.after_data = snapshot_data(change.after)
        self._backref_roots: dict[Dependent, list[str]] = {}

    def _refs(self, dependent: Dependent, data: Mapping[str, Any]) -> list[str]:
        item = dependent.watcher.source
        assert item.backref is not None
        stored_key = item.backref_query.stored_key
        root_template = item.root_model.path_template() if item.root_model is not None else None
        paths = reference_paths(data.get(stored_key))
        return [p for p in paths if root_template is None or root_template.match(p) is not None]

    def backref_roots(self, dependent: Dependent) -> list[str]:
        """The roots a back-reference watcher recomputes (asked by several stages: worked out once)."""
        if dependent not in self._backref_roots:
            self._backref_roots[dependent] = self._find_backref_roots(dependent)
        return self._backref_roots[dependent]

    def _find_backref_roots(self, dependent: Dependent) -> list[str]:
        before, after = self._refs(dependent, self.before_data), self._refs(dependent, self.after_data)
        fields = relevant_fields(dependent.watcher)
        assert dependent.watcher.source.backref is not None
        own = None if fields is None else fields - {dependent.watcher.source.backref}
        if dependent.touches(own) or not (self.change.before.exists and self.change.after.exists):
            return list(dict.fromkeys([*before, *after]))
        return [path for path in dict.fromkeys([*before, *after]) if (path in before) != (path in after)]

    def payload_paths(self) -> list[str]:
        """Documents the payload already names: roots pointed at, and references of a changed root."""
        paths: list[str] = []
        for dependent in self.dependents:
            item = dependent.watcher.source
            if item.is_backref:
                paths += self.backref_roots(dependent)
            elif item.is_root:
                declaration = dependent.watcher.view.declaration()
                for data in (self.before_data, self.after_data):
                    for followed in declaration.followed:
                        hop = followed.hops[0]
                        paths += reference_paths(data.get(hop.reverse.stored_key))
        return paths

    def payload_queries(self) -> list[tuple[ReverseQuery, str]]:
        """Queries the payload already names: back-references of the roots, first reverse steps."""
        queries: list[tuple[ReverseQuery, str]] = []
        for dependent in self.dependents:
            item = dependent.watcher.source
            declaration = dependent.watcher.view.declaration()
            if item.is_backref:
                roots = self.backref_roots(dependent)
            elif item.is_root:
                roots = [self.change.path]
            else:
                queries.append((self._reverse_steps(dependent)[0], self.change.path))
                continue
            queries += [(other.backref_query, root) for other in declaration.backrefs for root in roots]
        return queries

    def _reverse_steps(self, dependent: Dependent) -> list[ReverseQuery]:
        """The reverse queries from the changed document back to the roots, nearest first."""
        item = dependent.watcher.source
        position = dependent.watcher.hop if dependent.watcher.hop is not None else len(item.hops) - 1
        return [item.hops[index].reverse for index in range(position, -1, -1)]

    def roots(self, reader: SourceReader) -> dict[type[ViewModel], list[str]]:
        """view model -> root paths to recompute (runs the remaining reverse-query waves)."""
        found: dict[type[ViewModel], dict[str, None]] = {}
        for dependent in self.dependents:
            view = dependent.watcher.view
            item = dependent.watcher.source
            if item.is_root:
                paths = [self.change.path]
            elif item.is_backref:
                paths = self.backref_roots(dependent)
            else:
                paths = [self.change.path]
                for step in self._reverse_steps(dependent):
                    reader.fetch(queries=[(step, path) for path in paths])
                    paths = list(
                        dict.fromkeys(s.reference.path for path in paths for s in reader.results[(step, path)])
                    )
            found.setdefault(view, {}).update(dict.fromkeys(paths))
        return {view: list(paths) for view, paths in found.items()}


def _probe(change: DocumentChange, dependents: list[Dependent]) -> str | None:
    """One view a previous delivery of this event would have written, known from the payload:
    the first view of the new root state (a root watcher), or the view of the first root a
    back-reference points at when views are keyed by their root alone."""
    if not change.after.exists:
        return None
    for dependent in dependents:
        view = dependent.watcher.view
        item = dependent.watcher.source
        if item.is_root:
            try:
                root = item.model.from_snapshot(change.after)
                paths = sorted(view.paths_for(root))
            except Exception:  # noqa: BLE001 - an invalid state or a bug in keys(): no probe, nothing lost
                return None
            return paths[0] if paths else None
    return None


# -- stage: diff --------------------------------------------------------------------------------


@dataclass
class Diff:
    """What stage 5 decides: views to write as computed (``changes``: the event itself says
    they changed) and views to compare with what is stored first (``checks``)."""

    changes: dict[str, ViewWrite] = field(default_factory=dict)
    checks: dict[str, ViewWrite] = field(default_factory=dict)

    def check(self, root: str, views: Computed, paths: Iterable[str]) -> None:
        """Compare the views at ``paths`` with what is stored: write ``views``' content where
        they differ, delete those ``views`` does not hold."""
        for path in paths:
            self.checks[path] = ViewWrite(path, views.get(path), root)

    def fresh(
        self, root: str, before: Computed | Blocked | ComputeFailed, after: Computed, known: Sequence[str]
    ) -> None:
        """The event's state is current: write what differs between before and after; compare
        with what is stored the views that came out equal (masked) or whose before is unknown
        (then also the ``known`` views the root has, found without its old state)."""
        if not isinstance(before, dict):
            self.check(root, after, [*known, *after])
            return
        for path in before.keys() | after.keys():
            old, new = before.get(path), after.get(path)
            (self.changes if old != new else self.checks)[path] = ViewWrite(path, new, root)

    def stale(
        self,
        root: str,
        states: tuple[Computed | Blocked | ComputeFailed, Computed | Blocked | ComputeFailed],
        now: Computed,
        known: Sequence[str],
    ) -> None:
        """The document changed again since this event's ``states`` (before, after): the views
        the newer state computes differently from this event's are the newer events' to write;
        the others this event touched are compared with what is stored and brought to ``now``."""
        before, after = states
        touched: set[str] = set(known)
        for state in states:
            touched |= state.keys() if isinstance(state, dict) else set(now)
        newer = (
            {path for path in after.keys() | now.keys() if after.get(path) != now.get(path)}
            if isinstance(after, dict) and isinstance(before, dict)
            else set()
        )
        self.check(root, now, touched - newer)


def resolve_checks(reader: SourceReader, diff: Diff, report: RefreshReport) -> list[ViewWrite]:
    """Read the stored views ``diff`` checks (one wave) and keep the writes that change something."""
    pending = {path: write for path, write in diff.checks.items() if path not in diff.changes}
    reader.fetch(pending)
    writes = list(diff.changes.values())
    for path, write in pending.items():
        stored = reader.documents.get(path)
        if view_content(stored) == write.data:
            report.unchanged += 1
        else:
            writes.append(write)
    return sorted(writes, key=lambda w: w.path)
