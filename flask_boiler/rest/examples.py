"""Example values for the OpenAPI document, derived from its own JSON schemas.

A field's ``metadata={"example": ...}`` wins; otherwise the value is the simplest one the
schema accepts (the first enum value, a number within its bounds, a string of an
allowed length, a date-time for ``format: date-time``...). Every example must validate
against its schema (a unit test checks it), because contract testers send them as
test cases and people copy them from the docs page.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["example_of"]

_STRING_FORMATS = {
    "date-time": "2026-01-05T09:30:00Z",
    "date": "2026-01-05",
    "time": "09:30:00",
    "byte": "aGVsbG8=",
    "email": "ann@example.com",
    "uuid": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
    "uri": "https://example.com/",
    "url": "https://example.com/",
}

_MAX_DEPTH = 8


def _resolve(schema: Mapping[str, Any], components: Mapping[str, Any]) -> Mapping[str, Any]:
    ref = schema.get("$ref")
    while isinstance(ref, str) and ref.startswith("#/components/schemas/"):
        schema = components.get("schemas", {}).get(ref.rsplit("/", 1)[-1], {})
        ref = schema.get("$ref")
    return schema


def _number(schema: Mapping[str, Any], integer: bool) -> int | float:
    low = schema.get("minimum")
    high = schema.get("maximum")
    value: int | float = 1 if integer else 1.5
    if low is not None and value < low:
        value = low
    if high is not None and value > high:
        value = high
    return int(value) if integer else float(value)


def _string(schema: Mapping[str, Any]) -> str:
    if schema.get("format") in _STRING_FORMATS:
        return _STRING_FORMATS[schema["format"]]
    if schema.get("pattern"):
        return "abc123"  # what the patterns this API emits (client ids) accept
    low = int(schema.get("minLength", 0))
    high = schema.get("maxLength")
    text = "text"
    if len(text) < low:
        text = text + "x" * (low - len(text))
    if high is not None and len(text) > high:
        text = text[: int(high)]
    return text


def example_of(schema: Mapping[str, Any], components: Mapping[str, Any], depth: int = 0) -> Any:
    """A value valid against ``schema`` (``$ref`` resolved in ``components``)."""
    schema = _resolve(schema, components)
    if "example" in schema:
        return schema["example"]
    if schema.get("enum"):
        return next((value for value in schema["enum"] if value is not None), None)
    for combined in ("allOf", "anyOf", "oneOf"):
        if schema.get(combined):
            options = [_resolve(option, components) for option in schema[combined]]
            typed = [option for option in options if not option.get("nullable") or option.get("properties")]
            return example_of((typed or options)[0], components, depth + 1)
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        if depth >= _MAX_DEPTH:
            return {}
        return {name: example_of(prop, components, depth + 1) for name, prop in schema.get("properties", {}).items()}
    if kind == "array":
        if depth >= _MAX_DEPTH:
            return []
        count = max(1, int(schema.get("minItems", 1)))
        return [example_of(schema.get("items", {}), components, depth + 1) for _ in range(count)]
    if kind == "integer":
        return _number(schema, integer=True)
    if kind == "number":
        return _number(schema, integer=False)
    if kind == "boolean":
        return True
    if kind == "string":
        return _string(schema)
    return None
