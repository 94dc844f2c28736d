"""The front end listens on view documents: it sees its user's sessions, sees them change live
when the domain changes, and cannot read domain documents or other users' views."""

from __future__ import annotations

import pytest

from flask_boiler.testing import wait_for
from shared_models import Meeting
from shared_models.seed import seed

from .conftest import ARTIFACTS

pytestmark = pytest.mark.emulators


def test_page_shows_live_view_documents_and_rules_deny_domain_reads(
    clean_firestore, clean_auth, web_site, browser_page
):
    db = clean_firestore.db
    seed()
    wait_for(
        lambda: len(list(db.collection("users/ann/meetingSessions").stream())) == 2,
        timeout=60,
        message="ann's two sessions built by the triggers",
    )

    page = browser_page
    page.goto(web_site.url)
    page.click("#signin-button")  # the form is pre-filled with ann's demo account
    page.wait_for_selector(".session >> nth=1", timeout=30_000)
    titles = sorted(page.locator(".session .title").all_inner_texts())
    assert titles == ["Daily standup", "Retrospective"]
    assert "Ann Lee, Bob Ray" in page.locator('.session[data-meeting-id="standup"]').inner_text()

    Meeting.get(doc_id="standup").update(title="Standup (moved to 10:00)")
    page.wait_for_function(
        "() => [...document.querySelectorAll('.session .title')].some(t => t.textContent === 'Standup (moved to 10:00)')",
        timeout=60_000,
    )

    try_read = "path => window.flaskBoilerDemo.tryRead(path)"
    assert page.evaluate(try_read, "users/ann/meetingSessions/standup") == "allowed"
    assert page.evaluate(try_read, "meetings/standup") == "permission-denied"
    assert page.evaluate(try_read, "users/ann") == "permission-denied"
    assert page.evaluate(try_read, "users/bob/meetingSessions/standup") == "permission-denied"

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "web-live-sessions.png"), full_page=True)

    # The button calls the REST API (DELETE /meetings/{id}/attendees/{uid}); the domain write
    # triggers the views, and the page sees its session disappear.
    page.click('.session[data-meeting-id="retro"] button.leave')
    page.wait_for_function("() => document.querySelectorAll('.session').length === 1", timeout=60_000)
    assert page.locator(".session .title").all_inner_texts() == ["Standup (moved to 10:00)"]
    assert [ref.id for ref in Meeting.get(doc_id="retro").to_dict()["attendees"]] == ["cy"]
    assert page.locator("#status").inner_text() == ""
