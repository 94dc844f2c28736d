"""Rebuild (backfill) every view of a view model from current domain data.

Use it when a view model is new, when its definition changed, or to repair views after an
outage. ``python -m flask_boiler rebuild shared_models.MeetingSession``.

* **Batched**: roots are paged through by name (:mod:`.pages`); each page is recomputed in
  one transaction (the page's roots re-read with one ``get_all``, their followed references
  with another, the current views with a third), and unchanged views are not rewritten.
* **Resumable**: after each page the cursor (the last root's path) is saved in
  ``flaskBoilerRebuilds/{view}``; a rerun continues after the last finished page
  (``restart=True`` starts over).
* **Orphans**: a second pass pages through the existing view documents and deletes those
  whose root no longer exists or no longer has that key (e.g. after ``keys`` changed).
* **Remote**: the same pages, run by Cloud Tasks (:mod:`flask_boiler.tasks.runs`).
* **Progress**: a tqdm bar per pass (disable with ``progress=False``).
"""

from __future__ import annotations

import datetime
import importlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from google.api_core import exceptions as api_exceptions
from google.cloud.firestore_v1 import DocumentSnapshot

from .._private.document_reads import get_all
from ..errors import ModelDefinitionError
from .pages import count_documents, document_page
from .reconcile import reconcile
from .refresh import RefreshReport
from .registry import registry
from .view_model import ViewModel

CHECKPOINTS = "flaskBoilerRebuilds"
#: Refreshes a trigger gave up on (too old to retry), for :func:`repair_skipped`.
SKIPPED = "flaskBoilerSkipped"
DEFAULT_PAGE_SIZE = 200
#: Views per page of the orphan check: it reads names only, and each view's root once.
MIN_ORPHAN_PAGE_SIZE = 500


def orphan_page_size(page_size: int) -> int:
    """Pages of the orphan check: views are many per root, and cheap to check by name."""
    return max(page_size, MIN_ORPHAN_PAGE_SIZE)


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
    template = view_cls.declaration().root_path
    checkpoint = db.collection(CHECKPOINTS).document(view_name(view_cls).replace("/", "_"))
    report = RebuildReport()
    state = checkpoint.get()
    after = None
    if state.exists and not restart and not state.get("done"):
        cursor = state.get("cursor")
        # A cursor is the last root name of a finished page (older checkpoints held other tokens).
        after = cursor if isinstance(cursor, str) and template.match(cursor) is not None else None
        report.resumed = after is not None

    with _progress(count_documents(db, template), f"{view_cls.__name__}: roots", progress) as bar:
        while True:
            page = document_page(db, template, after, page_size)
            if page.paths:
                report.add(reconcile(db, view_cls, page.paths))
            report.roots += len(page.paths)
            checkpoint.set({"cursor": page.next_after, "done": False, "updatedAt": datetime.datetime.now(datetime.UTC)})
            bar.update(page.scanned)
            if page.next_after is None:
                break
            after = page.next_after

    if delete_orphans:
        _delete_orphans(view_cls, db, page_size, report, progress)
    checkpoint.set({"cursor": None, "done": True, "updatedAt": datetime.datetime.now(datetime.UTC)})
    return report


def _delete_orphans(view_cls: type[ViewModel], db: Any, page_size: int, report: RebuildReport, progress: bool) -> None:
    template = view_cls.path_template()
    with _progress(count_documents(db, template), f"{view_cls.__name__}: orphan check", progress) as bar:
        after = None
        while True:
            page = document_page(db, template, after, orphan_page_size(page_size))
            orphans = delete_orphans(db, view_cls, page.snapshots)
            report.cost.reads += orphans.reads
            report.cost.deletes += orphans.deleted
            report.orphans_deleted += orphans.deleted
            report.views_checked += len(page.snapshots)
            bar.update(page.scanned)
            if page.next_after is None:
                return
            after = page.next_after


@dataclass(frozen=True)
class OrphanReport:
    deleted: int
    reads: int


def delete_orphans(db: Any, view_cls: type[ViewModel], views: Sequence[DocumentSnapshot[Any]]) -> OrphanReport:
    """Delete those of ``views`` (stored view snapshots) whose root is gone or no longer has them
    (e.g. after ``keys`` changed); reconciling the roots removes the rest.

    Each delete is conditional on the view being the version read: a view a trigger rewrote
    meanwhile (its root just gained that key) is left alone.
    """
    declaration = view_cls.declaration()
    template = view_cls.path_template()
    root_of: dict[str, str] = {}
    for view in views:
        key = template.match(view.reference.path)
        if key is not None:
            root_of[view.reference.path] = declaration.root_path.render(key)
    wanted = sorted(set(root_of.values()))
    has: dict[str, set[str] | None] = {}  # root -> its view paths; None: cannot tell (invalid, or keys() failed)
    for snapshot in get_all(db, [db.document(path) for path in wanted]) if wanted else []:
        try:
            root = declaration.root.model.from_snapshot(snapshot) if snapshot.exists else None
            has[snapshot.reference.path] = set(view_cls.paths_for(root)) if root is not None else set()
        except Exception:  # noqa: BLE001 - invalid data or a bug in keys(): keep its views, the refresh reports it
            has[snapshot.reference.path] = None
    orphans = []
    for view in views:
        root_paths = has.get(root_of.get(view.reference.path, ""))
        if view.reference.path in root_of and root_paths is not None and view.reference.path not in root_paths:
            orphans.append(view)
    deleted = 0
    for view in orphans:
        try:
            view.reference.delete(option=db.write_option(last_update_time=view.update_time))
            deleted += 1
        except (api_exceptions.FailedPrecondition, api_exceptions.NotFound):
            continue  # rewritten or deleted meanwhile: not ours to remove
    return OrphanReport(deleted=deleted, reads=len(wanted))


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
