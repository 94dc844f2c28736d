"""The testing kit against the real emulators: users and ID tokens, rules as a signed-in client,
events from real writes delivered to the handler, costs, fixtures."""

from __future__ import annotations

import datetime
import inspect

import pytest
from firebase_admin import auth

from flask_boiler import fields, schema
from flask_boiler.context import Context
from flask_boiler.domain_model import DomainModel
from flask_boiler.errors import UsageError
from flask_boiler.testing import (
    FirestoreClient,
    count_operations,
    deliver,
    document_event,
    recorded_event,
    wait_for,
)
from flask_boiler.testing.emulators import ABANDONED_TRANSACTION_SECONDS, EmulatorStartError, clear_firestore
from flask_boiler.testing.http import call
from flask_boiler.views import ViewModel, owner, source
from flask_boiler.views.compute import computed_views
from flask_boiler.views.stamp import view_content
from shared_models import Meeting, User, UserView
from shared_models.seed import seed_domain

pytestmark = pytest.mark.emulators


class KitNoteSchema(schema.Schema):
    text = fields.String(required=True)
    owner = fields.String(required=True)


class KitNote(DomainModel):
    """A domain model no deployed trigger watches: only this test's deliveries refresh its view."""

    class Meta:
        collection_name = "kitNotes"
        schema_cls = KitNoteSchema


class KitCardSchema(schema.Schema):
    text = fields.String()


def declare_card() -> type[ViewModel]:
    class KitCard(ViewModel):
        class Meta:
            schema_cls = KitCardSchema
            path = "kitOwners/{uid}/kitCards/{note_id}"
            access = owner("uid")

        note = source(KitNote, "kitNotes/{note_id}")

        @staticmethod
        def keys(note: KitNote) -> list[dict[str, str]]:
            return [{"uid": note.owner, "note_id": note.doc_id}]

        def compute(self) -> dict[str, str]:
            return {"text": self.note.text.upper()}

    return KitCard


def test_users_get_real_id_tokens_that_the_server_verifies(auth_emulator):
    ann = auth_emulator.create_user("ann", email="ann@example.com", claims={"organizer": True})
    bob = auth_emulator.create_user("bob")  # no email: signed in through a custom token
    for user, email in ((ann, "ann@example.com"), (bob, None)):
        claims = auth.verify_id_token(user.id_token, app=Context.firebase_app, check_revoked=True)
        assert claims["uid"] == user.uid and claims.get("email") == email
    assert auth.verify_id_token(ann.id_token, app=Context.firebase_app)["organizer"] is True
    assert ann.headers == {"Authorization": f"Bearer {ann.id_token}"}
    assert auth_emulator.sign_in("ann@example.com", ann.password).uid == "ann"
    auth_emulator.clear()
    with pytest.raises(auth.UserNotFoundError):
        auth.get_user("ann", app=Context.firebase_app)


def test_rules_are_asserted_as_a_signed_in_client(clean_firestore, emulators, auth_emulator):
    seed_domain()
    db = clean_firestore.db

    def settled() -> bool:
        """Ann's view as stored equals its recompute: the seed's triggers have all run for it
        (it exists from her own write on, and the meetings' and tickets' triggers fill it in)."""
        (expected,) = computed_views(db, UserView, [User.get_or_raise("ann")])
        return view_content(db.document("userViews/ann").get()) == expected.stored()

    wait_for(settled, timeout=60, message="ann's view, settled")
    ann = FirestoreClient.as_user(emulators, "ann")
    assert ann.can_read("userViews/ann") and ann.can_read("users/ann/meetingSessions/standup")
    assert not ann.can_read("userViews/bob")
    assert not ann.can_read("meetings/standup") and not ann.can_list("meetings")
    assert not FirestoreClient.anonymous(emulators).can_read("userViews/ann")
    # Compared by content: a seed trigger delivered late may still re-stamp the view with the
    # same content (it writes what its event changed without reading what is stored).
    before = view_content(db.document("userViews/ann").get())
    assert not ann.can_write("userViews/ann", {"name": "Mallory"})
    assert not ann.can_delete("userViews/ann")
    assert view_content(db.document("userViews/ann").get()) == before  # nothing changed
    # A real token from the Auth emulator works the same way.
    real = FirestoreClient(emulators, auth_emulator.create_user("ann", email="ann@example.com").id_token)
    assert real.can_read("userViews/ann") and not real.can_read("userViews/bob")


