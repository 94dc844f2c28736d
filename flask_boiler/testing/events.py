"""Real Firestore CloudEvents (protobuf ``DocumentEventData``) for handler tests, and their delivery.

The bytes are what Eventarc and the emulator send, so a handler tested with these events
decodes exactly what it will decode in production. Three ways to get one:

* :func:`recorded_event` — the most faithful: make the write inside the block, get the
  event Firestore would send for it (before and after as stored, their real update times)::

      with recorded_event("meetings/standup") as recorded:
          Meeting.get(doc_id="standup").update(title="Standup (moved)")
      report = deliver(recorded.event, VIEW_MODELS)

* :func:`document_event` with ``after=`` data for a document that exists: its
  ``update_time`` is read from Firestore unless ``after_time=`` is given. The engine guards
  against stale (out-of-order) events by comparing that time with the stored document's, so
  an event stamped "now" for a document written earlier would look *newer* than anything
  stored, and one stamped earlier than the last write would look stale and write nothing.
* :func:`document_event` with explicit ``before_time``/``after_time``, to build stale,
  duplicated or reordered deliveries on purpose.

:func:`deliver` hands an event to :func:`flask_boiler.triggers.handle_document_event` with
the pattern the deployed trigger for that document would watch, as the trigger would.
"""

from __future__ import annotations

import contextlib
import datetime
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cloudevents.http import CloudEvent
from google.cloud.firestore_v1 import _helpers
from google.cloud.firestore_v1.types import Document as FirestoreDocument
from google.events.cloud.firestore import Document, DocumentEventData
from google.protobuf import timestamp_pb2

from ..config import DEMO_PROJECT_ID
from ..context import Context
from ..endpoints import WRITTEN
from ..errors import UsageError
from ..models.paths import PathTemplate
from ..triggers import handle_document_event
from ..views.refresh import RefreshReport
from ..views.registry import watched_patterns
from ..views.view_model import ViewModel

__all__ = ["RecordedEvent", "deliver", "document_event", "recorded_event", "trigger_pattern"]


def _document(project: str, path: str, data: Mapping[str, Any], update_time: datetime.datetime) -> Document:
    name = f"projects/{project}/databases/(default)/documents/{path}"
    stamp = timestamp_pb2.Timestamp()
    stamp.FromDatetime(update_time.astimezone(datetime.UTC).replace(tzinfo=None))
    firestore_doc = FirestoreDocument(name=name, fields=_helpers.encode_dict(dict(data)))
    pb = FirestoreDocument.pb(firestore_doc)
    pb.update_time.CopyFrom(stamp)
    pb.create_time.CopyFrom(stamp)
    document: Document = Document.deserialize(pb.SerializeToString())
    return document


def _stored_update_time(path: str, db: Any) -> datetime.datetime:
    snapshot = db.document(path).get()
    if not snapshot.exists:
        raise UsageError(
            f"document_event({path!r}, after=...) reads the document's update_time, but {path} does not exist: "
            "write it first (or use recorded_event), or pass after_time= explicitly."
        )
    update_time: datetime.datetime = snapshot.update_time
    return update_time


def _project() -> str:
    try:
        return Context.project_id
    except Exception:  # noqa: BLE001 - an unconfigured Context: the emulators' demo project
        return DEMO_PROJECT_ID


def document_event(
    path: str,
    *,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    project: str | None = None,
    before_time: datetime.datetime | None = None,
    after_time: datetime.datetime | None = None,
    event_type: str = WRITTEN,
    event_id: str | None = None,
    db: Any = None,
) -> CloudEvent:
    """A ``google.cloud.firestore.document.v1.*`` CloudEvent for ``path`` going from ``before`` to ``after``.

    ``after_time`` defaults to the stored document's ``update_time`` (read through ``db``,
    default ``Context.db``); ``before_time`` to a microsecond before it (or to now for a
    deletion). ``project`` defaults to ``Context``'s project.
    """
    project = project or _project()
    if after is not None and after_time is None:
        after_time = _stored_update_time(path, db if db is not None else Context.db)
    event_time = after_time or datetime.datetime.now(datetime.UTC)
    payload = DocumentEventData()
    if before is not None:
        payload.old_value = _document(project, path, before, before_time or event_time - _MICROSECOND)
    if after is not None and after_time is not None:
        payload.value = _document(project, path, after, after_time)
    attributes = {
        "id": event_id or uuid.uuid4().hex,
        "type": event_type,
        "source": f"//firestore.googleapis.com/projects/{project}/databases/(default)",
        "subject": f"documents/{path}",
        "time": event_time.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z"),
        "datacontenttype": "application/protobuf",
        "document": path,
        "database": "(default)",
        "namespace": "(default)",
        "project": project,
        "location": "us-central1",
    }
    return CloudEvent(attributes, DocumentEventData.serialize(payload))


_MICROSECOND = datetime.timedelta(microseconds=1)


@dataclass
class RecordedEvent:
    """The event of the writes made in a :func:`recorded_event` block (set when the block ends)."""

    path: str
    event: CloudEvent | None = None


@contextlib.contextmanager
def recorded_event(path: str, *, db: Any = None, event_id: str | None = None) -> Iterator[RecordedEvent]:
    """The CloudEvent Firestore sends for what the block did to ``path``: before and after as
    stored (read at the start and at the end of the block), with their real update times.

    Several writes in the block become one event from the first state to the last, as a
    trigger that ran after them all would see it. A block that leaves the document as it
    found it (or absent) raises :class:`~flask_boiler.errors.UsageError`: Firestore sends no
    event for nothing.
    """
    client = db if db is not None else Context.db
    first = client.document(path).get()
    recorded = RecordedEvent(path)
    yield recorded
    last = client.document(path).get()
    if not last.exists and not first.exists:
        raise UsageError(f"recorded_event({path!r}): the document did not exist before or after the block.")
    if last.exists and first.exists and last.update_time == first.update_time:
        raise UsageError(f"recorded_event({path!r}): the block did not write the document.")
    recorded.event = document_event(
        path,
        before=first.to_dict() if first.exists else None,
        after=last.to_dict() if last.exists else None,
        before_time=first.update_time if first.exists else None,
        after_time=last.update_time if last.exists else None,
        event_id=event_id,
        db=client,
    )


def _event_path(event: CloudEvent) -> str:
    document = event.get("document")
    if not document:
        raise UsageError("the event names no document (build it with document_event or recorded_event).")
    return str(document)


def trigger_pattern(path: str, views: Sequence[type[ViewModel]]) -> str:
    """The pattern of the trigger ``export_view_triggers(globals(), views)`` deploys for ``path``."""
    for pattern in watched_patterns(views):
        if PathTemplate.parse(pattern).match(path) is not None:
            return pattern
    names = ", ".join(view.__name__ for view in views) or "no view models"
    raise UsageError(f"no trigger of {names} watches {path}: none of them reads documents there.")


def deliver(event: CloudEvent, views: Sequence[type[ViewModel]], *, db: Any = None) -> RefreshReport:
    """Hand ``event`` to the view trigger deployed for its document, in this process.

    What the trigger ``export_view_triggers(globals(), views)`` binds does for the event,
    minus the Functions emulator: :func:`~flask_boiler.triggers.handle_document_event` with
    the matching pattern (exceptions propagate, as they would to the platform's retry).
    ``db`` defaults to ``Context.db`` (inside :func:`~.costs.count_operations`, the metered one).
    """
    views = tuple(views)
    return handle_document_event(trigger_pattern(_event_path(event), views), event, views, db)
