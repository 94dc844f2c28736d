"""The view task function: what Cloud Tasks calls for fan-out slices and rebuild pages.

``view_task_function(views, ViewTasks())`` is a functions-framework HTTP function declared as a
task-queue endpoint (:func:`~flask_boiler.endpoints.task_queue_endpoint`);
``export_view_triggers`` binds it into ``functions/main.py`` as ``viewTasks``. Answers:

* **200**: done — or nothing to do (a duplicate page, a finished run), or given up on: a slice
  whose ``compute`` failed on the queue's last attempt is recorded in ``flaskBoilerSkipped``
  (``flask-boiler rebuild --skipped`` repairs it), as a trigger does past its retry window;
  views blocked by invalid stored data keep their last good state (an ERROR record says so).
* **4xx**: the request is not a view task (wrong method, not JSON, too big, a payload
  :mod:`.payloads` rejects); nothing is read or written.
* **500** (an exception): a transient failure, contention, or a bug in ``compute`` before the
  last attempt: Cloud Tasks retries, with backoff — a deployed fix takes effect on a retry.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from typing import Any

import functions_framework

from ..context import Context
from ..endpoints.task_queues import task_queue_endpoint
from ..errors import FlaskBoilerError
from ..log import configure, get_logger, log
from ..views.fanout import Slice
from ..views.rebuild import record_skipped
from ..views.refresh import Failure, RefreshReport, log_blocked, report_fields
from ..views.view_model import ViewModel
from .config import ViewTasks
from .payloads import MAX_ITEMS, PageTask, TaskPayloadError, parse_task
from .queue import TaskQueue
from .runs import run_page
from .slices import run_slice

__all__ = ["MAX_BODY_BYTES", "ViewTaskFailed", "handle_view_task", "view_task_function"]

logger = get_logger("tasks")

#: Cloud Tasks refuses tasks over 1 MB; nothing larger is a view task.
MAX_BODY_BYTES = 1024 * 1024
RETRY_COUNT_HEADER = "X-CloudTasks-TaskRetryCount"


class ViewTaskFailed(FlaskBoilerError):
    """A slice's view model failed (a bug in ``compute``/``keys``, or an invalid view): retry."""

    def __init__(self, failures: Sequence[Failure]) -> None:
        names = ", ".join(f"{f.view.__name__} ({type(f.error).__name__}: {f.error})" for f in failures)
        super().__init__(f"slice not reconciled: {names}")
        self.failures = list(failures)


def _body(request: Any) -> Any:
    """The JSON body, or :class:`TaskPayloadError` (with its HTTP status) for anything else."""
    if not str(request.content_type or "").startswith("application/json"):
        raise TaskPayloadError("expected an application/json body")
    raw = request.stream.read(MAX_BODY_BYTES + 1)
    if len(raw) > MAX_BODY_BYTES:
        raise TaskPayloadError(f"the body exceeds {MAX_BODY_BYTES} bytes")
    try:
        body = json.loads(raw.decode("utf-8"))
        json.dumps(body, ensure_ascii=False).encode("utf-8")  # lone surrogates ("\ud800") are not text
        return body
    except (UnicodeError, ValueError, RecursionError) as exc:
        raise TaskPayloadError(f"the body is not UTF-8 JSON: {type(exc).__name__}") from None


def _retry_count(request: Any) -> int:
    value = str(request.headers.get(RETRY_COUNT_HEADER, "0"))
    return int(value) if value.isascii() and value.isdigit() and len(value) < 6 else 0


def handle_view_task(
    request: Any, views: Sequence[type[ViewModel]], config: ViewTasks, db: Any = None
) -> tuple[dict[str, Any], int]:
    """Run the view task in ``request`` (see the module docs for the answers)."""
    if request.method != "POST":
        return {"error": "view tasks are POSTed by Cloud Tasks"}, 405
    try:
        work = parse_task(_body(request), views)
    except TaskPayloadError as exc:
        log(logger, logging.WARNING, f"rejected a view task: {exc}", reason=str(exc))
        return {"error": str(exc)}, 400
    db = db if db is not None else Context.db
    retries = _retry_count(request)
    if isinstance(work, PageTask):
        queue = TaskQueue(config.name, config.region)
        outcome = run_page(db, queue, views, work, ramp=config.ramp, retried=retries > 0, fanout=config.fanout)
        log(
            logger,
            logging.INFO,
            f"rebuild run {work.run} page {work.step}: {'done' if outcome.done else outcome.reason}",
            run=work.run,
            step=work.step,
            done=outcome.done,
            reason=outcome.reason,
            retries=retries,
        )
        return {"ok": True, "done": outcome.done, "reason": outcome.reason}, 200
    return _slice(db, work, config, retries)


def _slice(db: Any, work: Slice, config: ViewTasks, retries: int) -> tuple[dict[str, Any], int]:
    report = run_slice(db, work)
    _log_slice(work, report, retries)
    if report.failures:
        last = config.max_attempts is not None and retries + 1 >= config.max_attempts
        if not last:
            raise ViewTaskFailed(report.failures)
        for failure in report.failures:
            logger.error(
                f"giving up on {failure.view.__name__} for {len(failure.roots)} root(s) after {retries + 1} attempts: "
                f"{type(failure.error).__name__}: {failure.error}; repair with `flask-boiler rebuild --skipped`",
                exc_info=failure.error,
                extra={"fields": {"view": failure.view.__name__, "roots": list(failure.roots)}},
            )
            record_skipped(
                db, failure.view, failure.roots, document="(view task)", event_id="slice", error=failure.error
            )
    return {"ok": True, "writes": report.writes, "deletes": report.deletes, "unchanged": report.unchanged}, 200


def _log_slice(work: Slice, report: RefreshReport, retries: int) -> None:
    log_blocked(logger, report)
    log(
        logger,
        logging.INFO,
        f"reconciled a slice of {work.size} {'views' if work.paths is not None else 'roots'} of {work.view.__name__}",
        view=work.view.__name__,
        roots=len(work.roots),
        views=len(work.paths) if work.paths is not None else None,
        retries=retries,
        **report_fields(report),
    )


def view_task_function(views: Sequence[type[ViewModel]], config: ViewTasks | None = None) -> Callable[[Any], Any]:
    """The task-queue function serving ``views``' slices and rebuild pages, declared for the
    manifest with ``config``'s name, queue settings and deploy options."""
    config = config or ViewTasks()
    if config.fanout.slice_size > MAX_ITEMS:
        raise TaskPayloadError(f"slice_size {config.fanout.slice_size} exceeds the {MAX_ITEMS} a task may name")
    views = tuple(views)

    def run(request: Any) -> tuple[dict[str, Any], int]:
        configure()
        return handle_view_task(request, views, config)

    run.__name__ = run.__qualname__ = config.name
    run.__doc__ = "Cloud Tasks: reconcile fan-out slices and rebuild pages of the view models."
    options = {**dict(config.options), "region": [config.region]}
    return task_queue_endpoint(
        functions_framework.http(run), retry_config=config.retry_config, rate_limits=config.rate_limits, **options
    )
