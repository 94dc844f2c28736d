"""Start, find, reset and stop the local Firebase emulator stack (Firestore, Functions, Auth, Cloud Tasks).

The stack is the project's own ``firebase.json`` run by the project's own firebase-tools
(``node_modules/.bin/firebase``), so tests exercise exactly what ``firebase deploy`` and
``make dev`` use. Ports come from ``firebase.json`` unless asked otherwise: tests ask for
free ports, so two checkouts (or a test run beside ``make dev``) never collide. The port
overrides go into a generated copy of ``firebase.json`` next to it (firebase-tools
resolves ``functions.source`` and rules paths relative to the config file).

firebase-tools and its Python worker processes run in their own process group; ``stop``
signals the whole group, so no worker outlives the stack.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .._private.emulator_runtime import EmulatorSetupError, explain_failure, resolve_runtime
from ..config import DEMO_PROJECT_ID
from ..errors import FlaskBoilerError
from .http import call

__all__ = [
    "EmulatorStack",
    "EmulatorStartError",
    "clear_auth",
    "clear_firestore",
    "find_project_root",
    "running_stack_from_env",
    "start_stack",
]

READY_MARKER = "All emulators ready"
_NODE_PRELOADS = Path(__file__).resolve().parent.parent / "_private" / "node"
#: Makes the Functions emulator open a fresh connection per request to Python workers (see the file).
NO_KEEPALIVE_PRELOAD = _NODE_PRELOADS / "no-keepalive.cjs"
#: Makes the Auth emulator compile its request validators on first use, not all at start (see the file).
LAZY_VALIDATORS_PRELOAD = _NODE_PRELOADS / "lazy-validators.cjs"
#: Gives every Python worker of the Functions emulator a port of its own (see the file).
DISTINCT_WORKER_PORTS_PRELOAD = _NODE_PRELOADS / "distinct-worker-ports.cjs"
#: Forks the Functions emulator's Python workers from a server that has their libraries imported (see the file).
FORKED_WORKERS_PRELOAD = _NODE_PRELOADS / "forked-python-workers.cjs"
#: What firebase-tools loads first in a stack started here (fixes and speed-ups of its emulators).
NODE_PRELOADS = (NO_KEEPALIVE_PRELOAD, LAZY_VALIDATORS_PRELOAD, DISTINCT_WORKER_PORTS_PRELOAD, FORKED_WORKERS_PRELOAD)
#: Set to ``0`` to have the Functions emulator start every Python worker the way firebase-tools
#: does on its own, without the fork server (to rule it out, or to compare).
FORKED_WORKERS_ENV = "FLASK_BOILER_FORKED_WORKERS"


def node_preloads(environ: Mapping[str, str] = os.environ) -> tuple[Path, ...]:
    """The preloads a stack starts firebase-tools with (:data:`NODE_PRELOADS`, less the fork
    server's if :data:`FORKED_WORKERS_ENV` is ``0``)."""
    if environ.get(FORKED_WORKERS_ENV, "").strip() == "0":
        return tuple(p for p in NODE_PRELOADS if p != FORKED_WORKERS_PRELOAD)
    return NODE_PRELOADS


#: The Firestore emulator's JVM compiles with its quick tier only (C1): over a test session
#: or a ``make dev`` sitting, the optimising tier's compile threads cost more CPU than its
#: faster code saves (half the emulator's CPU over 40 property histories, measured here).
QUICK_JIT = "-XX:TieredStopAtLevel=1"
DEFAULT_EMULATORS = ("firestore", "functions", "auth", "tasks")
#: Emulators whose ports we manage. ``hub`` and ``logging`` always run beside the others;
#: ``eventarc`` beside the Functions emulator, on a fixed 9299 unless told otherwise: two stacks
#: starting at once (pytest-xdist workers) both found it free and one failed, EADDRINUSE.
PORT_KEYS = ("firestore", "functions", "auth", "hosting", "hub", "logging", "tasks", "eventarc")
#: The Firestore emulator's websocket (firebase-tools' name). Left to firebase-tools, it is
#: the first free port from 9150: two stacks starting at once (pytest-xdist workers) both
#: find 9150 free and one fails. A free-port stack picks its own.
WEBSOCKET = "firestore.websocket"
#: firebase-admin's task queue API talks to the Cloud Tasks emulator named here.
TASKS_HOST_ENV = "CLOUD_TASKS_EMULATOR_HOST"
FUNCTIONS_HOST_ENV = "FLASK_BOILER_FUNCTIONS_EMULATOR_HOST"
HOSTING_HOST_ENV = "FLASK_BOILER_HOSTING_EMULATOR_HOST"
LOG_PATH_ENV = "FLASK_BOILER_EMULATOR_LOG"
DEFAULT_REGION = "us-central1"


class EmulatorStartError(FlaskBoilerError, RuntimeError):
    """The emulators did not come up (or cannot be reset); the message carries the reason and the log's tail."""


@dataclass
class EmulatorStack:
    """Where the running emulators listen, and (if we started them) how to stop them."""

    project_id: str
    firestore_host: str
    auth_host: str | None = None
    functions_host: str | None = None
    hosting_host: str | None = None
    hub_host: str | None = None
    tasks_host: str | None = None
    region: str = DEFAULT_REGION
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    log_path: Path | None = None

    def environment(self) -> dict[str, str]:
        """What a client process needs to talk to this stack (and to no real project)."""
        env = {
            "FIRESTORE_EMULATOR_HOST": self.firestore_host,
            "GCLOUD_PROJECT": self.project_id,
            "GOOGLE_CLOUD_PROJECT": self.project_id,
        }
        if self.auth_host:
            env["FIREBASE_AUTH_EMULATOR_HOST"] = self.auth_host
        if self.functions_host:
            env[FUNCTIONS_HOST_ENV] = self.functions_host
        if self.hosting_host:
            env[HOSTING_HOST_ENV] = self.hosting_host
        if self.tasks_host:
            env[TASKS_HOST_ENV] = self.tasks_host
        if self.log_path is not None:
            env[LOG_PATH_ENV] = str(self.log_path)
        return env

    def function_url(self, name: str, path: str = "") -> str:
        """URL of an HTTP function served by the Functions emulator."""
        if not self.functions_host:
            raise EmulatorStartError("The Functions emulator is not part of this stack.")
        suffix = "/" + path.lstrip("/") if path else ""
        return f"http://{self.functions_host}/{self.project_id}/{self.region}/{name}{suffix}"

    def hosting_url(self, path: str = "/") -> str:
        """URL of ``path`` on the site the Hosting emulator serves (rewrites included)."""
        if not self.hosting_host:
            raise EmulatorStartError("The Hosting emulator is not part of this stack (firebase.json has no hosting).")
        return f"http://{self.hosting_host}/{path.lstrip('/')}"

    def log_tail(self, lines: int = 60) -> str:
        if self.log_path is None or not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def stop(self, timeout: float = 20.0) -> None:
        """Stop firebase-tools and everything it started (emulators, Python workers)."""
        process = self.process
        if process is None:
            return
        self.process = None
        # firebase-tools starts the Java emulator detached (its own process group), so the
        # group signal below cannot reach it: remember every descendant now, by parentage.
        family = descendants(process.pid)
        _signal_group(process, signal.SIGINT)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=timeout)
        # Python workers and the Java emulator may linger after firebase-tools exits.
        _signal_group(process, signal.SIGKILL)
        for pid in family:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=5)


