"""Recompute the view documents that depend on one changed domain document.

One entry point per kind of source (see :mod:`.declaration`):

* :func:`refresh_from_root_event`: a root document changed. Its before/after states come
  from the event; views of the old state that the new state no longer has are deleted
  (an attendee removed, the meeting deleted); followed references of the new state are
  read with one batched ``get_all``; back-references with one query each.
* :func:`refresh_from_followed_event`: a referenced document changed. One reverse query
  finds the roots that reference it; the changed document itself comes from the event.
* :func:`refresh_from_backref_event`: a document pointing at roots changed. The roots it
  points at, before and after, come from the event and are read with one ``get_all``.

Each computes its plan inside :func:`~.writer.run_refresh`'s transaction, which skips
unchanged views and guards against stale events.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from google.cloud.firestore_v1 import DocumentReference, DocumentSnapshot
from google.cloud.firestore_v1.base_query import FieldFilter

from ..errors import InvalidSourceDocument, PathError, ValidationError
from ..models.paths import PathTemplate
from ..triggers.events import DocumentEvent
from .declaration import Source, ViewDeclaration
from .writer import Reader, SourceGuard, ViewWrite, WriteReport, run_refresh


def reference_path(value: Any) -> str | None:
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


def referenced_paths(obj: Any, attribute: str) -> list[str]:
    """Paths that ``obj.attribute`` references, in order (one, or many for a list/map)."""
    value = getattr(obj, attribute)
    if value is None:
        return []
    if isinstance(value, Mapping):
        value = list(value.values())
    if isinstance(value, (list, tuple)):
        return [path for path in (reference_path(item) for item in value) if path]
    path = reference_path(value)
    return [path] if path else []


def referencing_query(db: Any, model: type, attribute: str, target_path: str) -> Any:
    """The query for ``model`` documents whose reference field ``attribute`` points at ``target_path``."""
    field_obj = model._meta.schema.fields[attribute]
    stored_key = field_obj.data_key or attribute
    operator = "array_contains" if getattr(field_obj, "many", False) else "=="
    template = model._meta.path
    collection = (
        db.collection_group(template.collection_id)
        if template.parent_params
        else db.collection(template.collection_path({}))
    )
    return collection.where(filter=FieldFilter(stored_key, operator, db.document(target_path)))


def load_source(model: type, snapshot: DocumentSnapshot) -> Any:
    """``model`` loaded from a domain document, or :class:`InvalidSourceDocument` naming it."""
    try:
        return model.from_snapshot(snapshot)
    except ValidationError as exc:
        raise InvalidSourceDocument(snapshot.reference.path, model.__name__, exc.errors) from exc


def _model_or_none(model: type, snapshot: DocumentSnapshot | None) -> Any:
    return load_source(model, snapshot) if snapshot is not None and snapshot.exists else None


@dataclass
class SourceData:
    """Everything loaded for a set of roots: referenced documents and back-reference results."""

    documents: dict[str, Any] = field(default_factory=dict)
    backrefs: dict[tuple[str, str], list[Any]] = field(default_factory=dict)


def load_sources(
    reader: Reader, declaration: ViewDeclaration, roots: Iterable[Any], known: Mapping[str, Any] | None = None
) -> SourceData:
    """Load the followed references of ``roots`` with one ``get_all`` (minus ``known`` ones, taken
    from the event) and run each back-reference query once per root."""
    roots = list(roots)
    data = SourceData(documents=dict(known or {}))
    wanted: dict[str, type] = {}
    for root in roots:
        for source in declaration.followed:
            for path in referenced_paths(root, source.via_attribute):
                if path not in data.documents:
                    wanted.setdefault(path, source.model)
    for path, snapshot in reader.get_all(wanted).items():
        data.documents[path] = _model_or_none(wanted[path], snapshot)
    for root in roots:
        for source in declaration.backrefs:
            query = referencing_query(reader.db, source.model, source.backref, root.doc_path)
            data.backrefs[(root.doc_path, source.name)] = [
                load_source(source.model, snapshot) for snapshot in reader.query(query)
            ]
    return data


def sources_for(view_cls: type, root: Any, data: SourceData) -> dict[str, Any]:
    """The ``name -> value`` mapping a view's ``compute`` sees for one root."""
    declaration = view_cls._fb_declaration
    values: dict[str, Any] = {declaration.root.name: root}
    for source in declaration.followed:
        found = [data.documents.get(path) for path in referenced_paths(root, source.via_attribute)]
        if source.many:
            values[source.name] = [item for item in found if item is not None]
        else:
            values[source.name] = found[0] if found else None
    for source in declaration.backrefs:
        values[source.name] = data.backrefs.get((root.doc_path, source.name), [])
    return values


def desired_views(view_cls: type, root: Any, data: SourceData) -> dict[str, dict[str, Any]]:
    """view path -> stored data, for every view ``root`` has now."""
    sources = sources_for(view_cls, root, data)
    return {view.doc_path: view.to_dict() for view in view_cls.build_all(root, sources)}


