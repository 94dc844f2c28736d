"""The front end, served by Firebase Hosting, shows what the example offers, live: the signed-in
user's agenda (their ``UserView``, with meeting times) and sessions (``MeetingSession`` views),
every meeting (the REST API, through Hosting's ``/api/**`` rewrite on the same origin), and
joining and leaving meetings. It cannot read domain documents or other users' views."""

from __future__ import annotations

import pytest

from flask_boiler.testing import wait_for
from shared_models import Meeting, UserView
from shared_models.seed import seed

from .conftest import ARTIFACTS

pytestmark = pytest.mark.emulators

TITLES = "[...document.querySelectorAll('#{list} .title')].map(t => t.textContent)"


def titles(page, list_id: str) -> list[str]:
    return page.evaluate(f"() => {TITLES.format(list=list_id)}")


def wait_for_titles(page, list_id: str, expected: list[str]) -> None:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_function(
            f"expected => JSON.stringify({TITLES.format(list=list_id)}) === JSON.stringify(expected)",
            arg=expected,
            timeout=60_000,
        )
    except PlaywrightTimeout:
        status = page.locator("#status").inner_text()
        raise AssertionError(f"#{list_id} shows {titles(page, list_id)}, not {expected} (status: {status!r})") from None


def test_page_shows_agenda_sessions_and_meetings_live_and_joins_and_leaves(
    clean_firestore, clean_auth, site_url, browser_page
):
    seed()  # ann attends standup (tomorrow) and retro (in 3 days); planning (in 2 days) is bob's
    wait_for(
        lambda: (view := UserView.get(uid="ann")) is not None and len(view.upcoming) == 2,
        timeout=60,
        message="ann's agenda built by the triggers",
    )

    page = browser_page
    page.goto(site_url)
    page.click("#signin-button")  # the form is pre-filled with ann's demo account
    wait_for_titles(page, "agenda", ["Daily standup", "Retrospective"])  # soonest first
    times = page.locator("#agenda .starts-at").all_inner_texts()
    assert len(times) == 2 and all(t and t != "no time set" for t in times), times
    wait_for_titles(page, "sessions", ["Retrospective", "Daily standup"])  # by id
    assert "Ann Lee, Bob Ray" in page.locator('.session[data-meeting-id="standup"]').inner_text()
    wait_for_titles(page, "meetings", ["Planning", "Retrospective", "Daily standup"])  # by id
    # Only the meeting ann does not attend offers to join.
    assert page.locator("#meetings .join").count() == 1
    assert page.locator('.meeting[data-meeting-id="planning"] .join').count() == 1
    assert "_fb" not in page.locator("#me").inner_text()  # the engine's bookkeeping is not shown

    # A domain change reaches the page through the triggers and the listeners.
    Meeting.get(doc_id="standup").update(title="Standup (moved to 10:00)")
    wait_for_titles(page, "agenda", ["Standup (moved to 10:00)", "Retrospective"])
    wait_for_titles(page, "sessions", ["Retrospective", "Standup (moved to 10:00)"])

    try_read = "path => window.flaskBoilerDemo.tryRead(path)"
    assert page.evaluate(try_read, "users/ann/meetingSessions/standup") == "allowed"
    assert page.evaluate(try_read, "userViews/ann") == "allowed"
    assert page.evaluate(try_read, "meetings/standup") == "permission-denied"
    assert page.evaluate(try_read, "users/ann") == "permission-denied"
    assert page.evaluate(try_read, "users/bob/meetingSessions/standup") == "permission-denied"
    assert page.evaluate(try_read, "userViews/bob") == "permission-denied"

    # Join: POST /api/meetings/planning/attendees through Hosting; the views follow.
    page.click('.meeting[data-meeting-id="planning"] .join')
    wait_for_titles(page, "agenda", ["Standup (moved to 10:00)", "Planning", "Retrospective"])
    wait_for_titles(page, "sessions", ["Planning", "Retrospective", "Standup (moved to 10:00)"])
    page.wait_for_function("() => document.querySelectorAll('#meetings .join').length === 0", timeout=60_000)
    assert "ann" in [user.doc_id for user in Meeting.get(doc_id="planning").attendees]

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "web-live-agenda.png"), full_page=True)

    # Leave: DELETE /api/meetings/retro/attendees/ann; the session and the agenda entry go.
    page.click('.session[data-meeting-id="retro"] button.leave')
    wait_for_titles(page, "sessions", ["Planning", "Standup (moved to 10:00)"])
    wait_for_titles(page, "agenda", ["Standup (moved to 10:00)", "Planning"])
    assert [ref.doc_id for ref in Meeting.get(doc_id="retro").attendees] == ["cy"]
    assert page.locator("#status").inner_text() == ""
