"""functions.yaml is generated from functions/main.py and pyproject defaults, and the committed copy is current."""

from __future__ import annotations

import shutil
from pathlib import Path
from types import ModuleType

import functions_framework
import pytest

from flask_boiler.__main__ import main
from flask_boiler.deploy.defaults import load_settings
from flask_boiler.deploy.manifest import build_manifest, generate, load_main, render
from flask_boiler.endpoints import DeployOptionError, document_trigger, http_endpoint, parse_options
from flask_boiler.triggers.view_triggers import export_view_triggers

from .sample_app import Inbox, TicketView

ROOT = Path(__file__).resolve().parents[3]


def module_with(**names) -> ModuleType:
    module = ModuleType("main")
    module.__dict__.update(names)
    return module


def http_fn(name="fn"):
    def handler(request):
        return "ok"

    handler.__name__ = name
    return functions_framework.http(handler)


def event_fn(name="on_x"):
    def handler(cloud_event):
        return None

    handler.__name__ = name
    return functions_framework.cloud_event(handler)


def test_committed_manifest_is_up_to_date():
    files = generate(load_settings(ROOT))
    expected = files[ROOT / "functions" / "functions.yaml"]
    assert (ROOT / "functions" / "functions.yaml").read_text() == expected, (
        "functions/functions.yaml is stale: run `.venv/bin/python -m flask_boiler manifest`"
    )


def test_every_view_source_pattern_has_a_retrying_trigger():
    manifest = build_manifest(load_main(ROOT / "functions"), load_settings(ROOT).defaults)
    patterns = {
        endpoint["eventTrigger"]["eventFilterPathPatterns"]["document"]: endpoint
        for endpoint in manifest["endpoints"].values()
        if "eventTrigger" in endpoint
    }
    assert {"meetings/{doc_id}", "users/{doc_id}", "locations/{doc_id}"} <= set(patterns)
    assert all(endpoint["eventTrigger"]["retry"] is True for endpoint in patterns.values())
    assert manifest["endpoints"]["health"]["httpsTrigger"] == {}


def test_project_defaults_reach_every_endpoint():
    defaults = load_settings(ROOT).defaults
    manifest = build_manifest(load_main(ROOT / "functions"), defaults)
    for name, endpoint in manifest["endpoints"].items():
        assert endpoint["entryPoint"] == name
        assert endpoint["region"] == list(defaults.region)
        assert endpoint["availableMemoryMb"] == defaults.memory
        assert endpoint["timeoutSeconds"] == defaults.timeout
        assert endpoint.get("maxInstances") == defaults.max_instances


def test_declared_options_override_defaults_option_by_option():
    defaults = parse_options({"memory": 256, "timeout": 60, "max-instances": 10, "region": "europe-west1"})
    module = module_with(
        api=http_endpoint(
            http_fn("api"),
            memory="1GiB",
            cpu=1,
            concurrency=40,
            min_instances=1,
            secrets=["STRIPE_KEY"],
            invoker="public",
            service_account="api-runner@",
            ingress="ALLOW_ALL",
        ),
        on_x=document_trigger(event_fn(), "things/{thing_id}", timeout=300),
    )
    endpoints = build_manifest(module, defaults)["endpoints"]
    api = endpoints["api"]
    assert api["availableMemoryMb"] == 1024 and api["cpu"] == 1 and api["concurrency"] == 40
    assert api["minInstances"] == 1 and api["maxInstances"] == 10 and api["timeoutSeconds"] == 60
    assert api["region"] == ["europe-west1"]
    assert api["secretEnvironmentVariables"] == [{"key": "STRIPE_KEY", "secret": "STRIPE_KEY"}]
    assert api["httpsTrigger"] == {"invoker": ["public"]}
    assert api["serviceAccount"] == "api-runner@" and api["ingressSettings"] == "ALLOW_ALL"
    assert endpoints["on_x"]["timeoutSeconds"] == 300 and endpoints["on_x"]["availableMemoryMb"] == 256
    assert endpoints["on_x"]["eventTrigger"]["retry"] is True


