"""``flask-boiler new``: the files a project starts with, rendered from the package's templates."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from flask_boiler.cli.scaffold import (
    ScaffoldError,
    create_project,
    framework_source,
    render,
    runtime_requirements,
)

from .conftest import ROOT, flask_boiler


def test_a_project_has_everything_make_dev_and_make_test_need(scaffolded):
    expected = {
        ".ci/run",
        ".gitignore",
        "Makefile",
        "README.md",
        "firebase.json",
        "firestore.indexes.json",
        "firestore.rules",
        "functions/functions.yaml",
        "functions/main.py",
        "functions/requirements.txt",
        "package-lock.json",
        "package.json",
        "pyproject.toml",
        "team_tasks/__init__.py",
        "team_tasks/domain.py",
        "team_tasks/seed.py",
        "team_tasks/views.py",
        "tests/test_declarations.py",
        "tests/test_tasks.py",
    }
    files = {
        p.relative_to(scaffolded).as_posix()
        for p in scaffolded.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }
    assert files == expected
    assert os.access(scaffolded / ".ci" / "run", os.X_OK)
    for path in scaffolded.rglob("*"):
        if path.is_file() and "__pycache__" not in path.parts:
            assert "{{" not in path.read_text(), path


def test_the_app_settings_live_in_its_pyproject_and_name_its_package(scaffolded):
    text = (scaffolded / "pyproject.toml").read_text()
    assert '[tool.flask-boiler]\nview-models = "team_tasks:VIEW_MODELS"' in text
    assert 'vendor = ["flask_boiler", "team_tasks"]' in text
    assert f"FLASK_BOILER ?= {ROOT}" in (scaffolded / "Makefile").read_text()


def test_the_generated_project_passes_its_gates(scaffolded):
    ruff = Path(sys.executable).with_name("ruff")
    for command in ([str(ruff), "check", "."], [str(ruff), "format", "--check", "."]):
        result = subprocess.run(command, cwd=scaffolded, capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + result.stderr
    checked = flask_boiler(scaffolded, "check")
    assert checked.returncode == 0, checked.stderr
    rules = (scaffolded / "firestore.rules").read_text()
    assert "match /users/{uid}/taskCards/{task_id}" in rules and "request.auth.uid == uid" in rules
    manifest = json.loads((scaffolded / "functions" / "functions.yaml").read_text().split("\n", 1)[1])
    assert set(manifest["endpoints"]) == {"api", "on_tasks_written", "viewTasks", "on_view_rebuild_requested"}


def test_the_deployed_requirements_are_the_framework_runtime_dependencies(scaffolded):
    requirements = (scaffolded / "functions" / "requirements.txt").read_text()
    assert runtime_requirements() in requirements
    assert "pytest" not in requirements and "firebase-functions" not in requirements  # dev only


def test_the_pinned_firebase_tools_is_the_framework_one():
    """The template's lockfile is what `npm ci` installs in a new project: the same firebase-tools
    this repository tests against (the scaffold test borrows this checkout's node_modules)."""
    templates = ROOT / "flask_boiler" / "cli" / "templates" / "project"
    ours = json.loads((ROOT / "package-lock.json").read_text())["packages"]["node_modules/firebase-tools"]["version"]
    lock = json.loads((templates / "package-lock.json.tmpl").read_text())
    assert lock["packages"]["node_modules/firebase-tools"]["version"] == ours
    assert json.loads((templates / "package.json.tmpl").read_text())["devDependencies"]["firebase-tools"] == ours


def test_a_directory_in_use_or_a_bad_name_is_refused(tmp_path):
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "notes.txt").write_text("mine")
    with pytest.raises(ScaffoldError, match="not empty"):
        create_project(tmp_path / "busy", framework=str(ROOT))
    with pytest.raises(ScaffoldError, match="app package"):
        create_project(tmp_path / "app", framework=str(ROOT), app="class")
    with pytest.raises(ScaffoldError, match="app package"):
        create_project(tmp_path / "fb", framework=str(ROOT), app="flask_boiler")
    with pytest.raises(ScaffoldError, match="project name"):
        create_project(tmp_path / "-x", framework=str(ROOT))


def test_the_framework_source_is_a_checkout_or_a_wheel(tmp_path):
    assert framework_source(None) == str(ROOT)  # the checkout this test runs from
    assert framework_source(str(ROOT)) == str(ROOT)
    wheel = tmp_path / "flask_boiler-0.1.0-py3-none-any.whl"
    wheel.write_bytes(b"")
    assert framework_source(str(wheel)) == str(wheel)
    with pytest.raises(ScaffoldError, match="checkout or a built wheel"):
        framework_source(str(tmp_path))


def test_unknown_placeholders_are_an_error_never_left_in_a_file():
    assert render("x = {{app}}", {"app": "team"}) == "x = team"
    with pytest.raises(ScaffoldError, match="unknown placeholder"):
        render("{{nope}}", {"app": "team"})


def test_new_prints_the_next_steps(tmp_path):
    """The installed console script, as a newcomer runs it (it generates in a fresh interpreter)."""
    command = [str(Path(sys.executable).with_name("flask-boiler")), "new", "todo-board"]
    result = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "app package todo_board" in result.stdout and "make dev" in result.stdout
    assert (
        "up to date"
        in subprocess.run(
            [sys.executable, "-m", "flask_boiler", "check"], cwd=tmp_path / "todo-board", capture_output=True, text=True
        ).stdout
    )
    again = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert again.returncode == 1 and "not empty" in again.stderr
