"""Property: whatever happens to the events, the views end up equal to a recompute.

The machinery; ``test_properties_example.py`` and ``test_properties_props.py`` run it, one app
each (in separate files so pytest-xdist can run the two apps on separate workers).

A hypothesis rule-based state machine writes domain documents (valid, invalid, deleted, and
invalid ones fixed again; changes to fields views read and to fields no view reads), and
delivers their events in any order, twice, crashed midway, or two at once on threads. When
it stops, invalid documents are fixed and every pending event delivered; then every view
document must equal what an **independent oracle** computes from the final domain documents —
plain Python over the raw stored data, sharing no code with the framework's planner, keys or
compute — and no other view document may exist.

Two apps: the example app (``shared_models``: a fan-out per attendee, followed references,
two back-references, one of them a collection group) and :mod:`.props_app` (a two-hop
``via`` chain, a fan-out keyed by a list, a back-reference).

Runs are deterministic (a fixed seed per copy, below) so CI sees the same histories every
time; a history that ever fails is kept as an explicit regression test in
``test_refresh_handlers.py``.

Each app runs as two copies at once, in databases of their own, each with its own seed (so
250 different histories per app, not the same 125 twice). A race of two deliveries that both
read and then write one document deadlocks in the Firestore emulator, which resolves it only
when its lock wait times out, after 2 s (production Firestore fails or delays one of them).
In one copy, those waits took 81 s of a 126 s run (measured), the CPU idle; two copies fill them.
"""

from __future__ import annotations

import ast
import datetime
import os
import re
import threading
from collections.abc import Callable
from typing import Any

import pytest
from google.auth.credentials import AnonymousCredentials
from google.cloud import firestore
from google.cloud.firestore_v1 import DocumentReference
from hypothesis import HealthCheck, seed, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, rule, run_state_machine_as_test

from flask_boiler.testing.emulators import clear_firestore
from flask_boiler.views.stamp import view_content
from shared_models import VIEW_MODELS as EXAMPLE_VIEWS

from . import props_app
from .delivery import Eventarc

#: Histories per app; two apps: at least 500 in all (``PROPERTY_HISTORIES`` overrides).
HISTORIES = int(os.environ.get("PROPERTY_HISTORIES", "250"))
STEPS = 8
#: Concurrent runs per app (different databases, different seeds, so different histories).
COPIES = int(os.environ.get("PROPERTY_COPIES", "2"))
FAR_FUTURE = datetime.datetime.max.replace(tzinfo=datetime.UTC)
T1 = datetime.datetime(2030, 1, 1, 9, tzinfo=datetime.UTC)
T2 = datetime.datetime(2030, 1, 2, 9, tzinfo=datetime.UTC)


def _path(reference: Any) -> str | None:
    return reference.path if isinstance(reference, DocumentReference) else None


def _id(path: str) -> str:
    return path.rsplit("/", 1)[1]


# -- the oracles: the views, recomputed from raw documents -------------------------------------


def oracle_example(docs: dict[str, dict]) -> dict[str, dict]:
    users = {p: d for p, d in docs.items() if re.fullmatch(r"users/[^/]+", p)}
    meetings = {p: d for p, d in docs.items() if p.startswith("meetings/")}
    tickets = {p: d for p, d in docs.items() if re.fullmatch(r"users/[^/]+/tickets/[^/]+", p)}
    views: dict[str, dict] = {}
    for meeting_path, meeting in meetings.items():
        listed = [_path(ref) for ref in meeting.get("attendees", [])]
        present = [users[path] for path in listed if path in users]
        location = docs.get(_path(meeting.get("location")) or "")
        session = {
            "title": meeting["title"],
            "status": meeting.get("status", "open"),
            "locationName": location["name"] if location else None,
            "attendeeNames": [f"{u['firstName']} {u['lastName']}" for u in present],
            "numAttendees": len(present),
            "numHearingAids": sum(1 for u in present if u.get("hearingAidRequested", False)),
        }
        for path in listed:
            views[f"users/{_id(path)}/meetingSessions/{_id(meeting_path)}"] = session
    for user_path, user in users.items():
        mine = sorted(
            (path, m) for path, m in meetings.items() if user_path in [_path(r) for r in m.get("attendees", [])]
        )
        upcoming = sorted(
            (item for item in mine if item[1].get("status", "open") == "open"),
            key=lambda item: (item[1].get("startsAt") or FAR_FUTURE, item[1]["title"]),
        )
        checked_in = {
            _id(_path(t["meeting"])) for t in tickets.values() if _path(t["user"]) == user_path and t.get("checkedIn")
        }
        views[f"userViews/{_id(user_path)}"] = {
            "name": f"{user['firstName']} {user['lastName']}",
            "upcoming": [
                {
                    "meetingId": _id(path),
                    "title": m["title"],
                    "startsAt": m.get("startsAt"),
                    "checkedIn": _id(path) in checked_in,
                }
                for path, m in upcoming
            ],
        }
    return views


