"""Matching Firestore document paths against templates such as ``users/{uid}/tickets/{ticket_id}``.

Eventarc delivers the document path but not the wildcard values, so triggers recover them here.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Optional

_PARAM = re.compile(r"^\{([A-Za-z_][A-Za-z0-9_]*)\}$")


@lru_cache(maxsize=256)
def template_segments(template: str) -> tuple[tuple[str, bool], ...]:
    """``(text, is_param)`` per segment; validates the template once."""
    segments = template.strip("/").split("/")
    if any(not s for s in segments):
        raise ValueError(f"Path template {template!r} has an empty segment.")
    parsed = []
    for segment in segments:
        match = _PARAM.match(segment)
        if match:
            parsed.append((match.group(1), True))
        elif "{" in segment or "}" in segment:
            raise ValueError(f"Path template {template!r}: segment {segment!r} must be a whole {{name}} wildcard.")
        else:
            parsed.append((segment, False))
    return tuple(parsed)


def match_path(template: str, path: str) -> Optional[dict[str, str]]:
    """The wildcard values if ``path`` fits ``template``, else ``None``."""
    segments = template_segments(template)
    parts = path.strip("/").split("/")
    if len(parts) != len(segments):
        return None
    params: dict[str, str] = {}
    for (text, is_param), part in zip(segments, parts):
        if is_param:
            params[text] = part
        elif text != part:
            return None
    return params


def render_template(template: str, values: "dict[str, str] | Any") -> str:
    """Fill a template's wildcards from ``values`` (``KeyError`` names a missing one)."""
    parts = []
    for text, is_param in template_segments(template):
        if is_param:
            value = str(values[text])
            if not value or "/" in value:
                raise ValueError(f"Path parameter {text}={value!r} must be a non-empty id without '/'.")
            parts.append(value)
        else:
            parts.append(text)
    return "/".join(parts)


def eventarc_pattern(template: str) -> str:
    """``users/{uid}`` -> ``users/{uid}`` (Eventarc uses the same wildcard syntax; validated here)."""
    template_segments(template)
    return template.strip("/")
