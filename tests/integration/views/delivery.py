"""A stand-in for Eventarc in property tests: events held back, then delivered in any order,
twice, crashed midway, or two at once on threads.

Writes go straight through the Firestore client (so invalid data can be written too); each
write's event is built from the data before and after and the write's real ``update_time``,
exactly as the emulator would deliver it, and kept pending until a test delivers it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from flask_boiler.errors import ContentionError
from flask_boiler.models.paths import PathTemplate
from flask_boiler.testing.events import document_event
from flask_boiler.triggers.view_triggers import handle_document_event
from flask_boiler.views.registry import watched_patterns
from tests.threads import run_together


def write_with_event(
    db: Any, path: str, data: dict[str, Any] | None, before: dict[str, Any] | None, before_time: Any
) -> tuple[dict[str, Any], Any]:
    """Write ``data`` to ``path`` as is (delete it, with ``None``): the CloudEvent the emulator
    would deliver for it (``before`` as stored at ``before_time``) and the write's real time."""
    ref = db.document(path)
    if data is None:
        ref.delete()
        after_time = None
    else:
        after_time = ref.set(data).update_time
    event = document_event(path, before=before, after=data, before_time=before_time, after_time=after_time)
    return event, after_time


class Crash(Exception):
    """Stands for a function instance dying at that point."""


class _Counted:
    """Proxies an object, calling ``tick(name)`` before some of its methods (and after the reads)."""

    def __init__(self, target: Any, tick: Callable[[str], None], counted: Sequence[str]) -> None:
        self._target, self._tick, self._counted = target, tick, set(counted)

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._target, name)
        if name not in self._counted:
            return attribute

        def counted(*args: Any, **kwargs: Any) -> Any:
            self._tick(f"before {name}")
            result = attribute(*args, **kwargs)
            if "commit" not in name:  # dying after a commit is a delivery never acknowledged:
                self._tick(f"after {name}")  # Eventarc.deliver(keep=True) stands for that
            return result

        return counted


class CrashingClient(_Counted):
    """The real client, except that the refresh dies at its ``crash_at``-th step: before or after
    a read, when a query is built, or just before a commit (of a transaction or a batch)."""

    def __init__(self, db: Any, crash_at: int) -> None:
        self.steps = 0
        self.crash_at = crash_at
        # ``_prep_get_all``: the framework's batched reads prepare their request there too.
        super().__init__(db, self.tick, ["collection", "collection_group", "get_all", "_prep_get_all"])

    def tick(self, step: str) -> None:
        self.steps += 1
        if self.steps >= self.crash_at:
            raise Crash(step)

    @property
    def _firestore_api(self) -> Any:
        # Transactions (flask_boiler.transactions) commit from here: dying just before is a step.
        return _Counted(self._target._firestore_api, self.tick, ["commit"])

    def batch(self) -> Any:
        return _Counted(self._target.batch(), self.tick, ["commit"])


@dataclass
class Pending:
    path: str
    event: Any


@dataclass
class Eventarc:
    """Domain writes and their undelivered events (see the module docs)."""

    db: Any
    views: Sequence[type]
    stored: dict[str, dict[str, Any] | None] = field(default_factory=dict)
    times: dict[str, Any] = field(default_factory=dict)
    pending: list[Pending] = field(default_factory=list)
    crashes: int = 0

    def write(self, path: str, data: dict[str, Any] | None) -> None:
        """Write (or delete, with ``None``) a domain document; its event becomes pending."""
        before = self.stored.get(path)
        if before is None and data is None:
            return  # deleting a missing document emits no event
        event, after_time = write_with_event(self.db, path, data, before, self.times.get(path))
        self.stored[path] = data
        self.times[path] = after_time
        self.pending.append(Pending(path, event))

    def pattern(self, path: str) -> str:
        """The trigger pattern that watches ``path`` (as deployed: one function per pattern)."""
        for pattern in watched_patterns(self.views):
            if PathTemplate.parse(pattern).match(path) is not None:
                return pattern
        raise LookupError(f"no view watches {path}")

    def handle(self, item: Pending, db: Any = None) -> None:
        handle_document_event(self.pattern(item.path), item.event, self.views, db if db is not None else self.db)

    def deliver(self, index: int, *, keep: bool = False) -> None:
        """Deliver one pending event (``keep``: it will be delivered again later: a duplicate)."""
        item = self.pending[index] if keep else self.pending.pop(index)
        self.handle(item)

    def crash(self, index: int, at: int) -> None:
        """Deliver with the function dying at its ``at``-th step; an event that did not finish
        stays pending (the platform redelivers it)."""
        item = self.pending[index]
        try:
            self.handle(item, CrashingClient(self.db, at))
        except Crash:
            self.crashes += 1
            return
        self.pending.remove(item)

    def race(self, first: int, second: int) -> None:
        """Deliver two pending events (possibly the same one twice) at the same time."""
        items = [self.pending[first], self.pending[second]]
        errors = run_together(self.handle, items)
        failed = [error for error in errors if not isinstance(error, ContentionError)]
        if failed:
            raise failed[0]
        # A delivery that lost on contention fails: the platform delivers it again later.
        for item in items[: len(items) - len(errors)]:
            if item in self.pending:
                self.pending.remove(item)

    def settle(self) -> None:
        """Deliver everything still pending, newest first (the most adversarial order)."""
        while self.pending:
            self.deliver(len(self.pending) - 1)
