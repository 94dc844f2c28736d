"""``dev``: the local stack with the app; ``demo``: a scripted walk through it.

``dev`` starts the emulators (Firestore with the project's rules, Functions running
``functions/main.py``, Auth, and Hosting serving ``web/`` when firebase.json has a site),
seeds example data and users, reloads the functions when the app's code changes
(:mod:`flask_boiler.testing.reload`), prints where to look, and stops everything on Ctrl-C.
What to seed, which demo to run and which sign-in accounts to show come from the project's
settings (``seed``, ``demo``, ``accounts``): the framework knows nothing of the app.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import signal
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..config import Config
from ..context import Context
from ..log import get_logger, log
from ..testing.emulators import (
    EmulatorStack,
    EmulatorStartError,
    configured_ports,
    find_project_root,
    running_stack_from_env,
    start_stack,
)
from ..testing.reload import CodeReloader, watched_packages
from .deploy import remove_stale_vendored

logger = get_logger("cli")


@contextlib.contextmanager
def local_stack(root: Path, free_ports: bool) -> Iterator[EmulatorStack]:
    """The running stack from the environment, or a new one stopped on exit."""
    existing = running_stack_from_env()
    if existing is not None and existing.functions_host:
        yield existing
        return
    remove_stale_vendored(root)
    ports = None if free_ports else configured_ports(json.loads((root / "firebase.json").read_text()))
    log(logger, logging.INFO, "Starting the Firebase emulators...")
    stack = start_stack(root, ports=ports)
    try:
        yield stack
    finally:
        log(logger, logging.INFO, "Stopping the emulators...")
        stack.stop()


def _use_stack(stack: EmulatorStack) -> None:
    """Point this process's clients at ``stack``."""
    os.environ.update(stack.environment())
    Context.read(Config(app_name="flask-boiler-dev", debug=True, project_id=stack.project_id))


def _setting(root: Path, key: str) -> Any:
    """The object a ``module:ATTRIBUTE`` setting names (``None`` when the setting is empty)."""
    from ..deploy.defaults import load_object, load_settings

    settings = load_settings(root)
    spec = getattr(settings, key)
    if not spec:
        return None
    return load_object(settings, spec, key)


def _http_functions(root: Path) -> list[str]:
    """Names of the HTTP-reachable functions in ``functions/functions.yaml`` (HTTP and callables)."""
    manifest = root / "functions" / "functions.yaml"
    if not manifest.is_file():
        return []
    try:
        endpoints = json.loads(manifest.read_text().split("\n", 1)[1]).get("endpoints", {})
    except (ValueError, IndexError):
        return []
    return sorted(name for name, e in endpoints.items() if "httpsTrigger" in e or "callableTrigger" in e)


def _start_reloader(root: Path) -> CodeReloader:
    from ..deploy.defaults import load_settings
    from ..testing.web import build_web

    packages = watched_packages(root, load_settings(root).vendor)
    web = build_web if (root / "web" / "src").is_dir() else None
    return CodeReloader(root, packages, rebuild_web=web).start()


def _dev(args: argparse.Namespace) -> int:
    from ..testing.web import build_web

    root = find_project_root()
    stopped = threading.Event()
    if (root / "web" / "src").is_dir():
        build_web(root)  # before the Hosting emulator starts serving web/
    try:
        with local_stack(root, args.free_ports) as stack:
            for sig in (signal.SIGINT, signal.SIGTERM):
                signal.signal(sig, lambda *_: stopped.set())
            _use_stack(stack)
            seed = _setting(root, "seed")
            if seed is not None and not args.no_seed:
                log(logger, logging.INFO, "Seeding example data and users...")
                seed()
            reloader = None if args.no_reload else _start_reloader(root)
            _print_welcome(root, stack, reloader)
            try:
                while not stopped.wait(1.0):
                    if stack.process is not None and stack.process.poll() is not None:
                        print(f"error: the emulators exited.\n{stack.log_tail()}", file=sys.stderr)
                        return 1
            finally:
                if reloader is not None:
                    reloader.stop()
    except EmulatorStartError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


def _print_welcome(root: Path, stack: EmulatorStack, reloader: CodeReloader | None) -> None:
    lines = ["", "Local stack is up:"]
    rows: list[tuple[str, str]] = []
    if stack.hosting_host:
        rows.append(("Web page (Hosting)", stack.hosting_url()))
    for name in _http_functions(root):
        rows.append((f"Function {name}", stack.function_url(name)))
        if name == "api":
            rows += [("API docs", stack.function_url("api", "/docs"))]
    rows += [
        ("Firestore emulator", stack.firestore_host),
        ("Auth emulator", stack.auth_host or "not running"),
        ("Cloud Tasks emulator", stack.tasks_host or "not running"),
        ("Emulator log", str(stack.log_path)),
    ]
    width = max(len(label) for label, _ in rows)
    lines += [f"  {label:<{width}}  {value}" for label, value in rows]
    if reloader is not None:
        watched = ", ".join(str(path.relative_to(root)) + "/" for path in reloader.packages) or "nothing"
        lines += ["", f"Edits are live: {watched} and functions/ reload the functions"]
        if reloader.web_sources.is_dir():
            lines[-1] += "; web/src rebuilds the page"
    accounts = _setting(root, "accounts")
    if accounts:
        lines += ["", "Demo accounts (email / password):"] + [f"  {a.email} / {a.password}" for a in accounts]
    lines += ["", "Use the stack from another shell (tests, `make demo`) with:"]
    lines += [f"  export {name}={value}" for name, value in stack.environment().items()]
    lines += ["", "Press Ctrl-C to stop."]
    print("\n".join(lines), flush=True)


def _demo(args: argparse.Namespace) -> int:
    root = find_project_root()
    demo = _setting(root, "demo")
    if demo is None:
        print("error: no demo configured (the `demo` setting).", file=sys.stderr)
        return 1
    try:
        with local_stack(root, free_ports=True) as stack:
            _use_stack(stack)
            demo(stack)
    except EmulatorStartError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    dev = commands.add_parser("dev", help="run the local stack with the example app (Ctrl-C stops it)")
    dev.add_argument("--free-ports", action="store_true", help="use free ports instead of those in firebase.json")
    dev.add_argument("--no-seed", action="store_true", help="do not seed example data")
    dev.add_argument("--no-reload", action="store_true", help="do not reload the functions when app code changes")
    dev.set_defaults(handler=_dev)
    demo = commands.add_parser("demo", help="scripted demo: domain writes, the views they change, what they cost")
    demo.set_defaults(handler=_demo)