def test_events_of_real_writes_delivered_to_the_handler(clean_firestore, view_registry):
    card = declare_card()
    assert view_registry.views() == [card]  # a fresh registry: this test's views only
    views = [card]
    with recorded_event("kitNotes/n1") as created:
        KitNote.new("n1", text="hello", owner="ann").save()
    with count_operations() as first:
        report = deliver(created.event, views)
    assert report.failures == [] and first.writes == 1
    stored = clean_firestore.db.document("kitOwners/ann/kitCards/n1").get()
    assert stored.to_dict()["text"] == "HELLO"

    with count_operations() as again:  # at-least-once delivery: the same event, again
        deliver(created.event, views)
    assert (again.writes, again.deletes) == (0, 0)

    # document_event reads the stored update_time by default: a current event, which refreshes.
    KitNote.get(doc_id="n1").update(text="changed")
    current = document_event(
        "kitNotes/n1", before={"text": "hello", "owner": "ann"}, after={"text": "changed", "owner": "ann"}
    )
    deliver(current, views)
    assert clean_firestore.db.document("kitOwners/ann/kitCards/n1").get().to_dict()["text"] == "CHANGED"

    # An event stamped before the last write is stale: it must not overwrite the newer view.
    stale = document_event(
        "kitNotes/n1",
        after={"text": "old news", "owner": "ann"},
        after_time=stored.update_time - datetime.timedelta(seconds=1),
    )
    with count_operations() as late:
        deliver(stale, views)
    assert late.writes == 0
    assert clean_firestore.db.document("kitOwners/ann/kitCards/n1").get().to_dict()["text"] == "CHANGED"


def test_event_builders_refuse_what_firestore_would_never_send(clean_firestore, view_registry):
    with pytest.raises(UsageError, match="after_time"):
        document_event("kitNotes/never-written", after={"text": "x", "owner": "ann"})
    with pytest.raises(UsageError, match="did not exist"), recorded_event("kitNotes/n2"):
        pass
    KitNote.new("n2", text="x", owner="ann").save()
    with pytest.raises(UsageError, match="did not write"), recorded_event("kitNotes/n2"):
        KitNote.get(doc_id="n2")  # a read is no write
    with pytest.raises(UsageError, match="no trigger"):
        deliver(document_event("elsewhere/x", before={"a": 1}), [declare_card()])


def test_function_and_hosting_urls_reach_the_emulators(clean_firestore, function_url, hosting_url):
    assert call("GET", function_url("health")).json()["status"] == "ok"
    seed_domain()
    # Hosting rewrites /api/** to the api function: the same answer as its own URL.
    through_hosting = call("GET", hosting_url("/api/meetingCards/standup"))
    direct = call("GET", function_url("api", "/meetingCards/standup"))
    assert through_hosting.status == direct.status == 200
    assert through_hosting.json() == direct.json()
    assert through_hosting.json()["title"] == Meeting.get(doc_id="standup").title


def test_a_clear_waits_for_the_locks_of_a_transaction_and_says_so_when_it_gives_up(clean_firestore, emulators):
    """A transaction that read a document holds its lock, and the emulator refuses to clear
    meanwhile (409). One whose process died keeps it until the emulator drops it (a minute):
    the default timeout waits that out; a shorter one ends in a typed error that says why."""
    db = clean_firestore.db
    db.document("kitLocks/held").set({"n": 1})
    api, metadata = db._firestore_api, db._rpc_metadata
    transaction = api.begin_transaction(request={"database": db._database_string}, metadata=metadata).transaction
    read = {"database": db._database_string, "documents": [db.document("kitLocks/held")._document_path]}
    list(api.batch_get_documents(request={**read, "transaction": transaction}, metadata=metadata))
    try:
        with pytest.raises(EmulatorStartError, match="a transaction still holds locks"):
            clear_firestore(emulators, timeout=1)
        assert db.document("kitLocks/held").get().exists  # nothing cleared
    finally:
        api.rollback(request={"database": db._database_string, "transaction": transaction}, metadata=metadata)
    clear_firestore(emulators, timeout=5)  # the locks gone, at once
    assert not db.document("kitLocks/held").get().exists
    assert inspect.signature(clear_firestore).parameters["timeout"].default > ABANDONED_TRANSACTION_SECONDS
