"""Recompute the view documents that depend on one changed domain document.

Two entry points, one per kind of source (see :mod:`.declaration`):

* :func:`refresh_from_root_event`: a root document changed. Its before/after states come
  from the event; views of the old state that the new state no longer has are deleted
  (an attendee removed, the meeting deleted); followed references of the new state are
  read with one batched ``get_all``.
* :func:`refresh_from_followed_event`: a referenced document changed. One reverse query
  finds the roots that reference it; their other references are read with one
  ``get_all``; the changed document itself comes from the event.

Both end in :func:`~.writer.apply_view_writes`, which skips unchanged views and guards
against stale events.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping, Optional, Sequence

from google.cloud.firestore_v1 import DocumentReference, DocumentSnapshot
from google.cloud.firestore_v1.base_query import FieldFilter

from .._private.paths import render_template
from ..triggers.events import DocumentEvent
from .declaration import Source
from .writer import SourceGuard, ViewWrite, WriteReport, apply_view_writes


def reference_path(value: Any) -> Optional[str]:
    """The document path a reference attribute points at (model instance, reference or path)."""
    if value is None:
        return None
    if isinstance(value, DocumentReference):
        return value.path
    doc_ref = getattr(value, "doc_ref", None)
    if isinstance(doc_ref, DocumentReference):
        return doc_ref.path
    if isinstance(value, str):
        return value.strip("/")
    raise TypeError(f"Cannot follow {value!r}: expected a model instance, DocumentReference or path.")


def followed_paths(root: Any, followed: Source) -> list[str]:
    """Paths a root's reference attribute points at, in order (a list for many=True)."""
    value = getattr(root, followed.via_attribute)
    if value is None:
        return []
    if followed.many:
        items = value.values() if isinstance(value, Mapping) else value
        return [path for path in (reference_path(item) for item in items) if path]
    path = reference_path(value)
    return [path] if path else []


def load_followed(
    db: Any,
    followed: Sequence[Source],
    roots: Iterable[Any],
    known: Optional[Mapping[str, Any]] = None,
    report: Optional[WriteReport] = None,
) -> dict[str, Any]:
    """path -> loaded model (or ``None`` if missing) for every followed reference of ``roots``.

    ``known`` holds documents already at hand (from the event): they are not read. The rest
    are read with a single ``get_all``.
    """
    loaded: dict[str, Any] = dict(known or {})
    wanted: dict[str, type] = {}
    for root in roots:
        for source in followed:
            for path in followed_paths(root, source):
                if path not in loaded:
                    wanted.setdefault(path, source.model)
    if wanted:
        snapshots = db.get_all([db.document(path) for path in wanted])
        for snapshot in snapshots:
            model = wanted[snapshot.reference.path]
            loaded[snapshot.reference.path] = model.from_snapshot(snapshot) if snapshot.exists else None
        if report is not None:
            report.reads += len(wanted)
    return loaded


def sources_for(view_cls: type, root: Any, loaded: Mapping[str, Any]) -> dict[str, Any]:
    """The ``name -> value`` mapping a view's ``compute`` sees for one root."""
    declaration = view_cls._fb_declaration
    values: dict[str, Any] = {declaration.root.name: root}
    for source in declaration.followed:
        found = [loaded.get(path) for path in followed_paths(root, source)]
        if source.many:
            values[source.name] = [item for item in found if item is not None]
        else:
            values[source.name] = found[0] if found else None
    return values


