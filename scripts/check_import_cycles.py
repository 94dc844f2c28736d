#!/usr/bin/env python3
"""Fail if modules of a package import each other in a cycle, imports inside functions included.

import-linter's contracts see packages and layers; this script sees single modules. A cycle
hidden behind ``def f(): from .other import x`` still means neither module can be
understood, tested or moved without the other, so every import statement counts wherever
it stands: module level, inside functions and methods, under ``try``. Only imports under
``if TYPE_CHECKING:`` are left out, because they never run.

The graph comes from grimp (the library import-linter is built on). Each strongly connected
component with more than one module is a cycle family; for each, the script prints the
modules and one shortest cycle through them, every step with its file, line and whether
the import sits inside a function. Exit status 1 when any cycle exists.

Usage: ``scripts/check_import_cycles.py [package ...]`` (default: ``flask_boiler``).
"""

from __future__ import annotations

import ast
import itertools
import sys
from collections import deque
from collections.abc import Iterable, Iterator
from functools import cache
from pathlib import Path

import grimp


def strongly_connected(graph: grimp.ImportGraph, modules: Iterable[str] | None = None) -> list[list[str]]:
    """The cycle families among ``modules`` (every module of ``graph`` by default), imports
    between them only: Tarjan's algorithm, iterative (import chains can be deeper than
    Python's recursion limit)."""
    allowed = set(graph.modules if modules is None else modules)

    def imported_by(module: str) -> Iterator[str]:
        return iter(sorted(graph.find_modules_directly_imported_by(module) & allowed))

    index: dict[str, int] = {}
    lowlink: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components: list[list[str]] = []
    counter = 0
    for root in sorted(allowed):
        if root in index:
            continue
        work: list[tuple[str, Iterator[str]]] = [(root, imported_by(root))]
        index[root] = lowlink[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = lowlink[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, imported_by(child)))
                    break
                if child in on_stack:
                    lowlink[node] = min(lowlink[node], index[child])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    lowlink[parent] = min(lowlink[parent], lowlink[node])
                if lowlink[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        components.append(sorted(component))
    return components


def shortest_cycle(graph: grimp.ImportGraph, members: Iterable[str]) -> list[str]:
    """The shortest cycle inside one component (breadth-first search from each member)."""
    allowed = set(members)
    best: list[str] = []
    for start in sorted(allowed):
        parents: dict[str, str] = {}
        queue = deque([start])
        seen = {start}
        found = None
        while queue and found is None:
            node = queue.popleft()
            for child in sorted(graph.find_modules_directly_imported_by(node) & allowed):
                if child == start:
                    found = node
                    break
                if child not in seen:
                    seen.add(child)
                    parents[child] = node
                    queue.append(child)
        if found is None:
            continue
        path = [found]
        while path[-1] != start:
            path.append(parents[path[-1]])
        cycle = [*reversed(path), start]
        if not best or len(cycle) < len(best):
            best = cycle
    return best


@cache
def _function_import_lines(path: Path) -> frozenset[int]:
    """Line numbers of the import statements that stand inside a function or method."""
    tree = ast.parse(path.read_text(), str(path))
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for inner in ast.walk(node):
                if isinstance(inner, (ast.Import, ast.ImportFrom)):
                    lines.add(inner.lineno)
    return frozenset(lines)


def _source_file(module: str) -> Path | None:
    """The file of ``module``, relative to the working directory when it lies below it."""
    parts = module.split(".")
    for base in map(Path, sys.path):
        for candidate in (base.joinpath(*parts).with_suffix(".py"), base.joinpath(*parts, "__init__.py")):
            if candidate.is_file():
                try:
                    return candidate.resolve().relative_to(Path.cwd())
                except ValueError:
                    return candidate
    return None


def describe_step(graph: grimp.ImportGraph, importer: str, imported: str) -> str:
    details = graph.get_import_details(importer=importer, imported=imported)
    path = _source_file(importer)
    where = []
    for detail in details:
        line = detail["line_number"]
        inside = path is not None and line in _function_import_lines(path)
        where.append(f"{path or importer}:{line}{' (inside a function)' if inside else ''}: {detail['line_contents']}")
    return f"  {importer} -> {imported}\n" + "\n".join(f"      {w}" for w in where)


def main(argv: list[str]) -> int:
    packages = argv or ["flask_boiler"]
    sys.path.insert(0, str(Path.cwd()))
    graph = grimp.build_graph(*packages, exclude_type_checking_imports=True, cache_dir=None)
    components = strongly_connected(graph)
    if not components:
        print(f"No import cycles among the {len(graph.modules)} modules of {', '.join(packages)}.")
        return 0
    print(f"{len(components)} import cycle(s) among the modules of {', '.join(packages)}:")
    for number, members in enumerate(components, 1):
        cycle = shortest_cycle(graph, members)
        print(f"\n{number}. {len(members)} modules import each other: {', '.join(members)}")
        print("   shortest cycle:")
        for importer, imported in itertools.pairwise(cycle):
            print(describe_step(graph, importer, imported))
    print(
        "\nBreak each cycle by moving what both sides need into a lower module (not by hiding an import in a function)."
    )
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
