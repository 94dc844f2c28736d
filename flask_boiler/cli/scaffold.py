"""``new DIR``: start a project — an app package, its functions, settings, tests and Makefile.

The files come from templates shipped as package data (``templates/project``): every file
there ends in ``.tmpl`` (so linters and the import checks of the framework never take a
template for framework code), ``dot-`` at the start of a name becomes ``.``, a directory
named ``__app__`` becomes the app package, and ``{{name}}`` placeholders are replaced
(:data:`PLACEHOLDERS`; an unknown one is an error, never left in a file).

The new project installs the framework from ``FLASK_BOILER`` in its Makefile: a flask-boiler
checkout (recorded from the one this command runs from, when it runs from a checkout) or a
built wheel (``--framework path/to/flask_boiler-*.whl``). Its generated deploy files
(manifest, rules, indexes) are written by running ``generate`` in it, with this
interpreter, before the command returns, so ``make check`` passes from the start.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import keyword
import re
import subprocess
import sys
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from ..errors import FlaskBoilerError

__all__ = ["PLACEHOLDERS", "ScaffoldError", "create_project", "framework_source", "render", "runtime_requirements"]

#: The placeholders templates may use.
PLACEHOLDERS = ("app", "project", "framework", "runtime_requirements")
_PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")
_TEMPLATE_SUFFIX = ".tmpl"
_APP_DIRECTORY = "__app__"
_PROJECT_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9._-]*$")


class ScaffoldError(FlaskBoilerError):
    """The project cannot be created as asked (directory in use, bad name, no framework source)."""


@dataclass
class ScaffoldReport:
    """What ``new`` wrote."""

    root: Path
    app: str
    framework: str
    files: list[Path] = field(default_factory=list)


def _templates() -> Traversable:
    return resources.files("flask_boiler.cli").joinpath("templates", "project")


def _walk(directory: Traversable, prefix: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Traversable]]:
    for entry in sorted(directory.iterdir(), key=lambda item: item.name):
        if entry.is_dir():
            yield from _walk(entry, (*prefix, entry.name))
        elif entry.name.endswith(_TEMPLATE_SUFFIX):
            yield (*prefix, entry.name), entry


def render(text: str, values: Mapping[str, str], where: str = "template") -> str:
    """``text`` with every ``{{name}}`` replaced by ``values[name]``."""

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in values:
            raise ScaffoldError(f"{where}: unknown placeholder {{{{{name}}}}}.")
        return values[name]

    return _PLACEHOLDER.sub(replace, text)


def _target_path(parts: tuple[str, ...], app: str) -> Path:
    names = []
    for part in parts:
        if part.endswith(_TEMPLATE_SUFFIX):
            part = part[: -len(_TEMPLATE_SUFFIX)]
        if part.startswith("dot-"):
            part = "." + part[len("dot-") :]
        names.append(app if part == _APP_DIRECTORY else part)
    return Path(*names)


def checkout_root() -> Path | None:
    """The flask-boiler checkout this framework is imported from, if it is one (else ``None``)."""
    root = Path(__file__).resolve().parents[2]
    pyproject = root / "pyproject.toml"
    if not pyproject.is_file():
        return None
    try:
        name = tomllib.loads(pyproject.read_text()).get("project", {}).get("name")
    except tomllib.TOMLDecodeError:
        return None
    return root if name == "flask-boiler" else None


def framework_source(explicit: str | None) -> str:
    """What the new project installs the framework from: ``explicit`` (a checkout or a wheel,
    made absolute), else the checkout this command runs from."""
    if explicit:
        path = Path(explicit).expanduser().resolve()
        if path.is_file() and path.suffix == ".whl":
            return str(path)
        if (path / "pyproject.toml").is_file() and (path / "flask_boiler" / "__init__.py").is_file():
            return str(path)
        raise ScaffoldError(f"--framework {explicit}: expected a flask-boiler checkout or a built wheel (.whl).")
    root = checkout_root()
    if root is None:
        raise ScaffoldError(
            "flask-boiler runs from an installed package, not a checkout: say where the new project gets the "
            "framework from with --framework (a flask-boiler checkout or a built wheel)."
        )
    return str(root)


def runtime_requirements() -> str:
    """The framework's own runtime requirements (what Cloud Build installs beside the vendored code)."""
    try:
        requirements = importlib.metadata.requires("flask-boiler") or []
    except importlib.metadata.PackageNotFoundError as exc:
        raise ScaffoldError("flask-boiler is not installed in this interpreter (no package metadata).") from exc
    return "\n".join(r for r in requirements if "extra ==" not in r)


def _names(directory: Path, app: str | None) -> tuple[str, str]:
    project = directory.name
    if not _PROJECT_NAME.match(project):
        raise ScaffoldError(f"{project!r} is not a usable project name (letters, digits, '.', '_', '-').")
    package = app or re.sub(r"[^0-9a-zA-Z_]", "_", project).lower()
    if not package.isidentifier() or keyword.iskeyword(package) or package in ("flask_boiler", "functions", "tests"):
        raise ScaffoldError(f"{package!r} cannot name the app package: pick another with --name.")
    return project, package


def create_project(directory: Path, *, framework: str, app: str | None = None) -> ScaffoldReport:
    """Write the project's files into ``directory`` (new or empty); generated files are not written here."""
    directory = directory.resolve()
    if directory.exists() and any(directory.iterdir()):
        raise ScaffoldError(f"{directory} is not empty: a project is created in a new or empty directory.")
    project, package = _names(directory, app)
    values = {
        "app": package,
        "project": project,
        "framework": framework,
        "runtime_requirements": runtime_requirements(),
    }
    report = ScaffoldReport(root=directory, app=package, framework=framework)
    for parts, template in _walk(_templates()):
        target = directory / _target_path(parts, package)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(render(template.read_text(), values, where="/".join(parts)))
        if target.name == "run" and target.parent.name == ".ci":
            target.chmod(0o755)
        report.files.append(target)
    return report


def _new(args: argparse.Namespace) -> int:
    try:
        framework = framework_source(args.framework)
        report = create_project(Path(args.directory), framework=framework, app=args.name)
    except FlaskBoilerError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    # The deploy files are generated from the new code, as `make generate` would.
    generated = subprocess.run(
        [sys.executable, "-m", "flask_boiler", "generate"], cwd=report.root, capture_output=True, text=True
    )
    if generated.returncode != 0:
        print(f"error: generating the deploy files failed:\n{generated.stderr}", file=sys.stderr)
        return 1
    shown = Path(args.directory)
    print(
        f"Created {shown}/ (app package {report.app}, {len(report.files)} files; framework from {framework}).\n\n"
        f"Next:\n  cd {shown}\n  make dev     # the local stack (installs everything on first use)\n"
        "  make test    # ruff, the generated deploy files, the tests on the emulators"
    )
    return 0


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    new = commands.add_parser(
        "new",
        help="create a project: an app package, functions, settings, tests, Makefile",
        description="Create a flask-boiler project in DIR (new or empty). It works with `make dev` and `make test`.",
    )
    new.add_argument("directory", metavar="DIR", help="the new project's directory (its name names the project)")
    new.add_argument("--name", help="the app package's name (default: from DIR)")
    new.add_argument(
        "--framework",
        metavar="PATH",
        help="where the project installs flask-boiler from: a checkout or a built wheel "
        "(default: the checkout this command runs from)",
    )
    new.set_defaults(handler=_new)
