"""Bundle a project's front end (``web/src`` -> ``web/dist/app.js``) for Firebase Hosting.

The page is served by Firebase Hosting (``firebase.json`` ``hosting``): the Hosting
emulator in ``make dev`` and in browser tests, the real service after ``firebase deploy``
(whose ``predeploy`` hook runs ``make web``). It learns the project's configuration and,
under the emulator, the emulators' addresses from Hosting's reserved ``/__/firebase/init.js``,
and calls its REST API on its own origin (``/api/**``, rewritten to the ``api`` function).
So nothing here serves files: this module only builds the bundle when it is stale.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from ..errors import FlaskBoilerError

__all__ = ["WebBuildError", "build_web"]


class WebBuildError(FlaskBoilerError):
    """The front end cannot be bundled (esbuild is not installed)."""


def build_web(root: Path) -> Path:
    """Bundle ``web/src/app.js`` with the project's esbuild into ``web/dist/app.js`` when stale."""
    web = root / "web"
    bundle = web / "dist" / "app.js"
    sources = list((web / "src").rglob("*.js"))
    if bundle.exists() and sources and bundle.stat().st_mtime >= max(p.stat().st_mtime for p in sources):
        return bundle
    esbuild = root / "node_modules" / ".bin" / "esbuild"
    if not esbuild.exists():
        raise WebBuildError(f"{esbuild} is missing: run `make setup` (npm ci) first.")
    subprocess.run(
        [
            str(esbuild),
            "web/src/app.js",
            "--bundle",
            "--format=esm",
            "--target=es2022",
            "--minify",
            "--outfile=web/dist/app.js",
            "--log-level=warning",
        ],
        cwd=root,
        check=True,
    )
    return bundle
