"""scripts/check_import_cycles.py finds cycles that imports inside functions hide, and says where."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
SCRIPT = ROOT / "scripts" / "check_import_cycles.py"


def _package(tmp_path: Path, files: dict[str, str]) -> Path:
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    for name, text in files.items():
        (package / name).write_text(text)
    return tmp_path


def _check(cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(SCRIPT), "pkg"], cwd=cwd, capture_output=True, text=True, timeout=60)


def test_a_cycle_through_an_import_inside_a_function_fails_naming_the_line(tmp_path):
    cwd = _package(
        tmp_path,
        {
            "low.py": "def helper():\n    from .high import thing\n    return thing\n",
            "high.py": "from .low import helper\nthing = 1\n",
        },
    )
    result = _check(cwd)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "pkg.high, pkg.low" in result.stdout
    assert "pkg/low.py:2 (inside a function): from .high import thing" in result.stdout


def test_type_checking_imports_do_not_count_and_a_clean_package_passes(tmp_path):
    cwd = _package(
        tmp_path,
        {
            "low.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .high import thing\n",
            "high.py": "from .low import TYPE_CHECKING\nthing = 1\n",
        },
    )
    result = _check(cwd)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No import cycles among the 3 modules of pkg." in result.stdout
