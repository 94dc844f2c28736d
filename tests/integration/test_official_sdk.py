"""A function written with the official firebase-functions SDK (``next_meeting``, an ``on_call``
callable in functions/main.py) runs in the Functions emulator beside the generated ones."""

from __future__ import annotations

import pytest

from flask_boiler.testing import wait_for
from flask_boiler.testing.http import call
from shared_models import UserView
from shared_models.seed import seed_domain

pytestmark = pytest.mark.emulators


def test_the_sdk_callable_answers_the_signed_in_user_from_their_view(clean_firestore, auth_emulator, function_url):
    seed_domain()
    wait_for(
        lambda: (view := UserView.get(uid="ann")) is not None and len(view.upcoming) == 2,
        timeout=60,
        message="ann's agenda",
    )
    ann = auth_emulator.create_user("ann", email="ann@example.com")
    url = function_url("next_meeting")

    answer = call("POST", url, body={"data": {}}, headers=ann.headers)
    assert answer.status == 200, answer.body
    result = answer.json()["result"]
    assert (result["meetingId"], result["title"]) == ("standup", "Daily standup")
    assert result["startsAt"].startswith(UserView.get(uid="ann").upcoming[0]["starts_at"].date().isoformat())

    anonymous = call("POST", url, body={"data": {}})
    assert anonymous.status == 401 and anonymous.json()["error"]["status"] == "UNAUTHENTICATED"
    forged = call("POST", url, body={"data": {}}, headers={"Authorization": "Bearer not-a-token"})
    assert forged.status == 401
