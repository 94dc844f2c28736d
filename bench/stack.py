"""The benchmark's emulator stack: the project's own plus a benchmark-only baseline codebase.

``start_stack`` runs firebase-tools with ``<root>/firebase.json``. The benchmark gives it a
generated root (``.emulators/bench-stack/``, git-ignored) whose ``firebase.json`` is the
project's with one more functions codebase, ``bench``, holding the hand-written baseline
trigger (:mod:`bench.baselines.trigger_main`). The project's ``functions/`` directory,
rules and ``node_modules`` are symlinked, so the framework's functions run exactly as in
``make dev``; the baseline never appears in ``functions/main.py``, the manifest, or a deploy.
A third codebase, ``bench_tasks``, runs scenario 6's app (:mod:`bench.tasks_app`) with its own
task queue, on collections nothing else watches.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path
from typing import Any
from urllib import request as urlrequest

from flask_boiler.testing.emulators import EmulatorStack, start_stack

REPO = Path(__file__).resolve().parent.parent
GENERATED = REPO / ".emulators" / "bench-stack"
BASELINE_CODEBASE = "bench_functions"
TASKS_CODEBASE = "bench_tasks"


def _link(target: Path, link: Path) -> None:
    if link.is_symlink() or link.exists():
        if link.is_symlink() or link.is_file():
            link.unlink()
        else:
            shutil.rmtree(link)
    link.symlink_to(target)


def prepare_root() -> Path:
    """Write the generated project root and return it."""
    GENERATED.mkdir(parents=True, exist_ok=True)
    config: dict[str, Any] = json.loads((REPO / "firebase.json").read_text())
    functions = config["functions"] if isinstance(config["functions"], list) else [config["functions"]]
    for codebase in functions:  # deploy hooks make no sense here
        codebase.pop("predeploy", None)
        codebase.pop("postdeploy", None)
    for source, codebase in ((BASELINE_CODEBASE, "bench"), (TASKS_CODEBASE, "benchtasks")):
        functions.append(
            {
                "source": source,
                "codebase": codebase,
                "runtime": functions[0].get("runtime", "python311"),
                "ignore": ["venv", "__pycache__"],
            }
        )
    config["functions"] = functions
    config.get("firestore", {}).pop("predeploy", None)
    (GENERATED / "firebase.json").write_text(json.dumps(config, indent=2))
    for name in ("node_modules", "functions", "firestore.rules", "firestore.indexes.json"):
        if (REPO / name).exists():
            _link(REPO / name, GENERATED / name)
    codebase_dir = GENERATED / BASELINE_CODEBASE
    codebase_dir.mkdir(exist_ok=True)
    shutil.copyfile(REPO / "bench" / "baselines" / "trigger_main.py", codebase_dir / "main.py")
    shutil.copyfile(REPO / "bench" / "baselines" / "trigger_functions.yaml", codebase_dir / "functions.yaml")
    shutil.copyfile(REPO / "functions" / "requirements.txt", codebase_dir / "requirements.txt")
    _link(REPO / "functions" / "venv", codebase_dir / "venv")
    _tasks_codebase(GENERATED / TASKS_CODEBASE)
    return GENERATED


def _tasks_codebase(codebase_dir: Path) -> None:
    """Scenario 6's app (:mod:`bench.tasks_app`) with its triggers and task queue; the manifest
    is generated from its main.py as ``make check`` does for the project's."""
    from flask_boiler.deploy.defaults import load_settings
    from flask_boiler.deploy.manifest import build_manifest, load_main, render

    codebase_dir.mkdir(exist_ok=True)
    shutil.copyfile(REPO / "bench" / "tasks_main.py", codebase_dir / "main.py")
    shutil.copyfile(REPO / "functions" / "requirements.txt", codebase_dir / "requirements.txt")
    _link(REPO / "functions" / "venv", codebase_dir / "venv")
    manifest = build_manifest(load_main(codebase_dir), load_settings(REPO).defaults)
    (codebase_dir / "functions.yaml").write_text(render(manifest))


def start(functions: bool = True) -> EmulatorStack:
    """Start the stack on free ports (process-group cleanup is built into ``stop``), its
    Firestore emulator compiled for steady state: the scenarios are measured after warm-up."""
    if not functions:
        return start_stack(REPO, only=("firestore", "auth"), peak_speed=True)
    return start_stack(prepare_root(), peak_speed=True)


def _hub(stack: EmulatorStack, path: str) -> None:
    if not stack.hub_host or not stack.functions_host:
        return
    req = urlrequest.Request(f"http://{stack.hub_host}{path}", method="PUT", data=b"")
    with urlrequest.urlopen(req, timeout=120) as response:
        response.read()


def disable_triggers(stack: EmulatorStack) -> None:
    """Stop the Functions emulator from running Firestore triggers (the hub's own switch), so
    in-process measurements see only the handler they call."""
    _hub(stack, "/functions/disableBackgroundTriggers")


def enable_triggers(stack: EmulatorStack) -> None:
    _hub(stack, "/functions/enableBackgroundTriggers")


def use(stack: EmulatorStack) -> None:
    """Point this process's clients (Context.db) at the stack."""
    from flask_boiler.config import Config
    from flask_boiler.context import Context

    os.environ.update(stack.environment())
    Context.read(Config(app_name="flask-boiler-bench", debug=False, project_id=stack.project_id))


def wait_until_events_drain(stack: EmulatorStack, timeout: float = 900.0) -> float:
    """Wait until the Firestore emulator has delivered the events queued so far; the seconds waited.

    The emulator publishes trigger events one at a time, in order, and every disable/enable
    of the triggers leaves one more registration per trigger behind it: a scenario that
    deletes thousands of watched documents (the Cloud Tasks scenario's 10,000 fan-out users)
    leaves a backlog that delays the next scenario's first events by minutes, even with
    the triggers disabled. A ping written now is answered (``diagnostics.ping_pong``) once
    everything before it has gone out.
    """
    import uuid

    from flask_boiler.context import Context
    from flask_boiler.diagnostics import PING_PATTERN, PONG_COLLECTION
    from flask_boiler.testing.waiting import wait_for

    ping_id = f"drain-{uuid.uuid4().hex}"
    db = Context.db
    start = time.perf_counter()
    db.document(PING_PATTERN.format(ping_id=ping_id)).set({"purpose": "bench: wait for the event backlog"})
    pong = db.collection(PONG_COLLECTION).document(ping_id)
    wait_for(lambda: pong.get().exists, timeout=timeout, interval=0.5, message="the pong after the event backlog")
    return time.perf_counter() - start
