"""Scenario 5: one domain change that refreshes N view documents, vs the raw BulkWriter.

A meeting with N attendees has N per-attendee views. Each repetition renames the meeting and
times ``handle_document_event`` for that event (the real protobuf event, with the document's
real update_time) on one view model, so exactly N view documents change. Up to one commit's
500 views the refresh computes the views before and after the change and writes those that
differ in its transaction. Beyond, it does the same but writes in parallel batches, sent while
its transaction still holds the room and the N attendees it read, and commits last (the
event is fresh: no stored view is read; :mod:`flask_boiler.views.commit`).

Two view models: ``FanCard`` (below; the shape of ``MeetingSession`` with a constant-size
document: the attendee's own name instead of every attendee's) for N = 10, 100, 1,000, and
the example's ``MeetingSession`` itself, whose documents list every attendee's name, so N
views weigh O(N^2) bytes: at N = 1,000 they are about 13 MB. The baseline writes the same N
documents (the same content, with a different title so every write is a real change) with
the Firestore client's ``BulkWriter``: once with its defaults (which rate-limit to 500
writes/s) and once with the limit lifted. Besides wall time, each side's CPU time in this
process is recorded (``cpu_seconds``): what the Python side costs, apart from the emulator.

A third side, the **floor**, bounds what any trigger could reach on this machine: it makes the
round trips a refresh cannot avoid — one lookup of the sources (the meeting, the room and the N
attendees), then the same N documents written in the batches the engine would send, as many
at once (faster than ``BulkWriter`` here) — with requests encoded before the clock starts,
responses not decoded, nothing computed, no transaction. ``ceiling_ratio`` is unthrottled
``BulkWriter``'s time over the floor's: the ratio an engine whose client side cost nothing would
show. What separates our time from the floor is the work in this process (``cpu_seconds``).
"""

from __future__ import annotations

import contextlib
import io
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from google.cloud.firestore_v1.bulk_writer import BulkWriterOptions

from flask_boiler import fields, schema
from flask_boiler.context import Context
from flask_boiler.testing.costs import count_operations
from flask_boiler.testing.emulators import EmulatorStack, clear_firestore
from flask_boiler.triggers.view_triggers import handle_document_event
from flask_boiler.views import ViewModel, source
from flask_boiler.views.commit import PARALLEL_COMMITS, ViewWrite, blind_write, parallel_batches
from flask_boiler.views.compute import computed_views
from shared_models import Location, Meeting, MeetingSession, User

from . import world
from .stats import summary

PATTERN = "meetings/{doc_id}"


class FanCardSchema(schema.Schema):
    class Meta:
        camel_case = True

    title = fields.String()
    status = fields.String()
    location_name = fields.String(allow_none=True)
    attendee_name = fields.String()
    num_attendees = fields.Integer()


class FanCard(ViewModel):
    """Benchmark-only: one constant-size view per attendee of a meeting (never deployed)."""

    class Meta:
        schema_cls = FanCardSchema
        path = "benchFanCards/{meeting_id}/attendees/{uid}"

    meeting = source(Meeting, "meetings/{meeting_id}")
    location = source(Location, via="meeting.location")
    attendees = source(User, many=True, via="meeting.attendees")

    @staticmethod
    def keys(meeting: Meeting) -> list[dict[str, str]]:
        return [{"meeting_id": meeting.doc_id, "uid": user.doc_id} for user in meeting.attendees]

    def compute(self) -> dict:
        me = next((u for u in self.attendees if u.doc_id == self.key["uid"]), None)
        return {
            "title": self.meeting.title,
            "status": self.meeting.status,
            "location_name": self.location.name if self.location else None,
            "attendee_name": f"{me.first_name} {me.last_name}" if me else "",
            "num_attendees": len(self.attendees),
        }


def commit_bytes(view_cls: type, meeting_id: str) -> int:
    """Size of the write requests for every view of the meeting (computed, nothing written)."""
    from google.cloud.firestore_v1 import _helpers
    from google.cloud.firestore_v1.types import Document, Write

    db = Context.db
    views = computed_views(db, view_cls, [Meeting.get_or_raise(meeting_id)])
    total = 0
    for view in views:
        name = f"projects/{db.project}/databases/(default)/documents/{view.doc_path}"
        total += Write.pb(Write(update=Document(name=name, fields=_helpers.encode_dict(view.stored())))).ByteSize()
    return total


UNTHROTTLED = BulkWriterOptions(initial_ops_per_second=1_000_000, max_ops_per_second=1_000_000)


def _setup(n: int, view_cls: type, create_views: bool = True) -> str:
    users = [User.new(f"f{n}-{i:04d}", first_name=f"F{i}", last_name="Fan") for i in range(n)]
    for start in range(0, n, 400):
        with User.batch() as batch:
            for user in users[start : start + 400]:
                batch.save(user)
    Location.new("fanroom", name="Fan room").save()
    meeting_id = f"fan{n}"
    Meeting.new(meeting_id, title=f"Fan-out {n}", location=Location.get_or_raise("fanroom"), attendees=users).save()
    if create_views:
        _ours(view_cls, meeting_id, None)  # create the N views (not measured)
    return meeting_id


