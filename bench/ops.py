"""Scenario 1: billed Firestore operations per domain change, ours vs the naive refresh.

Each scenario makes one domain write through the ORM (not counted: that is the client's
write), builds the real protobuf CloudEvent the emulator would deliver (``after`` with the
document's real ``update_time``), and counts, at the wire (``testing.costs``), what
``handle_document_event`` costs for the example app's ``VIEW_MODELS``; then what the naive
refresh (:mod:`bench.naive`) costs for the same event and data. Counts are deterministic;
the whole sequence runs ``runs`` times from a fresh database to show it.

The theoretical minimum is measured, not guessed: the view documents whose content changed
are found by diffing every view document before and after (``min writes``); ``min reads``
are the distinct documents those changed views are computed from, minus the triggering
document (the event carries it), as an oracle that knew in advance which views change would
read them. Nothing to change costs 0 reads, except a duplicated or stale event, where at least
one read is needed to learn that it is one.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask_boiler.context import Context
from flask_boiler.models.paths import PathTemplate
from flask_boiler.testing.costs import count_operations
from flask_boiler.testing.emulators import EmulatorStack, clear_firestore
from flask_boiler.triggers.view_triggers import handle_document_event
from flask_boiler.views.registry import watched_patterns
from flask_boiler.views.sources import reference_paths
from shared_models import VIEW_MODELS, Location, Meeting, User

from . import world
from .naive import naive_refresh


@dataclass
class Scenario:
    key: str
    title: str
    document: str
    action: Callable[[], None] | None = None  # None: replay the previous event (duplicate)


def _join(meeting_id: str, uid: str) -> None:
    Meeting.get_or_raise(meeting_id).join(User.get_or_raise(uid))


def _leave(meeting_id: str, uid: str) -> None:
    Meeting.get_or_raise(meeting_id).leave(uid)


def scenarios(quick: bool) -> list[Scenario]:
    items = [
        Scenario(
            "field_used",
            "change a field a view uses (meeting title; 2 attendees)",
            "meetings/standup",
            lambda: Meeting.get_or_raise("standup").update(title="Daily standup v2"),
        ),
        Scenario("duplicate", "a duplicated event (the title change delivered again)", "meetings/standup"),
        Scenario(
            "field_unused",
            "change a field no view uses (room address)",
            "locations/blue",
            lambda: Location.get_or_raise("blue").update(address="3rd floor"),
        ),
        Scenario(
            "add_attendee", "add an attendee (cy joins standup)", "meetings/standup", lambda: _join("standup", "cy")
        ),
        Scenario(
            "remove_attendee", "remove an attendee (ann leaves retro)", "meetings/retro", lambda: _leave("retro", "ann")
        ),
    ]
    for k in world.RENAME_KS if not quick else world.RENAME_KS[:2]:
        items.append(
            Scenario(
                f"rename_k{k}",
                f"rename a user who attends k={k} meeting{'s' if k > 1 else ''}",
                f"users/rk{k}",
                lambda k=k: User.get_or_raise(f"rk{k}").update(first_name=f"Kai{k}"),
            )
        )
    items.append(
        Scenario("stale", "a stale event (planning renamed twice; the first event arrives last)", "meetings/planning")
    )
    return items


def _pattern_for(document: str) -> str:
    for pattern in watched_patterns(VIEW_MODELS):
        if PathTemplate.parse(pattern).match(document) is not None:
            return pattern
    raise ValueError(f"no view model watches {document}")


def _view_class(path: str) -> tuple[type, dict[str, str]]:
    for view_cls in VIEW_MODELS:
        params = view_cls._meta.path.match(path)
        if params is not None:
            return view_cls, params
    raise ValueError(path)


def minimum_reads(changed: set[str], after: dict[str, dict], triggering: str) -> int:
    """Distinct documents the changed (not deleted) views are computed from, minus the triggering one."""
    db = Context.db
    needed: set[str] = set()
    for path in changed:
        if path not in after:
            continue  # a delete needs no inputs
        view_cls, key = _view_class(path)
        declaration = view_cls.declaration()
        root_path = declaration.root_path.render(key)
        root = declaration.root.model.get(doc_id=root_path.rsplit("/", 1)[1])
        needed.add(root_path)
        for source in declaration.followed:
            reached = [root]
            for hop in source.hops:
                paths = [p for document in reached for p in reference_paths(getattr(document, hop.attribute))]
                needed.update(paths)
                reached = [hop.target.get(doc_id=p.rsplit("/", 1)[1]) for p in paths]
                reached = [document for document in reached if document is not None]
        for source in declaration.backrefs:
            found = [s.reference.path for s in source.backref_query.query(db, [root_path]).stream()]
            needed.update(found or [f"(empty query for {path})"])  # an empty query still costs a read
    needed.discard(triggering)
    return len(needed)


def _count(fn: Callable[[], Any]) -> dict:
    with contextlib.redirect_stderr(io.StringIO()), count_operations(expect_calls=False) as count:
        fn()
    return {
        "reads": count.reads,
        "writes": count.billed_writes,
        "rpcs": count.lookups + count.queries + count.commits,
        "commits": count.commits,
        "looked_up": list(count.looked_up),
    }


def run_once(stack: EmulatorStack, quick: bool) -> dict[str, dict]:
    clear_firestore(stack)
    world.seed_ops_world()
    world.rebuild_views()
    db = Context.db
    results: dict[str, dict] = {}
    last_event: Any = None
    for scenario in scenarios(quick):
        pattern = _pattern_for(scenario.document)
        before_views = world.view_documents()
        if scenario.key == "duplicate":
            event = last_event
        elif scenario.key == "stale":
            first_before = world.snapshot(scenario.document)
            Meeting.get_or_raise("planning").update(title="Planning v2")
            stale_event = world.event_for(scenario.document, first_before)
            second_before = world.snapshot(scenario.document)
            Meeting.get_or_raise("planning").update(title="Planning v3")
            with contextlib.redirect_stderr(io.StringIO()):
                handle_document_event(pattern, world.event_for(scenario.document, second_before), VIEW_MODELS, db)
            before_views = world.view_documents()
            event = stale_event
        else:
            before = world.snapshot(scenario.document)
            scenario.action()
            event = world.event_for(scenario.document, before)
        last_event = event
        ours = _count(
            lambda pattern=pattern, event=event: handle_document_event(pattern, event, VIEW_MODELS, Context.db)
        )
        after_views = world.view_documents()
        stored_views = world.raw_view_documents()
        changed = world.changed_views(before_views, after_views)
        naive = _count(lambda pattern=pattern, event=event: naive_refresh(Context.db, pattern, event, VIEW_MODELS))
        naive_views = world.view_documents()
        world.restore_view_documents(stored_views)  # the next scenario starts from what ours left
        if scenario.key in ("duplicate", "stale"):
            min_reads = 1 if not changed else minimum_reads(changed, after_views, scenario.document)
        else:
            min_reads = minimum_reads(changed, after_views, scenario.document) if changed else 0
        results[scenario.key] = {
            "title": scenario.title,
            "document": scenario.document,
            "ours": {k: v for k, v in ours.items() if k != "looked_up"},
            "naive": {k: v for k, v in naive.items() if k != "looked_up"},
            "ours_triggering_reads": ours["looked_up"].count(scenario.document),
            "naive_triggering_reads": naive["looked_up"].count(scenario.document),
            "min_reads": min_reads,
            "min_writes": len(changed),
            "naive_same_views": naive_views == after_views,
        }
    return results


#: Firestore bills a write at three times a read (per 100,000: $0.18 writes, $0.06 reads).
WRITE_WEIGHT = 3


def billed(reads: int, writes: int) -> int:
    """Billed cost in read units."""
    return reads + WRITE_WEIGHT * writes


def ops_totals(ops: dict) -> dict[str, int | float]:
    """Reads, writes and billed cost over every scenario, ours and the oracle minimum's."""
    rows = list(ops["scenarios"].values())
    totals: dict[str, int | float] = {
        "reads": sum(row["ours"]["reads"] for row in rows),
        "writes": sum(row["ours"]["writes"] for row in rows),
        "min_reads": sum(row["min_reads"] for row in rows),
        "min_writes": sum(row["min_writes"] for row in rows),
        "naive_reads": sum(row["naive"]["reads"] for row in rows),
        "naive_writes": sum(row["naive"]["writes"] for row in rows),
    }
    totals["billed"] = billed(int(totals["reads"]), int(totals["writes"]))
    totals["min_billed"] = billed(int(totals["min_reads"]), int(totals["min_writes"]))
    totals["naive_billed"] = billed(int(totals["naive_reads"]), int(totals["naive_writes"]))
    totals["ratio_to_min"] = totals["billed"] / max(1, totals["min_billed"])
    return totals


def run(stack: EmulatorStack, runs: int, quick: bool) -> dict:
    all_runs = [run_once(stack, quick) for _ in range(runs)]
    first = all_runs[0]
    deterministic = all(
        {k: (r["ours"], r["naive"]) for k, r in other.items()} == {k: (r["ours"], r["naive"]) for k, r in first.items()}
        for other in all_runs[1:]
    )
    result = {"runs": runs, "deterministic": deterministic, "scenarios": first}
    return {**result, "totals": ops_totals(result)}
