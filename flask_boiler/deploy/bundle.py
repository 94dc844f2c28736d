"""Vendor the framework and the app's shared models into the deployed source, and nothing secret.

``firebase deploy`` uploads only ``functions/`` to Cloud Build, which installs
``functions/requirements.txt`` and imports ``main.py``; the app's packages live beside
``functions/``, and the framework is in the project's venv (or, in this repository, beside
``functions/`` too), so they are copied in: the packages listed in the ``vendor`` setting,
each from the project directory if it is there, else from where the running interpreter
imports it.

Two ways to build a bundle:

* :func:`build_bundle` writes a complete deployable source tree into a fresh directory
  (tests use it to import the bundle in a clean venv, as Cloud Build would);
* :func:`vendor` copies the packages into ``functions/`` itself, because that is the
  directory firebase-tools uploads (``make bundle`` / the ``predeploy`` hook);
  :func:`unvendor` removes them again (``make unbundle`` / ``postdeploy``, and before
  ``make dev``/``make test``: in a checkout ``functions/venv`` imports the working tree
  through a ``.pth`` file, and a leftover copy in ``functions/`` would shadow it).

Each vendored copy carries a marker file, so :func:`unvendor` only ever deletes
directories it created. Every file of the upload is scanned for credentials
(service-account keys, user refresh tokens, private keys) and the bundle is refused if
one is found: deployed functions use their runtime service account, never a key file.
"""

from __future__ import annotations

import fnmatch
import importlib.util
import json
import os
import re
import shutil
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import FlaskBoilerError

__all__ = [
    "MARKER",
    "BundleError",
    "BundleReport",
    "CredentialFileError",
    "build_bundle",
    "find_credentials",
    "unvendor",
    "vendor",
    "vendored_copies",
]

MARKER = ".flask-boiler-vendored"
#: Never copied from a vendored package (caches, build metadata).
COPY_IGNORE = ("__pycache__", "*.pyc", "*.pyo", "*.egg-info", ".pytest_cache", ".mypy_cache")
#: What firebase.json's ``functions.ignore`` lists when it cannot be read.
DEFAULT_UPLOAD_IGNORE = ("venv", "__pycache__", "*.pyc", ".git", "*.local", "*-debug.log")
_MAX_SCAN_BYTES = 2_000_000
#: A PEM private-key block with a body (a mention of the header in code or docs is not a key).
_PEM_PRIVATE_KEY = re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----\s*(?:\\n)?[A-Za-z0-9+/=\s\\n]{40,}")


class BundleError(FlaskBoilerError):
    """The deployable source cannot be assembled (missing package, foreign directory in the way)."""


class CredentialFileError(BundleError):
    """A file that would be uploaded holds a credential; ``files`` lists them (relative paths)."""

    def __init__(self, files: Sequence[str]) -> None:
        self.files = list(files)
        listing = "\n  ".join(self.files)
        super().__init__(
            "Refusing to bundle credentials into deployed code:\n  "
            f"{listing}\nDeployed functions authenticate as their runtime service account; move these files "
            "out of the deployed packages (and rotate any key that was ever deployed)."
        )


@dataclass
class BundleReport:
    """What a bundle contains."""

    target: Path
    packages: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)


# -- credential detection ------------------------------------------------------------------


def credential_kind(path: Path) -> str | None:
    """Why ``path`` looks like a credential, or ``None``."""
    name = path.name.lower()
    if name.endswith((".p12", ".pfx", ".keystore", ".jks")):
        return "a key store"
    try:
        if path.stat().st_size > _MAX_SCAN_BYTES:
            return None
        text = path.read_text(errors="ignore")
    except OSError:
        return None
    if _PEM_PRIVATE_KEY.search(text):
        return "a PEM private key"
    if name.endswith(".json") or text.lstrip().startswith("{"):
        try:
            data = json.loads(text)
        except ValueError:
            return None
        if isinstance(data, dict):
            kind = data.get("type")
            if kind == "service_account" or ("private_key" in data and "client_email" in data):
                return "a service-account key"
            if kind in ("authorized_user", "external_account", "impersonated_service_account"):
                return f"a Google {kind} credential"
    return None


def _ignored(relative: Path, patterns: Iterable[str]) -> bool:
    parts = relative.parts
    for pattern in patterns:
        if any(fnmatch.fnmatch(part, pattern) for part in parts) or fnmatch.fnmatch(relative.as_posix(), pattern):
            return True
    return False


def upload_files(directory: Path, ignore: Iterable[str]) -> Iterator[Path]:
    """Files under ``directory`` that firebase-tools would upload (not matching ``ignore``)."""
    ignore = tuple(ignore)
    for current, dirs, files in os.walk(directory):
        base = Path(current)
        dirs[:] = sorted(d for d in dirs if not _ignored((base / d).relative_to(directory), ignore))
        for name in sorted(files):
            path = base / name
            if not _ignored(path.relative_to(directory), ignore):
                yield path


