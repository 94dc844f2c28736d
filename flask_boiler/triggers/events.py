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

from google.events.cloud.firestore import DocumentEventData

from .._private.document_reads import snapshot_from_document
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
    reference = client.document(path)
    return DocumentEvent(
        path=path,
        before=snapshot_from_document(reference, old),
        after=snapshot_from_document(reference, new),
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