def test_view_meta_trigger_options_and_export_options_layer():
    namespace: dict = {}
    export_view_triggers(namespace, [TicketView], max_instances=5, memory="1GiB", cpu=1)
    endpoints = build_manifest(module_with(**namespace))["endpoints"]
    ticket = endpoints["on_rtOrgs_rtTickets_written"]
    assert ticket["availableMemoryMb"] == 512  # TicketView.Meta.trigger_options wins over export options
    assert ticket["timeoutSeconds"] == 120
    assert ticket["maxInstances"] == 5 and ticket["cpu"] == 1
    assert ticket["eventTrigger"]["eventFilterPathPatterns"] == {"document": "rtOrgs/{org_id}/rtTickets/{ticket_id}"}
    followed = endpoints["on_rtUsers_written"]  # the trigger for TicketView's followed users
    assert followed["availableMemoryMb"] == 512 and followed["maxInstances"] == 5

    plain: dict = {}
    export_view_triggers(plain, [Inbox], memory="1GiB")
    inbox = build_manifest(module_with(**plain))["endpoints"]["on_rtUsers_written"]
    assert inbox["availableMemoryMb"] == 1024 and inbox["timeoutSeconds"] == 60


def test_views_disagreeing_on_a_shared_trigger_are_an_error():
    from flask_boiler.endpoints import trigger_options_of

    class Other:
        class Meta:
            trigger_options = {"memory": 1024}

    with pytest.raises(DeployOptionError, match="must agree") as info:
        trigger_options_of([TicketView, Other], "rtUsers/{doc_id}")
    assert info.value.option == "memory"


def test_limits_are_checked_on_the_merged_options():
    slow = module_with(on_x=document_trigger(event_fn(), "things/{id}", timeout=900))
    with pytest.raises(DeployOptionError, match="540s limit"):
        build_manifest(slow)
    crowded = module_with(fn=http_endpoint(http_fn(), concurrency=10, cpu=0.5))
    with pytest.raises(DeployOptionError, match="at least 1 CPU"):
        build_manifest(crowded)
    inverted = module_with(fn=http_endpoint(http_fn(), min_instances=5))
    with pytest.raises(DeployOptionError, match="max_instances") as info:
        build_manifest(inverted, parse_options({"max_instances": 2}))
    assert info.value.where == "fn" and info.value.option == "min_instances"


def test_render_is_json_yaml_with_a_header():
    text = render({"specVersion": "v1alpha1", "endpoints": {}})
    assert text.startswith("# Generated by")
    assert '"specVersion": "v1alpha1"' in text


@pytest.fixture
def project_copy(tmp_path, monkeypatch) -> Path:
    """A copy of the project's declarations (not its venvs) to run the commands in."""
    for name in ("pyproject.toml", "firebase.json", "firestore.rules", "firestore.indexes.json"):
        shutil.copy(ROOT / name, tmp_path / name)
    (tmp_path / "functions").mkdir()
    for name in ("main.py", "functions.yaml", "requirements.txt"):
        shutil.copy(ROOT / "functions" / name, tmp_path / "functions" / name)
    shutil.copytree(ROOT / "shared_models", tmp_path / "shared_models", ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_check_fails_when_the_committed_manifest_is_stale(project_copy, capsys):
    assert main(["manifest", "--check"]) == 0
    manifest = project_copy / "functions" / "functions.yaml"
    manifest.write_text(manifest.read_text().replace('"timeoutSeconds": 60', '"timeoutSeconds": 61', 1))
    assert main(["manifest", "--check"]) == 1
    assert "functions.yaml is out of date" in capsys.readouterr().err
    assert main(["check"]) == 1
    assert main(["manifest"]) == 0
    assert main(["check"]) == 0


def test_check_fails_when_pyproject_defaults_change(project_copy, capsys):
    pyproject = project_copy / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace("timeout = 60", "timeout = 90"))
    assert main(["manifest", "--check"]) == 1
    assert main(["manifest"]) == 0
    assert '"timeoutSeconds": 90' in (project_copy / "functions" / "functions.yaml").read_text()


def test_bad_project_defaults_are_a_clear_error(project_copy, capsys):
    pyproject = project_copy / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('memory = "256MiB"', 'memory = "300MiB"'))
    assert main(["manifest"]) == 1
    err = capsys.readouterr().err
    assert "[tool.flask-boiler.functions]" in err and "'memory'" in err and "300MB" in err


def test_project_env_is_written_to_functions_dotenv(project_copy):
    pyproject = project_copy / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + '\n[tool.flask-boiler.functions.env]\nLOG_LEVEL = "info"\n')
    assert main(["manifest", "--check"]) == 1  # functions/.env does not exist yet
    assert main(["manifest"]) == 0
    dotenv = (project_copy / "functions" / ".env").read_text()
    assert dotenv.startswith("# Generated") and 'LOG_LEVEL="info"' in dotenv
    assert main(["manifest", "--check"]) == 0
