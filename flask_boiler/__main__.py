"""Command line: ``python -m flask_boiler <command>`` (also installed as ``flask-boiler``).

Commands:
  manifest  write functions/functions.yaml from functions/main.py (``--check``: fail if stale)
  dev    start the local stack (Firestore with the project's rules, Functions running
         ``functions/main.py``, Auth) on the ports in firebase.json, print where to look,
         and stop everything on Ctrl-C.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from typing import Optional, Sequence

from .testing.emulators import EmulatorStartError, configured_ports, find_project_root, start_stack


def _dev(args: argparse.Namespace) -> int:
    import json

    root = find_project_root()
    ports = None if args.free_ports else configured_ports(json.loads((root / "firebase.json").read_text()))
    print("Starting the Firebase emulators (Firestore, Functions, Auth)...", flush=True)
    try:
        stack = start_stack(root, ports=ports)
    except EmulatorStartError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    stopped = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stopped.set())
    try:
        print(
            "\nLocal stack is up:\n"
            f"  Firestore emulator   {stack.firestore_host}\n"
            f"  Auth emulator        {stack.auth_host}\n"
            f"  Health function      {stack.function_url('health')}\n"
            f"  Emulator log         {stack.log_path}\n"
            "\nUse it from another shell with:\n"
            + "".join(f"  export {name}={value}\n" for name, value in stack.environment().items())
            + "\nPress Ctrl-C to stop.",
            flush=True,
        )
        while not stopped.wait(1.0):
            if stack.process is not None and stack.process.poll() is not None:
                print(f"error: the emulators exited.\n{stack.log_tail()}", file=sys.stderr)
                return 1
    finally:
        print("\nStopping the emulators...", flush=True)
        stack.stop()
    return 0


def _manifest(args: argparse.Namespace) -> int:
    from .deploy.manifest import build_manifest, load_main, render

    functions_dir = find_project_root() / "functions"
    text = render(build_manifest(load_main(functions_dir)))
    target = functions_dir / "functions.yaml"
    if args.check:
        if not target.exists() or target.read_text() != text:
            print(f"{target} is out of date: run `python -m flask_boiler manifest`.", file=sys.stderr)
            return 1
        print(f"{target} is up to date.")
        return 0
    target.write_text(text)
    print(f"wrote {target}")
    return 0


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="flask-boiler", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    dev = commands.add_parser("dev", help="run the local Firebase stack with this project's functions")
    dev.add_argument("--free-ports", action="store_true", help="use free ports instead of those in firebase.json")
    dev.set_defaults(handler=_dev)
    manifest = commands.add_parser("manifest", help="generate functions/functions.yaml")
    manifest.add_argument("--check", action="store_true", help="fail if the committed manifest is out of date")
    manifest.set_defaults(handler=_manifest)
    args = parser.parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
