"""Watch view documents the way a front end does: snapshot listeners on collection groups.

A test or a demo that wants to show what a domain write changed for the people looking at
the views listens on the views' collection groups and collects each change (``added``,
``modified``, ``removed``) with the document's new content.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from .waiting import DeadlineExceeded

__all__ = ["ViewChange", "ViewWatcher"]

#: ``(kind, path, data)``: kind is ``added``, ``modified`` or ``removed`` (then data is ``None``).
ViewChange = tuple[str, str, dict[str, Any] | None]


class ViewWatcher:
    """Snapshot listeners on ``collection_groups`` of ``db``; collects changes from now on."""

    def __init__(self, db: Any, collection_groups: Iterable[str], timeout: float = 30.0) -> None:
        self.changes: queue.Queue[ViewChange] = queue.Queue()
        self._initial = {name: threading.Event() for name in collection_groups}
        self._watches = [db.collection_group(name).on_snapshot(self._callback(name)) for name in self._initial]
        for name, listening in self._initial.items():
            if not listening.wait(timeout):
                self.close()
                raise DeadlineExceeded(f"the listener on {name!r} got no first snapshot within {timeout:.0f}s.")

    def _callback(self, name: str) -> Callable[..., None]:
        def on_snapshot(_docs: Any, changes: Any, _read_time: Any) -> None:
            if not self._initial[name].is_set():
                self._initial[name].set()  # the first snapshot is the current state, not a change
                return
            for change in changes:
                kind = change.type.name.lower()
                data = None if kind == "removed" else change.document.to_dict()
                self.changes.put((kind, change.document.reference.path, data))

        return on_snapshot

    def drain(self, expected: int, deadline: float = 30.0) -> list[ViewChange]:
        """The next ``expected`` changes (fewer if the deadline passes first)."""
        found: list[ViewChange] = []
        end = time.monotonic() + deadline
        while len(found) < expected and time.monotonic() < end:
            try:
                found.append(self.changes.get(timeout=max(0.01, end - time.monotonic())))
            except queue.Empty:
                break
        return found

    def close(self) -> None:
        for watch in self._watches:
            watch.unsubscribe()
