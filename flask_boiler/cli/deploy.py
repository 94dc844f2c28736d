"""``manifest``, ``rules``, ``indexes``, ``check`` and ``bundle``: what ``firebase deploy`` ships.

The generated files are derived from the code and ``[tool.flask-boiler]`` in pyproject.toml
(:mod:`flask_boiler.deploy`); ``--check`` exits 1 naming every stale file.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from ..errors import FlaskBoilerError
from ..log import get_logger, log
from ..testing.emulators import find_project_root

logger = get_logger("cli")


def remove_stale_vendored(root: Path) -> None:
    """A deploy that failed before its postdeploy hook leaves vendored copies in functions/;
    the local stack must import the working tree, so they go."""
    from ..deploy.bundle import unvendor
    from ..deploy.defaults import load_settings

    for path in unvendor(root, load_settings(root).vendor):
        log(logger, logging.WARNING, "removed a vendored copy left by a deploy: the working tree is used", path=path)


def _expected_files(root: Path, which: Sequence[str]) -> dict[Path, str | None]:
    """file -> expected text (None: not generated) for the generators named in ``which``."""
    from ..deploy.defaults import load_query_views, load_settings, load_view_models
    from ..deploy.indexes import render_indexes, required_indexes
    from ..deploy.manifest import generate
    from ..deploy.rules import render_rules

    settings = load_settings(root)
    files: dict[Path, str | None] = {}
    if "manifest" in which:
        files.update(generate(settings))
    if "rules" in which:
        files[root / "firestore.rules"] = render_rules(load_view_models(settings), source=settings.view_models)
    if "indexes" in which:
        files[root / "firestore.indexes.json"] = render_indexes(required_indexes(load_query_views(settings)))
    return files


def _write_or_check(which: Sequence[str], check: bool) -> int:
    root = find_project_root()
    try:
        files = _expected_files(root, which)
    except FlaskBoilerError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    stale = []
    for path, text in files.items():
        if text is None:
            continue
        current = path.read_text() if path.exists() else None
        if check:
            if current != text:
                stale.append(path)
        elif current != text:
            path.write_text(text)
            print(f"wrote {path}")
        else:
            print(f"{path} is up to date.")
    if stale:
        for path in stale:
            command = {"functions.yaml": "manifest", ".env": "manifest", "firestore.rules": "rules"}.get(
                path.name, "indexes"
            )
            print(f"{path} is out of date: run `python -m flask_boiler {command}`.", file=sys.stderr)
        return 1
    if check:
        print("up to date: " + ", ".join(str(p.relative_to(root)) for p, t in files.items() if t is not None))
    return 0


def _manifest(args: argparse.Namespace) -> int:
    return _write_or_check(["manifest"], args.check)


def _rules(args: argparse.Namespace) -> int:
    return _write_or_check(["rules"], args.check)


def _indexes(args: argparse.Namespace) -> int:
    return _write_or_check(["indexes"], args.check)


def _check(args: argparse.Namespace) -> int:
    return _write_or_check(["manifest", "rules", "indexes"], True)


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
    check = commands.add_parser("check", help="fail if the manifest, rules or indexes are out of date")
    check.set_defaults(handler=_check)
    bundle = commands.add_parser("bundle", help="vendor the framework and app packages into functions/")
    where = bundle.add_mutually_exclusive_group()
    where.add_argument("--remove", action="store_true", help="remove the vendored copies from functions/")
    where.add_argument("--into", metavar="DIR", help="build a complete deployable bundle in the new directory DIR")
    bundle.set_defaults(handler=_bundle)
