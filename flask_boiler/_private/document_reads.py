"""One document read by itself, with Firestore's unary ``GetDocument``; snapshots from ``Document`` protos.

The client's ``DocumentReference.get()`` asks ``BatchGetDocuments``, a server stream, for
the one document. gRPC for Python runs a streamed call through the channel: a thread is
started to drive it whenever no other call is in flight, and each message reaches the
caller through a condition variable. A unary call is driven by the calling thread alone.
Against the emulator on the 2-core machine that is about 2.0 ms of client CPU per
``get()`` and 1.2 ms per ``GetDocument``, and a REST GET reads one or two documents
this way: it was most of the framework's overhead over a bare handler (``make bench``,
the REST scenario).

Billed the same: one read per document, found or missing. What differs:

* ``GetDocument`` answers a missing document with ``NOT_FOUND`` (here: a snapshot that
  does not exist). The same status for a *database* that does not exist is raised as it
  is: a misconfigured project must not look like an empty one.
* Its answer carries no read time: the snapshot's ``read_time`` is ``None`` (nothing in
  the framework reads it from single-document reads).
* Reads in a transaction stay on the transaction's ``get_all``, which may begin it
  (:mod:`.inline_begin`); only reads outside transactions come here.

:func:`snapshot_from_document` is also how a trigger turns the documents of its event
(the same ``Document`` message) into snapshots.
"""

from __future__ import annotations

import datetime
from typing import Any

from google.api_core import exceptions
from google.api_core.datetime_helpers import DatetimeWithNanoseconds
from google.cloud.firestore_v1 import DocumentReference, DocumentSnapshot, Transaction, _helpers

__all__ = ["read_document", "read_one", "snapshot_from_document"]


def _timestamp(proto_ts: Any) -> datetime.datetime:
    stamp: datetime.datetime = DatetimeWithNanoseconds.from_timestamp_pb(proto_ts)
    return stamp


def snapshot_from_document(reference: DocumentReference, document: Any, read_time: Any = None) -> DocumentSnapshot[Any]:
    """``reference``'s snapshot from a ``Document`` message (proto-plus, of the Firestore
    API's or google-events' types); ``None`` or a nameless document: it does not exist."""
    if document is None or not document.name:
        return DocumentSnapshot(reference, None, exists=False, read_time=read_time, create_time=None, update_time=None)
    # Both message types have the Firestore API's fields and oneofs: the client's own
    # decoder reads the protobuf as it is, without a copy into the API's type.
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
    snapshot._data = _helpers.decode_dict(pb.fields, reference._client)
    return snapshot


def _missing_database(error: exceptions.NotFound) -> bool:
    message = str(error.message or "").lower()
    return "database" in message and "does not exist" in message


def read_document(reference: DocumentReference) -> DocumentSnapshot[Any]:
    """``reference``'s snapshot now (outside any transaction), in one unary ``GetDocument``."""
    client = reference._client
    try:
        document = client._firestore_api.get_document(
            request={"name": reference._document_path}, metadata=client._rpc_metadata
        )
    except exceptions.NotFound as error:
        if _missing_database(error):
            raise
        document = None
    return snapshot_from_document(reference, document)


def read_one(reference: DocumentReference, transaction: Transaction | None = None) -> DocumentSnapshot[Any]:
    """``reference``'s snapshot: :func:`read_document` outside a transaction; in one, through
    its ``get_all`` (a transaction of :mod:`flask_boiler.transactions` not begun yet begins
    with that read, no round trip of its own)."""
    if transaction is None:
        return read_document(reference)
    snapshot: DocumentSnapshot[Any] = next(iter(transaction.get_all([reference])))
    return snapshot
