"""Bringing the views of given roots to what current data computes, whatever happened before.

Where :func:`~.refresh.refresh` follows one change, :func:`reconcile` needs no event: it
computes the views of each root from current data and compares them with what is stored,
writing only those that differ. It is what a rebuild runs page by page, what repairs the
roots a dropped (too old) event left behind, and what a Cloud Tasks slice of a huge fan-out
runs — idempotent, and correct in any order and any number of times.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..errors import PathError
from .commit import ViewWrite
from .compute import compute_root
from .refresh import Attempt, Diff, RefreshReport, earlier_views, finish, known_views, run_attempts, usable
from .sources import SourceReader, World, gather
from .stamp import FIELD
from .view_model import ViewModel

__all__ = ["reconcile", "reconcile_views"]


def reconcile(db: Any, view_cls: type[ViewModel], root_paths: Sequence[str]) -> RefreshReport:
    """Recompute and store the views of ``root_paths`` (see the module docs).

    A root that no longer exists loses its views where their paths are known without its data
    (views keyed by the root's own params); views of custom ``keys`` left by a deleted root are
    orphans, which a rebuild's sweep removes.
    """
    return run_attempts(
        db,
        lambda transaction, earlier: _reconcile_in(db, transaction, view_cls, root_paths, earlier),
        what=view_cls.__name__,
    )


def _reconcile_in(
    db: Any, transaction: Any, view_cls: type[ViewModel], root_paths: Sequence[str], earlier: Sequence[ViewWrite]
) -> Attempt:
    report = RefreshReport()
    reader = SourceReader(db, transaction)
    world = World(reader)
    declaration = view_cls.declaration()
    gather(world, [(declaration, root) for root in root_paths])
    results = {root: compute_root(view_cls, root, world) for root in root_paths}
    # Roots gone: their views of a custom ``keys`` are found by their bookkeeping.
    gone = [root for root, result in results.items() if result == {} and declaration.keys is not None]
    reader.fetch(queries=[(view_cls.root_views(), root) for root in gone])
    carried = earlier_views(earlier, [view_cls])  # views an earlier attempt may have written
    diff = Diff()
    for root, result in results.items():
        views = usable(report, view_cls, root, result)
        if views is not None:
            diff.check(root, views, [*known_views(reader, view_cls, root), *views, *carried.get((view_cls, root), ())])
    return finish(db, transaction, reader, diff, report, None)


def reconcile_views(db: Any, view_cls: type[ViewModel], root_path: str, view_paths: Sequence[str]) -> RefreshReport:
    """Bring the views at ``view_paths`` of one root to what current data computes: one slice of
    a fan-out too large for one invocation (:mod:`.fanout`).

    Only the named views are computed (the root's sources are read whole: ``compute`` may read
    any of them), compared with what is stored and written where they differ; a named view the
    root no longer has is deleted. Each path must be a view of ``root_path``
    (:class:`~flask_boiler.errors.PathError` otherwise), so a slice can never touch another
    root's views.
    """
    check_views_of_root(view_cls, root_path, view_paths)
    return run_attempts(
        db,
        # The views a slice writes are its named ones, which every attempt compares anyway.
        lambda transaction, _earlier: _reconcile_views_in(db, transaction, view_cls, root_path, view_paths),
        what=f"{view_cls.__name__} of {root_path}",
    )


def check_views_of_root(view_cls: type[ViewModel], root_path: str, view_paths: Sequence[str]) -> None:
    """Raise :class:`~flask_boiler.errors.PathError` unless every path is a view path of
    ``view_cls`` — and, where a view's path names its root (``users/{uid}/meetingSessions/{meeting_id}``
    names ``meetings/{meeting_id}``), a view of ``root_path``."""
    declaration = view_cls.declaration()
    if declaration.root_path.match(root_path) is None:
        raise PathError(f"{root_path!r} is not a root of {view_cls.__name__} ({declaration.root_path.template!r}).")
    template = view_cls.path_template()
    names_root = set(declaration.root_path.params) <= set(template.params)
    for path in view_paths:
        key = template.match(path)
        if key is None:
            raise PathError(f"{path!r} is not a {view_cls.__name__} view path ({template.template!r}).")
        if names_root and declaration.root_path.render(key) != root_path:
            raise PathError(f"{path!r} is a view of {declaration.root_path.render(key)!r}, not of {root_path!r}.")


def _reconcile_views_in(
    db: Any, transaction: Any, view_cls: type[ViewModel], root_path: str, view_paths: Sequence[str]
) -> Attempt:
    report = RefreshReport()
    reader = SourceReader(db, transaction)
    world = World(reader)
    gather(world, [(view_cls.declaration(), root_path)])
    result = compute_root(view_cls, root_path, world, only=frozenset(view_paths))
    views = usable(report, view_cls, root_path, result)
    if views is None:
        return finish(db, transaction, reader, Diff(), report, None)
    reader.fetch(view_paths)
    diff = Diff()  # a view this root does not have is deleted only if it is not another root's
    diff.check(
        root_path,
        views,
        [path for path in view_paths if path in views or _stored_root(reader.documents.get(path)) in (None, root_path)],
    )
    return finish(db, transaction, reader, diff, report, None)


def _stored_root(snapshot: Any) -> str | None:
    bookkeeping = (snapshot.to_dict() or {}).get(FIELD) if snapshot is not None and snapshot.exists else None
    root = bookkeeping.get("root") if isinstance(bookkeeping, dict) else None
    return root if isinstance(root, str) else None