def find_credentials(directory: Path, ignore: Iterable[str] = DEFAULT_UPLOAD_IGNORE) -> list[str]:
    """``relative path (why)`` for every credential-like file that would be uploaded."""
    found = []
    for path in upload_files(directory, ignore):
        kind = credential_kind(path)
        if kind:
            found.append(f"{path.relative_to(directory).as_posix()} ({kind})")
    return found


# -- assembling ----------------------------------------------------------------------------


def upload_ignore(root: Path) -> tuple[str, ...]:
    """The ``ignore`` list of the functions codebase in ``root/firebase.json``."""
    try:
        config = json.loads((root / "firebase.json").read_text())
    except (OSError, ValueError):
        return DEFAULT_UPLOAD_IGNORE
    functions = config.get("functions")
    entries = functions if isinstance(functions, list) else [functions] if functions else []
    for entry in entries:
        if entry.get("source", "functions") == "functions":
            return tuple(entry.get("ignore", DEFAULT_UPLOAD_IGNORE))
    return DEFAULT_UPLOAD_IGNORE


def _package_source(root: Path, package: str) -> Path:
    """Where ``package`` is: in the project (the app's own packages, a framework checkout), else
    where this interpreter imports it from (the framework installed in the project's venv)."""
    source = root / package
    if (source / "__init__.py").is_file():
        return source
    spec = importlib.util.find_spec(package) if package.isidentifier() else None
    locations = list(spec.submodule_search_locations or []) if spec is not None else []
    if len(locations) == 1 and (Path(locations[0]) / "__init__.py").is_file():
        return Path(locations[0])
    raise BundleError(
        f"Cannot vendor {package!r}: {source} is not a Python package (no __init__.py), and no installed "
        "package of that name was found."
    )


def _copy_package(source: Path, destination: Path) -> None:
    shutil.copytree(source, destination, ignore=shutil.ignore_patterns(*COPY_IGNORE))
    (destination / MARKER).write_text(f"Vendored from {source} by `python -m flask_boiler bundle`; do not edit.\n")


def build_bundle(root: Path, target: Path, packages: Sequence[str]) -> BundleReport:
    """Write the deployable source (functions/ + vendored ``packages``) into the new directory ``target``."""
    if target.exists() and any(target.iterdir()):
        raise BundleError(f"{target} is not empty; a bundle is built into a fresh directory.")
    ignore = upload_ignore(root)
    functions_dir = root / "functions"
    target.mkdir(parents=True, exist_ok=True)
    report = BundleReport(target=target)
    for path in upload_files(functions_dir, ignore):
        relative = path.relative_to(functions_dir)
        if relative.parts[0] in packages:
            continue  # a vendored copy left in functions/: use the fresh one
        (target / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target / relative)
    for package in packages:
        _copy_package(_package_source(root, package), target / package)
        report.packages.append(package)
    found = find_credentials(target, ignore)
    if found:
        shutil.rmtree(target)
        raise CredentialFileError(found)
    report.files = [p.relative_to(target).as_posix() for p in upload_files(target, ignore)]
    return report


def vendored_copies(root: Path, packages: Sequence[str]) -> list[Path]:
    """The vendored package copies present in ``root/functions``."""
    return [root / "functions" / p for p in packages if (root / "functions" / p / MARKER).is_file()]


def unvendor(root: Path, packages: Sequence[str]) -> list[Path]:
    """Remove the vendored copies (only directories carrying :data:`MARKER`); returns what was removed."""
    removed = vendored_copies(root, packages)
    for path in removed:
        shutil.rmtree(path)
    return removed


def vendor(root: Path, packages: Sequence[str]) -> BundleReport:
    """Copy ``packages`` into ``root/functions`` (replacing earlier copies) for ``firebase deploy``."""
    functions_dir = root / "functions"
    sources = {package: _package_source(root, package) for package in packages}
    for package in packages:
        destination = functions_dir / package
        if destination.exists() and not (destination / MARKER).is_file():
            raise BundleError(
                f"{destination} exists and is not a vendored copy; refusing to replace it. Move it out of functions/."
            )
    unvendor(root, packages)
    report = BundleReport(target=functions_dir)
    for package, source in sources.items():
        _copy_package(source, functions_dir / package)
        report.packages.append(package)
    ignore = upload_ignore(root)
    found = find_credentials(functions_dir, ignore)
    if found:
        unvendor(root, packages)
        raise CredentialFileError(found)
    report.files = [p.relative_to(functions_dir).as_posix() for p in upload_files(functions_dir, ignore)]
    return report
