"""One document read by itself, with Firestore's unary ``GetDocument``; snapshots from ``Document`` protos.

The client's ``DocumentReference.get()`` asks ``BatchGetDocuments``, a server stream, for
the one document. gRPC for Python runs a streamed call through the channel: a thread is
started to drive it whenever no other call is in flight, and each message reaches the
caller through a condition variable. A unary call is driven by the calling thread alone.
Client CPU per read against the emulator on the 2-core machine: about 2.0 ms for ``get()``,
1.2 ms for ``GetDocument`` through the client's method, 0.6 ms through the transport's
(:func:`_fetch`). A REST GET reads one or two documents this way: the difference was most
of the framework's overhead over a bare handler (``make bench``, the REST scenario).

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

import grpc
from google.api_core import exceptions, gapic_v1
from google.api_core.datetime_helpers import DatetimeWithNanoseconds
from google.cloud.firestore_v1 import DocumentReference, DocumentSnapshot, Transaction, _helpers
from google.cloud.firestore_v1.types import GetDocumentRequest

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


#: The first attempt's deadline: the client's default for the whole call.
FIRST_ATTEMPT_TIMEOUT = 60.0


def _missing_database(message: str | None) -> bool:
    text = (message or "").lower()
    return "database" in text and "does not exist" in text


def _fetch(client: Any, name: str) -> Any:
    """The ``Document`` message at ``name``, or ``None`` when there is none.

    The first attempt calls the transport's gRPC method itself: the client's method wraps
    every call in its retry and deadline machinery (about 0.25 ms of CPU per call, a
    quarter of the read's). Every answer but the document or ``NOT_FOUND`` hands the read
    over to the client's method, with its retry policy and error mapping, as if the first
    attempt had not been made.
    """
    api = client._firestore_api
    request = GetDocumentRequest(name=name)
    try:
        return api._transport.get_document(
            request,
            metadata=(*client._rpc_metadata, gapic_v1.routing_header.to_grpc_metadata((("name", name),))),
            timeout=FIRST_ATTEMPT_TIMEOUT,
        )
    except grpc.RpcError as error:
        if error.code() == grpc.StatusCode.NOT_FOUND and not _missing_database(error.details()):
            return None
    try:
        return api.get_document(request=request, metadata=client._rpc_metadata)
    except exceptions.NotFound as error:
        if _missing_database(error.message):
            raise
        return None


def read_document(reference: DocumentReference) -> DocumentSnapshot[Any]:
    """``reference``'s snapshot now (outside any transaction), in one unary ``GetDocument``."""
    return snapshot_from_document(reference, _fetch(reference._client, reference._document_path))


def read_one(reference: DocumentReference, transaction: Transaction | None = None) -> DocumentSnapshot[Any]:
    """``reference``'s snapshot: :func:`read_document` outside a transaction; in one, through
    its ``get_all`` (a transaction of :mod:`flask_boiler.transactions` not begun yet begins
    with that read, no round trip of its own)."""
    if transaction is None:
        return read_document(reference)
    snapshot: DocumentSnapshot[Any] = next(iter(transaction.get_all([reference])))
    return snapshot
