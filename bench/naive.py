"""The baseline for operation counts: the naive refresh of the original flask-boiler design.

Same view models, same data, same event; what differs is the strategy. For every view model
that watches the changed document's pattern:

* find the dependent roots: the triggering document itself (root source); the roots whose
  reference field points at it, by the same reverse query our design uses (followed source);
  the roots it points at before (from the event) and after (re-read) (back-reference source);
* for **every dependent view document**, re-read what it is bound to, one ``get()`` per
  document: its root (including the triggering document, which the event already carried)
  and each referenced document, and run its back-reference queries; compute it with the
  view model's own ``compute``;
* write every dependent view unconditionally (no comparison with what is stored), and delete
  the views of keys the root had before the change but not now (unconditionally too).

There is no stale-event guard: because it re-reads everything, a late event rewrites the
views from current data (correct, at full price).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_boiler.triggers.events import decode_document_event
from flask_boiler.views.registry import watched_patterns
from flask_boiler.views.sources import reference_paths

MAX_BATCH = 500


def _get(db: Any, model: type, path: str) -> Any:
    snapshot = db.document(path).get()
    return model.from_snapshot(snapshot) if snapshot.exists else None


def _sources_of(db: Any, view_cls: type, root: Any) -> dict[str, Any]:
    """Read what one view is bound to besides its root: each reference (one ``get()`` each)
    and each back-reference query."""
    declaration = view_cls.declaration()
    sources: dict[str, Any] = {declaration.root.name: root}
    for source in declaration.followed:
        found = [root]
        for hop in source.hops:
            found = [
                _get(db, hop.target, path)
                for document in found
                if document is not None
                for path in reference_paths(getattr(document, hop.attribute))
            ]
        found = [f for f in found if f is not None]
        sources[source.name] = found if source.many else (found[0] if found else None)
    for source in declaration.backrefs:
        query = source.backref_query.query(db, [root.doc_path])
        sources[source.name] = [source.model.from_snapshot(s) for s in query.stream()]
    return sources


def _compute_one(view_cls: type, key: dict[str, str], sources: dict[str, Any]) -> Any:
    template = view_cls._meta.path
    view = view_cls.new(key[template.id_param], **{name: key[name] for name in template.parent_params})
    object.__setattr__(view, "_fb_sources", dict(sources))  # the original design: no guard
    object.__setattr__(view, "_fb_key", key)
    values = view.compute()
    for name, value in (values or {}).items():
        setattr(view, name, value)
    return view


def naive_refresh(db: Any, pattern: str, cloud_event: Any, views: Sequence[type]) -> None:
    event = decode_document_event(cloud_event, db, pattern)
    writes: list[tuple[str, Any]] = []  # (path, data or None for a delete)
    for watcher in watched_patterns(views).get(pattern, []):
        view_cls, source = watcher.view, watcher.source
        declaration = view_cls.declaration()
        root_model = declaration.root.model
        if source.is_root:
            root_paths = [event.path]
            old_paths = (
                set(view_cls.paths_for(root_model.from_snapshot(event.before))) if event.before.exists else set()
            )
        elif source.is_backref:
            root_paths = (
                reference_paths(getattr(source.model.from_snapshot(event.before), source.backref))
                if event.before.exists
                else []
            )
            current = _get(db, source.model, event.path)  # the triggering document, re-read
            root_paths += reference_paths(getattr(current, source.backref)) if current is not None else []
            old_paths = set()
        else:
            targets = [event.path]
            position = watcher.hop if watcher.hop is not None else len(source.hops) - 1
            for index in range(position, -1, -1):
                query = source.hops[index].reverse
                targets = [s.reference.path for target in targets for s in query.query(db, [target]).stream()]
            root_paths = targets
            old_paths = set()
        new_paths: set[str] = set()
        for root_path in dict.fromkeys(root_paths):
            root = _get(db, root_model, root_path)  # also tells which views the root has
            if root is None:
                continue
            for number, key in enumerate(view_cls.keys_for(root)):
                if number:  # every further view of this root re-reads its root too
                    root = _get(db, root_model, root_path) or root
                sources = _sources_of(db, view_cls, root)
                view = _compute_one(view_cls, key, sources)
                new_paths.add(view.doc_path)
                writes.append((view.doc_path, view.to_dict()))
        writes += [(path, None) for path in sorted(old_paths - new_paths)]
    for start in range(0, len(writes), MAX_BATCH):
        batch = db.batch()
        for path, data in writes[start : start + MAX_BATCH]:
            if data is None:
                batch.delete(db.document(path))
            else:
                batch.set(db.document(path), data)
        batch.commit()
