"""Scenario 3: REST throughput and latency of GET one view, ours vs a bare handler.

Both are served by ``functions-framework`` directly (gunicorn, its defaults: 1 worker,
4 threads per CPU) in their own process on a free loopback port, against the same Firestore
and Auth emulators, so neither pays the Functions emulator's proxy:

* ours: ``--source functions/main.py --target api`` (the deployed ``api`` function);
* baseline: ``--source bench/baselines/rest_main.py --target baseline_api``.

Two requests: ``GET /meetingCards/standup`` (computed on request; public) and
``GET /users/ann/meetingSessions/standup`` (the stored view; owner only, with a real Auth
emulator ID token for ann). The load comes from a second process (:mod:`bench.loadgen`):
bounded concurrency, a fixed number of requests, a time cap. Rounds alternate ours and the
baseline; each figure is the per-round ratio, median and spread over rounds.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import requests

from flask_boiler.testing.emulators import EmulatorStack, clear_auth, clear_firestore, free_port

from . import world
from .stats import percentile, summary

REPO = Path(__file__).resolve().parent.parent
API_KEY = "fake-api-key"
TARGETS = {
    "ours": ("functions/main.py", "api"),
    "baseline": ("bench/baselines/rest_main.py", "baseline_api"),
}
REQUESTS = {
    "computed": "/meetingCards/standup",
    "stored": "/users/ann/meetingSessions/standup",
}


def server_env(stack: EmulatorStack) -> dict[str, str]:
    env = {**os.environ, **stack.environment(), "PYTHONPATH": str(REPO)}
    env.pop("FLASK_BOILER_EMULATOR_LOG", None)
    return env


class Server:
    """``functions-framework`` in its own process group on a free port."""

    def __init__(self, stack: EmulatorStack, source: str, target: str) -> None:
        self.port = free_port()
        self.process = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "functions-framework"),
                "--source",
                source,
                "--target",
                target,
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
            ],
            cwd=REPO,
            env=server_env(stack),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        self.base = f"http://127.0.0.1:{self.port}"

    def wait(self, path: str, headers: dict[str, str], timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"functions-framework exited with {self.process.returncode}")
            try:
                response = requests.get(self.base + path, headers=headers, timeout=10)
                if response.status_code == 200:
                    return
                raise RuntimeError(f"{self.base}{path} answered {response.status_code}: {response.text[:300]}")
            except requests.ConnectionError:
                time.sleep(0.1)
        raise RuntimeError(f"{self.base} did not come up in {timeout}s")

    def stop(self) -> None:
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=10)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=5)


def id_token(stack: EmulatorStack, email: str, password: str) -> str:
    url = f"http://{stack.auth_host}/identitytoolkit.googleapis.com/v1/accounts:signInWithPassword?key={API_KEY}"
    response = requests.post(url, json={"email": email, "password": password, "returnSecureToken": True}, timeout=30)
    response.raise_for_status()
    return response.json()["idToken"]


def prepare(stack: EmulatorStack) -> dict[str, str]:
    """The example data with ann's stored session, and ann's ID token."""
    from shared_models.seed import DEMO_USERS, create_accounts

    clear_firestore(stack)
    clear_auth(stack)
    create_accounts()
    world.seed_ops_world()
    world.rebuild_views()
    ann = next(u for u in DEMO_USERS if u.uid == "ann")
    return {"Authorization": f"Bearer {id_token(stack, ann.email, ann.password)}"}


def _load(url: str, headers: dict[str, str], count: int, concurrency: int, max_seconds: float) -> dict:
    command = [
        sys.executable,
        "-m",
        "bench.loadgen",
        url,
        "--requests",
        str(count),
        "--concurrency",
        str(concurrency),
        "--max-seconds",
        str(max_seconds),
    ] + [arg for k, v in headers.items() for arg in ("--header", f"{k}: {v}")]
    out = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=max_seconds + 60, check=True)
    result = json.loads(out.stdout)
    if result["error_count"]:
        raise RuntimeError(f"{url}: {result['error_count']} errors, e.g. {result['errors']}")
    latencies = result["latencies"]
    return {
        "throughput": len(latencies) / result["elapsed"],
        "p50": percentile(latencies, 50),
        "p95": percentile(latencies, 95),
        "requests": len(latencies),
    }


def run(stack: EmulatorStack, rounds: int, requests_per_round: int, concurrency: int, warmup: int = 20) -> dict:
    headers = prepare(stack)
    servers: dict[str, Server] = {}
    try:
        for name, (source, target) in TARGETS.items():
            servers[name] = Server(stack, source, target)
        for server in servers.values():
            for path in REQUESTS.values():
                server.wait(path, headers)
        results: dict[str, Any] = {}
        for kind, path in REQUESTS.items():
            per_round: dict[str, list[dict]] = {"ours": [], "baseline": []}
            for server in servers.values():  # warm-up, not recorded
                _load(server.base + path, headers, warmup, concurrency, 60)
            for number in range(rounds):
                order = ("ours", "baseline") if number % 2 == 0 else ("baseline", "ours")
                for name in order:
                    per_round[name].append(
                        _load(servers[name].base + path, headers, requests_per_round, concurrency, 120)
                    )
            ours, base = per_round["ours"], per_round["baseline"]
            results[kind] = {
                "path": path,
                "throughput_ratio": summary([o["throughput"] / b["throughput"] for o, b in zip(ours, base)]),
                "p50_ratio": summary([o["p50"] / b["p50"] for o, b in zip(ours, base)]),
                "p95_ratio": summary([o["p95"] / b["p95"] for o, b in zip(ours, base)]),
                "ours": {m: summary([r[m] for r in ours]) for m in ("throughput", "p50", "p95")},
                "baseline": {m: summary([r[m] for r in base]) for m in ("throughput", "p50", "p95")},
            }
        return {
            "rounds": rounds,
            "requests_per_round": requests_per_round,
            "concurrency": concurrency,
            "requests": results,
        }
    finally:
        for server in servers.values():
            server.stop()
