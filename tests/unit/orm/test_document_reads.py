"""``read_document``'s handling of ``NOT_FOUND``: a missing document is a snapshot that does
not exist; a missing *database* (the same status) is raised, so a misconfigured project
answers errors rather than looking empty."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from google.api_core import exceptions

from flask_boiler._private.document_reads import read_document


class _Api:
    def __init__(self, error: Exception) -> None:
        self.error = error
        self.requests: list[dict] = []

    def get_document(self, request, metadata):
        self.requests.append(request)
        raise self.error


def _reference(error: Exception) -> SimpleNamespace:
    client = SimpleNamespace(_firestore_api=_Api(error), _rpc_metadata=[("k", "v")])
    return SimpleNamespace(_client=client, _document_path="projects/p/databases/(default)/documents/c/d", id="d")


def test_not_found_for_the_document_is_a_missing_snapshot():
    reference = _reference(exceptions.NotFound("Document (projects/p/databases/(default)/documents/c/d) not found."))
    snapshot = read_document(reference)
    assert not snapshot.exists
    assert reference._client._firestore_api.requests == [{"name": "projects/p/databases/(default)/documents/c/d"}]


@pytest.mark.parametrize(
    "message",
    [
        "The database (default) does not exist for project p Please visit https://console.cloud.google.com/",
        "The database nope does not exist.",
    ],
)
def test_not_found_for_the_database_is_raised(message):
    with pytest.raises(exceptions.NotFound):
        read_document(_reference(exceptions.NotFound(message)))


@pytest.mark.parametrize("error", [exceptions.PermissionDenied("no"), exceptions.ServiceUnavailable("down")])
def test_other_errors_are_raised(error):
    with pytest.raises(type(error)):
        read_document(_reference(error))
