"""The example app (``shared_models``, ``functions/main.py``, ``flask-boiler.toml``) as a project.

These tests are about this repository's example, not the framework: its committed deploy
files are current, its settings name what ``make dev`` needs, and its manifest holds the
triggers, the REST function and the official-SDK callable. The framework's own tests
(``tests/unit``) build their projects in temporary directories and never read these.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

from flask_boiler.deploy.bundle import build_bundle, find_credentials, vendored_copies
from flask_boiler.deploy.defaults import SETTINGS_FILE, load_query_views, load_settings
from flask_boiler.deploy.generated import expected_files
from flask_boiler.deploy.indexes import dependency_queries, required_indexes
from flask_boiler.deploy.manifest import build_manifest, load_main

ROOT = Path(__file__).resolve().parents[2]


def test_the_example_settings_live_apart_from_the_framework_packaging():
    settings = load_settings(ROOT)
    assert settings.where == SETTINGS_FILE
    assert "flask-boiler" not in tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]
    assert settings.view_models == "shared_models:VIEW_MODELS"
    assert settings.vendor == ("flask_boiler", "shared_models")
    assert (settings.seed, settings.demo, settings.accounts) == (
        "shared_models.seed:seed",
        "shared_models.demo:run",
        "shared_models.seed:DEMO_USERS",
    )


def test_every_committed_deploy_file_is_current_and_main_agrees_with_the_settings():
    outcome = expected_files(load_settings(ROOT))
    assert not outcome.errors and not outcome.problems, (outcome.errors, outcome.problems)
    stale = [str(file.path.relative_to(ROOT)) for file in outcome.stale]
    assert stale == [], "run `.venv/bin/python -m flask_boiler generate`"


def test_every_view_source_pattern_has_a_retrying_trigger_beside_the_api_and_the_sdk_callable():
    manifest = build_manifest(load_main(ROOT / "functions"), load_settings(ROOT).defaults)
    endpoints = manifest["endpoints"]
    patterns = {
        e["eventTrigger"]["eventFilterPathPatterns"]["document"]: e for e in endpoints.values() if "eventTrigger" in e
    }
    assert {"meetings/{doc_id}", "users/{doc_id}", "locations/{doc_id}"} <= set(patterns)
    assert all(endpoint["eventTrigger"]["retry"] is True for endpoint in patterns.values())
    assert endpoints["api"]["httpsTrigger"] == {}
    # next_meeting is written with the official SDK: described by it, with the project's defaults.
    assert endpoints["next_meeting"]["callableTrigger"] == {}
    assert endpoints["next_meeting"]["region"] == ["us-central1"]
    assert endpoints["next_meeting"]["timeoutSeconds"] == 60


def test_project_defaults_reach_every_endpoint():
    defaults = load_settings(ROOT).defaults
    manifest = build_manifest(load_main(ROOT / "functions"), defaults)
    for name, endpoint in manifest["endpoints"].items():
        assert endpoint["entryPoint"] == name
        assert endpoint["region"] == list(defaults.region)
        assert endpoint["availableMemoryMb"] == defaults.memory
        assert endpoint["timeoutSeconds"] == defaults.timeout
        assert endpoint.get("maxInstances") == defaults.max_instances


def test_the_rules_open_exactly_the_owner_views():
    text = (ROOT / "firestore.rules").read_text()
    assert "match /{document=**} {\n      allow read, write: if false;" in text
    for path in ("/users/{uid}/meetingSessions/{meeting_id}", "/userViews/{uid}"):
        start = text.index(f"match {path} {{")
        block = text[start : text.index("\n    }", start)]
        assert "allow read: if request.auth != null && request.auth.uid == uid;" in block
    assert text.count("allow read:") == 2 and text.count("allow write: if false;") == 2
    assert "match /meetings/" not in text and "match /users/{doc_id}" not in text  # domain stays closed


def test_back_references_on_subcollection_models_get_collection_group_overrides():
    """The example reads tickets (users/{uid}/tickets) by their `user` field (UserView) and by
    their `meeting` field (MeetingAttendance, served by REST): collection-group queries, which
    need indexes the automatic ones do not provide. So does finding the sessions a meeting had
    when its earlier state is unknown (by the views' bookkeeping `_fb.root`, across users)."""
    queries = [q for q in dependency_queries(load_query_views(load_settings(ROOT))) if q.collection_group]
    assert [(q.collection_id, q.field_path, q.operator) for q in queries] == [
        ("meetingSessions", "_fb.root", "=="),
        ("tickets", "meeting", "=="),
        ("tickets", "user", "=="),
    ]
    overrides = required_indexes(load_query_views(load_settings(ROOT)))["fieldOverrides"]
    assert [(o["collectionGroup"], o["fieldPath"]) for o in overrides] == [
        ("meetingSessions", "_fb.root"),
        ("tickets", "meeting"),
        ("tickets", "user"),
    ]
    assert all({"order": "ASCENDING", "queryScope": "COLLECTION_GROUP"} in o["indexes"] for o in overrides)


def test_bundle_of_this_project_holds_what_cloud_build_needs(tmp_path):
    target = tmp_path / "bundle"
    report = build_bundle(ROOT, target, ["flask_boiler", "shared_models"])
    assert {"main.py", "requirements.txt", "functions.yaml"} <= set(report.files)
    assert (target / "flask_boiler" / "__init__.py").is_file()
    assert (target / "shared_models" / "views.py").is_file()
    assert not (target / "venv").exists()
    assert not list(target.rglob("__pycache__")) and not list(target.rglob("*.pyc"))
    assert (target / "functions.yaml").read_text() == (ROOT / "functions" / "functions.yaml").read_text()
    assert not find_credentials(target)


def test_no_vendored_copies_shadow_the_working_tree():
    """functions/venv imports the checkout through a .pth file; copies left in functions/ by an
    interrupted deploy would be imported instead (by the Functions emulator too)."""
    left = vendored_copies(ROOT, load_settings(ROOT).vendor)
    assert left == [], f"stale vendored copies {left}: run `make unbundle`"


def test_only_the_sdk_functions_instance_imports_the_sdk_and_the_manifest_lists_it_anyway(monkeypatch):
    """``serving("next_meeting")`` guards the SDK in main.py: the instances of the other
    functions (``FUNCTION_TARGET`` names theirs) skip it; the manifest generator sees it."""
    script = (
        "import sys; sys.path[:0] = [sys.argv[1], sys.argv[2]]; import main; "
        "print('next_meeting' in vars(main), 'firebase_functions' in sys.modules)"
    )
    answers = {}
    for target in ("health", "next_meeting"):
        out = subprocess.run(
            [sys.executable, "-c", script, str(ROOT / "functions"), str(ROOT)],
            env={**os.environ, "FUNCTION_TARGET": target},
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        answers[target] = out.stdout.split()
    assert answers == {"health": ["False", "False"], "next_meeting": ["True", "True"]}
    monkeypatch.setenv("FUNCTION_TARGET", "health")
    assert "next_meeting" in build_manifest(load_main(ROOT / "functions"))["endpoints"]
