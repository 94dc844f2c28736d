"""Every file the tooling generates, computed at once, and what disagrees with what.

A deploy ships files derived from the code: ``functions/functions.yaml`` (and
``functions/.env``) from ``functions/main.py`` and the settings' ``[functions]`` defaults,
``firestore.rules`` from the view models' ``Meta.access``, ``firestore.indexes.json`` from
the queries the views and REST resources run. Any input can make any of them stale — a
view added in ``main.py``, a policy changed in the app, a default changed in the settings —
so :func:`expected_files` always computes all of them, each on its own (a generator that
fails is reported, the others still run), and ``check`` names every stale file at once.

:func:`trigger_mismatches` and :func:`unlisted_view_models` catch what no file comparison
can: ``main.py`` exporting view triggers for view models the ``view-models`` setting does
not list (or the reverse), and view models of the app that no setting lists — views that
would be deployed, or written, with their rules closed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from ..endpoints import EVENT, endpoint_of
from ..views.registry import registered_views, trigger_name, watched_patterns
from .defaults import ProjectSettings, load_query_views, load_view_models
from .indexes import render_indexes, required_indexes
from .manifest import generate, load_main
from .rules import render_rules

__all__ = [
    "GENERATORS",
    "GeneratedFile",
    "Generation",
    "expected_files",
    "trigger_mismatches",
    "unlisted_view_models",
]

#: The generators, by the name of the command that runs one alone.
GENERATORS = ("manifest", "rules", "indexes")


@dataclass(frozen=True)
class GeneratedFile:
    """One generated file: where it goes, what it should hold, and what it is made from."""

    path: Path
    #: The expected text; ``None``: nothing to generate (e.g. no environment variables).
    text: str | None
    generator: str
    derived_from: str

    def current(self) -> str | None:
        return self.path.read_text() if self.path.exists() else None

    @property
    def stale(self) -> bool:
        return self.text is not None and self.current() != self.text


@dataclass
class Generation:
    """The outcome of running generators: their files, and the generators that failed."""

    files: list[GeneratedFile] = field(default_factory=list)
    #: generator -> the error that stopped it.
    errors: dict[str, Exception] = field(default_factory=dict)
    #: Disagreements between inputs (not a stale file: regenerating does not fix them).
    problems: list[str] = field(default_factory=list)
    #: ``functions/main.py`` as loaded by the manifest generator.
    main: ModuleType | None = field(default=None, repr=False)

    @property
    def stale(self) -> list[GeneratedFile]:
        return [file for file in self.files if file.stale]

    @property
    def ok(self) -> bool:
        return not (self.errors or self.problems or self.stale)


def _manifest_files(settings: ProjectSettings, outcome: Generation) -> list[GeneratedFile]:
    outcome.main = load_main(settings.functions_dir, settings.root)
    source = f"functions/main.py and {settings.where} function defaults"
    return [GeneratedFile(path, text, "manifest", source) for path, text in generate(settings, outcome.main).items()]


def _rules_files(settings: ProjectSettings, outcome: Generation) -> list[GeneratedFile]:
    views = load_view_models(settings)
    text = render_rules(views, source=settings.view_models or "no view models")
    source = f"Meta.access of view-models ({settings.view_models or 'none'})"
    return [GeneratedFile(settings.root / "firestore.rules", text, "rules", source)]


def _indexes_files(settings: ProjectSettings, outcome: Generation) -> list[GeneratedFile]:
    text = render_indexes(required_indexes(load_query_views(settings)))
    source = "the queries of view-models and rest-views"
    return [GeneratedFile(settings.root / "firestore.indexes.json", text, "indexes", source)]


_BUILDERS: dict[str, Callable[[ProjectSettings, Generation], list[GeneratedFile]]] = {
    "manifest": _manifest_files,
    "rules": _rules_files,
    "indexes": _indexes_files,
}


def expected_files(settings: ProjectSettings, which: Iterable[str] = GENERATORS) -> Generation:
    """Run the generators named in ``which``; one failing does not stop the others."""
    outcome = Generation()
    for name in which:
        try:
            outcome.files.extend(_BUILDERS[name](settings, outcome))
        except Exception as exc:  # noqa: BLE001 - reported per generator: user code runs here
            outcome.errors[name] = exc
    if outcome.main is not None and "rules" in which and "rules" not in outcome.errors:
        outcome.problems.extend(trigger_mismatches(settings, outcome.main))
        outcome.problems.extend(unlisted_view_models(settings))
    return outcome


def _document_triggers(module: ModuleType) -> dict[str, str]:
    """Entry point name -> document pattern, for every Firestore trigger ``module`` exports."""
    found: dict[str, str] = {}
    for name, value in vars(module).items():
        spec = endpoint_of(value)
        if spec is None or spec.kind != EVENT:
            continue
        trigger: Any = spec.trigger.get("eventTrigger", {})
        pattern = trigger.get("eventFilterPathPatterns", {}).get("document")
        if pattern:
            found[name] = pattern
    return found


def unlisted_view_models(settings: ProjectSettings) -> list[str]:
    """View models the app's packages declare that neither ``view-models`` nor ``rest-views`` lists.

    Such a view has closed rules and no index, whatever ``main.py`` does with it — the
    mistake of adding a view to ``main.py`` and not to the settings, even when its sources
    are watched already (so no trigger is missing). Only view models defined in the
    packages the project vendors (its own code, not the framework's or tests') count.
    """
    listed = set(load_query_views(settings))
    app_packages = {package for package in settings.vendor if package != "flask_boiler"}
    problems = []
    for view in registered_views():
        name = f"{view.__module__}.{view.__qualname__}"
        if view.__module__.split(".")[0] in app_packages and view not in listed:
            problems.append(
                f"{name} is a view model of the app, but neither view-models ({settings.view_models or 'none'}) nor "
                f"rest-views ({settings.rest_views or 'none'}) in {settings.where} lists it: its rules stay closed. "
                "List it (or make it abstract: class Meta: abstract = True)."
            )
    return problems


def trigger_mismatches(settings: ProjectSettings, main: ModuleType) -> list[str]:
    """Where ``main.py``'s view triggers and the ``view-models`` setting disagree (one sentence each)."""
    expected = {trigger_name(pattern): pattern for pattern in watched_patterns(load_view_models(settings))}
    exported = _document_triggers(main)
    problems = []
    listed = settings.view_models or "(none)"
    for name, pattern in sorted(expected.items()):
        if exported.get(name) != pattern:
            problems.append(
                f"view-models ({listed}) read {pattern}, but functions/main.py exports no trigger {name} for it: "
                f"pass the same view models to export_view_triggers(globals(), ...)."
            )
    for name, pattern in sorted(exported.items()):
        if name == trigger_name(pattern) and name not in expected:
            problems.append(
                f"functions/main.py exports the view trigger {name} ({pattern}), but no view model in "
                f"view-models ({listed}) reads {pattern}: list the view models it refreshes in {settings.where} "
                f"view-models, or their rules stay closed."
            )
    return problems