def plan_for_roots(
    reader: Reader, view_cls: type, roots: Iterable[Any], known: Mapping[str, Any] | None = None
) -> list[ViewWrite]:
    """Load what ``roots`` need and compute every view they have now."""
    roots = list(roots)
    data = load_sources(reader, view_cls._fb_declaration, roots, known)
    return [ViewWrite(path, stored) for root in roots for path, stored in desired_views(view_cls, root, data).items()]


def _guard(event: DocumentEvent, view_cls: type | None = None) -> SourceGuard:
    current_paths = None
    if view_cls is not None:
        root_model = view_cls._fb_declaration.root.model

        def current_paths(snapshot: DocumentSnapshot) -> set[str]:
            return set(view_cls.paths_for(load_source(root_model, snapshot))) if snapshot.exists else set()

    return SourceGuard(event.document, event.after.update_time if event.after.exists else None, current_paths)


def _unchanged(event: DocumentEvent) -> bool:
    return event.before.exists and event.after.exists and event.before.to_dict() == event.after.to_dict()


def refresh_from_root_event(db: Any, view_cls: type, event: DocumentEvent) -> WriteReport:
    """Refresh the views of the root document named by ``event``."""
    root_model = view_cls._fb_declaration.root.model
    before = _model_or_none(root_model, event.before)
    after = _model_or_none(root_model, event.after)

    def plan(reader: Reader) -> list[ViewWrite]:
        writes = [ViewWrite(path, None) for path in (view_cls.paths_for(before) if before is not None else [])]
        if after is not None:
            writes += plan_for_roots(reader, view_cls, [after])  # later entries win over the deletes
        return writes

    return run_refresh(db, plan, _guard(event, view_cls))


def refresh_from_followed_event(db: Any, view_cls: type, followed: Source, event: DocumentEvent) -> WriteReport:
    """Refresh every view whose root references the document named by ``event``."""
    if _unchanged(event):
        return WriteReport()  # a write that changed nothing visible to any view
    root_model = view_cls._fb_declaration.root.model
    known = {event.document: _model_or_none(followed.model, event.after)}

    def plan(reader: Reader) -> list[ViewWrite]:
        query = referencing_query(db, root_model, followed.via_attribute, event.document)
        roots = [load_source(root_model, snapshot) for snapshot in reader.query(query)]
        return plan_for_roots(reader, view_cls, roots, known)

    return run_refresh(db, plan, _guard(event))


def refresh_from_backref_event(db: Any, view_cls: type, backref: Source, event: DocumentEvent) -> WriteReport:
    """Refresh the views of the roots the changed document points at, before and after."""
    if _unchanged(event):
        return WriteReport()
    root_model = view_cls._fb_declaration.root.model
    root_paths: list[str] = []
    for snapshot in (event.before, event.after):
        changed = _model_or_none(backref.model, snapshot)
        if changed is not None:
            root_paths += referenced_paths(changed, backref.backref)

    def plan(reader: Reader) -> list[ViewWrite]:
        snapshots = reader.get_all(root_paths)
        roots = [load_source(root_model, s) for s in snapshots.values() if s.exists]
        return plan_for_roots(reader, view_cls, roots)

    # No stale guard: the event only says which roots to refresh; their back-reference
    # queries read current data inside the transaction. A late event still refreshes the
    # roots it names (it may be the only one naming a root the document stopped pointing at).
    return run_refresh(db, plan)


def computed_views(db: Any, view_cls: type, roots: Iterable[Any]) -> list[Any]:
    """Flask-As-View for many roots at once: every view they have now, computed, not persisted
    (followed references in one ``get_all`` for all roots)."""
    roots = list(roots)
    data = load_sources(Reader(db, None, WriteReport()), view_cls._fb_declaration, roots)
    return [view for root in roots for view in view_cls.build_all(root, sources_for(view_cls, root, data))]


def compute_view(db: Any, view_cls: type, key: Mapping[str, str], transaction: Any = None) -> Any | None:
    """Flask-As-View: compute one view from current domain data, persisting nothing.

    ``key`` holds the view's path parameters. The root document is located from the
    parameters it shares with the view (``meetings/{meeting_id}`` from
    ``users/{uid}/meetingSessions/{meeting_id}``); its followed references are read with one
    ``get_all``. Returns ``None`` when the root is missing or has no view at ``key``.
    With ``transaction``, every read goes through it (REST writes check preconditions so).
    """
    declaration = view_cls._fb_declaration
    root_source = declaration.root
    try:
        root_path = PathTemplate.parse(root_source.path).render(key)
    except PathError as exc:
        raise ValueError(
            f"{view_cls.__name__}: cannot locate the root {root_source.path!r} from the view key {dict(key)!r}: {exc}"
        ) from exc
    reader = Reader(db, transaction, WriteReport())
    root = _model_or_none(root_source.model, reader.get_all([root_path])[root_path])
    if root is None:
        return None
    wanted = {name: str(value) for name, value in key.items()}
    if wanted not in [dict(k) for k in view_cls.keys_for(root)]:
        return None
    sources = sources_for(view_cls, root, load_sources(reader, declaration, [root]))
    for view in view_cls.build_all(root, sources):
        if view.key == wanted:
            return view
    return None