def _ours(view_cls: type, meeting_id: str, title: Any) -> tuple[float, dict]:
    path = f"meetings/{meeting_id}"
    before = world.snapshot(path)
    if title is not None:
        Meeting.get_or_raise(meeting_id).update(title=title)
    event = world.event_for(path, before if title is not None else (None, None))
    with contextlib.redirect_stderr(io.StringIO()), count_operations() as count:
        start, cpu = time.perf_counter(), time.process_time()
        handle_document_event(PATTERN, event, (view_cls,), Context.db)
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    return elapsed, {
        "cpu_seconds": cpu,
        "reads": count.reads,
        "writes": count.billed_writes,
        "rpcs": count.lookups + count.queries + count.commits,
    }


def _bulk(documents: dict[str, dict], title: str, options: Any) -> tuple[float, dict]:
    """BulkWriter sends BatchWrite RPCs (which ``count_operations`` does not see): N writes, no reads."""
    db = Context.db
    start, cpu = time.perf_counter(), time.process_time()
    writer = db.bulk_writer(options=options) if options is not None else db.bulk_writer()
    for path, data in documents.items():
        writer.set(db.document(path), {**data, "title": title})
    writer.close()
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    return elapsed, {"cpu_seconds": cpu, "reads": 0, "writes": len(documents)}


def _floor(root: str, sources: list[str], documents: dict[str, dict], title: str) -> tuple[float, dict]:
    """The round trips any trigger must make, and nothing else: one lookup of ``sources``, then
    ``documents`` (views of ``root``) written in the batches the engine would send
    (:func:`~flask_boiler.views.commit.parallel_batches`, encoded by its ``blind_write``), as
    many at once as it sends.

    The requests are encoded before the clock starts and the responses are not decoded: the
    time is the emulator's and the transport's, a lower bound for any client."""
    db = Context.db
    api, database, metadata = db._firestore_api, db._database_string, db._rpc_metadata
    names = [f"{database}/documents/{path}" for path in sources]
    views = [ViewWrite(path, {**data, "title": title}, root) for path, data in documents.items()]
    batches = [[blind_write(db, write, None) for write in batch] for batch in parallel_batches(views)]

    def commit(writes: list[Any]) -> None:
        api.commit(request={"database": database, "writes": writes}, metadata=metadata)

    start, cpu = time.perf_counter(), time.process_time()
    responses = api.batch_get_documents(request={"database": database, "documents": names}, metadata=metadata)
    read = sum(1 for response in responses if "found" in response)
    with ThreadPoolExecutor(max_workers=PARALLEL_COMMITS) as pool:
        list(pool.map(commit, batches))
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    return elapsed, {"cpu_seconds": cpu, "reads": read, "writes": len(documents)}


def _measure(stack: EmulatorStack, view_cls: type, n: int, repeats: int) -> dict:
    clear_firestore(stack)
    meeting_id = _setup(n, view_cls)
    meeting = Meeting.get_or_raise(meeting_id)
    view_paths = [view_cls._meta.path.render(key) for key in view_cls.keys_for(meeting)]
    sources = [meeting.doc_path, meeting.location.doc_path, *(user.doc_path for user in meeting.attendees)]
    times: dict[str, list[float]] = {"ours": [], "bulk_default": [], "bulk_unthrottled": [], "floor": []}
    costs: dict[str, dict] = {}
    cpu: dict[str, list[float]] = {name: [] for name in times}
    for rep in range(repeats):
        elapsed, cost = _ours(view_cls, meeting_id, f"Fan-out {n} v{rep}")
        if cost["writes"] != n:
            raise AssertionError(f"fan-out {n}: expected {n} view writes, got {cost}")
        times["ours"].append(elapsed)
        cpu["ours"].append(cost.pop("cpu_seconds"))
        costs["ours"] = cost
        documents = {
            s.reference.path: s.to_dict() for s in Context.db.get_all([Context.db.document(p) for p in view_paths])
        }
        for name, options in (("bulk_default", None), ("bulk_unthrottled", UNTHROTTLED)):
            elapsed, costs[name] = _bulk(documents, f"{name} {n} v{rep}", options)
            times[name].append(elapsed)
            cpu[name].append(costs[name].pop("cpu_seconds"))
        elapsed, costs["floor"] = _floor(sources[0], sources, documents, f"floor {n} v{rep}")
        times["floor"].append(elapsed)
        cpu["floor"].append(costs["floor"].pop("cpu_seconds"))
    return {
        "view": view_cls.__name__,
        "n": n,
        "repeats": repeats,
        "commit_bytes": commit_bytes(view_cls, meeting_id),
        "seconds": {name: summary(values) for name, values in times.items()},
        # CPU time of this process (the client side: reading, computing, encoding), per side
        "cpu_seconds": {name: summary(values) for name, values in cpu.items()},
        "writes_per_second": {name: summary([n / t for t in values]) for name, values in times.items()},
        "cost": costs,
        # ours writes/s divided by the baseline's, per repetition (= baseline time / our time)
        "throughput_ratio": {
            name: summary([b / o for b, o in zip(times[name], times["ours"])])
            for name in ("bulk_default", "bulk_unthrottled")
        },
        # the best ratio vs unthrottled BulkWriter any engine reading its sources first could show
        "ceiling_ratio": summary([b / f for b, f in zip(times["bulk_unthrottled"], times["floor"])]),
        "raw": times,
    }


def run(stack: EmulatorStack, sizes: list[int], repeats: dict[int, int]) -> dict:
    results: dict[str, Any] = {"FanCard": {}, "MeetingSession": {}}
    for n in sizes:
        results["FanCard"][str(n)] = _measure(stack, FanCard, n, repeats[n])
    for n in sizes:
        results["MeetingSession"][str(n)] = _measure(stack, MeetingSession, n, repeats[n])
    return results
