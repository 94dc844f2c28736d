"""The generated security rules, enforced by the real Firestore emulator, for real clients.

Server SDKs bypass rules, so every client request here goes through the emulator's REST
API with an ID token: unsigned JWTs (the emulator accepts ``alg: none``) carrying the uid
and custom claims, or none at all (anonymous). Documents are seeded with the server SDK.

First the project's own ``firestore.rules``, as the stack loaded it from firebase.json;
then rules generated from ``sample_app``'s views (every access policy), loaded into the
emulator through its rules endpoint and replaced by the project's rules afterwards.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from flask_boiler.deploy.rules import render_rules
from flask_boiler.testing import wait_for
from flask_boiler.testing.rules import unsigned_id_token
from flask_boiler.views import ViewModel, source
from tests.unit.deploy.sample_app import SAMPLE_VIEWS, BoardSchema, RtTeam


class SealedBoard(ViewModel):
    """Declares no Meta.access: closed, like the REST layer."""

    class Meta:
        schema_cls = BoardSchema
        path = "rtSealedBoards/{team_id}"

    team = source(RtTeam, "rtTeams/{team_id}")

    def compute(self):
        return {"name": self.team.name}


pytestmark = pytest.mark.emulators

ROOT = Path(__file__).resolve().parents[3]


class Client:
    """A Firestore REST client acting as one end user (or anonymous), answering status codes
    (the kit's ``FirestoreClient`` answers booleans; these tests also create and list)."""

    def __init__(self, emulators, uid: str | None = None, **claims: Any) -> None:
        self.base = (
            f"http://{emulators.firestore_host}/v1/projects/{emulators.project_id}/databases/(default)/documents"
        )
        token = unsigned_id_token(emulators.project_id, uid, claims) if uid else None
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def get(self, path: str) -> int:
        return requests.get(f"{self.base}/{path}", headers=self.headers, timeout=30).status_code

    def list(self, collection: str) -> int:
        return requests.get(f"{self.base}/{collection}", headers=self.headers, timeout=30).status_code

    def write(self, path: str) -> int:
        body = {"fields": {"name": {"stringValue": "forged"}}}
        return requests.patch(f"{self.base}/{path}", json=body, headers=self.headers, timeout=30).status_code

    def create(self, collection: str) -> int:
        body = {"fields": {"name": {"stringValue": "forged"}}}
        return requests.post(f"{self.base}/{collection}", json=body, headers=self.headers, timeout=30).status_code

    def delete(self, path: str) -> int:
        return requests.delete(f"{self.base}/{path}", headers=self.headers, timeout=30).status_code


def load_rules(emulators, text: str) -> None:
    url = f"http://{emulators.firestore_host}/emulator/v1/projects/{emulators.project_id}:securityRules"
    response = requests.put(url, json={"rules": {"files": [{"name": "firestore.rules", "content": text}]}}, timeout=30)
    assert response.status_code == 200, response.text


# -- the project's rules, as firebase.json makes the emulator load them ----------------------


@pytest.fixture
def meeting_views(clean_firestore):
    db = clean_firestore.db
    db.document("users/alice").set({"firstName": "Alice", "lastName": "A"})
    db.document("meetings/m1").set({"title": "Standup", "attendees": [db.document("users/alice")]})
    db.document("users/alice/meetingSessions/m1").set({"title": "Standup", "numAttendees": 1})
    db.document("users/bob/meetingSessions/m2").set({"title": "Other", "numAttendees": 1})
    return db


def test_project_rules_are_enforced_owner_reads_own_view_only(emulators, meeting_views):
    alice, bob, anonymous = Client(emulators, "alice"), Client(emulators, "bob"), Client(emulators)
    assert alice.get("users/alice/meetingSessions/m1") == 200
    assert bob.get("users/alice/meetingSessions/m1") == 403
    assert anonymous.get("users/alice/meetingSessions/m1") == 403
    assert alice.list("users/alice/meetingSessions") == 200
    assert alice.list("users/bob/meetingSessions") == 403


def test_project_rules_close_domain_documents_to_everyone(emulators, meeting_views):
    for client in (Client(emulators, "alice"), Client(emulators, "admin", admin=True), Client(emulators)):
        assert client.get("users/alice") == 403
        assert client.get("meetings/m1") == 403
        assert client.list("meetings") == 403
        assert client.write("meetings/m1") == 403
        assert client.create("meetings") == 403
    assert meeting_views.document("meetings/m1").get().to_dict()["title"] == "Standup"


def test_project_rules_let_nobody_write_views(emulators, meeting_views):
    alice = Client(emulators, "alice")
    assert alice.write("users/alice/meetingSessions/m1") == 403
    assert alice.delete("users/alice/meetingSessions/m1") == 403
    assert alice.write("users/alice/meetingSessions/new") == 403
    assert meeting_views.document("users/alice/meetingSessions/m1").get().to_dict()["title"] == "Standup"


def test_the_emulator_loaded_the_committed_rules_file(emulators, meeting_views):
    """The denies above come from firestore.rules, not from a default: swap in open rules
    and the same request passes; put the committed file back and it is denied again."""
    bob = Client(emulators, "bob")
    assert bob.get("users/alice/meetingSessions/m1") == 403
    committed = (ROOT / "firestore.rules").read_text()
    try:
        load_rules(
            emulators,
            "rules_version = '2';\nservice cloud.firestore { match /databases/{d}/documents "
            "{ match /{document=**} { allow read: if true; } } }\n",
        )
        wait_for(lambda: bob.get("users/alice/meetingSessions/m1") == 200, timeout=10, message="open rules")
    finally:
        load_rules(emulators, committed)
    wait_for(lambda: bob.get("users/alice/meetingSessions/m1") == 403, timeout=10, message="committed rules")


# -- every access policy, with rules generated from sample_app ----------------------------------


@pytest.fixture
def sample_rules(emulators, clean_firestore) -> Iterator[Any]:
    db = clean_firestore.db
    for collection in ("rtPublicBoards", "rtMemberBoards", "rtAdminBoards", "rtStaffBoards", "rtSealedBoards"):
        db.document(f"{collection}/t1").set({"name": "Team"})
    db.document("rtInboxes/alice").set({"name": "Alice"})
    db.document("rtTeams/t1").set({"name": "Team"})
    load_rules(emulators, render_rules((*SAMPLE_VIEWS, SealedBoard)))
    try:
        wait_for(lambda: Client(emulators).get("rtPublicBoards/t1") == 200, timeout=10, message="sample rules")
        yield db
    finally:
        load_rules(emulators, (ROOT / "firestore.rules").read_text())


def test_public_view_is_readable_by_anyone(emulators, sample_rules):
    assert Client(emulators).get("rtPublicBoards/t1") == 200
    assert Client(emulators, "alice").get("rtPublicBoards/t1") == 200
    assert Client(emulators).write("rtPublicBoards/t1") == 403


def test_signed_in_view_needs_a_user(emulators, sample_rules):
    assert Client(emulators, "alice").get("rtMemberBoards/t1") == 200
    assert Client(emulators).get("rtMemberBoards/t1") == 403
    assert Client(emulators, "alice").write("rtMemberBoards/t1") == 403


def test_role_view_needs_the_custom_claim(emulators, sample_rules):
    assert Client(emulators, "root", admin=True).get("rtAdminBoards/t1") == 200
    assert Client(emulators, "alice").get("rtAdminBoards/t1") == 403
    assert Client(emulators, "mallory", admin="true").get("rtAdminBoards/t1") == 403  # a string is not true
    assert Client(emulators).get("rtAdminBoards/t1") == 403
    assert Client(emulators, "root", admin=True).write("rtAdminBoards/t1") == 403


def test_role_view_with_a_string_claim(emulators, sample_rules):
    assert Client(emulators, "sam", level="staff").get("rtStaffBoards/t1") == 200
    assert Client(emulators, "gus", level="guest").get("rtStaffBoards/t1") == 403
    assert Client(emulators, "alice").get("rtStaffBoards/t1") == 403


def test_owner_view_in_a_top_level_collection(emulators, sample_rules):
    assert Client(emulators, "alice").get("rtInboxes/alice") == 200
    assert Client(emulators, "bob").get("rtInboxes/alice") == 403
    assert Client(emulators).get("rtInboxes/alice") == 403
    assert Client(emulators, "alice").write("rtInboxes/alice") == 403


def test_a_view_without_declared_access_is_closed_to_every_client(emulators, sample_rules):
    for client in (Client(emulators), Client(emulators, "alice"), Client(emulators, "root", admin=True)):
        assert client.get("rtSealedBoards/t1") == 403
        assert client.list("rtSealedBoards") == 403
        assert client.write("rtSealedBoards/t1") == 403


def test_domain_documents_stay_closed_under_generated_rules(emulators, sample_rules):
    for client in (Client(emulators), Client(emulators, "root", admin=True)):
        assert client.get("rtTeams/t1") == 403
        assert client.write("rtTeams/t1") == 403
