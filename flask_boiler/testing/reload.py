"""Live reload of the app's code in the Functions emulator (``make dev``).

The Functions emulator watches only the functions source directory (``functions/``): when
a file there changes it re-reads ``functions.yaml`` and replaces its Python workers, which
then import everything afresh. The app's packages (``shared_models/``, a scaffold's
``myapp/``) and a framework checkout live *beside* ``functions/`` (the workers import them
through a ``.pth`` file), so editing them would change nothing until a restart.

:class:`CodeReloader` closes that gap: a thread polls the modification times of the
watched packages' ``.py`` files (a few hundred ``stat`` calls twice a second; no watcher
dependency), and when one changes it

1. regenerates ``functions/functions.yaml`` in a fresh interpreter (a new view model means
   new triggers; a fresh process, because this one has the old code imported), and
2. touches ``functions/main.py``, which makes the emulator reload its functions.

A change under ``web/src`` rebuilds the page's bundle instead (the Hosting emulator serves
files from disk, so a browser reload shows it).
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterable
from pathlib import Path

from ..log import get_logger, log

__all__ = ["CodeReloader", "watched_packages"]

logger = get_logger("reload")

#: How often the files are polled, and how long a burst of saves is let settle.
POLL_SECONDS = 0.5


def watched_packages(root: Path, packages: Iterable[str]) -> list[Path]:
    """The packages among ``packages`` that live in the project at ``root`` (not installed ones)."""
    return [root / name for name in packages if (root / name / "__init__.py").is_file()]


def _snapshot(directories: Iterable[Path], suffixes: tuple[str, ...]) -> dict[Path, int]:
    times: dict[Path, int] = {}
    for directory in directories:
        for current, dirs, files in os.walk(directory):
            dirs[:] = [d for d in dirs if d != "__pycache__" and not d.startswith(".")]
            for name in files:
                if name.endswith(suffixes):
                    path = Path(current, name)
                    try:
                        times[path] = path.stat().st_mtime_ns
                    except OSError:
                        continue
    return times


def _changed(before: dict[Path, int], after: dict[Path, int]) -> list[Path]:
    return sorted(path for path in before.keys() | after.keys() if before.get(path) != after.get(path))


class CodeReloader:
    """Watches ``packages`` (and ``web/src``) of the project at ``root``; see the module docs.

    ``on_reload`` is called after each reload with the changed files (tests wait on it).
    """

    def __init__(
        self,
        root: Path,
        packages: Iterable[Path],
        *,
        rebuild_web: Callable[[Path], object] | None = None,
        on_reload: Callable[[list[Path]], None] | None = None,
        interval: float = POLL_SECONDS,
    ) -> None:
        self.root = root
        self.packages = list(packages)
        self.web_sources = root / "web" / "src"
        self._rebuild_web = rebuild_web
        self._on_reload = on_reload
        self._interval = interval
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="code-reloader", daemon=True)
        self._code: dict[Path, int] = {}
        self._web: dict[Path, int] = {}
        #: How many times the functions were reloaded.
        self.reloads = 0

    def start(self) -> CodeReloader:
        self._code = _snapshot(self.packages, (".py",))
        self._web = _snapshot([self.web_sources], (".js", ".css", ".html")) if self._rebuild_web else {}
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopped.set()
        if self._thread.is_alive():
            self._thread.join(timeout=10)

    def _run(self) -> None:
        while not self._stopped.wait(self._interval):
            code = _snapshot(self.packages, (".py",))
            changed = _changed(self._code, code)
            if changed:
                self._stopped.wait(self._interval)  # let a burst of saves settle
                code = _snapshot(self.packages, (".py",))
                changed = _changed(self._code, code) or changed
                self._code = code
                self._reload_functions(changed)
            if self._rebuild_web is not None:
                web = _snapshot([self.web_sources], (".js", ".css", ".html"))
                if _changed(self._web, web):
                    self._web = web
                    self._rebuild(self._rebuild_web)

    def _rebuild(self, rebuild: Callable[[Path], object]) -> None:
        try:
            rebuild(self.root)
            log(logger, logging.INFO, "web/src changed: rebuilt the page (reload the browser)")
        except Exception as exc:  # noqa: BLE001 - keep watching: the next save may fix it
            log(logger, logging.WARNING, f"web/src changed, but the page did not build: {exc}")

    def _reload_functions(self, changed: list[Path]) -> None:
        names = ", ".join(str(path.relative_to(self.root)) for path in changed[:3])
        more = f" and {len(changed) - 3} more" if len(changed) > 3 else ""
        result = subprocess.run(
            [sys.executable, "-m", "flask_boiler", "manifest"],
            cwd=self.root,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            # The code does not import (a typo mid-edit): the emulator keeps the last good
            # functions; say why, and reload once the next save fixes it.
            log(logger, logging.WARNING, f"{names}{more} changed, but the manifest failed:\n{result.stderr.strip()}")
            return
        main = self.root / "functions" / "main.py"
        os.utime(main)  # the Functions emulator watches functions/: this makes it reload
        self.reloads += 1
        log(logger, logging.INFO, f"{names}{more} changed: the Functions emulator reloads the functions")
        if self._on_reload is not None:
            self._on_reload(changed)
