"""firebase-tools' own manifest parser and validators accept what we generate and reject what they should.

``scripts/validate-manifest.js`` runs the installed firebase-tools' discovery
(``yamlToBuild``), build -> backend resolution and endpoint validation on a manifest,
exactly what ``firebase deploy`` does before calling Google Cloud;
``scripts/validate-indexes.js`` runs its index spec validation.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from types import ModuleType

import functions_framework
import pytest

from flask_boiler.deploy.defaults import load_settings
from flask_boiler.deploy.indexes import render_indexes, required_indexes
from flask_boiler.deploy.manifest import build_manifest, load_main, render
from flask_boiler.endpoints import document_trigger, http_endpoint, parse_options
from flask_boiler.triggers.view_triggers import export_view_triggers
from tests.unit.deploy.sample_app import SAMPLE_VIEWS

ROOT = Path(__file__).resolve().parents[3]
NODE = shutil.which("node")

pytestmark = pytest.mark.skipif(
    NODE is None or not (ROOT / "node_modules" / "firebase-tools").is_dir(),
    reason="needs node and the project's firebase-tools (make setup)",
)


def run_script(script: str, path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [NODE, str(ROOT / "scripts" / script), str(path)], capture_output=True, text=True, timeout=120, cwd=ROOT
    )


def validate_manifest(manifest: dict, tmp_path: Path) -> subprocess.CompletedProcess:
    path = tmp_path / "functions.yaml"
    path.write_text(render(manifest))
    return run_script("validate-manifest.js", path)


def committed_manifest() -> dict:
    return json.loads((ROOT / "functions" / "functions.yaml").read_text().split("\n", 1)[1])


def test_committed_manifest_is_accepted_with_every_entry_point():
    result = run_script("validate-manifest.js", ROOT / "functions" / "functions.yaml")
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    main = load_main(ROOT / "functions", ROOT)
    ours = {name for name in vars(main) if hasattr(getattr(main, name), "_fb_endpoint")}
    official_sdk = {name for name in vars(main) if hasattr(getattr(main, name), "__firebase_endpoint__")}
    assert official_sdk == {"next_meeting"} and not ours & official_sdk
    assert {e["id"] for e in summary["endpoints"]} == ours | official_sdk
    assert summary["runtime"] == json.loads((ROOT / "firebase.json").read_text())["functions"][0]["runtime"]
    triggers = {e["id"]: e["trigger"] for e in summary["endpoints"]}
    assert triggers["health"] == "https"
    assert triggers["on_meetings_written"] == "google.cloud.firestore.document.v1.written"
    assert triggers["next_meeting"] == "callable"


def test_every_option_we_can_render_is_accepted(tmp_path):
    def handler(request):
        return "ok"

    def on_event(cloud_event):
        return None

    namespace: dict = {
        "api": http_endpoint(
            functions_framework.http(handler),
            memory="2GiB",
            cpu=2,
            concurrency=80,
            min_instances=1,
            max_instances=50,
            timeout=3600,
            secrets=["API_KEY", "DB_PASSWORD"],
            invoker=["private"],
            service_account="runner@demo-flask-boiler.iam.gserviceaccount.com",
            ingress="ALLOW_INTERNAL_AND_GCLB",
        ),
        "small": http_endpoint(
            functions_framework.http(handler), memory=128, cpu="gcf_gen1", region=["europe-west1", "us-east1"]
        ),
        "on_thing": document_trigger(
            functions_framework.cloud_event(on_event), "things/{id}", timeout=540, retry=False
        ),
    }
    export_view_triggers(namespace, SAMPLE_VIEWS, max_instances=3)
    module = ModuleType("main")
    module.__dict__.update(namespace)
    manifest = build_manifest(module, load_settings(ROOT).defaults.merged(parse_options({"min_instances": 0})))
    result = validate_manifest(manifest, tmp_path)
    assert result.returncode == 0, result.stderr
    ids = [e["id"] for e in json.loads(result.stdout)["endpoints"]]
    assert ids.count("small") == 2  # one per region
    assert {"api", "on_thing", "on_rtOrgs_rtTickets_written"} <= set(ids)


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda m: m["endpoints"]["health"].update(availableMemoryMb=300), "availableMemoryMb failed validation"),
        (lambda m: m["endpoints"]["ping_pong"].update(timeoutSeconds=900), "timeouts that exceed the maximum"),
        (lambda m: m["endpoints"]["ping_pong"].update(concurrency=10, cpu=0.5), "less than one full CPU"),
        (lambda m: m["endpoints"]["health"].update(cpu=3), "invalid CPU settings"),
        (lambda m: m["endpoints"]["health"].update(maxInstance=3), "Unexpected key"),
        (
            lambda m: m["endpoints"]["health"].update(eventTrigger={"eventType": "x", "eventFilters": {}}),
            "Multiple triggers",
        ),
        (lambda m: m["endpoints"]["ping_pong"]["eventTrigger"].pop("eventType"), "Expected key"),
        (
            lambda m: m["endpoints"].update({"1bad": {**m["endpoints"]["health"], "entryPoint": "1bad"}}),
            "function name",
        ),
        (lambda m: m.pop("endpoints"), "Expected key endpoints"),
    ],
)
def test_firebase_tools_rejects_bad_manifests(tmp_path, mutate, message):
    manifest = committed_manifest()
    mutate(manifest)
    result = validate_manifest(manifest, tmp_path)
    assert result.returncode == 1, result.stdout
    assert message in result.stderr


def test_committed_and_generated_indexes_are_accepted(tmp_path):
    result = run_script("validate-indexes.js", ROOT / "firestore.indexes.json")
    assert result.returncode == 0, result.stderr
    sample = tmp_path / "indexes.json"
    sample.write_text(render_indexes(required_indexes(SAMPLE_VIEWS)))
    result = run_script("validate-indexes.js", sample)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["fieldOverrides"] == 2


def test_bad_indexes_are_rejected(tmp_path):
    spec = required_indexes(SAMPLE_VIEWS)
    spec["fieldOverrides"][0]["indexes"].append({"order": "SIDEWAYS", "queryScope": "COLLECTION_GROUP"})
    bad = tmp_path / "indexes.json"
    bad.write_text(json.dumps(spec))
    result = run_script("validate-indexes.js", bad)
    assert result.returncode == 1
    assert "order" in result.stderr and "ASCENDING" in result.stderr
