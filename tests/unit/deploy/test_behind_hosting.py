"""An HTTP function answers both at its own URL and under a Hosting rewrite's path (``/api/**``)."""

from __future__ import annotations

import flask
import pytest
from werkzeug.test import EnvironBuilder

from flask_boiler.endpoints import DeployOptionError, behind_hosting


def echo(request: flask.Request) -> dict[str, str]:
    return {"path": request.path, "script_root": request.script_root, "query": request.query_string.decode()}


def request_for(path: str) -> flask.Request:
    return flask.Request(EnvironBuilder(path=path, query_string="limit=2").get_environ())


@pytest.mark.parametrize(
    ("path", "seen_path", "script_root"),
    [
        ("/api/meetingCards", "/meetingCards", "/api"),  # through Hosting
        ("/api", "/", "/api"),
        ("/meetingCards", "/meetingCards", ""),  # the function's own URL
        ("/apiary/x", "/apiary/x", ""),  # only the whole segment is the prefix
    ],
)
def test_the_prefix_moves_to_the_script_root(path, seen_path, script_root):
    answer = behind_hosting(echo, "/api")(request_for(path))
    assert answer == {"path": seen_path, "script_root": script_root, "query": "limit=2"}


def test_the_function_keeps_its_name_for_functions_framework():
    assert behind_hosting(echo, "/api").__name__ == "echo"


@pytest.mark.parametrize("prefix", ["api", "/api/", "/api/**", "/", ""])
def test_a_prefix_must_be_a_plain_path(prefix):
    with pytest.raises(DeployOptionError, match="prefix"):
        behind_hosting(echo, prefix)
