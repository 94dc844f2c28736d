"""Concurrent writers through the real chain, then every view equal to a recompute.

Thirty users join one meeting at once through the ``api`` function in the Functions emulator
(a hot document), while other users rename themselves (many documents). The Firestore
emulator delivers every resulting event to the view triggers, also in the Functions emulator,
concurrently. No join may be lost, no client may see a 500, and once the stack has settled
every view document must equal what the independent oracle of the property tests computes
from the final domain documents.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from flask_boiler.context import Context
from flask_boiler.testing import wait_for
from flask_boiler.views.stamp import view_content
from shared_models import Location, Meeting, User

from ..views.histories import oracle_example
from .transports import EmulatorTransport

pytestmark = pytest.mark.emulators
JOINERS = 30


def _settled_views(db):
    return {
        snapshot.reference.path: view_content(snapshot)
        for group in ("meetingSessions", "userViews")
        for snapshot in db.collection_group(group).stream()
    }


def _domain(db):
    documents = {}
    for collection in ("users", "meetings", "locations", "tickets"):
        query = db.collection_group(collection) if collection == "tickets" else db.collection(collection)
        documents.update({snapshot.reference.path: snapshot.to_dict() for snapshot in query.stream()})
    return documents


def test_concurrent_joins_and_renames_lose_nothing_and_views_settle_to_the_recompute(emulators, accounts):
    db = Context.db
    api = EmulatorTransport(emulators)
    Location.new("blue", name="Blue room").save()
    Meeting.new("hot", title="All hands", location=Location.get_or_raise("blue")).save()
    people = [accounts.create(f"joiner{i:02d}") for i in range(JOINERS)]
    for number, account in enumerate(people):
        User.new(account.uid, first_name=f"User{number:02d}", last_name="Lee").save()

    def join(account):
        """A client: join, and on 503 wait as told and try again (what Retry-After asks)."""
        for _ in range(20):
            reply = api.request("POST", "/meetings/hot/attendees", json={"uid": account.uid}, headers=account.headers)
            if reply.status != 503:
                return reply.status if reply.status == 201 else (reply.status, reply.text)
            time.sleep(float(reply.headers.get("Retry-After", "1")))
        return 503

    def rename(number_and_account):
        number, account = number_and_account
        User.get_or_raise(account.uid).update(first_name=f"Renamed{number:02d}")
        return 200

    with ThreadPoolExecutor(max_workers=12) as pool:
        joins = pool.map(join, people)
        renames = pool.map(rename, list(enumerate(people))[::3])
        statuses = list(joins)
        list(renames)
    assert statuses == [201] * JOINERS, statuses

    attendees = {attendee.doc_id for attendee in Meeting.get_or_raise("hot").attendees}
    assert attendees == {account.uid for account in people}, "a join was lost"

    def settled():
        expected = oracle_example(_domain(db))
        return expected if _settled_views(db) == expected else None

    expected = wait_for(settled, timeout=120, interval=0.5, message="the views never settled to the recompute")
    assert len([path for path in expected if "/meetingSessions/" in path]) == JOINERS
