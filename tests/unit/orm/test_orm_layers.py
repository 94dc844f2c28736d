"""The ORM's import graph: no cycles (imports inside functions and under TYPE_CHECKING
included), and nothing imported from the layers above it (the layers are read from the
import-linter contract, so the ORM's module list lives in one place).

grimp (the library import-linter is built on) reads every ``import`` statement in the
source, wherever it is, so an import moved into a function to dodge a cycle still counts.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import grimp
import pytest

from scripts.check_import_cycles import strongly_connected

PYPROJECT = Path(__file__).resolve().parents[3] / "pyproject.toml"


def _orm_and_below() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The ORM's modules (the layer holding ``models``) and those of the layers below it,
    as the import-linter ``layers`` contract in ``pyproject.toml`` places them: one list."""
    contracts = tomllib.loads(PYPROJECT.read_text())["tool"]["importlinter"]["contracts"]
    layers = next(contract["layers"] for contract in contracts if contract["id"] == "layers")
    modules = [tuple(f"flask_boiler.{name.strip()}" for name in re.split(r"[:|]", layer)) for layer in layers]
    orm = next(index for index, layer in enumerate(modules) if "flask_boiler.models" in layer)
    return modules[orm], tuple(module for layer in modules[orm + 1 :] for module in layer)


ORM, FOUNDATION = _orm_and_below()


def _in(module: str, prefixes: tuple[str, ...]) -> bool:
    return any(module == prefix or module.startswith(prefix + ".") for prefix in prefixes)


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph("flask_boiler", cache_dir=None)


def test_no_import_cycles_in_the_orm(graph):
    assert strongly_connected(graph, {module for module in graph.modules if _in(module, ORM)}) == []


def test_the_orm_imports_nothing_above_it(graph):
    above = {
        (module, imported)
        for module in graph.modules
        if _in(module, ORM)
        for imported in graph.find_modules_directly_imported_by(module)
        if imported.startswith("flask_boiler") and imported != "flask_boiler" and not _in(imported, ORM + FOUNDATION)
    }
    assert above == set()
