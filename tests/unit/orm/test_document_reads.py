"""``read_document``'s first attempt and its hand-over to the client's method.

The first attempt calls the transport's gRPC method; a missing document (``NOT_FOUND``) is a
snapshot that does not exist. Everything else goes to the client's own ``get_document``, with
its retry policy and error mapping: a missing *database* (the same status) is raised, so a
misconfigured project answers errors rather than looking empty, and a transient error is
retried there rather than by us. The emulator can produce none of these failures on
demand, so fakes stand in for the transport and the client here; the integration suite
(``tests/integration/orm/test_orm_single_reads.py``) reads real documents.
"""

from __future__ import annotations

from types import SimpleNamespace
from urllib.parse import unquote

import grpc
import pytest
from google.api_core import exceptions
from google.cloud.firestore_v1.types import Document

from flask_boiler._private.document_reads import read_document

NAME = "projects/p/databases/(default)/documents/c/d"
FOUND = Document(name=NAME, fields={"n": {"integer_value": 7}})


class _RpcError(grpc.RpcError):
    def __init__(self, code: grpc.StatusCode, details: str) -> None:
        self._code, self._details = code, details

    def code(self) -> grpc.StatusCode:
        return self._code

    def details(self) -> str:
        return self._details


class _Stub:
    """Plays both the transport's gRPC method and the client's method: an answer or an error each."""

    def __init__(self, answer: object) -> None:
        self.answer = answer
        self.calls: list[dict] = []

    def __call__(self, request, **kwargs):
        self.calls.append({"name": request.name, **kwargs})
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


def _reference(first: object, fallback: object = None) -> SimpleNamespace:
    transport = SimpleNamespace(get_document=_Stub(first))
    client_method = _Stub(fallback)
    api = SimpleNamespace(_transport=transport, get_document=lambda request, metadata: client_method(request))
    client = SimpleNamespace(_firestore_api=api, _rpc_metadata=[("k", "v")])
    return SimpleNamespace(
        _client=client, _document_path=NAME, id="d", first=transport.get_document, then=client_method
    )


def test_a_found_document_is_read_in_one_call_with_the_routing_header():
    reference = _reference(FOUND)
    snapshot = read_document(reference)
    assert snapshot.exists
    assert snapshot.to_dict() == {"n": 7}
    (call,) = reference.first.calls
    assert ("k", "v") in call["metadata"]
    assert any(key == "x-goog-request-params" and NAME in unquote(value) for key, value in call["metadata"])
    assert call["timeout"] > 0
    assert reference.then.calls == []


def test_not_found_for_the_document_is_a_missing_snapshot_without_a_second_call():
    reference = _reference(_RpcError(grpc.StatusCode.NOT_FOUND, f"Document ({NAME}) not found."))
    snapshot = read_document(reference)
    assert not snapshot.exists
    assert reference.then.calls == []


@pytest.mark.parametrize(
    "message",
    [
        "The database (default) does not exist for project p Please visit https://console.cloud.google.com/",
        "The database nope does not exist.",
    ],
)
def test_not_found_for_the_database_is_raised(message):
    reference = _reference(_RpcError(grpc.StatusCode.NOT_FOUND, message), exceptions.NotFound(message))
    with pytest.raises(exceptions.NotFound):
        read_document(reference)
    assert len(reference.then.calls) == 1


def test_a_transient_error_hands_the_read_to_the_client_method():
    reference = _reference(_RpcError(grpc.StatusCode.UNAVAILABLE, "connection reset"), FOUND)
    assert read_document(reference).to_dict() == {"n": 7}
    assert len(reference.first.calls) == 1
    assert len(reference.then.calls) == 1


def test_the_client_method_can_still_find_the_document_missing():
    reference = _reference(_RpcError(grpc.StatusCode.UNAVAILABLE, "down"), exceptions.NotFound(f"Document {NAME}"))
    assert not read_document(reference).exists


@pytest.mark.parametrize("error", [exceptions.PermissionDenied("no"), exceptions.ServiceUnavailable("still down")])
def test_errors_of_the_client_method_are_raised_as_it_maps_them(error):
    reference = _reference(_RpcError(grpc.StatusCode.PERMISSION_DENIED, "no"), error)
    with pytest.raises(type(error)):
        read_document(reference)
