"""Contract test: schemathesis generates requests from the served OpenAPI document and sends
them to the ``api`` function in the Functions emulator (real HTTP). Every response must be
a documented status with a body matching the spec, and never a server error.

Bounded: a few examples per operation. Requests carry an organizer's real ID token, so
write operations get past auth and reach validation and Firestore.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import checks

from shared_models import Meeting, User

from .auth_emulator import AuthEmulator

pytestmark = pytest.mark.emulators

CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_headers_conformance,
    checks.response_schema_conformance,
]


@pytest.fixture(scope="module")
def contract_setup(emulators):
    """Data and a token shared by every generated case (set up once for the module)."""
    from flask_boiler.config import Config
    from flask_boiler.context import Context
    from flask_boiler.testing import clear_auth, clear_firestore

    clear_firestore(emulators)
    clear_auth(emulators)
    Context.read(Config(app_name="flask-boiler-tests", debug=True, testing=True, project_id=emulators.project_id))
    organizer = AuthEmulator(emulators).create("organizer", claims={"organizer": True})
    User.new(organizer.uid, first_name="Org", last_name="Anizer").save()
    Meeting.new("m1", title="Planning", attendees=[User.get(organizer.uid)]).save()
    return {"headers": organizer.headers, "base_url": emulators.function_url("api")}


@pytest.fixture(scope="module")
def api_schema(emulators, contract_setup):
    return schemathesis.openapi.from_url(emulators.function_url("api", "/openapi.json"), wait_for_schema=60)


SETTINGS = settings(
    max_examples=8,
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


def test_api_conforms_to_its_openapi_document(api_schema, contract_setup):
    # Each operation runs as its own Hypothesis test (schemathesis' pytest fixture loader
    # does not support this pytest version, so the operations are iterated here).
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) == 11  # every route of the example API
    statuses: list[int] = []
    for operation in operations:

        @SETTINGS
        @given(case=operation.as_strategy())
        def check(case):
            response = case.call_and_validate(
                base_url=contract_setup["base_url"], headers=contract_setup["headers"], checks=CHECKS, timeout=60
            )
            statuses.append(response.status_code)

        try:
            check()
        except Exception as exc:
            raise AssertionError(f"{operation.label}: {exc}") from exc
    # the run exercised successes and refusals, not just one kind of answer
    assert len(statuses) >= len(operations) and {200, 201} & set(statuses) and {400, 403, 404} & set(statuses)
