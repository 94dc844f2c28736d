"""CloudEvent functions that keep view documents true (Document-As-View).

One function per watched document pattern; each refreshes, in one transaction, every view
model that reads from that pattern (:func:`flask_boiler.views.refresh.refresh`), and logs one
structured record of what it did and cost.

**Failures and retries.** Triggers deploy with ``retry: true``: an exception makes the
platform redeliver the event, and the refresh is idempotent, so a retry completes what a
crash or a transient error left undone.

* A view model whose ``compute`` raises (or computes a view its schema rejects) does not stop
  the others: they are committed, then the event fails so the platform retries it — a
  deployed fix takes effect on the retry.
* A retried event is not retried forever: once it is older than ``max_event_age`` (one hour by
  default, Firebase's advice for retried functions), it is acknowledged with an ERROR record
  naming the view model, the document and the exception, and the roots it could not refresh are
  recorded in ``flaskBoilerSkipped``; ``flask-boiler rebuild --skipped`` recomputes exactly those
  (and clears the records) once the bug is fixed.
* A source document that does not load as its model (someone wrote bad data) blocks only the
  views computed from it: they keep their last good state, an ERROR record names the view
  model, the root and the bad document, and the event is acknowledged — retrying cannot fix
  stored data, and fixing the document emits the event that refreshes them.

**Huge fan-outs** go to Cloud Tasks: with ``tasks`` (a :class:`~flask_boiler.tasks.ViewTasks`,
on by default), a view model whose refresh would write more views than its fan-out threshold
is planned into slices instead (:mod:`flask_boiler.views.fanout`), which the trigger enqueues
(:mod:`flask_boiler.tasks.slices`) — its own work stays bounded whatever the fan-out. If the
enqueueing fails, the event fails and is retried (the slices are named after the event, so a
retry enqueues only what is missing).

**Locally** the Functions emulator never redelivers a failed event (it ignores ``retry``), so
when running in it (``FUNCTIONS_EMULATOR=true``) a failed run is retried in the same worker, a
few times with backoff, and each failure is logged with severity ERROR.
"""

from __future__ import annotations

import datetime
import logging
import os
import time
from collections.abc import Callable, MutableMapping, Sequence
from typing import Any

import functions_framework

from ..context import Context
from ..endpoints import document_trigger, trigger_options_of
from ..errors import FlaskBoilerError
from ..log import configure, get_logger, log
from ..tasks.config import ViewTasks
from ..tasks.functions import view_task_function
from ..tasks.queue import TaskQueue
from ..tasks.slices import enqueue_slices
from ..views.rebuild import record_skipped
from ..views.refresh import Failure, RefreshReport, log_blocked, refresh, report_fields
from ..views.registry import check_loops, trigger_name, watched_patterns
from ..views.view_model import ViewModel
from .events import DocumentEvent, decode_document_event
from .rebuild_requests import REBUILD_PATTERN, REBUILD_TRIGGER, rebuild_request_trigger

__all__ = [
    "DEFAULT_MAX_EVENT_AGE",
    "DEFAULT_TASKS",
    "ViewRefreshFailed",
    "export_view_triggers",
    "handle_document_event",
    "view_trigger",
]

logger = get_logger("triggers")

#: Retried events older than this are acknowledged and recorded instead of retried again.
DEFAULT_MAX_EVENT_AGE = datetime.timedelta(hours=1)
#: What ``export_view_triggers`` deploys for fan-outs and remote rebuilds unless told otherwise.
DEFAULT_TASKS = ViewTasks()

#: Local redelivery (the emulator has none): attempts and the first pause between them.
LOCAL_ATTEMPTS = 4
LOCAL_BACKOFF_SECONDS = 0.5


class ViewRefreshFailed(FlaskBoilerError):
    """Some view models could not be refreshed for an event (the others were): retry it."""

    def __init__(self, document: str, failures: Sequence[Failure]) -> None:
        names = ", ".join(f"{f.view.__name__} ({type(f.error).__name__}: {f.error})" for f in failures)
        super().__init__(f"views of {document} not refreshed: {names}")
        self.document = document
        self.failures = list(failures)


def handle_document_event(
    pattern: str,
    cloud_event: Any,
    views: Sequence[type[ViewModel]],
    db: Any = None,
    *,
    max_event_age: datetime.timedelta = DEFAULT_MAX_EVENT_AGE,
    now: datetime.datetime | None = None,
    tasks: ViewTasks | None = None,
) -> RefreshReport:
    """Refresh every view of ``views`` that depends on the document named by ``cloud_event``;
    with ``tasks``, fan-outs past its threshold are enqueued as slices instead.

    Raises :class:`ViewRefreshFailed` (or the error that stopped the refresh) so the platform
    retries, unless the event is older than ``max_event_age``: then it is recorded and dropped.
    """
    db = db if db is not None else Context.db
    event = decode_document_event(cloud_event, db, pattern)
    try:
        report = refresh(db, event, views, fanout=tasks.fanout if tasks is not None else None)
        if report.deferred and tasks is not None:
            queue = TaskQueue(tasks.name, tasks.region)
            enqueue_slices(queue, report.deferred, origin=event.event_id, ramp=tasks.ramp)
    except Exception as exc:
        if not _too_old(event, max_event_age, now):
            raise
        _drop(db, event, [Failure(view, (), exc) for view in views], exc)
        return RefreshReport()
    _log_report(event, report)
    if report.failures:
        if _too_old(event, max_event_age, now):
            _drop(db, event, report.failures, None)
            return report
        raise ViewRefreshFailed(event.path, report.failures)
    return report


