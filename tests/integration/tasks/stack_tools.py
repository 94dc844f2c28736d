"""Driving the emulator stack's task queue from a test: pausing triggers, finding and killing
the ``viewTasks`` worker processes, posting tasks by hand, reading what views should be."""

from __future__ import annotations

import contextlib
import os
import re
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib import request as urlrequest

import requests

from flask_boiler.testing.emulators import EmulatorStack, descendants
from flask_boiler.views.compute import computed_views
from flask_boiler.views.stamp import view_content

QUEUE = "viewTasks"


def _hub(stack: EmulatorStack, path: str) -> None:
    req = urlrequest.Request(f"http://{stack.hub_host}{path}", method="PUT", data=b"")
    with urlrequest.urlopen(req, timeout=120) as response:
        response.read()


@contextlib.contextmanager
def triggers_paused(stack: EmulatorStack) -> Iterator[None]:
    """Firestore triggers off (the Functions emulator's own switch); HTTP and task functions stay on."""
    _hub(stack, "/functions/disableBackgroundTriggers")
    try:
        yield
    finally:
        _hub(stack, "/functions/enableBackgroundTriggers")


def task_workers(stack: EmulatorStack, function: str = QUEUE) -> list[int]:
    """Python worker processes the Functions emulator runs ``function`` in."""
    assert stack.process is not None, "a stack this session started"
    found = []
    for pid in descendants(stack.process.pid):
        try:
            environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
            command = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if f"FUNCTION_TARGET={function}".encode() in environ and b"python" in command.split(b"\0")[0]:
            found.append(pid)
    return found


def in_flight(stack: EmulatorStack, function: str = QUEUE) -> int:
    """Invocations of ``function`` begun and not finished, by the emulator's own log."""
    text = stack.log_path.read_text(errors="replace") if stack.log_path else ""
    begun = len(re.findall(rf'Beginning execution of "[\w-]+-{function}"', text))
    finished = len(re.findall(rf'Finished "[\w-]+-{function}"', text))
    return begun - finished


def kill_workers(stack: EmulatorStack, function: str = QUEUE) -> int:
    """SIGKILL every worker of ``function``: what an instance crash or an OOM kill looks like."""
    killed = 0
    for pid in task_workers(stack, function):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
            killed += 1
    return killed


def post_task(stack: EmulatorStack, data: Any, function: str = QUEUE, headers: dict[str, str] | None = None) -> Any:
    """Call the task function directly, as Cloud Tasks would (a duplicate delivery)."""
    return requests.post(stack.function_url(function), json={"data": data}, headers=headers or {}, timeout=120)


def stored_views(db: Any, view_cls: type) -> dict[str, dict]:
    template = view_cls.path_template()
    query = (
        db.collection_group(template.collection_id)
        if template.parent_params
        else db.collection(template.collection_path({}))
    )
    return {s.reference.path: view_content(s) for s in query.stream() if template.match(s.reference.path)}


def expected_views(db: Any, view_cls: type) -> dict[str, dict]:
    """Every view recomputed from scratch from current data (the engine's REST path)."""
    roots = list(view_cls.declaration().root.model.query().stream())
    return {view.doc_path: view.stored() for view in computed_views(db, view_cls, roots)}


def snapshot_of(db: Any, path: str) -> tuple[dict | None, Any]:
    snap = db.document(path).get()
    return (snap.to_dict(), snap.update_time) if snap.exists else (None, None)


def event_for(db: Any, path: str, before: tuple[dict | None, Any], event_id: str | None = None) -> Any:
    """The real protobuf CloudEvent of the last write to ``path`` (``before``: its earlier state)."""
    from flask_boiler.testing.events import document_event

    after, after_time = snapshot_of(db, path)
    return document_event(
        path, before=before[0], after=after, before_time=before[1], after_time=after_time, event_id=event_id
    )
