"""Rebuild (backfill) every view of a view model from current domain data.

Use it when a view model is new, when its definition changed, or to repair views after an
outage. ``python -m flask_boiler rebuild shared_models.MeetingSession``.

* **Batched**: roots are paged through; each page is recomputed in one transaction (the
  page's roots re-read with one ``get_all``, their followed references with another, the
  current views with a third), and unchanged views are not rewritten.
* **Resumable**: after each page the cursor is saved in ``flaskBoilerRebuilds/{view}``;
  a rerun continues after the last finished page (``restart=True`` starts over).
* **Orphans**: a second pass pages through the existing view documents and deletes those
  whose root no longer exists or no longer has that key (e.g. after ``keys`` changed).
* **Progress**: a tqdm bar per pass (disable with ``progress=False``).
"""

from __future__ import annotations

import datetime
import importlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..errors import ModelDefinitionError
from ..models.document import DocumentModel
from .reconcile import reconcile
from .refresh import RefreshReport
from .registry import registry
from .view_model import ViewModel

CHECKPOINTS = "flaskBoilerRebuilds"
#: Refreshes a trigger gave up on (too old to retry), for :func:`repair_skipped`.
SKIPPED = "flaskBoilerSkipped"
DEFAULT_PAGE_SIZE = 200


@dataclass
class RebuildReport:
    roots: int = 0
    views_checked: int = 0
    orphans_deleted: int = 0
    resumed: bool = False
    cost: RefreshReport = field(default_factory=RefreshReport)

    def add(self, report: RefreshReport) -> None:
        cost = self.cost
        cost.reads += report.reads
        cost.writes += report.writes
        cost.deletes += report.deletes
        cost.unchanged += report.unchanged
        cost.commits += report.commits
        cost.blocked += report.blocked
        cost.failures += report.failures


def _every_document(model: type[DocumentModel]) -> Any:
    """A query over all of ``model``'s documents (a collection group under parent documents)."""
    return model.collection_group() if model.path_template().parent_params else model.query()


def _pages(query: Any, page_size: int, cursor: str | None) -> Iterator[tuple[list[Any], str | None]]:
    while True:
        page = query.page(limit=page_size, cursor=cursor)
        yield page.items, page.next_cursor
        if page.next_cursor is None:
            return
        cursor = page.next_cursor


def _progress(total: int | None, description: str, enabled: bool) -> Any:
    from tqdm import tqdm

    return tqdm(total=total, desc=description, unit="doc", disable=not enabled)


def view_name(view_cls: type) -> str:
    return f"{view_cls.__module__}.{view_cls.__qualname__}"


def rebuild(
    view_cls: type[ViewModel],
    db: Any,
    *,
    page_size: int = DEFAULT_PAGE_SIZE,
    restart: bool = False,
    delete_orphans: bool = True,
    progress: bool = True,
) -> RebuildReport:
    """Recompute all views of ``view_cls``; see the module docstring."""
    declaration = view_cls.declaration()
    checkpoint = db.collection(CHECKPOINTS).document(view_name(view_cls).replace("/", "_"))
    report = RebuildReport()
    state = checkpoint.get()
    cursor = None
    if state.exists and not restart and not state.get("done"):
        cursor = state.get("cursor")
        report.resumed = cursor is not None

    query = _every_document(declaration.root.model)
    with _progress(query.count(), f"{view_cls.__name__}: roots", progress) as bar:
        for roots, next_cursor in _pages(query, page_size, cursor):
            paths = [root.doc_path for root in roots if declaration.root_path.match(root.doc_path) is not None]
            if paths:
                report.add(reconcile(db, view_cls, paths))
            report.roots += len(paths)
            checkpoint.set({"cursor": next_cursor, "done": False, "updatedAt": datetime.datetime.now(datetime.UTC)})
            bar.update(len(roots))

    if delete_orphans:
        _delete_orphans(view_cls, db, page_size, report, progress)
    checkpoint.set({"cursor": None, "done": True, "updatedAt": datetime.datetime.now(datetime.UTC)})
    return report