def _too_old(event: DocumentEvent, max_age: datetime.timedelta, now: datetime.datetime | None) -> bool:
    if event.time is None:
        return False
    return (now or datetime.datetime.now(datetime.UTC)) - event.time > max_age


def _log_report(event: DocumentEvent, report: RefreshReport) -> None:
    log_blocked(logger, report, eventId=event.event_id)
    for failure in report.failures:
        logger.error(
            f"{failure.view.__name__} not refreshed for {event.path}: {type(failure.error).__name__}: {failure.error}",
            exc_info=failure.error,
            extra={"fields": {"view": failure.view.__name__, "document": event.path, "roots": list(failure.roots)}},
        )
    log(
        logger,
        logging.INFO,
        f"refreshed views for {event.path}",
        document=event.path,
        eventId=event.event_id,
        **report_fields(report),
    )


def _drop(db: Any, event: DocumentEvent, failures: Sequence[Failure], error: Exception | None) -> None:
    """Acknowledge an event too old to retry: log it and record what it left undone."""
    for failure in failures:
        logger.error(
            f"giving up on {failure.view.__name__} for {event.path} (event {event.event_id}, older than the "
            f"retry window): {type(failure.error).__name__}: {failure.error}; repair with "
            f"`flask-boiler rebuild --skipped` once fixed",
            exc_info=failure.error,
            extra={"fields": {"view": failure.view.__name__, "document": event.path, "eventId": event.event_id}},
        )
        try:
            record_skipped(
                db, failure.view, failure.roots, document=event.path, event_id=event.event_id, error=failure.error
            )
        except Exception:
            logger.exception("could not record the skipped refresh")


def _with_local_retries(handler: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """In the Functions emulator, retry a failed run in-process (it never redelivers)."""

    def run(cloud_event: Any) -> Any:
        if os.environ.get("FUNCTIONS_EMULATOR") != "true":
            return handler(cloud_event)
        pause = LOCAL_BACKOFF_SECONDS
        for attempt in range(1, LOCAL_ATTEMPTS + 1):
            try:
                return handler(cloud_event)
            except Exception as exc:
                if attempt == LOCAL_ATTEMPTS:
                    raise
                log(
                    logger,
                    logging.ERROR,
                    f"trigger run failed ({type(exc).__name__}: {exc}); the emulator does not redeliver, "
                    f"retrying locally ({attempt}/{LOCAL_ATTEMPTS - 1}) in {pause:.1f}s",
                    attempt=attempt,
                )
                time.sleep(pause)
                pause *= 2
        return None  # pragma: no cover - the loop returns or raises

    return run


def view_trigger(
    pattern: str, views: Sequence[type[ViewModel]], tasks: ViewTasks | None = None, **options: Any
) -> Callable[[Any], None]:
    """A functions-framework CloudEvent function refreshing ``views`` on changes to ``pattern``.

    ``options`` are deploy options (:mod:`flask_boiler.deploy.options`); the
    ``Meta.trigger_options`` of the view models this trigger refreshes override them.
    ``max_event_age`` (a ``timedelta``) sets the retry window; ``tasks`` where huge fan-outs go.
    """
    views = tuple(views)
    max_event_age = options.pop("max_event_age", DEFAULT_MAX_EVENT_AGE)

    def handler(cloud_event: Any) -> None:
        configure()
        handle_document_event(pattern, cloud_event, views, max_event_age=max_event_age, tasks=tasks)

    run = _with_local_retries(handler)
    run.__name__ = run.__qualname__ = trigger_name(pattern)
    run.__doc__ = f"Refresh the views that read documents matching {pattern!r}."
    watchers = [watcher.view for watcher in watched_patterns(views).get(pattern, [])]
    options = {**options, **trigger_options_of(watchers, pattern).set_options()}
    return document_trigger(functions_framework.cloud_event(run), pattern, **options)


def export_view_triggers(
    namespace: MutableMapping[str, Any],
    views: Sequence[type[ViewModel]],
    *,
    tasks: ViewTasks | None = DEFAULT_TASKS,
    **options: Any,
) -> dict[str, str]:
    """Bind one trigger per pattern ``views`` watch into ``namespace`` (``globals()`` of main.py),
    and — unless ``tasks=None`` — the view task function (``viewTasks``: fan-out slices and
    remote rebuild pages) and the trigger starting remote rebuilds.

    The view models are listed explicitly, so what is deployed never depends on what else
    happened to be imported. ``options`` (deploy options such as ``memory=``,
    ``max_instances=``, and ``max_event_age=``) apply to every trigger bound here;
    ``tasks=ViewTasks(...)`` sets the fan-out threshold, the queue and the task function's own.
    Returns entry point name -> pattern (the task function: -> ``"(task queue)"``).
    """
    check_loops(views)
    exported: dict[str, str] = {}
    for pattern in watched_patterns(views):
        name = trigger_name(pattern)
        namespace[name] = view_trigger(pattern, views, tasks, **options)
        exported[name] = pattern
    if tasks is not None:
        namespace[tasks.name] = view_task_function(views, tasks)
        exported[tasks.name] = "(task queue)"
        namespace[REBUILD_TRIGGER] = rebuild_request_trigger(tasks)
        exported[REBUILD_TRIGGER] = REBUILD_PATTERN
    return exported
