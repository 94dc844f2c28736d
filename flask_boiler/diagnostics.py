"""Built-in functions that prove a deployment works end to end.

* :func:`health` (HTTP): the framework's version and the project the function runs in
  (no Firestore call: it answers even when Firestore is unreachable).
* :func:`ping_pong` (Firestore trigger on ``flaskBoilerPings/{ping_id}``): writes
  ``flaskBoilerPongs/{ping_id}`` with what the event carried. If the pong appears, the
  whole chain works: client write -> Firestore -> Eventarc (or the emulator) -> function
  -> Firestore.
"""

from __future__ import annotations

from typing import Any

from . import __version__
from .context import Context
from .triggers.events import decode_document_event

PING_PATTERN = "flaskBoilerPings/{ping_id}"
PONG_COLLECTION = "flaskBoilerPongs"


def health(request: Any) -> tuple[dict[str, str], int]:
    """``GET``: ``{"status": "ok", "framework": "flask-boiler", "version": ..., "project": ...}``."""
    return {"status": "ok", "framework": "flask-boiler", "version": __version__, "project": Context.project_id}, 200


def ping_pong(cloud_event: Any) -> None:
    """Answer a ping document with a pong document (idempotent: same id, same content)."""
    db = Context.db
    event = decode_document_event(cloud_event, db, PING_PATTERN)
    if not event.after.exists:
        return  # a deleted ping needs no pong
    db.collection(PONG_COLLECTION).document(event.params["ping_id"]).set(
        {
            "ping": event.after.to_dict(),
            "eventType": event.type,
            "pingUpdateTime": event.after.update_time,
        }
    )
