"""Scenario 4: cold start, a fresh process importing the functions source and serving a first request.

Each run is a new Python process (``python -c``) that imports functions-framework, loads the
source with ``functions_framework.create_app`` (which imports it) and serves one request with
Flask's test client. The wall time is measured by the parent from spawn to exit; the child
also reports its import and first-request times. Runs alternate ours and the baseline.

* ``trivial``: ours ``functions/main.py`` target ``health`` vs the baseline
  ``bench/baselines/rest_main.py`` target ``baseline_trivial`` (which imports
  functions-framework, google-cloud-firestore and marshmallow, and answers ``ok``);
* ``view``: ours target ``api``, ``GET /meetingCards/standup`` (computed from Firestore: the
  Flask app, routes and OpenAPI document are built on this first request) vs the baseline
  target ``baseline_api``, same request, same reads.

When a ratio misses the target, ``python -X importtime`` names the imports ours adds.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

from flask_boiler.testing.emulators import EmulatorStack

from .stats import summary

REPO = Path(__file__).resolve().parent.parent
CHILD = """
import json, sys, time
start = time.perf_counter()
import functions_framework
app = functions_framework.create_app(target=sys.argv[1], source=sys.argv[2])
imported = time.perf_counter()
response = app.test_client().get(sys.argv[3])
done = time.perf_counter()
assert response.status_code == 200, (response.status_code, response.get_data(as_text=True)[:300])
print(json.dumps({"import": imported - start, "request": done - imported}))
"""
VARIANTS = {
    "trivial": {
        "ours": ("health", "functions/main.py", "/"),
        "baseline": ("baseline_trivial", "bench/baselines/rest_main.py", "/"),
    },
    "view": {
        "ours": ("api", "functions/main.py", "/meetingCards/standup"),
        "baseline": ("baseline_api", "bench/baselines/rest_main.py", "/meetingCards/standup"),
    },
}


def _env(stack: EmulatorStack, target: str) -> dict[str, str]:
    """The child's environment: the stack's, and ``FUNCTION_TARGET`` as Cloud Functions sets it
    for the instance serving ``target``."""
    env = {**os.environ, **stack.environment(), "PYTHONPATH": str(REPO)}
    # Bytecode cached, as on a deployed instance (any non-empty value, "0" too, turns it off).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.pop("FLASK_BOILER_EMULATOR_LOG", None)
    env["FUNCTION_TARGET"] = target
    return env


def _once(stack: EmulatorStack, target: str, source: str, path: str) -> dict:
    start = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", CHILD, target, source, path],
        cwd=REPO,
        env=_env(stack, target),
        capture_output=True,
        text=True,
        timeout=120,
    )
    wall = time.perf_counter() - start
    if out.returncode != 0:
        raise RuntimeError(f"cold start of {target} failed: {out.stderr[-2000:]}")
    return {"wall": wall, **json.loads(out.stdout.strip().splitlines()[-1])}


def import_profile(stack: EmulatorStack, top: int = 8) -> list[dict]:
    """Top-level packages ours imports beyond the baseline, by total self import time."""

    def profile(target: str, source: str) -> dict[str, int]:
        code = f"import functions_framework; functions_framework.create_app(target={target!r}, source={source!r})"
        out = subprocess.run(
            [sys.executable, "-X", "importtime", "-c", code],
            cwd=REPO,
            env=_env(stack, target),
            capture_output=True,
            text=True,
            timeout=120,
        )
        modules: dict[str, int] = {}
        for line in out.stderr.splitlines():
            match = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|(\s*)(\S+)", line)
            if match:
                modules[match.group(4)] = int(match.group(1))
        return modules

    ours = profile("health", "functions/main.py")
    base = profile("baseline_trivial", "bench/baselines/rest_main.py")
    extra: dict[str, int] = defaultdict(int)
    for name, micros in ours.items():
        if name not in base:
            extra[name.split(".")[0]] += micros
    ranked = sorted(extra.items(), key=lambda item: -item[1])[:top]
    return [{"package": name, "ms": micros / 1000} for name, micros in ranked]


def run(stack: EmulatorStack, runs: int) -> dict:
    results: dict[str, dict] = {}
    for variant, sides in VARIANTS.items():
        measured: dict[str, list[dict]] = {"ours": [], "baseline": []}
        _once(stack, *sides["ours"])  # warm the OS file cache and .pyc files, not recorded
        _once(stack, *sides["baseline"])
        for number in range(runs):
            for name in ("ours", "baseline") if number % 2 == 0 else ("baseline", "ours"):
                measured[name].append(_once(stack, *sides[name]))
        ours, base = measured["ours"], measured["baseline"]
        results[variant] = {
            "ratio": summary([o["wall"] / b["wall"] for o, b in zip(ours, base)]),
            "ours": {k: summary([m[k] for m in ours]) for k in ("wall", "import", "request")},
            "baseline": {k: summary([m[k] for m in base]) for k in ("wall", "import", "request")},
        }
    return {"runs": runs, "variants": results, "import_profile": import_profile(stack)}
