"""The ORM's import graph: no cycles (imports inside functions and under TYPE_CHECKING
included), and nothing imported from the layers above it.

grimp (the library import-linter is built on) reads every ``import`` statement in the
source, wherever it is, so an import moved into a function to dodge a cycle still counts.
"""

from __future__ import annotations

import grimp
import pytest

from scripts.check_import_cycles import strongly_connected

ORM = (
    "flask_boiler.batch",
    "flask_boiler.domain_model",
    "flask_boiler.factory",
    "flask_boiler.fields",
    "flask_boiler.models",
    "flask_boiler.primary_object",
    "flask_boiler.query",
    "flask_boiler.schema",
    "flask_boiler.transactions",
    "flask_boiler._private.cursor",
    "flask_boiler._private.firestore_types",
    "flask_boiler._private.inline_begin",
    "flask_boiler._private.document_reads",
)
#: What the ORM may build on besides itself (the bottom of the package).
FOUNDATION = (
    "flask_boiler.errors",
    "flask_boiler.context",
    "flask_boiler.config",
    "flask_boiler.log",
    "flask_boiler._private.credentials",
)


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
