"""Deploy options: one vocabulary, checked where declared, with errors that name the option and the place."""

from __future__ import annotations

from pathlib import Path

import functions_framework
import pytest

from flask_boiler.deploy.defaults import load_settings
from flask_boiler.endpoints import (
    BUILTIN_DEFAULTS,
    EVENT,
    HTTP,
    TASK,
    DeployOptionError,
    FunctionOptions,
    document_trigger,
    http_endpoint,
    merge_options,
    parse_options,
)
from flask_boiler.errors import FlaskBoilerError

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize(
    ("values", "option", "fragment"),
    [
        ({"memory": 300}, "memory", "not a Cloud Functions size"),
        ({"memory": "2 TB"}, "memory", "not a size"),
        ({"memory": True}, "memory", "expected MB"),
        ({"timeout": 0}, "timeout", "between 1 and 3600"),
        ({"timeout": "a minute"}, "timeout", "not seconds"),
        ({"cpu": 3}, "cpu", "not valid"),
        ({"cpu": "fast"}, "cpu", "expected a number"),
        ({"min_instances": -1}, "min_instances", "between 0"),
        ({"max_instances": 0}, "max_instances", "between 1"),
        ({"concurrency": 1001}, "concurrency", "between 1 and 1000"),
        ({"concurrency": 2.5}, "concurrency", "whole number"),
        ({"region": "us central"}, "region", "not a region name"),
        ({"region": []}, "region", "at least one region"),
        ({"secrets": ["api-key"]}, "secrets", "upper-case"),
        ({"secrets": ["FIREBASE_TOKEN"]}, "secrets", "reserved"),
        ({"service_account": "not an email"}, "service_account", "service-account email"),
        ({"ingress": "EVERYONE"}, "ingress", "ALLOW_ALL"),
        ({"invoker": ["public", "a@b.iam.gserviceaccount.com"]}, "invoker", "cannot be combined"),
        ({"max_instance": 3}, "max_instance", "unknown option"),
        ({"env": {"A": "b"}}, "env", "functions/.env"),
    ],
)
def test_bad_values_raise_a_typed_error_naming_option_and_place(values, option, fragment):
    with pytest.raises(DeployOptionError) as info:
        parse_options(values, where="my_function")
    assert isinstance(info.value, FlaskBoilerError) and isinstance(info.value, ValueError)
    assert info.value.option == option
    assert info.value.where == "my_function"
    assert fragment in str(info.value) and str(info.value).startswith("my_function: option")


def test_values_are_normalised():
    options = parse_options(
        {
            "memory": "1GiB",
            "timeout": "120s",
            "cpu": 1.0,
            "region": "europe-west1",
            "max-instances": 3,
            "secrets": "KEY",
        }
    )
    assert options == FunctionOptions(
        region=("europe-west1",), memory=1024, timeout=120, cpu=1, max_instances=3, secrets=("KEY",)
    )
    assert parse_options({"memory": 512}).memory == 512
    assert parse_options({"cpu": "gcf_gen1"}).cpu == "gcf_gen1"


def test_layers_merge_option_by_option():
    merged = merge_options([BUILTIN_DEFAULTS, parse_options({"memory": 512}), parse_options({"timeout": 30})])
    assert (merged.region, merged.memory, merged.timeout) == (("us-central1",), 512, 30)


@pytest.mark.parametrize(
    ("options", "kind", "fragment"),
    [
        ({"timeout": 600}, EVENT, "540s limit"),
        ({"memory": 1024, "cpu": 0.25}, HTTP, "at least 0.5 CPU"),
        ({"memory": 2048, "cpu": 0.5}, HTTP, "at least 1 CPU"),
        ({"memory": 1024, "cpu": 4}, HTTP, "at least 2048MB"),
        ({"concurrency": 5, "cpu": "gcf_gen1"}, HTTP, "needs at least 1 CPU"),
        ({"invoker": "public"}, EVENT, "only HTTP and task-queue functions"),
        ({"timeout": 1801}, TASK, "1800s limit of task-queue functions"),
        ({"invoker": "public"}, TASK, "cannot be public"),
    ],
)
def test_cross_option_limits(options, kind, fragment):
    merged = BUILTIN_DEFAULTS.merged(parse_options(options))
    with pytest.raises(DeployOptionError, match=fragment):
        merged.check_complete(kind, where="fn")


def test_limits_that_hold_pass():
    BUILTIN_DEFAULTS.merged(parse_options({"timeout": 3600, "concurrency": 80})).check_complete(HTTP, "fn")
    BUILTIN_DEFAULTS.merged(parse_options({"memory": "4GiB", "cpu": 4})).check_complete(EVENT, "fn")


def test_declarations_fail_at_import_time_naming_the_function():
    def broken(request):
        return "x"

    with pytest.raises(DeployOptionError, match="^broken: option 'memory'"):
        http_endpoint(functions_framework.http(broken), memory=100)
    with pytest.raises(DeployOptionError, match="retry"):
        document_trigger(functions_framework.cloud_event(broken), "a/{b}", retry="yes")
    with pytest.raises(DeployOptionError, match="event type"):
        document_trigger(functions_framework.cloud_event(broken), "a/{b}", event_type="google.cloud.pubsub")
    with pytest.raises(DeployOptionError, match="pattern"):
        document_trigger(functions_framework.cloud_event(broken), "a/{b", timeout=10)


def test_project_settings_come_from_pyproject():
    settings = load_settings(ROOT)
    assert settings.view_models == "shared_models:VIEW_MODELS"
    assert settings.vendor == ("flask_boiler", "shared_models")
    assert settings.defaults.region and settings.defaults.memory and settings.defaults.timeout
    assert (settings.seed, settings.demo, settings.accounts) == (
        "shared_models.seed:seed",
        "shared_models.demo:run",
        "shared_models.seed:DEMO_USERS",
    )


def test_missing_table_falls_back_to_builtin_defaults(tmp_path):
    settings = load_settings(tmp_path, {"project": {"name": "x"}})
    assert settings.defaults == BUILTIN_DEFAULTS
    assert settings.env == {}
    assert settings.seed == settings.demo == settings.accounts == ""  # the dev hooks are the app's to name


@pytest.mark.parametrize(
    ("table", "fragment"),
    [
        ({"functions": {"memroy": 512}}, "unknown option"),
        ({"functions": {"env": {"lower": "x"}}}, "upper case"),
        ({"functions": {"env": {"PORT": "8080"}}}, "reserved"),
        ({"functions": {"env": {"LEVEL": 3}}}, "one-line strings"),
        ({"view-models": "shared_models.VIEW_MODELS"}, "package.module:ATTRIBUTE"),
        ({"vendor": "flask_boiler"}, "list of top-level package names"),
        ({"seed": "shared_models.seed.seed"}, "package.module:NAME"),
        ({"accounts": ["ann"]}, "package.module:NAME"),
    ],
)
def test_bad_pyproject_settings(tmp_path, table, fragment):
    with pytest.raises(DeployOptionError, match=fragment):
        load_settings(tmp_path, {"tool": {"flask-boiler": table}})
