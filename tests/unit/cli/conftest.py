"""A project made by ``flask-boiler new`` in a temporary directory (files only: no venvs, no npm)."""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from flask_boiler.cli import main
from flask_boiler.cli.scaffold import create_project
from flask_boiler.views.registry import registry

ROOT = Path(__file__).resolve().parents[3]


APP = "team_tasks"


def _forget_app() -> None:
    for name in [n for n in sys.modules if n == APP or n.startswith(f"{APP}.")]:
        del sys.modules[name]


def flask_boiler(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``python -m flask_boiler ARGS`` run in ``project``, in this process (fast): the app's modules
    are imported afresh from that directory, its view models registered in a registry of their own."""
    out, err = io.StringIO(), io.StringIO()
    saved = Path.cwd()
    _forget_app()
    os.chdir(project)
    try:
        with registry.isolated(), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(list(args))
    finally:
        os.chdir(saved)
        _forget_app()
    return subprocess.CompletedProcess(["flask_boiler", *args], code, out.getvalue(), err.getvalue())


@pytest.fixture(scope="session")
def scaffolded(tmp_path_factory) -> Path:
    """One generated project (``new``'s files plus ``generate``); tests copy it before changing it."""
    root = tmp_path_factory.mktemp("scaffold") / "team-tasks"
    create_project(root, framework=str(ROOT))
    generated = flask_boiler(root, "generate")
    assert generated.returncode == 0, generated.stderr
    return root


@pytest.fixture
def project(scaffolded, tmp_path) -> Path:
    """A private copy of the generated project."""
    copy = tmp_path / "team-tasks"
    shutil.copytree(scaffolded, copy, ignore=shutil.ignore_patterns("__pycache__"))
    return copy


@pytest.fixture
def edit(project) -> Callable[[str, str, str], None]:
    """``edit(relative_path, old, new)``: change one file of the project (the text must be there)."""

    def change(relative: str, old: str, new: str) -> None:
        path = project / relative
        text = path.read_text()
        assert old in text, f"{old!r} not in {relative}"
        path.write_text(text.replace(old, new))

    return change