def oracle_props(docs: dict[str, dict]) -> dict[str, dict]:
    owners = {p: d for p, d in docs.items() if p.startswith("propOwners/")}
    bags = {p: d for p, d in docs.items() if p.startswith("propBags/")}
    views: dict[str, dict] = {}
    for flight_path, flight in ((p, d) for p, d in docs.items() if re.fullmatch(r"propFlights/[^/]+", p)):
        listed = [_path(ref) for ref in flight.get("bags", [])]
        present = [bags[path] for path in listed if path in bags]
        reached = [owners[_path(b.get("owner"))] for b in present if _path(b.get("owner")) in owners]
        gate = docs.get(_path(flight.get("gate")) or "")
        views[f"propManifests/{_id(flight_path)}"] = {
            "code": flight["code"],
            "gateName": gate["name"] if gate else None,
            "labels": [b["label"] for b in present],
            "ownerNames": [o["name"] for o in reached],
            "vips": sum(1 for o in reached if o.get("vip", False)),
        }
        for path in listed:
            bag = bags.get(path)
            owner = owners.get(_path(bag.get("owner")) or "") if bag else None
            views[f"{flight_path}/tags/{_id(path)}"] = {
                "label": bag["label"] if bag else "(missing)",
                "ownerName": owner["name"] if owner else None,
            }
    for owner_path, owner in owners.items():
        labels = sorted(b["label"] for b in bags.values() if _path(b.get("owner")) == owner_path)
        views[f"propTravellers/{_id(owner_path)}"] = {"name": owner["name"], "labels": labels}
    return views


# -- the apps: what may be written ----------------------------------------------------------------


class App:
    """The documents a history may write, valid and invalid, and where its views live."""

    database: str  # each app in a database of its own: the two run side by side
    views: tuple[type, ...]
    view_groups: tuple[str, ...]  # collection ids of every view document
    oracle: Callable[[dict[str, dict]], dict[str, dict]]

    def __init__(self, db: Any) -> None:
        self.db = db

    def ref(self, path: str) -> DocumentReference:
        return self.db.document(path)

    def documents(self) -> dict[str, st.SearchStrategy[dict]]:
        raise NotImplementedError

    def invalid(self) -> dict[str, st.SearchStrategy[dict]]:
        raise NotImplementedError

    def fixed(self, path: str) -> dict[str, Any]:
        """A valid document for ``path``: what fixing bad data writes."""
        raise NotImplementedError


