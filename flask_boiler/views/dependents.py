"""Which view models a document change concerns — decided from the event alone, for free.

For every view model that reads documents of the changed document's pattern (a
:class:`~.registry.Watcher`: as its root, a followed reference, a hop on the way to one, or a
back-reference), the change matters only if it touches a field that watcher depends on:

* the fields ``compute``/``keys`` read of that source (:mod:`.dependencies`);
* plus what the engine itself reads: a root's reference fields it follows (``via``), a
  back-reference's own reference field (membership), the next reference of an intermediate
  hop (``flight.bags.owner``: a bag matters through ``owner`` only).

A created or deleted document always matters, and so does a change whose *before* image does
not load as its model: the views computed while it was invalid kept their last good state,
so the change that fixes it must refresh them whatever fields it touched. A change that
touches nothing any watcher depends on costs no read and no write.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..errors import ValidationError
from ..models.document import DocumentModel
from ..models.paths import PathTemplate
from .change import DocumentChange, changed_attributes
from .dependencies import EVERY_FIELD, FieldSet
from .registry import Watcher, watched_patterns

__all__ = ["Dependent", "find_dependents", "relevant_fields"]


@dataclass(frozen=True)
class Dependent:
    """A watcher the change concerns, with what changed (``None``: cannot tell, assume everything)."""

    watcher: Watcher
    changed: frozenset[str] | None
    before_valid: bool

    def touches(self, fields: FieldSet) -> bool:
        """Does the change touch any of ``fields`` (or can it not be told)?"""
        if self.changed is None or not self.before_valid:
            return True
        if fields is EVERY_FIELD:
            return bool(self.changed)
        return bool(self.changed & fields)


def relevant_fields(watcher: Watcher) -> FieldSet:
    """The fields of the watched documents a change must touch to concern ``watcher``."""
    item = watcher.source
    if watcher.hop is not None:
        return frozenset({item.via_attributes[watcher.hop + 1]})
    declaration = watcher.view.declaration()
    fields = watcher.view.read_set().of(item.name)
    if fields is EVERY_FIELD:
        return EVERY_FIELD
    extra: set[str] = set()
    if item.is_root:
        extra.update(followed.via_attributes[0] for followed in declaration.followed)
    if item.is_backref:
        assert item.backref is not None
        extra.add(item.backref)
    return fields | extra


def _loads(model: type[DocumentModel], change: DocumentChange) -> bool:
    if not change.before.exists:
        return True
    try:
        model.from_snapshot(change.before)
    except ValidationError:
        return False
    return True


def find_dependents(change: DocumentChange, views: Iterable[type]) -> list[Dependent]:
    """The watchers among ``views`` that ``change`` concerns (see the module docs)."""
    found: list[Dependent] = []
    changes: dict[type[DocumentModel], frozenset[str] | None] = {}  # per model: several watchers share one
    for pattern, watchers in watched_patterns(views).items():
        if PathTemplate.parse(pattern).match(change.path) is None:
            continue
        for watcher in watchers:
            root_path = watcher.source.path
            if root_path is not None and PathTemplate.parse(root_path).match(change.path) is None:
                continue  # a root narrower than its model's pattern
            if watcher.model not in changes:
                changes[watcher.model] = changed_attributes(watcher.model, change.before, change.after)
            changed = changes[watcher.model]
            dependent = Dependent(watcher, changed, before_valid=True)
            if changed is not None and not dependent.touches(relevant_fields(watcher)):
                if _loads(watcher.model, change):
                    continue
                dependent = Dependent(watcher, changed, before_valid=False)
            found.append(dependent)
    return found
