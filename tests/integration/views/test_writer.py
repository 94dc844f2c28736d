"""apply_view_writes: zero writes when nothing changed, no stale overwrite, chunked commits."""

from __future__ import annotations

import pytest

from flask_boiler.views.writer import SourceGuard, ViewWrite, apply_view_writes

pytestmark = pytest.mark.emulators


def test_first_write_then_duplicate_costs_no_writes(clean_firestore):
    db = clean_firestore.db
    source = db.document("meetings/m1")
    source.set({"title": "Standup"})
    guard = SourceGuard("meetings/m1", source.get().update_time)
    writes = [
        ViewWrite("users/u1/sessions/m1", {"title": "Standup"}),
        ViewWrite("users/u2/sessions/m1", {"title": "Standup"}),
    ]

    first = apply_view_writes(db, writes, guard)
    assert (first.writes, first.reads, first.stale) == (2, 3, False)  # 2 view reads + 1 guard read
    assert db.document("users/u2/sessions/m1").get().to_dict() == {"title": "Standup"}

    again = apply_view_writes(db, writes, guard)
    assert (again.writes, again.deletes, again.unchanged, again.reads) == (0, 0, 2, 2)  # no guard read either


def test_stale_event_never_overwrites(clean_firestore):
    db = clean_firestore.db
    source = db.document("meetings/m1")
    source.set({"title": "v1"})
    old_time = source.get().update_time
    source.set({"title": "v2"})
    apply_view_writes(
        db, [ViewWrite("views/m1", {"title": "v2"})], SourceGuard("meetings/m1", source.get().update_time)
    )

    late = apply_view_writes(db, [ViewWrite("views/m1", {"title": "v1"})], SourceGuard("meetings/m1", old_time))
    assert late.stale and late.writes == 0
    assert db.document("views/m1").get().to_dict() == {"title": "v2"}


def test_late_update_after_delete_does_not_resurrect_views(clean_firestore):
    db = clean_firestore.db
    source = db.document("meetings/m1")
    source.set({"title": "v1"})
    update_time = source.get().update_time
    source.delete()
    delete_report = apply_view_writes(db, [ViewWrite("views/m1", None)], SourceGuard("meetings/m1", None))
    assert delete_report.writes == 0 and delete_report.deletes == 0 and delete_report.unchanged == 1

    late = apply_view_writes(db, [ViewWrite("views/m1", {"title": "v1"})], SourceGuard("meetings/m1", update_time))
    assert late.stale
    assert not db.document("views/m1").get().exists


def test_delete_removes_existing_view(clean_firestore):
    db = clean_firestore.db
    db.document("views/m1").set({"title": "x"})
    report = apply_view_writes(db, [ViewWrite("views/m1", None)], SourceGuard("meetings/m1", None))
    assert report.deletes == 1 and report.deleted_paths == ["views/m1"]
    assert not db.document("views/m1").get().exists


def test_more_than_500_views_commit_in_chunks(clean_firestore):
    db = clean_firestore.db
    writes = [ViewWrite(f"fanout/v{i:04d}", {"i": i}) for i in range(1201)]
    report = apply_view_writes(db, writes)
    assert (report.writes, report.commits) == (1201, 3)
    assert db.collection("fanout").count().get()[0][0].value == 1201


def test_a_refresh_larger_than_one_commit_runs_in_rounds(clean_firestore):
    from flask_boiler.views.writer import run_refresh

    db = clean_firestore.db
    source = db.document("meetings/big")
    source.set({"title": "All hands"})
    guard = SourceGuard("meetings/big", source.get().update_time)
    plan = lambda reader: [ViewWrite(f"hands/v{i}", {"i": i, "pad": "x" * 100}) for i in range(5)]

    by_count = run_refresh(db, plan, guard, max_writes=2)
    assert (by_count.writes, by_count.commits, by_count.unchanged) == (5, 3, 0)
    assert db.collection("hands").count().get()[0][0].value == 5

    db.recursive_delete(db.collection("hands"))
    by_size = run_refresh(db, plan, guard, max_bytes=300)  # about two views' worth (~128 bytes each)
    assert by_size.writes == 5 and by_size.commits == 3
    assert run_refresh(db, plan, guard, max_writes=2).writes == 0
