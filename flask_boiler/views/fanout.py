"""Fan-outs too large for one invocation: planned as slices, reconciled elsewhere.

A refresh writes, inside the trigger, every view its change affects. Past some size (a
meeting with 10,000 attendees has 10,000 sessions) that work no longer fits one invocation:
its time grows with the fan-out until it meets the function's timeout. With a
:class:`FanoutPolicy`, :func:`~.refresh.refresh` hands such work back instead of doing it:
as :class:`Slice` s, each small enough for one task, which the trigger layer enqueues on
Cloud Tasks (:mod:`flask_boiler.tasks`) and each task reconciles
(:func:`~.reconcile.reconcile` for a slice of roots, :func:`~.reconcile.reconcile_views`
for a slice of one root's views).

**Bounded trigger work.** Slices are planned before any source is gathered, from what the
trigger has anyway: the changed document's before and after images (a root's ``keys`` need
nothing else), the roots its reverse queries returned, and — only for roots whose earlier
state does not load — their stored views found by their bookkeeping (:class:`~.stamp.RootViews`).
The trigger then reads no source of a deferred root and computes none of its views.

**Why slices converge.** A slice names its views; the task recomputes them from the data as it
is when the task runs, compares with what is stored and writes the differences (deleting the
named views the root no longer has). That is idempotent and order-free: a slice delivered twice
writes nothing the second time, and a slice of an older change arriving after a newer one
recomputes from current data, so it cannot bring back an older state. Every change a view
depends on is followed by a refresh (or slices) covering that view, so once all tasks ran, each
view equals a recompute from the final data — the same argument as for in-trigger refreshes.

**Choosing the numbers.** Up to :data:`DEFAULT_THRESHOLD` views, a refresh stays in the
trigger: cheapest (the sources are read once) and, up to 500 writes, one atomic transaction.
Beyond it, tasks: no invocation's time grows with the fan-out. The price is reads: a slice of
one root's views reads that root's sources again (``compute`` may read any of them), so a
fan-out of N views in slices of S reads the sources about N/S times. :data:`DEFAULT_SLICE_SIZE`
(500, one commit) keeps each task a single transaction of a few seconds.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from google.cloud.firestore_v1 import DocumentSnapshot

from ..errors import UsageError
from ..models.limits import MAX_WRITES_PER_COMMIT
from .sources import SourceReader

if TYPE_CHECKING:  # pragma: no cover
    from .view_model import ViewModel

__all__ = ["DEFAULT_SLICE_SIZE", "DEFAULT_THRESHOLD", "FanoutPolicy", "Slice", "plan_fanout", "view_paths"]

#: Views one refresh of one view model may write inside its trigger.
DEFAULT_THRESHOLD = 1_000
#: Views (or roots of one view each) per slice: one commit's worth.
DEFAULT_SLICE_SIZE = MAX_WRITES_PER_COMMIT


@dataclass(frozen=True)
class FanoutPolicy:
    """When a refresh hands its work to slices (see the module docs)."""

    threshold: int = DEFAULT_THRESHOLD
    slice_size: int = DEFAULT_SLICE_SIZE

    def __post_init__(self) -> None:
        for name in ("threshold", "slice_size"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise UsageError(f"FanoutPolicy.{name} must be a positive whole number, got {value!r}.")


@dataclass(frozen=True)
class Slice:
    """Work for one task: the views of ``roots`` (all of them), or — with ``paths`` — the views
    at those paths of the one root in ``roots``."""

    view: type[ViewModel]
    roots: tuple[str, ...]
    paths: tuple[str, ...] | None = None

    @property
    def size(self) -> int:
        """Views (or roots, for a slice of roots) this slice covers."""
        return len(self.paths) if self.paths is not None else len(self.roots)


def _chunks(items: Sequence[str], size: int) -> list[tuple[str, ...]]:
    return [tuple(items[start : start + size]) for start in range(0, len(items), size)]


def plan_fanout(
    policy: FanoutPolicy,
    reader: SourceReader,
    roots: Mapping[type[ViewModel], Sequence[str]],
    states: Mapping[str, Iterable[DocumentSnapshot[Any]]] | None = None,
    *,
    many_roots: bool = True,
) -> tuple[dict[type[ViewModel], list[str]], list[Slice]]:
    """Split ``roots`` (view model -> roots a refresh would recompute) into what stays in the
    refresh and slices for tasks.

    ``states`` holds further images of a root than its current one (the changed document's
    before and after): its views in every state are covered. Roots whose ``keys`` cannot be
    worked out (invalid data, a bug) stay in the refresh, which reports them. With
    ``many_roots=False`` only roots that are huge on their own are sliced (a rebuild's page:
    its size is the caller's choice).
    """
    kept: dict[type[ViewModel], list[str]] = {}
    slices: list[Slice] = []
    for view, paths in roots.items():
        if view.declaration().keys is None:  # one view per root
            if many_roots and len(paths) > policy.threshold:
                slices += [Slice(view, chunk) for chunk in _chunks(list(paths), policy.slice_size)]
            else:
                kept[view] = list(paths)
            continue
        stay, per_root = view_paths(view, reader, paths, states)
        sized = list(per_root.items())
        huge = [(root, views) for root, views in sized if len(views) > policy.threshold]
        rest = [(root, views) for root, views in sized if len(views) <= policy.threshold]
        for root, views in huge:
            slices += [Slice(view, (root,), chunk) for chunk in _chunks(views, policy.slice_size)]
        if many_roots and sum(len(views) for _, views in rest) > policy.threshold:
            slices += _group_roots(view, rest, policy.slice_size)
        else:
            stay += [root for root, _ in rest]
        if stay:
            kept[view] = stay
    return kept, slices


def view_paths(
    view: type[ViewModel],
    reader: SourceReader,
    roots: Sequence[str],
    states: Mapping[str, Iterable[DocumentSnapshot[Any]]] | None = None,
) -> tuple[list[str], dict[str, list[str]]]:
    """The views each root has — the one definition of a fan-out's size, for planning slices
    (:func:`plan_fanout`) and for choosing the refresh's path (:mod:`.refresh`).

    Returns (roots whose views cannot be worked out: every state fails to load or ``keys``
    raises — the refresh reports them; ``{root: its view paths in every known state}``). The
    states are the root's current one and those ``states`` adds (the changed document's
    before and after images); a root whose earlier state does not load also has the views
    its bookkeeping names (:class:`~.stamp.RootViews`). Reads the roots, if not read yet.
    """
    states = states or {}
    if view.declaration().keys is None:  # one view per root, named by the root's own path
        template, root_path = view.path_template(), view.declaration().root_path
        return [], {root: [template.render(root_path.match(root) or {})] for root in roots}
    reader.fetch(roots)  # the refresh reads each root anyway: this is that read, earlier
    model = view.declaration().root.model
    stay: list[str] = []
    unknown: list[str] = []
    found: dict[str, set[str]] = {}
    for root in roots:
        paths: set[str] = set()
        loaded = failed = 0
        for snapshot in [*states.get(root, ()), reader.documents.get(root)]:
            if snapshot is None or not snapshot.exists:
                continue
            try:  # the reader's load is cached by version: the after image and the current one load once
                paths.update(view.paths_for(reader.load(model, snapshot)))
                loaded += 1
            except Exception:  # noqa: BLE001 - invalid data or a bug in keys(): the refresh reports it
                failed += 1
        if failed and not loaded:
            stay.append(root)
            continue
        if failed:
            unknown.append(root)  # an earlier state does not load: its views are found by bookkeeping
        found[root] = paths
    reader.fetch(queries=[(view.root_views(), root) for root in unknown])
    for root in unknown:
        found[root].update(s.reference.path for s in reader.results[(view.root_views(), root)])
    return stay, {root: sorted(paths) for root, paths in found.items()}


def _group_roots(view: type[ViewModel], rest: Sequence[tuple[str, list[str]]], slice_size: int) -> list[Slice]:
    """Roots of a few views each, grouped so each slice covers at most ``slice_size`` views."""
    slices: list[Slice] = []
    group: list[str] = []
    count = 0
    for root, views in rest:
        if group and count + len(views) > slice_size:
            slices.append(Slice(view, tuple(group)))
            group, count = [], 0
        group.append(root)
        count += len(views)
    if group:
        slices.append(Slice(view, tuple(group)))
    return slices
