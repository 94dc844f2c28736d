"""/docs in a real browser: Swagger UI from the package, served by the ``api`` function in the
Functions emulator, renders the document and "Try it out" calls the function with an ID
token pasted into "Authorize" (what a developer does against ``make dev``)."""

from __future__ import annotations

import pytest

from shared_models import Meeting, Ticket, User
from tests.browser import launch_chromium

pytestmark = pytest.mark.emulators


@pytest.fixture
def page():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        yield browser.new_page(viewport={"width": 1200, "height": 1400})
        browser.close()


def test_try_it_out_calls_the_local_function_with_a_pasted_token(emulators, accounts, page):
    ann = accounts.create("ann")
    User.new(ann.uid, first_name="Ann", last_name="Lee").save()
    meeting = Meeting.new("standup", title="Standup", attendees=[User.get(ann.uid)])
    meeting.save()
    Ticket.new("standup", uid=ann.uid, meeting=meeting, user=User.get(ann.uid)).save()
    problems: list[str] = []
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(str(error)))
    outside: list[str] = []
    api = emulators.function_url("api")
    page.on("request", lambda request: request.url.startswith(api) or outside.append(request.url))

    page.goto(emulators.function_url("api", "/docs"))
    operation = "#operations-MeetingAttendance-getMeetingAttendance"
    page.wait_for_selector(operation, timeout=30_000)
    page.click(".btn.authorize")
    page.fill(".auth-container input", ann.token)
    page.click(".auth-btn-wrapper .authorize")
    page.click(".auth-btn-wrapper .btn-done")
    page.click(f"{operation} .opblock-summary")
    page.click(f"{operation} .try-out__btn")
    page.fill(f'{operation} tr[data-param-name="meeting_id"] input', "standup")
    page.fill(f'{operation} tr[data-param-name="uid"] input', ann.uid)
    page.click(f"{operation} .execute")
    status = page.wait_for_selector(f"{operation} .live-responses-table tbody .response-col_status", timeout=30_000)
    assert status.inner_text().strip().startswith("200")
    body = page.inner_text(f"{operation} .live-responses-table .response-col_description pre")
    assert '"name": "Ann Lee"' in body and f'"uid": "{ann.uid}"' in body
    assert not problems, problems  # no script errors, no Content-Security-Policy violations
    assert not outside, outside  # nothing from a CDN: every request went to the function
