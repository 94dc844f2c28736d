"""``flask-boiler new`` makes a project that works on its own, as a newcomer would use it.

One walk through a project's life, in a temporary directory: ``flask-boiler new`` with the
framework as a wheel built from this checkout (what a user installs); ``make setup`` (its
Makefile installs ``.venv`` and ``functions/venv`` with uv, from the wheel); ``make dev``'s
command (``flask_boiler dev``: the project's own emulator stack, Functions running its
``main.py``); the project's ``make test`` — ruff, ``check``, its pytest suite written with
the testing kit — against that running stack; then an edit of the app's code outside
``functions/``, which the running Functions emulator picks up (live reload).

Two shortcuts keep it to about two minutes on two cores, neither of which skips a step the
project relies on: ``node_modules`` is a hard-linked copy of this checkout's (the same
firebase-tools version, pinned by both lockfiles, which a unit test compares) instead of a
fresh ``npm ci``; and ``make test`` uses the stack ``dev`` started (the pytest plugin's
documented behaviour when ``FIRESTORE_EMULATOR_HOST`` is set) instead of starting a second
one — starting a stack from the plugin is what this repository's own suite does anyway.
"""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from flask_boiler.testing import wait_for
from flask_boiler.testing.http import call

ROOT = Path(__file__).resolve().parents[3]

pytestmark = [pytest.mark.emulators, pytest.mark.timeout(900)]

#: Variables of this test session (its own emulator stack, the outer make) a project must not inherit.
_SESSION_VARIABLES = re.compile(
    r"^(FIRESTORE_EMULATOR_HOST|FIREBASE_AUTH_EMULATOR_HOST|FLASK_BOILER_.*|GCLOUD_PROJECT|GOOGLE_CLOUD_PROJECT"
    r"|VIRTUAL_ENV|PYTHONPATH|MAKEFLAGS|MAKELEVEL|MFLAGS|MAKE_TERMOUT|MAKE_TERMERR|PYTEST_.*)$"
)


def project_environment(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if not _SESSION_VARIABLES.match(name)}
    env.update(extra or {})
    return env


def run(command: list[str], cwd: Path, env: dict[str, str], timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """A new project, set up by its own Makefile with the framework from a wheel of this checkout."""
    work = tmp_path_factory.mktemp("scaffold")
    uv = Path(sys.executable).with_name("uv")
    built = run([str(uv), "build", "--quiet", "-o", str(work / "dist"), str(ROOT)], cwd=work, env=project_environment())
    assert built.returncode == 0, built.stderr
    (wheel,) = (work / "dist").glob("flask_boiler-*.whl")

    root = work / "team-tasks"
    created = run(
        [sys.executable, "-m", "flask_boiler", "new", str(root), "--framework", str(wheel)],
        cwd=work,
        env=project_environment(),
    )
    assert created.returncode == 0, created.stderr
    assert "app package team_tasks" in created.stdout
    assert f"FLASK_BOILER ?= {wheel}" in (root / "Makefile").read_text()

    # The checkout's node_modules, hard-linked (npm ci replaces files, never writes through links).
    subprocess.run(["cp", "-al", str(ROOT / "node_modules"), str(root / "node_modules")], check=True)
    (root / ".make-stamps").mkdir()
    (root / ".make-stamps" / "npm").touch()

    setup = run(["make", "setup"], cwd=root, env=project_environment())
    assert setup.returncode == 0, setup.stdout[-3000:] + setup.stderr[-3000:]
    return root


class DevServer:
    """``flask_boiler dev`` running in the project (its own process group), its output collected."""

    def __init__(self, root: Path) -> None:
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        self.process = subprocess.Popen(
            [str(root / ".venv" / "bin" / "python"), "-m", "flask_boiler", "dev", "--free-ports", "--no-seed"],
            cwd=root,
            env=project_environment(),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))

    def wait_for_line(self, pattern: str, timeout: float = 300) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=1)
            except queue.Empty:
                if self.process.poll() is not None:
                    break
                continue
            self.seen.append(line)
            if re.search(pattern, line):
                return line
        raise AssertionError(f"dev never printed /{pattern}/; its output:\n" + "\n".join(self.seen[-80:]))

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGINT)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)


@pytest.fixture(scope="module")
def dev(project) -> Iterator[tuple[DevServer, dict[str, str]]]:
    """The project's local stack (``make dev``'s command, on free ports) and its environment."""
    server = DevServer(project)
    try:
        server.wait_for_line(r"Local stack is up")
        exports: dict[str, str] = {}
        while True:
            line = server.wait_for_line(r"export |Press Ctrl-C", timeout=30)
            if "Press Ctrl-C" in line:
                break
            name, value = line.strip().removeprefix("export ").split("=", 1)
            exports[name] = value
        yield server, exports
    finally:
        server.stop()


def test_the_new_project_passes_its_gates_and_its_tests_on_the_emulators(project, dev):
    server, exports = dev
    assert any("Edits are live: team_tasks/" in line for line in server.seen), server.seen
    result = run(["make", "test"], cwd=project, env=project_environment(exports), timeout=800)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-6000:]
    assert "All checks passed!" in output  # ruff
    assert "up to date: functions/functions.yaml, firestore.rules, firestore.indexes.json" in output
    assert re.search(r"\b6 passed\b", output), output[-3000:]


def test_app_code_outside_functions_reloads_live_in_the_dev_stack(project, dev):
    server, exports = dev
    firestore = f"http://{exports['FIRESTORE_EMULATOR_HOST']}/v1/projects/{exports['GCLOUD_PROJECT']}"
    documents = f"{firestore}/databases/(default)/documents"
    admin = {"Authorization": "Bearer owner"}  # the emulator's admin token: rules do not apply

    def write_task(task_id: str, title: str) -> None:
        body = {"fields": {"title": {"stringValue": title}, "assignee": {"stringValue": "ann"}}}
        answer = call("PATCH", f"{documents}/tasks/{task_id}", body=body, headers=admin)
        assert answer.ok, answer.body

    def card_title(task_id: str) -> str | None:
        answer = call("GET", f"{documents}/users/ann/taskCards/{task_id}", headers=admin)
        return answer.json()["fields"]["title"]["stringValue"] if answer.status == 200 else None

    write_task("before", "Before the edit")
    assert wait_for(lambda: card_title("before"), timeout=90, message="the card, before the edit") == "Before the edit"

    views = project / "team_tasks" / "views.py"
    views.write_text(views.read_text().replace('"title": self.task.title,', '"title": self.task.title.upper(),'))
    server.wait_for_line(r"views\.py changed: the Functions emulator reloads the functions", timeout=60)

    # The emulator swaps its workers shortly after the reload signal: write until a card shows the new code.
    attempts = iter(range(1000))

    def edited_code_ran() -> bool:
        task_id = f"after-{next(attempts)}"
        write_task(task_id, "After the edit")
        return bool(
            wait_for(lambda: card_title(task_id), timeout=60, message=f"the card of {task_id}") == "AFTER THE EDIT"
        )

    wait_for(edited_code_ran, timeout=120, interval=1.0, message="a card computed by the edited views.py")
