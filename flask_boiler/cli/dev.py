"""``dev``: the local stack with the app; ``demo``: a scripted walk through it.

``dev`` starts the emulators (Firestore with the project's rules, Functions running
``functions/main.py``, Auth), seeds example data and users, serves the web page, prints
where to look, and stops everything on Ctrl-C. What to seed, which demo to run and which
sign-in accounts to show come from ``[tool.flask-boiler]`` (``seed``, ``demo``,
``accounts``): the framework knows nothing of the app.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import signal
import socket
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
from .deploy import remove_stale_vendored

logger = get_logger("cli")

DEFAULT_WEB_PORT = 5002


def _port_free(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


@contextlib.contextmanager
def local_stack(root: Path, free_ports: bool) -> Iterator[EmulatorStack]:
    """The running stack from the environment, or a new one stopped on exit."""
    existing = running_stack_from_env()
    if existing is not None and existing.functions_host:
        yield existing
        return
    remove_stale_vendored(root)
    ports = None if free_ports else configured_ports(json.loads((root / "firebase.json").read_text()))
    log(logger, logging.INFO, "Starting the Firebase emulators (Firestore, Functions, Auth, Cloud Tasks)...")
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


def _dev(args: argparse.Namespace) -> int:
    from ..testing.web import StaticSite, build_web, web_config

    root = find_project_root()
    stopped = threading.Event()
    try:
        with local_stack(root, args.free_ports) as stack:
            for sig in (signal.SIGINT, signal.SIGTERM):
                signal.signal(sig, lambda *_: stopped.set())
            _use_stack(stack)
            seed = _setting(root, "seed")
            if seed is not None and not args.no_seed:
                log(logger, logging.INFO, "Seeding example data and users...")
                seed()
            site: StaticSite | None = None
            if (root / "web" / "src").is_dir():
                build_web(root)
                port = args.web_port if _port_free(args.web_port) else 0
                site = StaticSite(root / "web", web_config(stack), port=port)
            _print_welcome(root, stack, site)
            while not stopped.wait(1.0):
                if stack.process is not None and stack.process.poll() is not None:
                    print(f"error: the emulators exited.\n{stack.log_tail()}", file=sys.stderr)
                    return 1
            if site is not None:
                site.close()
    except EmulatorStartError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


def _print_welcome(root: Path, stack: EmulatorStack, site: Any) -> None:
    lines = ["", "Local stack is up:"]
    if site is not None:
        lines.append(f"  Web page (live views)  {site.url}")
    lines += [
        f"  REST API               {stack.function_url('api')}",
        f"  API docs               {stack.function_url('api', '/docs')}",
        f"  OpenAPI document       {stack.function_url('api', '/openapi.json')}",
        f"  Health                 {stack.function_url('health')}",
        f"  Firestore emulator     {stack.firestore_host}",
        f"  Auth emulator          {stack.auth_host}",
        f"  Cloud Tasks emulator   {stack.tasks_host}",
        f"  Emulator log           {stack.log_path}",
    ]
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
        print("error: no demo configured ([tool.flask-boiler] demo).", file=sys.stderr)
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
    dev.add_argument("--web-port", type=int, default=DEFAULT_WEB_PORT, help="port of the web page")
    dev.set_defaults(handler=_dev)
    demo = commands.add_parser("demo", help="scripted demo: domain writes, the views they change, what they cost")
    demo.set_defaults(handler=_demo)
