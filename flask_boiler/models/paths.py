"""Document path templates: ``"users/{uid}/tickets/{ticket_id}"``.

A model's documents live at its template's paths. The last placeholder is the document
id; the others are *path parameters* of the parent documents, available as read-only
attributes on instances (``ticket.uid``). Paths are rendered without reading any parent
document, so subcollections of documents that do not exist work as Firestore allows.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property, lru_cache

from ..errors import ModelDefinitionError, PathError
from .limits import document_id_problem

__all__ = ["PathTemplate", "normalize_path"]

_PLACEHOLDER = re.compile(r"^\{([A-Za-z_][A-Za-z0-9_]*)\}$")
_DOCUMENTS_MARKER = "/documents/"


def normalize_path(path: str) -> str:
    """A document/collection path relative to the database root (strips ``projects/.../documents/``)."""
    if path.startswith("projects/") and _DOCUMENTS_MARKER in path:
        path = path.split(_DOCUMENTS_MARKER, 1)[1]
    return path.strip("/")


@dataclass(frozen=True)
class PathTemplate:
    """A parsed path template. Build with :meth:`parse`."""

    template: str
    segments: tuple[str, ...]

    @classmethod
    def parse(cls, template: str) -> PathTemplate:
        """The checked template (parsed once per distinct string: triggers match every event)."""
        return _parse(template)

    @classmethod
    def for_collection(cls, collection_name: str) -> PathTemplate:
        """``"cities"`` -> ``"cities/{doc_id}"``; ``collection_name`` may itself be a nested collection path."""
        return cls.parse(f"{collection_name.strip('/')}/{{doc_id}}")

    # -- structure --------------------------------------------------------------------

    # Worked out once per template (templates are immutable and parsed once per string):
    # every document a model loads, every reference it holds, is matched against them.

    @cached_property
    def shape(self) -> tuple[tuple[str, bool], ...]:
        """``(literal or placeholder name, is_placeholder)`` per segment."""
        return tuple(
            (match.group(1), True) if (match := _PLACEHOLDER.match(part)) else (part, False) for part in self.segments
        )

    @cached_property
    def params(self) -> tuple[str, ...]:
        """All placeholder names, outermost first (the last one is the document id)."""
        return tuple(name for name, is_placeholder in self.shape if is_placeholder)

    @property
    def id_param(self) -> str:
        return self.params[-1]

    @property
    def parent_params(self) -> tuple[str, ...]:
        return self.params[:-1]

    @property
    def collection_id(self) -> str:
        """The last collection segment (what collection-group queries use)."""
        return self.segments[-2]

    # -- rendering & matching -----------------------------------------------------------

    def _render(self, segments: tuple[str, ...], values: Mapping[str, str]) -> str:
        parts = []
        for part, (name, is_placeholder) in zip(segments, self.shape):
            if not is_placeholder:
                parts.append(part)
                continue
            value = values.get(name)
            if value is None or value == "":
                raise PathError(f"Path {self.template!r} needs a value for {name!r}.")
            value = str(value)
            problem = document_id_problem(value)
            if problem is not None:
                raise PathError(f"Path parameter {name}={value!r}: {problem}")
            parts.append(value)
        return "/".join(parts)

    def render(self, values: Mapping[str, str]) -> str:
        """The document path for ``values`` (every placeholder needed)."""
        return self._render(self.segments, values)

    def collection_path(self, values: Mapping[str, str]) -> str:
        """The collection path (parent placeholders needed, not the id)."""
        return self._render(self.segments[:-1], values)

    def match(self, path: str) -> dict[str, str] | None:
        """Placeholder values if ``path`` is a document path of this template, else ``None``."""
        parts = normalize_path(path).split("/")
        shape = self.shape
        if len(parts) != len(shape):
            return None
        values: dict[str, str] = {}
        for part, (name, is_placeholder) in zip(parts, shape):
            if is_placeholder:
                values[name] = part
            elif part != name:
                return None
        return values


@lru_cache(maxsize=1024)
def _parse(template: str) -> PathTemplate:
    segments = tuple(template.strip("/").split("/"))
    if len(segments) % 2 != 0 or any(not part for part in segments):
        raise ModelDefinitionError(
            f"Path template {template!r} must alternate collection/document segments and end with a "
            "document id placeholder, e.g. 'users/{uid}/tickets/{ticket_id}'."
        )
    names: list[str] = []
    for index, part in enumerate(segments):
        match = _PLACEHOLDER.match(part)
        if index % 2 == 0 and (match or "{" in part or "}" in part):
            raise ModelDefinitionError(f"Collection segment {part!r} of {template!r} must be literal.")
        if index % 2 == 1:
            if match:
                names.append(match.group(1))
            elif "{" in part or "}" in part:
                raise ModelDefinitionError(f"Segment {part!r} of {template!r}: a placeholder must be a whole segment.")
    if not _PLACEHOLDER.match(segments[-1]):
        raise ModelDefinitionError(f"Path template {template!r} must end with a document id placeholder like '{{id}}'.")
    if len(set(names)) != len(names):
        raise ModelDefinitionError(f"Path template {template!r} repeats a placeholder.")
    return PathTemplate(template="/".join(segments), segments=segments)
