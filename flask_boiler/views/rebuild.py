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
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ..models.paths import PathTemplate
from .refresh import plan_for_roots
from .registry import registered_views
from .writer import Reader, ViewWrite, WriteReport, apply_view_writes, run_refresh

CHECKPOINTS = "flaskBoilerRebuilds"
DEFAULT_PAGE_SIZE = 200


@dataclass
class RebuildReport:
    roots: int = 0
    views_checked: int = 0
    orphans_deleted: int = 0
    resumed: bool = False
    cost: WriteReport = None  # type: ignore[assignment]

    def __post_init__(self) -> None:
        if self.cost is None:
            self.cost = WriteReport()


def _every_document(model: type) -> Any:
    """A query over all of ``model``'s documents (a collection group under parent documents)."""
    return model.collection_group() if model._meta.path.parent_params else model.query()


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
    view_cls: type,
    db: Any,
    *,
    page_size: int = DEFAULT_PAGE_SIZE,
    restart: bool = False,
    delete_orphans: bool = True,
    progress: bool = True,
) -> RebuildReport:
    """Recompute all views of ``view_cls``; see the module docstring."""
    declaration = view_cls._fb_declaration
    root_source = declaration.root
    checkpoint = db.collection(CHECKPOINTS).document(view_name(view_cls).replace("/", "_"))
    report = RebuildReport()
    state = checkpoint.get()
    cursor = None
    if state.exists and not restart and not state.get("done"):
        cursor = state.get("cursor")
        report.resumed = cursor is not None

    query = _every_document(root_source.model)
    with _progress(query.count(), f"{view_cls.__name__}: roots", progress) as bar:
        for roots, next_cursor in _pages(query, page_size, cursor):
            paths = [
                root.doc_path for root in roots if PathTemplate.parse(root_source.path).match(root.doc_path) is not None
            ]
            report.cost.merge(run_refresh(db, lambda reader, paths=paths: _page_plan(reader, view_cls, paths)))
            report.roots += len(paths)
            checkpoint.set({"cursor": next_cursor, "done": False, "updatedAt": datetime.datetime.now(datetime.UTC)})
            bar.update(len(roots))

    if delete_orphans:
        _delete_orphans(view_cls, db, page_size, report, progress)
    checkpoint.set({"cursor": None, "done": True, "updatedAt": datetime.datetime.now(datetime.UTC)})
    return report


def _page_plan(reader: Reader, view_cls: type, root_paths: list[str]) -> list[ViewWrite]:
    """Re-read a page of roots inside the refresh transaction, so a rebuild racing with live
    triggers never writes views from data older than what it commits against."""
    root_model = view_cls._fb_declaration.root.model
    roots = [root_model.from_snapshot(s) for s in reader.get_all(root_paths).values() if s.exists]
    return plan_for_roots(reader, view_cls, roots)


def _delete_orphans(view_cls: type, db: Any, page_size: int, report: RebuildReport, progress: bool) -> None:
    root_source = view_cls._fb_declaration.root
    template = view_cls._meta.path
    root_template = PathTemplate.parse(root_source.path)
    query = _every_document(view_cls)
    with _progress(query.count(), f"{view_cls.__name__}: orphan check", progress) as bar:
        for views, _ in _pages(query, page_size, None):
            keyed = {view.doc_path: template.match(view.doc_path) for view in views}
            keyed = {path: key for path, key in keyed.items() if key is not None}
            root_paths = {path: root_template.render(key) for path, key in keyed.items()}
            roots = {}
            if root_paths:
                for snapshot in db.get_all([db.document(p) for p in set(root_paths.values())]):
                    roots[snapshot.reference.path] = (
                        root_source.model.from_snapshot(snapshot) if snapshot.exists else None
                    )
                report.cost.reads += len(set(root_paths.values()))
            orphans = [
                ViewWrite(path, None)
                for path, root_path in root_paths.items()
                if roots.get(root_path) is None or path not in view_cls.paths_for(roots[root_path])
            ]
            if orphans:
                result = apply_view_writes(db, orphans)
                report.cost.merge(result)
                report.orphans_deleted += result.deletes
            report.views_checked += len(views)
            bar.update(len(views))


def find_view(spec: str, app_module: str | None = None) -> type:
    """A view model by ``package.module.Class`` / ``package.module:Class``, or by class name
    among the views registered after importing ``app_module``."""
    if app_module:
        importlib.import_module(app_module)
    if ":" in spec or "." in spec:
        module_name, _, attribute = spec.replace(":", ".").rpartition(".")
        return getattr(importlib.import_module(module_name), attribute)
    matches = [view for view in registered_views() if view.__name__ == spec]
    if len(matches) != 1:
        known = ", ".join(sorted(view_name(v) for v in registered_views())) or "none"
        raise LookupError(f"No single view model named {spec!r} (registered: {known}).")
    return matches[0]
