"""Computing view documents from their sources: for the refresh engine and for Flask-As-View.

:func:`compute_root` runs a view model's ``compute`` for every view one root has, in one
:class:`~.sources.World`, and returns what would be stored — or why it cannot be:

* :class:`~.sources.Blocked`: a source document does not load as its model. The views of
  this root keep their last good state; other roots go on.
* :class:`ComputeFailed`: ``compute``/``keys`` raised, or produced a view its own schema
  rejects (:class:`~flask_boiler.errors.InvalidView`). That is a bug in the view model; the
  refresh of *other* view models goes on.

:func:`compute_view` and :func:`computed_views` serve REST's computed mode with the same code,
without a transaction and without persisting anything.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import InvalidSourceDocument, PathError
from .sources import Blocked, SourceReader, World, gather, sources_for
from .view_model import ViewModel

__all__ = ["ComputeFailed", "Computed", "compute_root", "compute_view", "computed_views"]

#: view path -> stored data, for every view a root has.
Computed = dict[str, dict[str, Any]]


@dataclass(frozen=True)
class ComputeFailed:
    """``compute`` (or ``keys``, or the view's validation) raised for this root."""

    error: Exception


def compute_root(
    view_cls: type[ViewModel],
    root_path: str,
    world: World,
    only: Collection[str] | None = None,
    *,
    validate: bool = True,
) -> Computed | Blocked | ComputeFailed:
    """The views ``root_path`` has in ``world`` (everything must have been gathered); with
    ``only``, just those of them at the given paths. ``validate=False`` for views that are
    only compared, never written (type-checked, not validated: the same dict when valid)."""
    declaration = view_cls.declaration()
    try:
        root = world.load(declaration.root.model, root_path)
        if root is None:
            return {}
        sources = sources_for(declaration, root, world)
    except InvalidSourceDocument as exc:
        return Blocked(exc.path, exc)
    try:
        views = view_cls.compute_all(root, sources, only)
        return {view.doc_path: view.stored() if validate else view.to_dict() for view in views}
    except Exception as exc:  # noqa: BLE001 - user code: any bug is reported per view model, not fatal to others
        return ComputeFailed(exc)


def computed_views(db: Any, view_cls: type[ViewModel], roots: Iterable[Any]) -> list[ViewModel]:
    """Flask-As-View for many roots at once: every view they have now, computed, not persisted
    (followed references of all roots read together, one wave per hop)."""
    declaration = view_cls.declaration()
    roots = list(roots)
    reader = SourceReader(db)
    for root in roots:  # already read by the caller: no need to read them again
        reader.documents.setdefault(root.doc_path, _snapshot_of(db, root))
    world = World(reader)
    gather(world, [(declaration, root.doc_path) for root in roots])
    views: list[ViewModel] = []
    for root in roots:
        views.extend(view_cls.compute_all(root, sources_for(declaration, root, world)))
    return views


def _snapshot_of(db: Any, root: Any) -> Any:
    from google.cloud.firestore_v1 import DocumentSnapshot

    return DocumentSnapshot(
        db.document(root.doc_path),
        root.to_dict(),
        exists=True,
        read_time=None,
        create_time=root.create_time,
        update_time=root.update_time,
    )


def compute_view(
    db: Any, view_cls: type[ViewModel], key: Mapping[str, str], transaction: Any = None
) -> ViewModel | None:
    """Flask-As-View: compute one view from current domain data, persisting nothing.

    With ``transaction``, every read goes through it (a REST write checks its precondition so).

    ``key`` holds the view's path parameters. The root document is located from the
    parameters it shares with the view (``meetings/{meeting_id}`` from
    ``users/{uid}/meetingSessions/{meeting_id}``). Returns ``None`` when the root is missing
    or has no view at ``key``; a source that does not load raises
    :class:`~flask_boiler.errors.InvalidSourceDocument`.
    """
    declaration = view_cls.declaration()
    try:
        root_path = declaration.root_path.render(key)
    except PathError as exc:
        raise PathError(
            f"{view_cls.__name__}: cannot locate the root {declaration.root.path!r} from the view key {dict(key)!r}: {exc}"
        ) from exc
    reader = SourceReader(db, transaction)
    reader.fetch([root_path])
    world = World(reader)
    root = world.load(declaration.root.model, root_path)
    if root is None:
        return None
    wanted = {name: str(value) for name, value in key.items()}
    if wanted not in view_cls.keys_for(root):
        return None
    gather(world, [(declaration, root_path)])
    for view in view_cls.compute_all(root, sources_for(declaration, root, world)):
        if view.key == wanted:
            return view
    return None
