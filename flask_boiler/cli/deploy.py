"""``generate``, ``check``, ``manifest``, ``rules``, ``indexes`` and ``bundle``: what ``firebase deploy`` ships.

The generated files are derived from the code and the project's settings
(:mod:`flask_boiler.deploy.generated`). ``generate`` writes them all; ``check`` computes
them all and exits 1 naming every stale file, every generator that failed and every
disagreement between ``main.py`` and the settings, with the exact command that fixes the
files (this interpreter's path, as typed from the project root).
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import FlaskBoilerError
from ..log import get_logger, log
from ..testing.emulators import find_project_root

if TYPE_CHECKING:
    from ..deploy.generated import Generation

logger = get_logger("cli")


def remove_stale_vendored(root: Path) -> None:
    """A deploy that failed before its postdeploy hook leaves vendored copies in functions/;
    the local stack must import the working tree, so they go."""
    from ..deploy.bundle import unvendor
    from ..deploy.defaults import load_settings

    for path in unvendor(root, load_settings(root).vendor):
        log(logger, logging.WARNING, "removed a vendored copy left by a deploy: the working tree is used", path=path)


def interpreter_command() -> str:
    """How to run this interpreter from the project root, as the user should type it."""
    executable = Path(sys.executable)
    try:
        relative = executable.relative_to(Path.cwd())
    except ValueError:
        return str(executable)
    return f"{relative}" if relative.parent != Path(".") else f"./{relative}"


def fix_command(which: Sequence[str], everything: Sequence[str]) -> str:
    """The exact command regenerating what ``which`` names (all of ``everything``: ``generate``)."""
    command = "generate" if len(which) > 1 or set(which) == set(everything) else which[0]
    return f"{interpreter_command()} -m flask_boiler {command}"


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def _report_failures(outcome: Generation, root: Path, check: bool, everything: Sequence[str]) -> None:
    """Everything that is wrong, at once: generator errors, input disagreements, stale files."""
    for name, exc in outcome.errors.items():
        kind = "" if isinstance(exc, FlaskBoilerError) else f"{type(exc).__name__}: "
        print(f"error: the {name} generator failed: {kind}{exc}", file=sys.stderr)
    for problem in outcome.problems:
        print(f"error: {problem}", file=sys.stderr)
    stale = outcome.stale if check else []
    if stale:
        width = max(len(_relative(file.path, root)) for file in stale)
        count = f"{len(stale)} generated file{'s are' if len(stale) > 1 else ' is'} out of date:"
        lines = [f"  {_relative(f.path, root):<{width}}  (from {f.derived_from})" for f in stale]
        print("\n".join([f"error: {count}", *lines]), file=sys.stderr)
        generators = [name for name in everything if any(file.generator == name for file in stale)]
        print(f"fix: {fix_command(generators, everything)}", file=sys.stderr)


def run_generators(which: Sequence[str] | None, check: bool) -> int:
    """Write (or, with ``check``, compare) the files of the generators named in ``which`` (all: None)."""
    from ..deploy.defaults import load_settings
    from ..deploy.generated import GENERATORS, expected_files

    which = GENERATORS if which is None else which

    root = find_project_root()
    try:
        settings = load_settings(root)
    except FlaskBoilerError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    outcome = expected_files(settings, which)
    if not check:
        for file in outcome.files:
            if file.text is None:
                continue
            if file.stale:
                file.path.write_text(file.text)
                print(f"wrote {_relative(file.path, root)}")
            else:
                print(f"{_relative(file.path, root)} is up to date.")
    if not (outcome.errors or outcome.problems or (check and outcome.stale)):
        if check:
            current = ", ".join(_relative(f.path, root) for f in outcome.files if f.text is not None)
            print(f"up to date: {current}")
        return 0
    _report_failures(outcome, root, check, GENERATORS)
    return 1


def _manifest(args: argparse.Namespace) -> int:
    return run_generators(["manifest"], args.check)


def _rules(args: argparse.Namespace) -> int:
    return run_generators(["rules"], args.check)


def _indexes(args: argparse.Namespace) -> int:
    return run_generators(["indexes"], args.check)


def _generate(args: argparse.Namespace) -> int:
    return run_generators(None, False)


def _check(args: argparse.Namespace) -> int:
    return run_generators(None, True)


def _bundle(args: argparse.Namespace) -> int:
    from ..deploy.bundle import build_bundle, unvendor, vendor
    from ..deploy.defaults import load_settings

    root = find_project_root()
    try:
        settings = load_settings(root)
        if args.remove:
            removed = unvendor(root, settings.vendor)
            print("removed " + (", ".join(str(p) for p in removed) if removed else "nothing (no vendored copies)"))
            return 0
        if args.into:
            report = build_bundle(root, Path(args.into).resolve(), settings.vendor)
        else:
            report = vendor(root, settings.vendor)
    except FlaskBoilerError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"bundled {', '.join(report.packages)} into {report.target} ({len(report.files)} files to upload)")
    return 0


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    for name, handler, what in (
        ("manifest", _manifest, "functions/functions.yaml"),
        ("rules", _rules, "firestore.rules"),
        ("indexes", _indexes, "firestore.indexes.json"),
    ):
        command = commands.add_parser(name, help=f"generate {what}")
        command.add_argument("--check", action="store_true", help=f"fail if the committed {what} is out of date")
        command.set_defaults(handler=handler)
    generate = commands.add_parser("generate", help="write every generated file (manifest, .env, rules, indexes)")
    generate.set_defaults(handler=_generate)
    check = commands.add_parser(
        "check", help="fail, naming every stale generated file and the command fixing them, if any is out of date"
    )
    check.set_defaults(handler=_check)
    bundle = commands.add_parser("bundle", help="vendor the framework and app packages into functions/")
    where = bundle.add_mutually_exclusive_group()
    where.add_argument("--remove", action="store_true", help="remove the vendored copies from functions/")
    where.add_argument("--into", metavar="DIR", help="build a complete deployable bundle in the new directory DIR")
    bundle.set_defaults(handler=_bundle)
