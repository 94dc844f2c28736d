"""The google-cloud-firestore internals the framework builds on are there, as it uses them.

``flask_boiler._private.inline_begin`` subclasses the client's ``Transaction`` (to begin it
with its first read), ``views/commit.py`` adds prepared writes to a batch (encoding views with
server values as the client's ``set()`` does), and
``_private/write_encoding.py`` encodes values with the client's own helpers, and
``_private/document_reads.py`` reads one document with the transport's ``get_document`` (the
client's method when that fails) and several with the client's own request (``_prep_get_all``),
decoded by ``_private/value_decoding.py`` with the client's decoder for all but scalars. None of that is public API, so a client release may move
it: this test names what is used, so that such a release fails here, by name, rather than
deep inside a transaction test. Tested against
2.25.0 and 2.34.1 (pyproject's lower bound and the version installed here).
"""

from __future__ import annotations

import inspect

import pytest
from google.cloud.firestore_v1 import _helpers, base_client, transforms
from google.cloud.firestore_v1.base_batch import BaseWriteBatch
from google.cloud.firestore_v1.base_client import BaseClient
from google.cloud.firestore_v1.base_document import BaseDocumentReference
from google.cloud.firestore_v1.base_transaction import BaseTransaction
from google.cloud.firestore_v1.services.firestore import FirestoreClient
from google.cloud.firestore_v1.services.firestore.transports.grpc import FirestoreGrpcTransport
from google.cloud.firestore_v1.transaction import Transaction

USED = [
    (Transaction, "_commit"),
    (Transaction, "_rollback"),
    (Transaction, "_clean_up"),
    (Transaction, "_begin"),
    (Transaction, "get_all"),
    (BaseTransaction, "_options_protobuf"),
    (BaseTransaction, "in_progress"),
    (BaseTransaction, "id"),
    (BaseWriteBatch, "_add_write_pbs"),
    (BaseClient, "_database_string"),
    (BaseClient, "_rpc_metadata"),
    (BaseDocumentReference, "_document_path"),
    (FirestoreClient, "get_document"),
    (FirestoreGrpcTransport, "get_document"),
    (BaseClient, "_prep_get_all"),
    (base_client, "_get_reference"),
    (base_client, "_reference_info"),
    (_helpers, "decode_value"),
    (_helpers, "decode_dict"),
    (_helpers, "encode_value"),
    (_helpers, "encode_dict"),
    (_helpers, "pbs_for_set_no_merge"),
    (transforms, "_ValueList"),
    (transforms, "Sentinel"),
]


@pytest.mark.parametrize(("owner", "name"), USED, ids=lambda item: getattr(item, "__name__", item))
def test_the_client_still_has_what_the_framework_uses(owner, name):
    assert hasattr(owner, name), f"google-cloud-firestore no longer has {owner.__name__}.{name}"


def test_transactions_keep_their_state_where_inline_begin_reads_it():
    # Attributes set in __init__, not on the class: read from a transaction of a client that
    # never connects.
    from google.auth.credentials import AnonymousCredentials
    from google.cloud import firestore

    client = firestore.Client(project="demo-internals", credentials=AnonymousCredentials())
    transaction = Transaction(client)
    assert transaction._id is None
    assert transaction._write_pbs == []
    assert hasattr(client, "_firestore_api")
    assert "read_time" in inspect.signature(Transaction.get_all).parameters
    assert list(inspect.signature(BaseClient._prep_get_all).parameters)[:7] == [
        "self",
        "references",
        "field_paths",
        "transaction",
        "retry",
        "timeout",
        "read_time",
    ]


def test_set_encodes_a_server_value_as_a_transform_of_one_write():
    """``views.commit.blind_write`` takes the one ``Write`` the client's ``set()`` builds for a
    view holding a server value."""
    name = "projects/demo-internals/databases/(default)/documents/views/v"
    (write,) = _helpers.pbs_for_set_no_merge(name, {"at": transforms.SERVER_TIMESTAMP, "n": 1})
    assert write.update.name == name
    assert list(write.update.fields) == ["n"]
    assert [transform.field_path for transform in write.update_transforms] == ["at"]
