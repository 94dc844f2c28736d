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

from .commit import ViewWrite
from .compute import compute_root
from .refresh import RefreshReport, finish, known_views, resolve_checks, run_attempts, usable
from .sources import SourceReader, World, gather
from .view_model import ViewModel

__all__ = ["reconcile"]


def reconcile(db: Any, view_cls: type[ViewModel], root_paths: Sequence[str]) -> RefreshReport:
    """Recompute and store the views of ``root_paths`` (see the module docs).

    A root that no longer exists loses its views where their paths are known without its data
    (views keyed by the root's own params); views of custom ``keys`` left by a deleted root are
    orphans, which a rebuild's sweep removes.
    """
    return run_attempts(
        db, lambda transaction: _reconcile_in(db, transaction, view_cls, root_paths), what=view_cls.__name__
    )


def _reconcile_in(
    db: Any, transaction: Any, view_cls: type[ViewModel], root_paths: Sequence[str]
) -> tuple[RefreshReport, Any]:
    report = RefreshReport()
    reader = SourceReader(db, transaction)
    world = World(reader)
    declaration = view_cls.declaration()
    gather(world, [(declaration, root) for root in root_paths])
    results = {root: compute_root(view_cls, root, world) for root in root_paths}
    # Roots gone: their views of a custom ``keys`` are found by their bookkeeping.
    gone = [root for root, result in results.items() if result == {} and declaration.keys is not None]
    reader.fetch(queries=[(view_cls.root_views(), root) for root in gone])
    checks: dict[str, ViewWrite] = {}
    for root, result in results.items():
        views = usable(report, view_cls, root, result)
        if views is not None:
            for path in [*known_views(reader, view_cls, root), *views]:
                checks[path] = ViewWrite(path, views.get(path), root)
    writes = resolve_checks(reader, {}, checks, report)
    return finish(db, transaction, reader, writes, report, None)
