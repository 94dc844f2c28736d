"""Live reload: an edit of the app's code regenerates the manifest and makes the emulator reload."""

from __future__ import annotations

import os
import threading

from flask_boiler.testing.reload import CodeReloader, watched_packages


def make_project(root):
    (root / "functions").mkdir()
    (root / "functions" / "main.py").write_text("")
    (root / "app").mkdir()
    (root / "app" / "__init__.py").write_text("X = 1\n")
    (root / "firebase.json").write_text("{}")
    return root


def test_only_packages_in_the_project_are_watched(tmp_path):
    make_project(tmp_path)
    assert watched_packages(tmp_path, ["flask_boiler", "app", "missing"]) == [tmp_path / "app"]


def test_an_edit_touches_main_py_after_regenerating(tmp_path, monkeypatch):
    root = make_project(tmp_path)
    main = root / "functions" / "main.py"
    os.utime(main, ns=(1_000_000_000, 1_000_000_000))
    commands: list[list[str]] = []

    class Done:
        returncode = 0
        stderr = ""

    monkeypatch.setattr(
        "flask_boiler.testing.reload.subprocess.run", lambda command, **_: commands.append(command) or Done()
    )
    reloaded = threading.Event()
    changed: list = []
    reloader = CodeReloader(
        root, [root / "app"], on_reload=lambda paths: (changed.extend(paths), reloaded.set()), interval=0.05
    ).start()
    try:
        (root / "app" / "views.py").write_text("Y = 2\n")
        assert reloaded.wait(10)
    finally:
        reloader.stop()
    assert changed == [root / "app" / "views.py"]
    assert commands and commands[0][-2:] == ["flask_boiler", "manifest"]
    assert main.stat().st_mtime_ns > 1_000_000_000  # touched: the Functions emulator watches functions/


def test_a_manifest_that_fails_keeps_the_last_good_functions(tmp_path, monkeypatch):
    root = make_project(tmp_path)
    main = root / "functions" / "main.py"
    os.utime(main, ns=(1_000_000_000, 1_000_000_000))

    class Failed:
        returncode = 1
        stderr = "SyntaxError: invalid syntax"

    ran = threading.Event()
    monkeypatch.setattr("flask_boiler.testing.reload.subprocess.run", lambda command, **_: ran.set() or Failed())
    reloader = CodeReloader(root, [root / "app"], interval=0.05).start()
    try:
        (root / "app" / "__init__.py").write_text("X = (\n")
        assert ran.wait(10)
    finally:
        reloader.stop()
    assert main.stat().st_mtime_ns == 1_000_000_000 and reloader.reloads == 0
