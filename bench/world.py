"""Example-app data for the benchmarks, and bringing every view up to date without triggers."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from typing import Any

from flask_boiler.context import Context
from flask_boiler.testing.events import document_event
from flask_boiler.views.reconcile import reconcile
from flask_boiler.views.stamp import view_content
from shared_models import VIEW_MODELS, Meeting, User
from shared_models.seed import seed_domain

#: k for "rename a user who attends k meetings".
RENAME_KS = (1, 5, 20)
VIEW_GROUPS = ("meetingSessions", "userViews")


def _save_all(objects: Iterable[Any]) -> None:
    with User.batch() as batch:
        for obj in objects:
            batch.save(obj)


def seed_ops_world() -> None:
    """The example's seed (ann, bob, cy; blue, red; standup, retro, planning) plus, per k,
    a user ``rk{k}`` attending k meetings ``rk{k}-{i}``, each shared with ``rk{k}mate``."""
    seed_domain()
    start = datetime.datetime(2030, 1, 1, 9, tzinfo=datetime.UTC)
    for k in RENAME_KS:
        user = User.new(f"rk{k}", first_name=f"Kay{k}", last_name="Renamed")
        mate = User.new(f"rk{k}mate", first_name=f"Mate{k}", last_name="Stays")
        _save_all([user, mate])
        _save_all(
            Meeting.new(
                f"rk{k}-{i}",
                title=f"Meeting {i} of {k}",
                starts_at=start + datetime.timedelta(days=i),
                attendees=[user, mate],
            )
            for i in range(k)
        )


def rebuild_views(views: Sequence[type] = VIEW_MODELS) -> None:
    """Bring every view of ``views`` to its current content (what the triggers would have done)."""
    db = Context.db
    for view_cls in views:
        roots = [root.doc_path for root in view_cls.declaration().root.model.query()]
        for start in range(0, len(roots), 100):
            reconcile(db, view_cls, roots[start : start + 100])


def snapshot(path: str) -> tuple[dict | None, datetime.datetime | None]:
    snap = Context.db.document(path).get()
    return (snap.to_dict(), snap.update_time) if snap.exists else (None, None)


def event_for(path: str, before: tuple[dict | None, datetime.datetime | None]) -> Any:
    """A real protobuf CloudEvent for ``path``: ``before`` as given, ``after`` as stored now
    (with its real update_time), as the emulator would deliver it."""
    after_data, after_time = snapshot(path)
    return document_event(path, before=before[0], after=after_data, before_time=before[1], after_time=after_time)


def view_documents(groups: Sequence[str] = VIEW_GROUPS) -> dict[str, dict]:
    """path -> content of every view document (outside any measurement)."""
    db = Context.db
    return {snap.reference.path: view_content(snap) for group in groups for snap in db.collection_group(group).stream()}


def changed_views(before: dict[str, dict], after: dict[str, dict]) -> set[str]:
    return {path for path in set(before) | set(after) if before.get(path) != after.get(path)}


def raw_view_documents(groups: Sequence[str] = VIEW_GROUPS) -> dict[str, dict]:
    """path -> stored data of every view document, bookkeeping fields included."""
    db = Context.db
    return {snap.reference.path: snap.to_dict() for group in groups for snap in db.collection_group(group).stream()}


def restore_view_documents(documents: dict[str, dict], groups: Sequence[str] = VIEW_GROUPS) -> None:
    """Put every view document back as ``documents`` has it (the naive baseline rewrote them)."""
    db = Context.db
    existing = {snap.reference.path for group in groups for snap in db.collection_group(group).stream()}
    batch = db.batch()
    for path in existing - documents.keys():
        batch.delete(db.document(path))
    for path, data in documents.items():
        batch.set(db.document(path), data)
    batch.commit()
