"""Rebuild: recompute every view from current domain data, resumable, deleting orphans."""

from __future__ import annotations

import pytest

from flask_boiler.views.pages import document_page
from flask_boiler.views.rebuild import CHECKPOINTS, find_view, rebuild, view_name
from flask_boiler.views.stamp import view_content

from .fast_app import Gathering, Person, Room, Session, TitleView

pytestmark = pytest.mark.emulators


def sessions(db):
    return {s.reference.path: view_content(s) for s in db.collection_group("sessions").stream()}


@pytest.fixture
def domain(clean_firestore):
    people = [Person.new(f"p{i}", name=f"P{i}") for i in range(5)]
    for person in people:
        person.save()
    room = Room.new("r1", name="Blue")
    room.save()
    for i in range(7):
        Gathering.new(f"g{i}", title=f"G{i}", room=room, people=people[i % 3 : i % 3 + 2]).save()
    return clean_firestore.db


def test_rebuild_creates_every_view_then_costs_no_writes(domain):
    db = domain
    first = rebuild(Session, db, page_size=3, progress=False)
    assert first.roots == 7 and first.cost.writes == 14
    assert sessions(db)["fastPeople/p1/sessions/g0"] == {
        "title": "G0",
        "roomName": "Blue",
        "names": ["P0", "P1"],
        "hearingAids": 0,
    }
    again = rebuild(Session, db, page_size=3, progress=False)
    assert again.cost.writes == 0 and again.cost.deletes == 0 and again.orphans_deleted == 0


def test_rebuild_deletes_orphans_and_stale_content(domain):
    db = domain
    rebuild(Session, db, progress=False)
    db.document("fastPeople/p4/sessions/g0").set({"title": "orphan"})  # p4 does not attend g0
    db.document("fastPeople/p0/sessions/gone").set({"title": "root deleted"})
    db.document("fastPeople/p0/sessions/g0").set({"title": "stale"})
    report = rebuild(Session, db, progress=False)
    views = sessions(db)
    assert report.orphans_deleted == 2
    assert "fastPeople/p4/sessions/g0" not in views and "fastPeople/p0/sessions/gone" not in views
    assert views["fastPeople/p0/sessions/g0"]["title"] == "G0"


def test_rebuild_resumes_after_the_last_finished_page(domain):
    db = domain
    checkpoint = db.collection(CHECKPOINTS).document(view_name(TitleView))
    first_page = document_page(db, TitleView.declaration().root_path, None, 4)
    checkpoint.set({"cursor": first_page.next_after, "done": False})
    report = rebuild(TitleView, db, page_size=4, progress=False, delete_orphans=False)
    assert report.resumed and report.roots == 3
    assert checkpoint.get().get("done") is True
    assert rebuild(TitleView, db, page_size=4, progress=False).roots == 7  # a finished rebuild starts over
    checkpoint.set({"cursor": "an-old-style-token", "done": False})  # not a root path: start over
    assert rebuild(TitleView, db, page_size=4, progress=False, delete_orphans=False).resumed is False


def test_find_view_by_path_or_name():
    assert find_view("tests.integration.views.fast_app.Session") is Session
    assert find_view("tests.integration.views.fast_app:TitleView") is TitleView
    with pytest.raises(LookupError, match="NoSuchView"):
        find_view("NoSuchView")


def test_rebuild_command_line(domain, capsys):
    from flask_boiler.cli import main

    assert main(["rebuild", "tests.integration.views.fast_app.TitleView", "--quiet", "--page-size", "3"]) == 0
    out = capsys.readouterr().out
    assert "TitleView: 7 roots" in out and "7 views written" in out
    assert view_content(domain.document("fastTitles/g3").get()) == {"title": "G3"}
    assert main(["rebuild", "NoSuchView", "--quiet"]) == 1
