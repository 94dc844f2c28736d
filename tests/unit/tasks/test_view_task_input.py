"""The view task function treats its input as hostile: every request that is not a well-formed
view task ends in a 4xx with nothing read or written (the database is not even touched)."""

from __future__ import annotations

import io
import json

import flask
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flask_boiler.tasks import ViewTasks
from flask_boiler.tasks.functions import MAX_BODY_BYTES, handle_view_task
from flask_boiler.tasks.payloads import MAX_ITEMS, PageTask, TaskPayloadError, parse_task
from flask_boiler.views.fanout import Slice
from shared_models import VIEW_MODELS, MeetingSession, UserView

SESSION = "shared_models.views.MeetingSession"


class Untouchable:
    """A database that fails the test if the handler reaches for it."""

    def __getattr__(self, name):
        raise AssertionError(f"the handler touched the database ({name}) for a request it should refuse")


@pytest.fixture(scope="module")
def client():
    app = flask.Flask(__name__)

    @app.route("/", methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"])
    def task():
        return handle_view_task(flask.request, VIEW_MODELS, ViewTasks(), db=Untouchable())

    return app.test_client()


def test_well_formed_tasks_parse():
    page = parse_task({"data": {"kind": "page", "run": "MeetingSession-abc123", "step": 4}}, VIEW_MODELS)
    assert page == PageTask("MeetingSession-abc123", 4)
    paths = ["users/ann/meetingSessions/retro", "users/bob/meetingSessions/retro"]
    data = {"kind": "slice", "view": SESSION, "roots": ["meetings/retro"], "paths": paths}
    assert parse_task({"data": data}, VIEW_MODELS) == Slice(MeetingSession, ("meetings/retro",), tuple(paths))
    roots = {"kind": "slice", "view": "shared_models.views.UserView", "roots": ["users/ann", "users/bob"]}
    assert parse_task({"data": roots}, VIEW_MODELS) == Slice(UserView, ("users/ann", "users/bob"))


def slice_of(**changes):
    data = {"kind": "slice", "view": SESSION, "roots": ["meetings/retro"], "paths": ["users/ann/meetingSessions/retro"]}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ([], "JSON object"),
        ({"data": {}, "extra": 1}, "unknown keys"),
        ({"data": []}, "must be an object"),
        ({"data": {"kind": "drop-tables"}}, "kind must be"),
        ({"data": {"kind": "page", "run": "r", "step": -1}}, "step"),
        ({"data": {"kind": "page", "run": "r", "step": True}}, "step"),
        ({"data": {"kind": "page", "run": "r", "step": 1.5}}, "step"),
        ({"data": {"kind": "page", "run": "r", "step": "1"}}, "step"),
        ({"data": {"kind": "page", "run": "../runs/x", "step": 1}}, "run id"),
        ({"data": {"kind": "page", "run": "r", "step": 1, "cursor": "x"}}, "unknown keys"),
        ({"data": slice_of(view="os.system")}, "not a view model this function serves"),
        ({"data": slice_of(view=["x"])}, "not a view model"),
        ({"data": slice_of(roots=[])}, "non-empty list"),
        ({"data": slice_of(roots="meetings/retro")}, "non-empty list"),
        ({"data": slice_of(roots=["users/ann"])}, "is not a root of MeetingSession"),
        ({"data": slice_of(roots=["meetings/retro", "meetings/retro"], paths=None)}, "repeats"),
        ({"data": slice_of(roots=["meetings/a", "meetings/b"])}, "exactly one root"),
        ({"data": slice_of(paths=["users/ann/meetingSessions/standup"])}, "not of 'meetings/retro'"),
        ({"data": slice_of(paths=["userViews/ann"])}, "not a MeetingSession view path"),
        ({"data": slice_of(paths=["users/ann/meetingSessions/retro/x/y"])}, "not a MeetingSession view path"),
        ({"data": slice_of(roots=[f"meetings/m{i}" for i in range(MAX_ITEMS + 1)], paths=None)}, "at most"),
        ({"data": slice_of(roots=["meetings/" + "x" * 2000])}, "document paths"),
        ({"data": slice_of(roots=[None])}, "document paths"),
    ],
)
def test_malformed_tasks_are_refused_with_a_reason(body, fragment):
    with pytest.raises(TaskPayloadError, match=fragment):
        parse_task(body, VIEW_MODELS)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: st.lists(children) | st.dictionaries(st.text(), children),
    max_leaves=20,
)
near_misses = st.fixed_dictionaries(
    {
        "data": st.fixed_dictionaries(
            {"kind": st.sampled_from(["slice", "page", "x"])},
            optional={
                "view": st.sampled_from([SESSION, "shared_models.views.UserView", "x"]) | json_values,
                "roots": st.lists(st.sampled_from(["meetings/retro", "users/ann", "meetings/a/b", ""]) | json_values),
                "paths": st.lists(st.sampled_from(["users/ann/meetingSessions/retro", "userViews/x"]) | json_values),
                "run": st.text() | json_values,
                "step": st.integers() | json_values,
            },
        )
    }
)


@given(json_values | near_misses)
@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
def test_any_json_is_a_task_or_a_typed_refusal(body):
    try:
        work = parse_task(body, VIEW_MODELS)
    except TaskPayloadError:
        return
    assert isinstance(work, (Slice, PageTask))


@pytest.mark.parametrize("method", ["GET", "HEAD", "PUT", "PATCH", "DELETE", "OPTIONS"])
def test_every_other_method_is_refused(client, method):
    assert client.open("/", method=method, json={"data": {}}).status_code == 405


@pytest.mark.parametrize(
    ("raw", "content_type"),
    [
        (b'{"data": {"kind": "page", "run": "r", "step": 1}}', "text/plain"),  # not declared JSON
        (b"\xff\xfe not utf-8", "application/json"),
        (b'{"data": {"kind": "page", "run": "\\ud800", "step": 1}}', "application/json"),  # a lone surrogate
        (b"[" * 100_000 + b"]" * 100_000, "application/json"),  # nesting deeper than any parser likes
        (b'{"data": {"kind": "page", "run": "r", "step": 1}', "application/json"),  # truncated
        (b"", "application/json"),
        (b'{"data": {"kind": "page", "run": "r", "step": 1}}' + b" " * MAX_BODY_BYTES, "application/json"),
    ],
)
def test_bodies_that_are_not_json_tasks_are_refused(client, raw, content_type):
    answer = client.post("/", data=raw, content_type=content_type)
    assert answer.status_code == 400, answer.get_data(as_text=True)
    assert "error" in answer.get_json()


def test_a_chunked_body_without_length_is_read_like_any_other(client):
    body = io.BytesIO(b'{"data": {"kind": "slice", "view": "nope", "roots": ["meetings/x"]}}')
    answer = client.post(
        "/",
        input_stream=body,
        content_type="application/json",
        headers={"Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True},  # what gunicorn sets for a chunked request
    )
    assert answer.status_code == 400 and "not a view model" in answer.get_json()["error"]


def test_unicode_digits_and_huge_numbers_are_not_steps(client):
    for step in ["١", 10**400]:
        body = json.dumps({"data": {"kind": "page", "run": "r", "step": step}})
        answer = client.post("/", data=body, content_type="application/json")
        assert answer.status_code == 400
