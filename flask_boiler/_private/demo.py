"""Machinery for a scripted demo: make a domain write, then show the view documents it changed
and what the triggers paid for it.

What changed is observed the way a front end observes it, with snapshot listeners on the
view collections. What it cost is read from the triggers' own structured log lines
(``refreshed views for <document>`` with reads/writes), which the Functions emulator
writes to the stack's log: the numbers are what the deployed code reports, not estimates.
"""

from __future__ import annotations

import json
import queue
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

LOG_MARKER = '"message": "refreshed views for '


@dataclass
class TriggerRun:
    document: str
    reads: int
    writes: int
    deletes: int
    unchanged: int
    stale: bool


def parse_trigger_line(line: str) -> TriggerRun | None:
    if LOG_MARKER not in line:
        return None
    try:
        data = json.loads(line[line.index("{") :])
    except ValueError:
        return None
    return TriggerRun(
        data.get("document", ""), data["reads"], data["writes"], data["deletes"], data["unchanged"], data["stale"]
    )


class LogFollower:
    """Reads trigger reports appended to the emulator log since the last call."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.offset = path.stat().st_size if path.exists() else 0

    def new_runs(self) -> list[TriggerRun]:
        with self.path.open("r", errors="replace") as log:
            log.seek(self.offset)
            text = log.read()
        complete, _, _ = text.rpartition("\n")
        self.offset += len(complete.encode()) + (1 if complete else 0)
        return [run for run in map(parse_trigger_line, complete.splitlines()) if run is not None]


class ViewWatcher:
    """Snapshot listeners on view collection groups; collects changes as a front end sees them."""

    def __init__(self, db: Any, collection_groups: Iterable[str]) -> None:
        self.changes: queue.Queue[tuple[str, str, dict | None]] = queue.Queue()
        self._initial = {name: threading.Event() for name in collection_groups}
        self._watches = [db.collection_group(name).on_snapshot(self._callback(name)) for name in self._initial]
        for event in self._initial.values():
            event.wait(30)

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

    def drain(self, expected: int, deadline: float = 30.0) -> list[tuple[str, str, dict | None]]:
        """The next ``expected`` changes (fewer if the deadline passes first)."""
        found = []
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


def wait_for_trigger(follower: LogFollower, document: str, timeout: float = 60.0) -> list[TriggerRun]:
    """The trigger runs reported for ``document`` (waits for at least one)."""
    runs: list[TriggerRun] = []
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        runs += [run for run in follower.new_runs() if run.document == document]
        if runs:
            return runs
        time.sleep(0.1)
    raise TimeoutError(f"no trigger reported for {document} within {timeout:.0f}s")