def _delete_orphans(view_cls: type[ViewModel], db: Any, page_size: int, report: RebuildReport, progress: bool) -> None:
    """Views whose root is gone or no longer has their key: reconciling their roots removes
    the ones keyed by the root; the rest (custom keys) are deleted here."""
    declaration = view_cls.declaration()
    template = view_cls.path_template()
    query = _every_document(view_cls)
    with _progress(query.count(), f"{view_cls.__name__}: orphan check", progress) as bar:
        for views, _ in _pages(query, page_size, None):
            root_of = {}
            for view in views:
                key = template.match(view.doc_path)
                if key is not None:
                    root_of[view.doc_path] = declaration.root_path.render(key)
            roots = {}
            for snapshot in db.get_all([db.document(p) for p in set(root_of.values())]) if root_of else []:
                roots[snapshot.reference.path] = (
                    declaration.root.model.from_snapshot(snapshot) if snapshot.exists else None
                )
            report.cost.reads += len(set(root_of.values()))
            orphans = [
                path
                for path, root_path in root_of.items()
                if roots.get(root_path) is None or path not in view_cls.paths_for(roots[root_path])
            ]
            for start in range(0, len(orphans), 500):
                batch = db.batch()
                for path in orphans[start : start + 500]:
                    batch.delete(db.document(path))
                batch.commit()
                report.cost.deletes += len(orphans[start : start + 500])
                report.orphans_deleted += len(orphans[start : start + 500])
            report.views_checked += len(views)
            bar.update(len(views))


def record_skipped(
    db: Any, view_cls: type[ViewModel], roots: Sequence[str], *, document: str, event_id: str, error: Exception
) -> None:
    """Remember that ``view_cls``'s views of ``roots`` (all of them when empty) were not refreshed."""
    db.collection(SKIPPED).add(
        {
            "view": view_name(view_cls),
            "roots": list(roots),
            "document": document,
            "eventId": event_id,
            "error": f"{type(error).__name__}: {error}"[:1500],
            "recordedAt": datetime.datetime.now(datetime.UTC),
        }
    )


@dataclass
class RepairReport:
    records: int = 0
    roots: int = 0
    rebuilt_views: list[str] = field(default_factory=list)
    cost: RebuildReport = field(default_factory=RebuildReport)


def repair_skipped(db: Any, *, progress: bool = True) -> RepairReport:
    """Recompute exactly what triggers gave up on (:data:`SKIPPED`), then clear those records.

    A record naming roots reconciles those roots; one naming none (the refresh failed before
    it knew them) rebuilds that view model entirely. A record is deleted only after its repair
    succeeded, so an interrupted repair is simply run again.
    """
    report = RepairReport()
    records = list(db.collection(SKIPPED).stream())
    for record in records:
        data = record.to_dict() or {}
        view_cls = find_view(str(data.get("view")))
        roots = [str(root) for root in data.get("roots") or []]
        if roots:
            report.cost.add(reconcile(db, view_cls, roots))
            report.roots += len(roots)
        else:
            report.cost = rebuild(view_cls, db, restart=True, progress=progress)
            report.rebuilt_views.append(view_name(view_cls))
        record.reference.delete()
        report.records += 1
    return report


def find_view(spec: str, app_module: str | None = None) -> type[ViewModel]:
    """A view model by ``package.module.Class`` / ``package.module:Class``, or by class name
    among the views registered after importing ``app_module``."""
    if app_module:
        importlib.import_module(app_module)
    if ":" in spec or "." in spec:
        module_name, _, attribute = spec.replace(":", ".").rpartition(".")
        found = getattr(importlib.import_module(module_name), attribute)
        if not (isinstance(found, type) and issubclass(found, ViewModel)):
            raise ModelDefinitionError(f"{spec} is not a view model.")
        return found
    return registry.find(spec)