class ExampleApp(App):
    database = "example-histories"
    views = tuple(EXAMPLE_VIEWS)
    view_groups = ("meetingSessions", "userViews")
    oracle = staticmethod(oracle_example)
    USERS = ("users/u1", "users/u2", "users/u3")

    def documents(self) -> dict[str, st.SearchStrategy[dict]]:
        user = st.fixed_dictionaries(
            {
                "firstName": st.sampled_from(["Ann", "Bob"]),
                "lastName": st.sampled_from(["Lee", "Ray"]),
                "hearingAidRequested": st.booleans(),
            }
        )
        location = st.fixed_dictionaries(
            {"name": st.sampled_from(["Blue", "Red"]), "address": st.sampled_from(["1st floor", "2nd floor"])}
        )
        meeting = st.fixed_dictionaries(
            {
                "title": st.sampled_from(["Standup", "Retro"]),
                "status": st.sampled_from(["open", "closed"]),
                "startsAt": st.sampled_from([None, T1, T2]),
                "location": st.sampled_from([None, "locations/l1", "locations/l2"]).map(
                    lambda p: self.ref(p) if p else None
                ),
                "attendees": st.lists(st.sampled_from(self.USERS), unique=True, max_size=3).map(
                    lambda paths: [self.ref(p) for p in paths]
                ),
            }
        )
        documents: dict[str, st.SearchStrategy[dict]] = {path: user for path in self.USERS}
        documents |= {"locations/l1": location, "locations/l2": location}
        documents |= {"meetings/m1": meeting, "meetings/m2": meeting}
        for uid, mid in (("u1", "m1"), ("u2", "m1"), ("u1", "m2")):
            documents[f"users/{uid}/tickets/{mid}"] = st.fixed_dictionaries(
                {
                    "meeting": st.just(self.ref(f"meetings/{mid}")),
                    "user": st.just(self.ref(f"users/{uid}")),
                    "checkedIn": st.booleans(),
                }
            )
        return documents

    def invalid(self) -> dict[str, st.SearchStrategy[dict]]:
        return {
            "users/u1": st.just({"firstName": 42, "lastName": "Lee"}),
            "locations/l1": st.just({"address": "no name"}),
            "meetings/m1": st.sampled_from([{"status": "open"}, {"title": ["not", "a", "string"]}]),
        }

    def fixed(self, path: str) -> dict[str, Any]:
        return {
            "users/u1": {"firstName": "Fixed", "lastName": "Lee", "hearingAidRequested": True},
            "locations/l1": {"name": "Green", "address": "3rd floor"},
            "meetings/m1": {"title": "Fixed", "status": "open", "attendees": [self.ref("users/u1")]},
        }[path]


class PropsApp(App):
    database = "two-hop-histories"
    views = props_app.VIEWS
    view_groups = ("propManifests", "tags", "propTravellers")
    oracle = staticmethod(oracle_props)
    BAGS = ("propBags/b1", "propBags/b2", "propBags/b3")

    def documents(self) -> dict[str, st.SearchStrategy[dict]]:
        owner = st.fixed_dictionaries(
            {"name": st.sampled_from(["Ann", "Bob"]), "vip": st.booleans(), "phone": st.sampled_from(["1", "2"])}
        )
        bag = st.fixed_dictionaries(
            {
                "label": st.sampled_from(["red", "blue"]),
                "weight": st.sampled_from([10, 20]),
                "owner": st.sampled_from([None, "propOwners/o1", "propOwners/o2"]).map(
                    lambda p: self.ref(p) if p else None
                ),
            }
        )
        flight = st.fixed_dictionaries(
            {
                "code": st.sampled_from(["AF1", "BA2"]),
                "gate": st.sampled_from([None, "propGates/g1"]).map(lambda p: self.ref(p) if p else None),
                "bags": st.lists(st.sampled_from(self.BAGS), unique=True, max_size=3).map(
                    lambda paths: [self.ref(p) for p in paths]
                ),
                "remarks": st.sampled_from(["", "late"]),
            }
        )
        gate = st.fixed_dictionaries({"name": st.sampled_from(["A1", "B2"])})
        documents: dict[str, st.SearchStrategy[dict]] = {"propOwners/o1": owner, "propOwners/o2": owner}
        documents |= {path: bag for path in self.BAGS}
        documents |= {"propFlights/f1": flight, "propFlights/f2": flight, "propGates/g1": gate}
        return documents

    def invalid(self) -> dict[str, st.SearchStrategy[dict]]:
        return {
            "propOwners/o1": st.just({"name": 3}),
            "propBags/b1": st.just({"label": None}),
            "propFlights/f1": st.just({"code": 5, "bags": []}),
        }

    def fixed(self, path: str) -> dict[str, Any]:
        return {
            "propOwners/o1": {"name": "Fixed", "vip": True},
            "propBags/b1": {"label": "green", "owner": self.ref("propOwners/o1")},
            "propFlights/f1": {"code": "FX9", "bags": [self.ref("propBags/b1")]},
        }[path]


# -- the machine ---------------------------------------------------------------------------------


