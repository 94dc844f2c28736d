"""A human-readable API page rendered on the server from the OpenAPI document.

It works offline and behind strict content policies: one self-contained HTML page, no
JavaScript, no CDN, no vendored bundle to keep up to date. Machines read
``openapi.json``; people read this (and can load the JSON into any OpenAPI tool).
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping
from typing import Any

__all__ = ["render_docs"]

_METHODS = ("get", "post", "put", "patch", "delete")

_STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0 auto;max-width:60rem;padding:1rem 2rem;color:#1f2328}
h1{margin-bottom:.2rem} h2{border-bottom:1px solid #d0d7de;padding-bottom:.3rem;margin-top:2.5rem}
.op{border:1px solid #d0d7de;border-radius:6px;margin:1rem 0;padding:.6rem 1rem}
.method{display:inline-block;min-width:4.5rem;font-weight:700;text-transform:uppercase}
.get{color:#0969da}.post{color:#1a7f37}.patch{color:#9a6700}.delete{color:#cf222e}
code,.path{font-family:ui-monospace,SFMono-Regular,Menlo,monospace}
table{border-collapse:collapse;margin:.4rem 0;font-size:.92rem} td,th{border:1px solid #d0d7de;padding:.2rem .5rem;text-align:left;vertical-align:top}
.muted{color:#59636e}
"""


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _resolve(spec: Mapping[str, Any], schema: Mapping[str, Any]) -> Mapping[str, Any]:
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
        return spec["components"]["schemas"][ref.rsplit("/", 1)[-1]]
    return schema


def _type_of(spec: Mapping[str, Any], schema: Mapping[str, Any]) -> str:
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    kind = schema.get("type", "any")
    if kind == "array":
        kind = f"array of {_type_of(spec, schema.get('items', {}))}"
    if schema.get("format"):
        kind += f" ({schema['format']})"
    if schema.get("enum"):
        kind += " one of " + ", ".join(json.dumps(v) for v in schema["enum"] if v is not None)
    if schema.get("nullable"):
        kind += ", nullable"
    if schema.get("readOnly"):
        kind += ", read-only"
    return kind


def _schema_table(spec: Mapping[str, Any], schema: Mapping[str, Any]) -> str:
    resolved = _resolve(spec, schema)
    properties = resolved.get("properties") or {}
    if not properties:
        return f"<p><code>{_e(_type_of(spec, schema))}</code></p>"
    required = set(resolved.get("required", []))
    rows = "".join(
        f"<tr><td><code>{_e(name)}</code></td><td>{_e(_type_of(spec, prop))}</td>"
        f"<td>{'yes' if name in required else ''}</td><td>{_e(prop.get('description', ''))}</td></tr>"
        for name, prop in properties.items()
    )
    return f"<table><tr><th>field</th><th>type</th><th>required</th><th></th></tr>{rows}</table>"


def _operation(spec: Mapping[str, Any], path: str, method: str, op: Mapping[str, Any]) -> str:
    parts = [
        f'<div class="op" id="{_e(op.get("operationId", ""))}">',
        f'<span class="method {method}">{method}</span> <span class="path">{_e(path)}</span>',
        f"<p><strong>{_e(op.get('summary', ''))}</strong> {_e(op.get('description', ''))}</p>",
        f'<p class="muted">{"Needs a Firebase ID token (Authorization: Bearer)." if op.get("security") else "Public."}</p>',
    ]
    params = op.get("parameters") or []
    if params:
        rows = "".join(
            f"<tr><td><code>{_e(p['name'])}</code></td><td>{_e(p['in'])}</td><td>{_e(_type_of(spec, p.get('schema', {})))}</td>"
            f"<td>{'yes' if p.get('required') else ''}</td><td>{_e(p.get('description', ''))}</td></tr>"
            for p in params
        )
        parts.append(
            f"<table><tr><th>parameter</th><th>in</th><th>type</th><th>required</th><th></th></tr>{rows}</table>"
        )
    body = op.get("requestBody", {}).get("content", {}).get("application/json")
    if body:
        parts.append("<p>Body (<code>application/json</code>):</p>" + _schema_table(spec, body["schema"]))
    for status, response in op.get("responses", {}).items():
        content = response.get("content", {}).get("application/json")
        shape = f" <code>{_e(_type_of(spec, content['schema']))}</code>" if content else ""
        parts.append(f"<div><code>{_e(status)}</code>{shape} {_e(response.get('description', ''))}</div>")
    parts.append("</div>")
    return "".join(parts)


def render_docs(spec: Mapping[str, Any]) -> str:
    """The HTML page for ``spec``."""
    info = spec.get("info", {})
    by_tag: dict[str, list[str]] = {}
    for path, operations in spec.get("paths", {}).items():
        for method in _METHODS:
            if method in operations:
                op = operations[method]
                tag = (op.get("tags") or ["API"])[0]
                by_tag.setdefault(tag, []).append(_operation(spec, path, method, op))
    sections = "".join(f"<h2>{_e(tag)}</h2>{''.join(ops)}" for tag, ops in by_tag.items())
    schemas = "".join(
        f'<h3 id="schema-{_e(name)}">{_e(name)}</h3>{_schema_table(spec, schema)}'
        for name, schema in spec.get("components", {}).get("schemas", {}).items()
    )
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{_e(info.get('title', 'API'))}</title><style>{_STYLE}</style></head><body>"
        f'<h1>{_e(info.get("title", "API"))} <span class="muted">{_e(info.get("version", ""))}</span></h1>'
        f"<p>{_e(info.get('description', ''))}</p>"
        '<p>Errors are always <code>{"error": {"code", "message", "fields"}}</code>. '
        'Machine-readable description: <a href="openapi.json">openapi.json</a>.</p>'
        f"{sections}<h2>Schemas</h2>{schemas}</body></html>"
    )
