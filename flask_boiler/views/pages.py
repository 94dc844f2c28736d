"""Walking every document of a path template, one page at a time, by document name.

Rebuilds (local and on Cloud Tasks) page through a view model's roots, then through its
views. A page is an ordered, keys-only query (``order_by(__name__)``, ``select(__name__)``:
each document is billed one read, no field is transferred), resumed after the last name of the
previous page — a cursor that is just a document path, so it can be stored in a checkpoint or
a task and survives any number of restarts. Documents created meanwhile are visited if their
name sorts after the cursor; the others have their own triggers. A template under parent
documents (``users/{uid}/meetingSessions/{id}``) is a collection-group query, which can also
return same-named collections elsewhere: those are skipped, but still advance the cursor.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from google.cloud.firestore_v1 import DocumentSnapshot
from google.cloud.firestore_v1.field_path import FieldPath

from ..models.paths import PathTemplate

__all__ = ["DocumentPage", "count_documents", "document_page"]


@dataclass(frozen=True)
class DocumentPage:
    """The documents of one page that match the template, and where the next page starts."""

    snapshots: list[DocumentSnapshot[Any]]
    #: The last document name read (``None``: this was the last page).
    next_after: str | None
    #: Documents the query returned, the skipped ones included (what progress counts).
    scanned: int

    @property
    def paths(self) -> list[str]:
        return [snapshot.reference.path for snapshot in self.snapshots]


def _every(db: Any, template: PathTemplate) -> Any:
    if template.parent_params:
        return db.collection_group(template.collection_id)
    return db.collection(template.collection_path({}))


def document_page(db: Any, template: PathTemplate, after: str | None, size: int) -> DocumentPage:
    """Up to ``size`` documents of ``template`` whose names sort after ``after``."""
    query = _every(db, template).order_by(FieldPath.document_id()).select([FieldPath.document_id()])
    if after is not None:
        query = query.start_after({FieldPath.document_id(): db.document(after)})
    found = list(query.limit(size).stream())
    matching = [snapshot for snapshot in found if template.match(snapshot.reference.path) is not None]
    next_after = found[-1].reference.path if len(found) == size else None
    return DocumentPage(matching, next_after, len(found))


def count_documents(db: Any, template: PathTemplate) -> int:
    """How many documents a walk of ``template`` will scan (an aggregation: one read per 1,000)."""
    result = _every(db, template).count(alias="count").get()
    return int(result[0][0].value)