def desired_views(view_cls: type, root: Any, loaded: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """view path -> stored data, for every view ``root`` has now."""
    sources = sources_for(view_cls, root, loaded)
    return {view.doc_path: view.to_dict() for view in view_cls.build_all(root, sources)}


def _model_or_none(model: type, snapshot: DocumentSnapshot) -> Any:
    return model.from_snapshot(snapshot) if snapshot.exists else None


def _guard(event: DocumentEvent, view_cls: Optional[type] = None) -> SourceGuard:
    current_paths = None
    if view_cls is not None:
        root_model = view_cls._fb_declaration.root.model

        def current_paths(snapshot: DocumentSnapshot) -> set[str]:
            return set(view_cls.paths_for(root_model.from_snapshot(snapshot))) if snapshot.exists else set()

    return SourceGuard(event.document, event.after.update_time if event.after.exists else None, current_paths)


def refresh_from_root_event(db: Any, view_cls: type, event: DocumentEvent) -> WriteReport:
    """Refresh the views of the root document named by ``event``."""
    declaration = view_cls._fb_declaration
    root_model = declaration.root.model
    before = _model_or_none(root_model, event.before)
    after = _model_or_none(root_model, event.after)
    report = WriteReport()
    writes: dict[str, Optional[dict[str, Any]]] = {}
    if before is not None:
        writes.update({path: None for path in view_cls.paths_for(before)})
    if after is not None:
        loaded = load_followed(db, declaration.followed, [after], report=report)
        writes.update(desired_views(view_cls, after, loaded))
    plan = [ViewWrite(path, data) for path, data in writes.items()]
    return report.merge(apply_view_writes(db, plan, _guard(event, view_cls)))


def refresh_from_followed_event(db: Any, view_cls: type, followed: Source, event: DocumentEvent) -> WriteReport:
    """Refresh every view whose root references the document named by ``event``."""
    report = WriteReport()
    if event.before.exists and event.after.exists and event.before.to_dict() == event.after.to_dict():
        return report  # a write that changed nothing visible to any view
    declaration = view_cls._fb_declaration
    root_model = declaration.root.model
    field = root_model._meta.schema.fields[followed.via_attribute]
    stored_key = field.data_key or followed.via_attribute
    operator = "array_contains" if followed.many else "=="
    template = root_model._meta.path
    collection = (
        db.collection_group(template.collection_id)
        if template.parent_params
        else db.collection(template.collection_path({}))
    )
    query = collection.where(filter=FieldFilter(stored_key, operator, db.document(event.document)))
    snapshots = list(query.stream())
    report.reads += max(1, len(snapshots))  # a query is billed at least one read
    roots = [root_model.from_snapshot(snapshot) for snapshot in snapshots]
    known = {event.document: _model_or_none(followed.model, event.after)}
    loaded = load_followed(db, declaration.followed, roots, known=known, report=report)
    plan = [ViewWrite(path, data) for root in roots for path, data in desired_views(view_cls, root, loaded).items()]
    return report.merge(apply_view_writes(db, plan, _guard(event)))


def compute_view(db: Any, view_cls: type, key: Mapping[str, str]) -> Optional[Any]:
    """Flask-As-View: compute one view from current domain data, persisting nothing.

    ``key`` holds the view's path parameters. The root document is located from the
    parameters it shares with the view (``meetings/{meeting_id}`` from
    ``users/{uid}/meetingSessions/{meeting_id}``); its followed references are read with one
    ``get_all``. Returns ``None`` when the root is missing or has no view at ``key``.
    """
    declaration = view_cls._fb_declaration
    root_source = declaration.root
    try:
        root_path = render_template(root_source.path, key)
    except KeyError as exc:
        raise ValueError(
            f"{view_cls.__name__}: cannot locate the root {root_source.path!r} from the view key {dict(key)!r}."
        ) from exc
    snapshot = db.document(root_path).get()
    if not snapshot.exists:
        return None
    root = root_source.model.from_snapshot(snapshot)
    wanted = {name: str(value) for name, value in key.items()}
    if wanted not in [dict(k) for k in view_cls.keys_for(root)]:
        return None
    loaded = load_followed(db, declaration.followed, [root])
    sources = sources_for(view_cls, root, loaded)
    for view in view_cls.build_all(root, sources):
        if view.key == wanted:
            return view
    return None
