"""Build real Firestore CloudEvents (protobuf ``DocumentEventData``) for handler tests.

The bytes are what Eventarc and the emulator send, so a handler tested with these events
decodes exactly what it will decode in production.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Mapping
from typing import Any

from cloudevents.http import CloudEvent
from google.cloud.firestore_v1 import _helpers
from google.cloud.firestore_v1.types import Document as FirestoreDocument
from google.events.cloud.firestore import Document, DocumentEventData
from google.protobuf import timestamp_pb2

from ..endpoints import WRITTEN


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


def document_event(
    path: str,
    *,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    project: str = "demo-flask-boiler",
    before_time: datetime.datetime | None = None,
    after_time: datetime.datetime | None = None,
    event_type: str = WRITTEN,
    event_id: str | None = None,
) -> CloudEvent:
    """A ``google.cloud.firestore.document.v1.*`` CloudEvent for ``path`` going from ``before`` to ``after``."""
    now = datetime.datetime.now(datetime.UTC)
    payload = DocumentEventData()
    if before is not None:
        payload.old_value = _document(project, path, before, before_time or now)
    if after is not None:
        payload.value = _document(project, path, after, after_time or now)
    attributes = {
        "id": event_id or uuid.uuid4().hex,
        "type": event_type,
        "source": f"//firestore.googleapis.com/projects/{project}/databases/(default)",
        "subject": f"documents/{path}",
        "datacontenttype": "application/protobuf",
        "document": path,
        "database": "(default)",
        "namespace": "(default)",
        "project": project,
        "location": "us-central1",
    }
    return CloudEvent(attributes, DocumentEventData.serialize(payload))
