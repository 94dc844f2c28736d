"""The official SDK beside ours: what it costs a cold start, and what SDK discovery would cost.

``python -m bench.sdk_coldstart [--runs N]`` prints a Markdown table (the README's figures).

Two ways to deploy SDK functions (``@https_fn.on_call()``...) from one ``main.py``:

* **merge** (what the framework does): ``functions.yaml`` is generated once, with the SDK's
  own endpoint description merged in; firebase-tools reads the file.
* **through the SDK**: no ``functions.yaml``; firebase-tools starts the SDK's discovery
  server (``firebase_functions/private/serving.py``), which imports ``main.py`` and answers
  the manifest, at every ``firebase deploy`` and every Functions emulator start and reload.
  Our functions would carry ``__firebase_endpoint__`` objects built with the SDK, so every
  ``main.py`` would import it.

Measured here, each in fresh processes, alternating, after one unrecorded run each:

1. cold start of the ``health`` function (spawn, import ``main.py`` through functions-framework,
   first request), ``main.py`` without any SDK function vs the example's ``main.py`` with its
   ``next_meeting`` callable: the price of importing the SDK, which every function of a
   ``main.py`` pays once one SDK function is there (both ways), and which *every* project
   would pay going through the SDK;
2. the SDK's discovery of the example's ``main.py`` (what firebase-tools would wait for at
   each emulator start and reload) vs reading the committed ``functions.yaml``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .stats import fmt, ratio_text, summary

REPO = Path(__file__).resolve().parent.parent
COLD_START = """
import json, sys, time
start = time.perf_counter()
import functions_framework
app = functions_framework.create_app(target="health", source=sys.argv[1])
imported = time.perf_counter()
response = app.test_client().get("/")
done = time.perf_counter()
assert response.status_code == 200, response.get_data(as_text=True)[:300]
print(json.dumps({"import": imported - start, "request": done - imported}))
"""
DISCOVERY = """
import json, os, sys, time
start = time.perf_counter()
os.chdir(sys.argv[1])
from firebase_functions.private import serving
text = serving.functions_as_yaml(serving.get_functions())
print(json.dumps({"seconds": time.perf_counter() - start, "bytes": len(text)}))
"""
READ_YAML = """
import json, sys, time
start = time.perf_counter()
text = open(sys.argv[1]).read()
json.loads(text.split("\\n", 1)[1])
print(json.dumps({"seconds": time.perf_counter() - start, "bytes": len(text)}))
"""
#: The lines of the example's main.py that exist for its SDK function (cut for the "without" variant).
SDK_START = "# The official SDK's callables"


def without_sdk(main: str) -> str:
    """The example's ``main.py`` with its SDK function and imports removed."""
    kept = main[: main.index(SDK_START)]
    for line in ("import contextlib\n", "import firebase_admin\n", "from firebase_functions import https_fn\n"):
        kept = kept.replace(line, "")
    return kept.replace("from shared_models import agenda\n", "")


def _env() -> dict[str, str]:
    skip = ("FIRESTORE_", "FIREBASE_", "FLASK_BOILER_", "PYTHONDONTWRITEBYTECODE")  # bytecode cached, as deployed
    env = {k: v for k, v in os.environ.items() if not k.startswith(skip)}
    return {**env, "PYTHONPATH": str(REPO), "GOOGLE_CLOUD_PROJECT": "demo-flask-boiler"}


def _child(code: str, *args: str) -> dict[str, float]:
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code, *args], env=_env(), capture_output=True, text=True, timeout=120)
    wall = time.perf_counter() - start
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-2000:])
    return {"wall": wall, **json.loads(out.stdout.strip().splitlines()[-1])}


def measure(runs: int) -> dict:
    with tempfile.TemporaryDirectory() as temporary:
        plain = Path(temporary) / "main.py"
        plain.write_text(without_sdk((REPO / "functions" / "main.py").read_text()))
        sources = {"without": str(plain), "with": str(REPO / "functions" / "main.py")}
        cold: dict[str, list[dict[str, float]]] = {"without": [], "with": []}
        for name in cold:
            _child(COLD_START, sources[name])  # warm the file cache and .pyc files
        for number in range(runs):
            for name in ("without", "with") if number % 2 == 0 else ("with", "without"):
                cold[name].append(_child(COLD_START, sources[name]))
    discovery: dict[str, list[dict[str, float]]] = {"sdk": [], "yaml": []}
    _child(DISCOVERY, str(REPO / "functions"))
    for _ in range(max(3, runs // 3)):
        discovery["sdk"].append(_child(DISCOVERY, str(REPO / "functions")))
        discovery["yaml"].append(_child(READ_YAML, str(REPO / "functions" / "functions.yaml")))
    return {
        "runs": runs,
        "cold": {
            name: {key: summary([m[key] for m in values]) for key in ("wall", "import", "request")}
            for name, values in cold.items()
        },
        "ratio": summary([w["wall"] / wo["wall"] for w, wo in zip(cold["with"], cold["without"])]),
        "import_ratio": summary([w["import"] / wo["import"] for w, wo in zip(cold["with"], cold["without"])]),
        "discovery": {name: summary([m["wall"] for m in values]) for name, values in discovery.items()},
    }


def report(result: dict) -> str:
    ms = lambda s: f"{fmt(s['median'] * 1000, 1)} ms"  # noqa: E731
    cold = result["cold"]
    lines = [
        f"Cold start of `health` (fresh process: import main.py through functions-framework + first request), "
        f"{result['runs']} runs each, alternating; ratio per pair, median (p25–p75).",
        "",
        "| main.py | wall | import | first request |",
        "|---|---|---|---|",
        f"| without SDK functions | {ms(cold['without']['wall'])} | {ms(cold['without']['import'])} | "
        f"{ms(cold['without']['request'])} |",
        f"| with `next_meeting` (`@https_fn.on_call()`) | {ms(cold['with']['wall'])} | {ms(cold['with']['import'])} | "
        f"{ms(cold['with']['request'])} |",
        f"| ratio with / without | {ratio_text(result['ratio'])} | {ratio_text(result['import_ratio'])} | |",
        "",
        "Manifest discovery (fresh process each; what firebase-tools waits for at each emulator start and reload, "
        "and each deploy):",
        "",
        "| how | wall, median |",
        "|---|---|",
        f"| the SDK's discovery (`serving.py`: import main.py, describe) | {ms(result['discovery']['sdk'])} |",
        f"| reading the generated `functions.yaml` | {ms(result['discovery']['yaml'])} |",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args(argv)
    print(report(measure(args.runs)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
