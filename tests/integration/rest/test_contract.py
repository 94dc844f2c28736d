"""Contract test: schemathesis' own engine (its Python API: ``schemathesis.engine``, what its
CLI runs) generates requests from the served OpenAPI document and checks every answer.

* **In process, against the real emulators.** The app under test is functions-framework's
  app for ``functions/main.py``'s ``api`` (what Cloud Run runs, hosting adaptation
  included), called as WSGI by schemathesis; Firestore and Auth are the emulators. No HTTP
  hop per case, so well over 1,000 cases fit in a minute or two on 2 cores.
* **Phases**: the document's examples, schemathesis' coverage phase (boundary and
  negative values for every documented constraint, and undeclared methods), and one
  fuzzing pass of ``FUZZ_EXAMPLES`` cases per operation. No ``max-time`` (with one,
  schemathesis keeps fuzzing until it runs out), so the count is fixed; a wall-clock guard
  stops the run if it ever drags.
* **Checks**: not_a_server_error, status_code_conformance, content_type_conformance,
  response_schema_conformance (the four this API promises), and also
  response_headers_conformance, negative_data_rejection, missing_required_header (428 is
  how a missing required ``If-Match`` is refused), unsupported_method,
  allow_header_conformance, use_after_free, ensure_resource_availability.
  ``positive_data_acceptance`` is off: generated ids name no view, so 403/404 are right.
  ``ignored_auth`` is off: its probe passes ``max_redirects`` to werkzeug's test client and
  errors under the WSGI transport; auth enforcement is tested in test_hostile.py instead.
* Requests carry an organizer's real ID token (writes get past auth) and ``uid`` is that
  user's, so owner-only operations reach their success paths too.

Why not schemathesis' pytest plugin: its fixture loader does not support pytest 9.
"""

from __future__ import annotations

import collections
import time
from pathlib import Path

import functions_framework
import pytest
import schemathesis
from schemathesis.engine import events, from_schema

from flask_boiler.config import Config
from flask_boiler.context import Context
from flask_boiler.testing import clear_auth, clear_firestore, wait_for
from shared_models import Meeting, MeetingSession, User

from .auth_emulator import AuthEmulator

pytestmark = pytest.mark.emulators

ROOT = Path(__file__).resolve().parents[3]
FUZZ_EXAMPLES = 125  # the cases schemathesis keeps vary a little with load: a margin over MIN_CASES
MIN_CASES = 1000
WALL_CLOCK_LIMIT = 420  # seconds; the run takes about a tenth of that alone on 2 cores
REQUIRED_CHECKS = {
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
}


@pytest.fixture(scope="module")
def organizer(emulators):
    clear_firestore(emulators)
    clear_auth(emulators)
    Context.read(Config(app_name="flask-boiler-tests", debug=True, testing=True, project_id=emulators.project_id))
    account = AuthEmulator(emulators).create("organizer", claims={"organizer": True})
    User.new(account.uid, first_name="Org", last_name="Anizer").save()
    Meeting.new("m1", title="Planning", attendees=[User.get(account.uid)]).save()
    wait_for(lambda: MeetingSession.get(uid=account.uid, meeting_id="m1"), timeout=60, message="stored session")
    return account


def test_api_conforms_to_its_openapi_document(organizer):
    app = functions_framework.create_app(
        target="api", source=str(ROOT / "functions" / "main.py"), signature_type="http"
    )
    config = schemathesis.Config.from_dict(
        {
            "seed": 11,
            "headers": {"Authorization": f"Bearer {organizer.token}"},
            "parameters": {"uid": organizer.uid},
            "generation": {"deterministic": True},
            "phases": {
                "stateful": {"enabled": False},
                "fuzzing": {"generation": {"max-examples": FUZZ_EXAMPLES}},
            },
            "checks": {
                "enabled": True,
                "positive_data_acceptance": {"enabled": False},
                "ignored_auth": {"enabled": False},
                "missing_required_header": {"expected-statuses": [400, 401, 403, 406, 415, 422, 428]},
            },
        }
    )
    schema = schemathesis.openapi.from_wsgi("/openapi.json", app, config=config)
    started = time.monotonic()
    cases_by_phase: collections.Counter[str] = collections.Counter()
    operations: set[str] = set()
    statuses: collections.Counter[int] = collections.Counter()
    checks_run: set[str] = set()
    failures: list[str] = []
    errors: list[str] = []
    stream = from_schema(schema).execute()
    for event in stream:
        if isinstance(event, events.ScenarioFinished):
            recorder = event.recorder
            cases_by_phase[str(event.phase)] += len(recorder.cases)
            operations.add(recorder.label)
            for interaction in recorder.interactions.values():
                if interaction.response is not None:
                    statuses[interaction.response.status_code] += 1
            for check_results in recorder.checks.values():
                for check in check_results:
                    checks_run.add(check.name)
                    if check.status.value != "success":
                        failures.append(f"{recorder.label}: {check.name}: {check.failure_info}")
        elif isinstance(event, (events.NonFatalError, events.FatalError)):
            errors.append(str(getattr(event, "value", None) or getattr(event, "exception", event)))
        if time.monotonic() - started > WALL_CLOCK_LIMIT:
            stream.stop()
            pytest.fail(f"the contract run took over {WALL_CLOCK_LIMIT} s")
    elapsed = time.monotonic() - started
    total = sum(cases_by_phase.values())
    print(f"\nschemathesis: {total} cases in {elapsed:.0f} s {dict(cases_by_phase)}; statuses {dict(statuses)}")
    assert not errors, errors[:5]
    assert not failures, failures[:10]
    assert total >= MIN_CASES, (total, dict(cases_by_phase))
    assert len(operations) == 11  # every operation of the example API
    assert checks_run >= REQUIRED_CHECKS
    # the run exercised successes and refusals, not one kind of answer
    assert {200, 201, 204} <= set(statuses) and {400, 404, 412, 428} <= set(statuses), statuses
