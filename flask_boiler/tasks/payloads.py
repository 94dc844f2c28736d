"""The two kinds of view task, and reading them from a request without trusting it.

A task's body is ``{"data": {...}}`` (the Firebase callable protocol):

* ``{"kind": "slice", "view": "pkg.mod.View", "roots": [...], "paths": [...]}``: reconcile
  the views of ``roots`` — or, with ``paths``, those views of the one root (a fan-out slice).
* ``{"kind": "page", "run": "<run id>", "step": n}``: page ``n`` of a remote rebuild run.

The task function is private (Cloud Tasks calls it with an OIDC token), but its input is
still checked as hostile: unknown keys, wrong types, oversized lists, view models the
function does not serve, paths outside a view model's templates — each is a
:class:`TaskPayloadError` (answered 400, nothing read or written). Even a well-formed task
can only make views equal to what current data computes.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import FlaskBoilerError, PathError
from ..views.fanout import Slice
from ..views.rebuild import view_name
from ..views.reconcile import check_views_of_root
from ..views.view_model import ViewModel

__all__ = ["MAX_ITEMS", "PageTask", "TaskPayloadError", "page_payload", "parse_task", "slice_payload"]

#: The most roots or view paths one task may name (a Cloud Tasks task holds at most 1 MB).
MAX_ITEMS = 1_000
_RUN_ID = re.compile(r"^[A-Za-z0-9_-]{1,128}$")
_MAX_PATH = 1_500
_MAX_STEP = 10**9


class TaskPayloadError(FlaskBoilerError, ValueError):
    """A task body this function will not run (the message says why)."""


@dataclass(frozen=True)
class PageTask:
    """One page of a remote rebuild (:mod:`.runs`)."""

    run: str
    step: int


def slice_payload(work: Slice) -> dict[str, Any]:
    data: dict[str, Any] = {"kind": "slice", "view": view_name(work.view), "roots": list(work.roots)}
    if work.paths is not None:
        data["paths"] = list(work.paths)
    return data


def page_payload(task: PageTask) -> dict[str, Any]:
    return {"kind": "page", "run": task.run, "step": task.step}


def _keys(data: Mapping[str, Any], required: Collection[str], optional: Collection[str] = ()) -> None:
    missing = set(required) - data.keys()
    unknown = data.keys() - set(required) - set(optional)
    if missing:
        raise TaskPayloadError(f"missing {', '.join(sorted(missing))}")
    if unknown:
        raise TaskPayloadError(f"unknown keys: {', '.join(sorted(map(str, unknown)))}")


def _paths(value: Any, what: str) -> list[str]:
    if not isinstance(value, list) or not value:
        raise TaskPayloadError(f"{what} must be a non-empty list")
    if len(value) > MAX_ITEMS:
        raise TaskPayloadError(f"{what} has {len(value)} items; at most {MAX_ITEMS}")
    if not all(isinstance(item, str) and 0 < len(item) <= _MAX_PATH for item in value):
        raise TaskPayloadError(f"{what} must hold document paths")
    if len(set(value)) != len(value):
        raise TaskPayloadError(f"{what} repeats a path")
    return list(value)


def parse_task(body: Any, views: Sequence[type[ViewModel]]) -> Slice | PageTask:
    """The task ``body`` (a parsed JSON request body) describes, checked against ``views``."""
    if not isinstance(body, Mapping):
        raise TaskPayloadError('expected a JSON object {"data": {...}}')
    _keys(body, {"data"})
    data = body["data"]
    if not isinstance(data, Mapping):
        raise TaskPayloadError('"data" must be an object')
    kind = data.get("kind")
    if kind == "page":
        _keys(data, {"kind", "run", "step"})
        run, step = data["run"], data["step"]
        if not isinstance(run, str) or not _RUN_ID.match(run):
            raise TaskPayloadError("run must be a run id (letters, digits, '-', '_')")
        if isinstance(step, bool) or not isinstance(step, int) or not 0 <= step <= _MAX_STEP:
            raise TaskPayloadError(f"step must be a whole number from 0 to {_MAX_STEP}")
        return PageTask(run, step)
    if kind != "slice":
        raise TaskPayloadError('kind must be "slice" or "page"')
    _keys(data, {"kind", "view", "roots"}, {"paths"})
    by_name = {view_name(view): view for view in views}
    view = by_name.get(data["view"]) if isinstance(data["view"], str) else None
    if view is None:
        raise TaskPayloadError(f"view {data['view']!r} is not a view model this function serves")
    roots = _paths(data["roots"], "roots")
    template = view.declaration().root_path
    for root in roots:
        if template.match(root) is None:
            raise TaskPayloadError(f"{root!r} is not a root of {view.__name__} ({template.template!r})")
    if "paths" not in data:
        return Slice(view, tuple(roots))
    paths = _paths(data["paths"], "paths")
    if len(roots) != 1:
        raise TaskPayloadError("a slice naming view paths names exactly one root")
    try:
        check_views_of_root(view, roots[0], paths)
    except PathError as exc:
        raise TaskPayloadError(str(exc)) from None
    return Slice(view, tuple(roots), tuple(paths))
