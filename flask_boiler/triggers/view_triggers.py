"""CloudEvent functions that keep view documents true (Document-As-View).

One function per watched document pattern; each refreshes every view model that reads
from that pattern. Exceptions propagate: with ``retry: true`` in the manifest the
platform redelivers the event, and the refresh is idempotent, so a retry completes what
a crash left undone (a bug in ``compute`` is retried until a fixed version is deployed).
The one exception is a domain document that does not load as its model
(:class:`~flask_boiler.errors.InvalidSourceDocument`): stored data does not change by
retrying, so it is logged with severity ERROR and the event acknowledged; fixing the
document emits the event that refreshes the views. Each run logs one structured line
with what it cost.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable, MutableMapping, Sequence
from typing import Any

from ..context import Context
from ..endpoints import document_trigger, trigger_options_of
from ..errors import InvalidSourceDocument
from ..views.refresh import refresh_from_backref_event, refresh_from_followed_event, refresh_from_root_event
from ..views.registry import trigger_name, watched_patterns
from ..views.writer import WriteReport
from .events import decode_document_event

logger = logging.getLogger("flask_boiler.triggers")


def handle_document_event(pattern: str, cloud_event: Any, views: Sequence[type], db: Any | None = None) -> WriteReport:
    """Refresh every view of ``views`` that depends on the document named by ``cloud_event``."""
    db = db if db is not None else Context.db
    event = decode_document_event(cloud_event, db, pattern)
    report = WriteReport()
    for view_cls, source in watched_patterns(views).get(pattern, []):
        try:
            if source.is_root:
                report.merge(refresh_from_root_event(db, view_cls, event))
            elif source.is_backref:
                report.merge(refresh_from_backref_event(db, view_cls, source, event))
            else:
                report.merge(refresh_from_followed_event(db, view_cls, source, event))
        except InvalidSourceDocument as exc:
            # Permanent: retrying cannot fix stored data, and a retried event would fail for
            # days. Reported for Error Reporting; the views keep their last good state.
            _log(
                "ERROR",
                f"{view_cls.__name__} not refreshed: {exc}",
                document=exc.path,
                eventId=event.id,
                invalidFields=exc.errors,
            )
    _log(
        "INFO",
        f"refreshed views for {event.document}",
        document=event.document,
        eventId=event.id,
        reads=report.reads,
        writes=report.writes,
        deletes=report.deletes,
        unchanged=report.unchanged,
        stale=report.stale,
    )
    return report


def _log(severity: str, message: str, **fields: Any) -> None:
    """One structured line on stderr: Cloud Logging parses it (severity, message, fields)."""
    print(  # noqa: T201 - replaced by flask_boiler logging (issue 13)
        json.dumps({"severity": severity, "message": message, **fields}, default=str),
        file=sys.stderr,
    )


def view_trigger(pattern: str, views: Sequence[type], **options: Any) -> Callable[[Any], None]:
    """A functions-framework CloudEvent function refreshing ``views`` on changes to ``pattern``.

    ``options`` are deploy options (:mod:`flask_boiler.endpoints.options`); the
    ``Meta.trigger_options`` of the view models this trigger refreshes override them.
    """
    import functions_framework

    views = tuple(views)

    def handler(cloud_event: Any) -> None:
        handle_document_event(pattern, cloud_event, views)

    handler.__name__ = trigger_name(pattern)
    handler.__qualname__ = handler.__name__
    handler.__doc__ = f"Refresh the views that read documents matching {pattern!r}."
    watchers = [view for view, _ in watched_patterns(views).get(pattern, [])]
    options = {**options, **trigger_options_of(watchers, pattern).set_options()}
    return document_trigger(functions_framework.cloud_event(handler), pattern, **options)


def export_view_triggers(namespace: MutableMapping[str, Any], views: Sequence[type], **options: Any) -> dict[str, str]:
    """Bind one trigger per pattern ``views`` watch into ``namespace`` (``globals()`` of main.py).

    The view models are listed explicitly, so what is deployed never depends on what else
    happened to be imported. ``options`` (deploy options such as ``memory=``,
    ``max_instances=``) apply to every trigger bound here. Returns entry point name -> pattern.
    """
    exported: dict[str, str] = {}
    for pattern in watched_patterns(views):
        name = trigger_name(pattern)
        namespace[name] = view_trigger(pattern, views, **options)
        exported[name] = pattern
    return exported
