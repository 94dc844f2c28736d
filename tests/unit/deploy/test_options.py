"""Deploy options: one vocabulary, checked where declared, with errors that name the option and the place."""

from __future__ import annotations

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


def test_settings_come_from_flask_boiler_toml(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "something-else"\n')
    (tmp_path / "flask-boiler.toml").write_text(
        'view-models = "app:VIEWS"\nvendor = ["flask_boiler", "app"]\n[functions]\ntimeout = 90\n'
        '[functions.env]\nLEVEL = "info"\n'
    )
    settings = load_settings(tmp_path)
    assert settings.where == "flask-boiler.toml"
    assert settings.view_models == "app:VIEWS" and settings.vendor == ("flask_boiler", "app")
    assert settings.defaults.timeout == 90 and settings.env == {"LEVEL": "info"}


def test_settings_come_from_pyproject_without_a_settings_file(tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        '[tool.flask-boiler]\nview-models = "app:VIEWS"\nseed = "app.seed:seed"\n'
        "[tool.flask-boiler.functions]\nmemory = 512\n"
    )
    settings = load_settings(tmp_path)
    assert settings.where == "pyproject.toml [tool.flask-boiler]"
    assert (settings.view_models, settings.seed, settings.defaults.memory) == ("app:VIEWS", "app.seed:seed", 512)


def test_settings_in_both_places_are_refused(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.flask-boiler]\nview-models = "a:V"\n')
    (tmp_path / "flask-boiler.toml").write_text('view-models = "b:V"\n')
    with pytest.raises(DeployOptionError, match="both"):
        load_settings(tmp_path)


def test_errors_name_the_file_the_settings_came_from(tmp_path):
    (tmp_path / "flask-boiler.toml").write_text("[functions]\nmemory = 300\n")
    with pytest.raises(DeployOptionError, match=r"flask-boiler.toml \[functions\]"):
        load_settings(tmp_path)
    (tmp_path / "flask-boiler.toml").write_text("view-models = [\n")
    with pytest.raises(DeployOptionError, match="not valid TOML"):
        load_settings(tmp_path)


def test_no_settings_fall_back_to_builtin_defaults(tmp_path):
    settings = load_settings(tmp_path)
    assert settings.defaults == BUILTIN_DEFAULTS
    assert settings.env == {}
    assert settings.view_models == settings.rest_views == ""  # the app names its own; no example is assumed
    assert settings.vendor == ("flask_boiler",)
    assert settings.seed == settings.demo == settings.accounts == ""  # the dev hooks are the app's to name


@pytest.mark.parametrize(
    ("table", "fragment"),
    [
        ({"functions": {"memroy": 512}}, "unknown option"),
        ({"functions": {"env": {"lower": "x"}}}, "upper case"),
        ({"functions": {"env": {"PORT": "8080"}}}, "reserved"),
        ({"functions": {"env": {"LEVEL": 3}}}, "one-line strings"),
        ({"view-models": "app.VIEW_MODELS"}, "package.module:ATTRIBUTE"),
        ({"vendor": "flask_boiler"}, "list of top-level package names"),
        ({"seed": "app.seed.seed"}, "package.module:NAME"),
        ({"accounts": ["ann"]}, "package.module:NAME"),
    ],
)
def test_bad_settings(tmp_path, table, fragment):
    with pytest.raises(DeployOptionError, match=fragment):
        load_settings(tmp_path, table)