class Histories(RuleBasedStateMachine):
    """Writes, and deliveries of their events in any order (see the module docs)."""

    app_class: type[App]
    stack: Any
    db: Any
    database: str

    def __init__(self) -> None:
        super().__init__()
        clear_firestore(self.stack, database=self.database)
        self.app = self.app_class(self.db)
        self.eventarc = Eventarc(self.db, self.app.views)
        self.valid = self.app.documents()
        self.invalid_docs: set[str] = set()

    @initialize(data=st.data())
    def seed(self, data: st.DataObject) -> None:
        for path in sorted(self.valid):
            if data.draw(st.booleans(), label=f"seed {path}"):
                self.eventarc.write(path, data.draw(self.valid[path], label=path))

    # One rule drawing what happens next, weighted like a real backlog: mostly writes and plain
    # deliveries, sometimes bad data, deletes, duplicates, crashes and races. Events are picked
    # by an index drawn whatever is pending (modulo the backlog), so what is drawn never depends
    # on timing: a crash or a race may leave different events pending.
    ACTIONS = ("write",) * 4 + ("invalid", "delete") + ("deliver",) * 4 + ("duplicate", "crash", "race")

    @rule(action=st.sampled_from(ACTIONS), data=st.data(), pick=st.integers(0, 15), other=st.integers(0, 15))
    def step(self, action: str, data: st.DataObject, pick: int, other: int) -> None:
        if action in ("write", "invalid", "delete"):
            documents = self.app.invalid() if action == "invalid" else self.valid
            path = data.draw(st.sampled_from(sorted(documents)), label="path")
            document = None if action == "delete" else data.draw(documents[path], label="data")
            self.eventarc.write(path, document)
            (self.invalid_docs.add if action == "invalid" else self.invalid_docs.discard)(path)
            return
        backlog = len(self.eventarc.pending)
        if not backlog:
            return
        if action == "deliver":
            self.eventarc.deliver(pick % backlog)
        elif action == "duplicate":
            self.eventarc.deliver(pick % backlog, keep=True)
        elif action == "crash":
            self.eventarc.crash(pick % backlog, 1 + other % 6)
        else:
            self.eventarc.race(pick % backlog, other % backlog)

    def teardown(self) -> None:
        for path in sorted(self.invalid_docs):
            self.eventarc.write(path, self.app.fixed(path))
        self.eventarc.settle()
        refs = [self.db.document(path) for path in sorted(self.valid)]
        final = {snapshot.reference.path: snapshot.to_dict() for snapshot in self.db.get_all(refs) if snapshot.exists}
        expected = self.app.oracle(final)
        actual = {
            snapshot.reference.path: view_content(snapshot)
            for group in self.app.view_groups
            for snapshot in self.db.collection_group(group).stream()
        }
        assert actual == expected


def _run(stack: Any, app_class: type[App], copy: int, histories: int) -> None:
    """``histories`` histories of ``app_class`` in a database of their own."""
    database = f"{app_class.database}-{copy}"
    machine = type(f"{app_class.__name__}Histories{copy}", (Histories,), {})
    machine.app_class = app_class
    machine.stack = stack
    machine.database = database
    machine.db = firestore.Client(project=stack.project_id, credentials=AnonymousCredentials(), database=database)
    run_state_machine_as_test(
        seed(copy)(machine),
        settings=settings(
            max_examples=histories,
            stateful_step_count=STEPS,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        ),
    )


@pytest.fixture
def one_parse_at_a_time(monkeypatch):
    """CPython 3.11 may fail ("AST constructor recursion depth mismatch", gh-106905) when two
    threads parse at once, as hypothesis does (through ``inspect.getsource``) starting each run."""
    lock = threading.Lock()
    parse = ast.parse

    def locked(*args: Any, **kwargs: Any) -> Any:
        with lock:
            return parse(*args, **kwargs)

    monkeypatch.setattr(ast, "parse", locked)


def run_histories(emulators: Any, app_class: type[App]) -> None:
    """``HISTORIES`` histories of ``app_class``, in ``COPIES`` databases of its own at once: the
    emulator serves them side by side, so the histories cost wall time mostly while waiting on it."""
    failures: dict[str, BaseException] = {}
    per_copy = max(1, HISTORIES // COPIES)

    def run(copy: int) -> None:
        try:
            _run(emulators, app_class, copy, per_copy)
        except BaseException as exc:  # noqa: BLE001 - re-raised below, in the test's own thread
            failures[f"{app_class.__name__} (copy {copy})"] = exc

    threads = [threading.Thread(target=run, args=(copy,)) for copy in range(COPIES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for name, failure in failures.items():
        raise AssertionError(f"{name}: {type(failure).__name__}: {failure}") from failure