def descendants(pid: int) -> list[int]:
    """Process ids of every descendant of ``pid`` (read from /proc; empty where there is none)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        parent = int(text[text.rindex(")") + 2 :].split()[1])  # "pid (comm) state ppid ..."
        children.setdefault(parent, []).append(int(stat.parent.name))
    found: list[int] = []
    pending = [pid]
    while pending:
        for child in children.get(pending.pop(), []):
            found.append(child)
            pending.append(child)
    return found


def _signal_group(process: subprocess.Popen[bytes], sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, sig)


def find_project_root(start: Path | None = None) -> Path:
    """The nearest directory at or above ``start`` holding ``firebase.json``."""
    here = (start or Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        if (candidate / "firebase.json").is_file():
            return candidate
    raise EmulatorStartError(f"No firebase.json found at or above {here}.")


def running_stack_from_env(environ: Mapping[str, str] = os.environ) -> EmulatorStack | None:
    """The stack described by emulator variables already set (e.g. by ``make dev``), if any."""
    host = environ.get("FIRESTORE_EMULATOR_HOST")
    if not host:
        return None
    project = environ.get("GCLOUD_PROJECT") or environ.get("GOOGLE_CLOUD_PROJECT") or DEMO_PROJECT_ID
    return EmulatorStack(
        project_id=project,
        firestore_host=host,
        auth_host=environ.get("FIREBASE_AUTH_EMULATOR_HOST") or None,
        functions_host=environ.get(FUNCTIONS_HOST_ENV) or None,
        hosting_host=environ.get(HOSTING_HOST_ENV) or None,
        tasks_host=environ.get(TASKS_HOST_ENV) or None,
        log_path=Path(environ[LOG_PATH_ENV]) if environ.get(LOG_PATH_ENV) else None,
    )


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def free_ports() -> dict[str, int]:
    """A free port for every listener of a stack (:data:`PORT_KEYS` and the Firestore websocket)."""
    return {name: free_port() for name in (*PORT_KEYS, WEBSOCKET)}


def emulator_config(base: Mapping[str, Any], ports: Mapping[str, int]) -> dict[str, Any]:
    """``base`` (a parsed firebase.json) with the emulator ports replaced (``WEBSOCKET``: the
    Firestore emulator's websocket port)."""
    config: dict[str, Any] = json.loads(json.dumps(base))
    emulators = config.setdefault("emulators", {})
    for name, port in ports.items():
        if name == WEBSOCKET:
            emulators.setdefault("firestore", {})["websocketPort"] = port
            continue
        emulators.setdefault(name, {})
        emulators[name]["host"] = "127.0.0.1"
        emulators[name]["port"] = port
    emulators.setdefault("ui", {})["enabled"] = False
    return config


def configured_ports(config: Mapping[str, Any]) -> dict[str, int]:
    emulators = config.get("emulators", {})
    return {name: int(emulators[name]["port"]) for name in PORT_KEYS if "port" in emulators.get(name, {})}


def default_emulators(config: Mapping[str, Any]) -> tuple[str, ...]:
    """Firestore, Functions and Auth, and Hosting when ``config`` (firebase.json) declares a site."""
    return DEFAULT_EMULATORS + (("hosting",) if config.get("hosting") else ())


def start_stack(
    root: Path | None = None,
    *,
    only: Iterable[str] | None = None,
    project_id: str = DEMO_PROJECT_ID,
    ports: Mapping[str, int] | None = None,
    timeout: float = 240.0,
    extra_env: Mapping[str, str] | None = None,
    peak_speed: bool = False,
) -> EmulatorStack:
    """Start ``firebase emulators:start`` for this project and wait until it is ready.

    ``ports=None`` picks free ports (what tests want); pass ``configured_ports(...)`` to use
    the ones in firebase.json (what ``make dev`` wants). ``only`` defaults to
    :func:`default_emulators` of the project's firebase.json. ``peak_speed`` lets the
    Firestore emulator's JVM compile with every tier (:data:`QUICK_JIT` otherwise): for long
    runs measured at steady state, such as the benchmarks.
    """
    root = root or find_project_root()
    firebase_bin = root / "node_modules" / ".bin" / "firebase"
    if not firebase_bin.exists():
        raise EmulatorStartError(f"{firebase_bin} is missing: run `make setup` (npm ci) first.")
    work_dir = root / ".emulators"
    work_dir.mkdir(exist_ok=True)
    base = json.loads((root / "firebase.json").read_text())
    only = tuple(only) if only is not None else default_emulators(base)
    chosen = dict(ports) if ports is not None else free_ports()
    config_path = root / f".firebase.emulators.{os.getpid()}.json"
    config_path.write_text(json.dumps(emulator_config(base, chosen), indent=2))

    try:
        runtime = resolve_runtime(work_dir)
    except EmulatorSetupError as exc:
        config_path.unlink(missing_ok=True)
        raise EmulatorStartError(str(exc)) from exc
    env = {
        **os.environ,
        **runtime.environment(),
        "NODE_OPTIONS": " ".join(
            [
                os.environ.get("NODE_OPTIONS", ""),
                *(f"--require {p}" for p in node_preloads()),
            ]
        ).strip(),
        **(
            {}
            if peak_speed
            else {"JAVA_TOOL_OPTIONS": f"{os.environ.get('JAVA_TOOL_OPTIONS', '')} {QUICK_JIT}".strip()}
        ),
        "NO_UPDATE_NOTIFIER": "1",
        "FIREBASE_CLI_DISABLE_UPDATE_CHECK": "true",
        "CI": os.environ.get("CI", "true"),
        # Seconds a Python worker may take to start (firebase-tools' default, 30, is short on a
        # busy machine when a task queue starts several workers at once).
        "FUNCTIONS_DISCOVERY_TIMEOUT": os.environ.get("FUNCTIONS_DISCOVERY_TIMEOUT", "120"),
        **(extra_env or {}),
    }
    for name in (
        "FIRESTORE_EMULATOR_HOST",
        "FIREBASE_AUTH_EMULATOR_HOST",
        FUNCTIONS_HOST_ENV,
        TASKS_HOST_ENV,
        LOG_PATH_ENV,
    ):
        env.pop(name, None)  # firebase-tools sets these for its workers itself
    _prune_logs(work_dir)
    log_path = work_dir / f"emulators.{os.getpid()}.log"
    command = [
        str(firebase_bin),
        "emulators:start",
        "--only",
        ",".join(only),
        "--project",
        project_id,
        "--config",
        str(config_path),
    ]
    with log_path.open("w") as log:
        log.write(f"# firestore emulator from: {runtime.firestore_source}\n# {' '.join(command)}\n")
        log.flush()
        process = subprocess.Popen(
            command,
            cwd=work_dir,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    stack = EmulatorStack(
        project_id=project_id,
        firestore_host=f"127.0.0.1:{chosen['firestore']}",
        auth_host=f"127.0.0.1:{chosen['auth']}" if "auth" in only else None,
        functions_host=f"127.0.0.1:{chosen['functions']}" if "functions" in only else None,
        hosting_host=f"127.0.0.1:{chosen['hosting']}" if "hosting" in only and "hosting" in chosen else None,
        hub_host=f"127.0.0.1:{chosen['hub']}",
        # firebase-tools starts the Cloud Tasks emulator with the Functions emulator.
        tasks_host=f"127.0.0.1:{chosen['tasks']}" if "functions" in only and "tasks" in chosen else None,
        process=process,
        log_path=log_path,
    )
    try:
        _wait_until_ready(stack, timeout)
    except BaseException:
        stack.stop()
        raise
    finally:
        config_path.unlink(missing_ok=True)
    return stack


def _prune_logs(work_dir: Path, keep: int = 10) -> None:
    """Keep the newest ``keep`` stack logs (one is written per run, named by process id)."""
    dated = []
    for log in work_dir.glob("emulators.*.log"):
        try:
            dated.append((log.stat().st_mtime, log))
        except FileNotFoundError:  # another test worker pruned it first
            continue
    for _, old in sorted(dated, reverse=True)[keep:]:
        old.unlink(missing_ok=True)


def _wait_until_ready(stack: EmulatorStack, timeout: float) -> None:
    assert stack.process is not None and stack.log_path is not None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = stack.log_path.read_text(errors="replace")
        if READY_MARKER in text:
            return
        if stack.process.poll() is not None:
            reason = explain_failure(text) or f"firebase emulators:start exited with code {stack.process.returncode}."
            raise EmulatorStartError(f"{reason}\n--- {stack.log_path} (tail) ---\n{stack.log_tail()}")
        time.sleep(0.25)
    raise EmulatorStartError(
        f"The emulators were not ready after {timeout:.0f}s.\n--- {stack.log_path} (tail) ---\n{stack.log_tail()}"
    )


def _request(method: str, url: str) -> int:
    return call(method, url, headers={"Authorization": "Bearer owner"}).status


#: How long the Firestore emulator keeps an abandoned transaction's locks (measured: 60 s).
ABANDONED_TRANSACTION_SECONDS = 60.0


def clear_firestore(
    stack: EmulatorStack, database: str = "(default)", timeout: float = ABANDONED_TRANSACTION_SECONDS + 15
) -> None:
    """Delete every document in the emulator's database (the emulator's own reset endpoint).

    The emulator answers 409 while a transaction holds locks, so a conflict is retried until
    ``timeout``. Usually a trigger of the previous test is still refreshing views and the
    conflict lasts milliseconds; but a transaction whose process died before committing (a
    Functions worker killed mid-run, as a crash test does) keeps its locks until the emulator
    drops it, a minute later, and the default waits that out.
    """
    url = f"http://{stack.firestore_host}/emulator/v1/projects/{stack.project_id}/databases/{database}/documents"
    deadline = time.monotonic() + timeout
    while True:
        status = _request("DELETE", url)
        if status == 200:
            return
        if status != 409 or time.monotonic() >= deadline:
            held = " for as long as waited: a transaction still holds locks" if status == 409 else ""
            raise EmulatorStartError(f"Could not clear the Firestore emulator ({url} answered {status}{held}).")
        time.sleep(0.2)


def clear_auth(stack: EmulatorStack) -> None:
    """Delete every user account in the Auth emulator."""
    if not stack.auth_host:
        return
    url = f"http://{stack.auth_host}/emulator/v1/projects/{stack.project_id}/accounts"
    status = _request("DELETE", url)
    if status != 200:
        raise EmulatorStartError(f"Could not clear the Auth emulator ({url} answered {status}).")
