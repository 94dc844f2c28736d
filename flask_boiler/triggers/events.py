"""Turn a Firestore CloudEvent into before/after document snapshots.

Eventarc and the Firestore emulator deliver ``google.cloud.firestore.document.v1.*``
events with an ``application/protobuf`` body holding a ``DocumentEventData``. We decode
it with google-events, then re-read each ``Document`` as the Firestore client's own proto
so values decode exactly as a client read would (timestamps with nanoseconds,
``DocumentReference``, ``GeoPoint``, bytes). The triggering document therefore never has
to be read again: the event already carries it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from google.api_core.datetime_helpers import DatetimeWithNanoseconds
from google.cloud.firestore_v1 import DocumentSnapshot, _helpers
from google.events.cloud.firestore import DocumentEventData

from ..endpoints import WRITTEN
from ..errors import FlaskBoilerError
from ..models.paths import PathTemplate
from ..views.change import DocumentChange


class EventDecodeError(FlaskBoilerError):
    """The CloudEvent is not a Firestore document event we can read."""


@dataclass(frozen=True)
class DocumentEvent(DocumentChange):
    """One Firestore document change, decoded: a :class:`~flask_boiler.views.change.DocumentChange`
    (``path``, ``before``/``after`` snapshots, ``event_id``, ``time``) plus the CloudEvent's
    ``type`` and the wildcard values (``params``) of the pattern the function watches."""

    type: str = WRITTEN
    params: dict[str, str] = field(default_factory=dict)

    @property
    def is_create(self) -> bool:
        return bool(self.after.exists and not self.before.exists)

    @property
    def is_delete(self) -> bool:
        return bool(self.before.exists and not self.after.exists)


def _document_path(cloud_event: Any) -> str:
    document = cloud_event.get("document") if hasattr(cloud_event, "get") else None
    if document:
        return str(document)
    subject = cloud_event.get("subject") if hasattr(cloud_event, "get") else None
    if subject and str(subject).startswith("documents/"):
        return str(subject)[len("documents/") :]
    raise EventDecodeError("The event names no document (no 'document' or 'subject' attribute).")


def _timestamp(proto_ts: Any) -> datetime.datetime | None:
    if proto_ts is None:
        return None
    stamp: datetime.datetime = DatetimeWithNanoseconds.from_timestamp_pb(proto_ts)
    return stamp


def _snapshot(client: Any, path: str, document: Any, read_time: Any) -> DocumentSnapshot[Any]:
    reference = client.document(path)
    if document is None or not document.name:
        return DocumentSnapshot(reference, None, exists=False, read_time=read_time, create_time=None, update_time=None)
    # The event's Document (google.events) has the Firestore API's fields and oneofs: the
    # client's own decoder reads its protobuf as it is, without a copy into the API's type.
    pb = type(document).pb(document)
    snapshot = DocumentSnapshot(
        reference,
        None,
        exists=True,
        read_time=read_time,
        create_time=_timestamp(pb.create_time) if pb.HasField("create_time") else None,
        update_time=_timestamp(pb.update_time) if pb.HasField("update_time") else None,
    )
    # Decoded here and held by nothing else: the constructor's deep copy of it would be waste.
    snapshot._data = _helpers.decode_dict(pb.fields, client)
    return snapshot


def decode_document_event(cloud_event: Any, client: Any, pattern: str | None = None) -> DocumentEvent:
    """Decode a functions-framework ``CloudEvent`` carrying Firestore ``DocumentEventData``."""
    body = cloud_event.data
    if isinstance(body, str):
        body = body.encode("latin-1")
    if not isinstance(body, (bytes, bytearray)):
        raise EventDecodeError(f"Expected an application/protobuf DocumentEventData body, got {type(body).__name__}.")
    try:
        payload = DocumentEventData.deserialize(bytes(body))
    except Exception as exc:  # protobuf raises DecodeError and friends
        raise EventDecodeError(f"The event body is not a DocumentEventData: {exc}") from exc
    path = _document_path(cloud_event)
    params = PathTemplate.parse(pattern).match(path) if pattern else {}
    if params is None:
        raise EventDecodeError(f"Document {path!r} does not match the function's pattern {pattern!r}.")
    new = payload.value if "value" in payload else None
    old = payload.old_value if "old_value" in payload else None
    return DocumentEvent(
        path=path,
        before=_snapshot(client, path, old, None),
        after=_snapshot(client, path, new, None),
        event_id=str(cloud_event["id"]),
        time=_event_time(cloud_event.get("time")),
        type=str(cloud_event["type"]),
        params=params,
    )


def _event_time(value: Any) -> datetime.datetime | None:
    """The CloudEvent ``time`` attribute (RFC 3339), or ``None`` if absent or unreadable."""
    if isinstance(value, datetime.datetime):
        return value if value.tzinfo else value.replace(tzinfo=datetime.UTC)
    if not value:
        return None
    try:
        parsed = datetime.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=datetime.UTC)
