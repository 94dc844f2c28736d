"""One write to a domain document, as the refresh engine sees it.

A trigger decodes its CloudEvent into a :class:`DocumentChange` (:mod:`flask_boiler.triggers`);
tests and tools build one directly. The engine needs nothing else: the document's path, its
state before and after (``exists`` is False on the missing side of a create or delete), and
the event's identity (duplicated deliveries carry the same id) and time (for the age limit).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from google.cloud.firestore_v1 import DocumentSnapshot

from ..models.document import DocumentModel
from ..schema import stored_key
from .stamp import snapshot_data

__all__ = ["DocumentChange", "changed_attributes"]


@dataclass(frozen=True)
class DocumentChange:
    """A domain document going from ``before`` to ``after``."""

    path: str
    before: DocumentSnapshot[Any]
    after: DocumentSnapshot[Any]
    event_id: str
    time: datetime.datetime | None = None

    @property
    def exists_before(self) -> bool:
        return bool(self.before.exists)

    @property
    def exists_after(self) -> bool:
        return bool(self.after.exists)

    @property
    def after_update_time(self) -> datetime.datetime | None:
        return self.after.update_time if self.after.exists else None


def changed_attributes(
    model: type[DocumentModel], before: DocumentSnapshot[Any], after: DocumentSnapshot[Any]
) -> frozenset[str] | None:
    """The attributes of ``model`` whose stored values differ between ``before`` and ``after``.

    ``None`` means "cannot tell which": the document was created or deleted, or its type
    discriminator changed (another subclass, other fields). Stored keys the schema does not
    declare are ignored: no view can read them.
    """
    if not (before.exists and after.exists):
        return None
    old, new = snapshot_data(before), snapshot_data(after)  # compared, not copied
    type_field = model._meta.type_field
    if type_field is not None and old.get(type_field) != new.get(type_field):
        return None
    return frozenset(
        name
        for name, schema_field in model._meta.schema.fields.items()
        if old.get(stored_key(name, schema_field)) != new.get(stored_key(name, schema_field))
    )
