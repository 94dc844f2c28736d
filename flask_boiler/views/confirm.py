"""Confirming, after a large refresh's batches landed, that the data it computed from still holds.

A refresh larger than one commit that read the views it compares (the *conditional* way of
:mod:`.refresh`: a stale event, a rerun, a reconcile) reads its sources in a transaction,
commits it, and writes the views afterwards in conditional batches (:mod:`.commit`). (A fresh
event's refresh sends its batches before its transaction commits instead, its sources locked
meanwhile, and never comes here.) The preconditions guard against
*writes to the views* since the read, not against *changes to the sources*: a change whose own
refresh ran in between and found nothing to write (the data went back to what the views still
showed) leaves no trace on the views, so our batches — computed from data that is no longer
current — land unopposed, and no event is left to fix them.

So the refresh reads its sources once more, after its batches, and compares versions: every
document it read by path (its ``update_time``, or missing) and every reverse query it ran (which
documents came back, at which ``update_time``). Unchanged, the views it wrote are what the data
computes now; changed, the refresh runs again from fresh data. Firestore moves a document's
``update_time`` on every write that changes it, so equal versions mean equal data.

What is left out: the stored views themselves (the refresh's own batches move them; the
preconditions cover what others wrote) and the queries that found views by their bookkeeping
(:class:`~.stamp.RootViews`, a list of views, not data).

The price is the sources' reads a second time, on conditional large fan-outs only (about N
reads besides the N view reads and N writes such a refresh pays anyway); the refreshes that fit
one transaction, and held ones, are serializable as they are and never come here.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from google.cloud.firestore_v1 import DocumentSnapshot

from .declaration import ReverseQuery
from .sources import QueryKey, SourceReader

__all__ = ["SourceVersions"]

#: A document's version: its ``update_time``, ``None`` when it does not exist.
Version = Any


def _version(snapshot: DocumentSnapshot[Any]) -> Version:
    return snapshot.update_time if snapshot.exists else None


def _result_versions(found: Sequence[DocumentSnapshot[Any]]) -> tuple[tuple[str, Version], ...]:
    return tuple((snapshot.reference.path, _version(snapshot)) for snapshot in found)


@dataclass(frozen=True)
class SourceVersions:
    """The versions of every source one refresh read (see the module docs)."""

    documents: Mapping[str, Version]
    queries: Mapping[QueryKey, tuple[tuple[str, Version], ...]]

    @classmethod
    def of(cls, reader: SourceReader, views: Collection[str]) -> SourceVersions:
        """What ``reader`` read, except the documents at ``views`` and the views found by their
        bookkeeping. A document a reverse query returned is checked through that query (which
        costs its read anyway), not read again by path."""
        queries = {
            key: _result_versions(found) for key, found in reader.results.items() if isinstance(key[0], ReverseQuery)
        }
        through_queries = {path for found in queries.values() for path, _ in found}
        view_results = {
            snapshot.reference.path
            for key, found in reader.results.items()
            if not isinstance(key[0], ReverseQuery)
            for snapshot in found
        }
        documents = {
            path: _version(snapshot)
            for path, snapshot in reader.documents.items()
            if path not in views and path not in through_queries and path not in view_results
        }
        return cls(documents, queries)

    def without(self, paths: Collection[str]) -> SourceVersions:
        """The same, leaving out the documents at ``paths`` (views known only to the caller)."""
        return SourceVersions({p: v for p, v in self.documents.items() if p not in paths}, self.queries)

    def __bool__(self) -> bool:
        return bool(self.documents or self.queries)

    def still_hold(self, reader: SourceReader) -> bool:
        """Read every source again through ``reader`` (one wave: a ``get_all`` beside the
        queries) and say whether each is at the version read before."""
        reader.fetch(self.documents, self.queries)
        return all(_version(reader.documents[path]) == version for path, version in self.documents.items()) and all(
            _result_versions(reader.results[key]) == versions for key, versions in self.queries.items()
        )
