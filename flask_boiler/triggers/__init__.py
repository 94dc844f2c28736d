"""Firestore-triggered Cloud Functions: decoding events and (later) refreshing view documents."""

from .events import DocumentEvent, decode_document_event

__all__ = ["DocumentEvent", "decode_document_event"]
