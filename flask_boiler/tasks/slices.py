"""Fan-out slices: enqueued by a trigger, reconciled by the view task function.

:func:`enqueue_slices` hands a refresh's ``report.deferred`` (:mod:`flask_boiler.views.fanout`)
to the queue: one task per slice, named from the event and the slice (a redelivered event
enqueues nothing new), scheduled along the 500/50/5 ramp so the first 500 writes go at once and
the rest follow at the rate Firestore asks of new traffic. :func:`run_slice` is what the task
does: reconcile the slice's roots or views from current data.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from ..views.fanout import Slice
from ..views.reconcile import reconcile, reconcile_views
from ..views.refresh import RefreshReport
from .payloads import slice_payload
from .queue import TaskQueue, task_name
from .ramp import Ramp

__all__ = ["enqueue_slices", "run_slice"]


def enqueue_slices(queue: TaskQueue, slices: Sequence[Slice], *, origin: str, ramp: Ramp | None = None) -> int:
    """Enqueue one task per slice (``origin``: what they come from, e.g. the event id, which
    with the slice names each task). Returns how many were new (not duplicates)."""
    ramp = ramp or Ramp()
    planned = []
    before = 0
    for index, work in enumerate(slices):
        payload = slice_payload(work)
        name = task_name("slice", origin, index, payload["view"], payload["roots"][0], payload.get("paths", [""])[0])
        planned.append((payload, name, ramp.seconds_for(before)))
        before += work.size
    if not planned:
        return 0

    def add(item: tuple[dict[str, Any], str, float]) -> bool:
        payload, name, delay = item
        return queue.enqueue(payload, name=name, delay_seconds=delay)

    with ThreadPoolExecutor(max_workers=min(8, len(planned))) as pool:
        return sum(pool.map(add, planned))


def run_slice(db: Any, work: Slice) -> RefreshReport:
    """Reconcile one slice (idempotent: any number of times, in any order)."""
    if work.paths is not None:
        (root,) = work.roots
        return reconcile_views(db, work.view, root, work.paths)
    return reconcile(db, work.view, work.roots)
