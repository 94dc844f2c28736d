"""Document reads: one by itself with Firestore's unary ``GetDocument``, several with the
client's ``BatchGetDocuments`` request; snapshots decoded by :mod:`.value_decoding`.

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

Several documents (:func:`get_all`, :func:`read_many`) go out exactly as the client's
``get_all`` sends them (its request, retry policy and deadline); only the answers are
decoded by :mod:`.value_decoding` instead of the client's parser, which spent most of a
large refresh's client CPU decoding arrays element by element and deep-copying the result.
An inline-begun transaction (:mod:`.inline_begin`) decodes its reads the same way.
"""

from __future__ import annotations

from collections.abc import Generator, Iterable, Iterator
from typing import Any

import grpc
from google.api_core import exceptions, gapic_v1
from google.cloud.firestore_v1 import DocumentReference, DocumentSnapshot, Transaction
from google.cloud.firestore_v1.base_client import _get_reference
from google.cloud.firestore_v1.types import GetDocumentRequest

from . import value_decoding

__all__ = ["get_all", "read_document", "read_many", "read_one", "snapshot_from_document", "snapshots_from_responses"]


def snapshot_from_document(reference: DocumentReference, document: Any, read_time: Any = None) -> DocumentSnapshot[Any]:
    """``reference``'s snapshot from a ``Document`` message (proto-plus, of the Firestore
    API's or google-events' types); ``None`` or a nameless document: it does not exist."""
    # Both message types have the Firestore API's fields and oneofs: the protobuf is decoded
    # as it is, without a copy into the API's type.
    found = document is not None and document.name
    return value_decoding.snapshot(reference, type(document).pb(document) if found else None, read_time)


def snapshots_from_responses(
    responses: Iterable[Any], reference_map: dict[str, DocumentReference], client: Any
) -> Iterator[DocumentSnapshot[Any]]:
    """The snapshots a ``BatchGetDocuments`` stream answers, as the client's ``get_all``
    yields them (decoded by :mod:`.value_decoding`); a response carrying only a transaction
    id (an inline beginning's first) yields none."""
    for response in responses:
        pb = type(response).pb(response)
        result = pb.WhichOneof("result")
        if result is None:
            continue
        read_time = value_decoding.timestamp(pb.read_time) if pb.HasField("read_time") else None
        if result == "found":
            yield value_decoding.snapshot(_get_reference(pb.found.name, reference_map), pb.found, read_time)
        else:
            yield value_decoding.snapshot(_get_reference(pb.missing, reference_map), None, read_time)


def get_all(
    client: Any,
    references: Iterable[DocumentReference],
    transaction: Transaction | None = None,
    retry: Any = gapic_v1.method.DEFAULT,
    timeout: float | None = None,
    read_time: Any = None,
) -> Generator[DocumentSnapshot[Any], Any, None]:
    """``client.get_all(references, transaction=transaction, read_time=read_time)``: the same
    request, retry policy and answers (sent on the first ``next``, as the client's), with the
    snapshots decoded by :mod:`.value_decoding`."""
    request, reference_map, kwargs = client._prep_get_all(
        list(references), None, transaction, retry, timeout, read_time
    )
    responses = client._firestore_api.batch_get_documents(request=request, metadata=client._rpc_metadata, **kwargs)
    yield from snapshots_from_responses(responses, reference_map, client)


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


def read_many(
    client: Any, references: Iterable[DocumentReference], transaction: Transaction | None = None
) -> Iterator[DocumentSnapshot[Any]]:
    """Several documents in one ``BatchGetDocuments``: in a transaction through its ``get_all``
    (a transaction of :mod:`flask_boiler.transactions` not begun yet begins with it), else
    :func:`get_all`."""
    if transaction is not None:
        snapshots: Iterator[DocumentSnapshot[Any]] = iter(transaction.get_all(list(references)))
        return snapshots
    return get_all(client, references)


def read_document(reference: DocumentReference) -> DocumentSnapshot[Any]:
    """``reference``'s snapshot now (outside any transaction), in one unary ``GetDocument``."""
    return snapshot_from_document(reference, _fetch(reference._client, reference._document_path))


def read_one(reference: DocumentReference, transaction: Transaction | None = None) -> DocumentSnapshot[Any]:
    """``reference``'s snapshot: :func:`read_document` outside a transaction; in one, through
    its ``get_all`` (a transaction of :mod:`flask_boiler.transactions` not begun yet begins
    with that read, no round trip of its own)."""
    if transaction is None:
        return read_document(reference)
    return next(read_many(reference._client, [reference], transaction))
