"""Firestore-triggered Cloud Functions: decoding document events and refreshing view documents.

``handle_document_event(pattern, cloud_event, views)`` is what each generated trigger runs
(useful in tests with :func:`flask_boiler.testing.document_event`); ``export_view_triggers``
binds one trigger per watched pattern into ``functions/main.py``.
"""

from .events import DocumentEvent, EventDecodeError, decode_document_event
from .view_triggers import ViewRefreshFailed, export_view_triggers, handle_document_event, view_trigger

__all__ = [
    "DocumentEvent",
    "EventDecodeError",
    "ViewRefreshFailed",
    "decode_document_event",
    "export_view_triggers",
    "handle_document_event",
    "view_trigger",
]
