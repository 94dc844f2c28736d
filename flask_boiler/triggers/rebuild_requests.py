"""The trigger that starts a remote rebuild: a new run document enqueues its first page.

``flask-boiler rebuild View --remote`` creates ``flaskBoilerRebuildRuns/{run}``
(:func:`flask_boiler.tasks.runs.request_run`); this trigger, deployed beside the view task
function, enqueues the run's next page on the view task queue. Enqueueing from the cloud
means the command needs no Cloud Tasks rights (a developer's own credentials cannot mint the
OIDC token a task carries), only the Firestore access a local rebuild needs too.

It listens to *creations* only: the run document is updated on every page, and those updates
must not wake it. A redelivered creation event enqueues nothing new (the page task is named
after the run and the page).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import functions_framework

from ..context import Context
from ..endpoints import CREATED, document_trigger
from ..log import configure, get_logger, log
from ..tasks.config import ViewTasks
from ..tasks.queue import TaskQueue
from ..tasks.runs import RUNS, start_run
from .events import decode_document_event

__all__ = ["REBUILD_PATTERN", "REBUILD_TRIGGER", "rebuild_request_trigger"]

logger = get_logger("triggers")

REBUILD_TRIGGER = "on_view_rebuild_requested"
REBUILD_PATTERN = f"{RUNS}/{{run_id}}"


def rebuild_request_trigger(tasks: ViewTasks, **options: Any) -> Callable[[Any], None]:
    """The CloudEvent function enqueueing the first page of each new run on ``tasks``' queue."""

    def on_view_rebuild_requested(cloud_event: Any) -> None:
        configure()
        db = Context.db
        event = decode_document_event(cloud_event, db, REBUILD_PATTERN)
        run_id = event.params["run_id"]
        started = start_run(db, TaskQueue(tasks.name, tasks.region), run_id, tasks.ramp)
        log(logger, logging.INFO, f"rebuild run {run_id} requested: first page enqueued={started}", run=run_id)

    on_view_rebuild_requested.__name__ = on_view_rebuild_requested.__qualname__ = REBUILD_TRIGGER
    return document_trigger(
        functions_framework.cloud_event(on_view_rebuild_requested), REBUILD_PATTERN, event_type=CREATED, **options
    )
