"""The API reference page (``/docs``), read from the OpenAPI document: operations, their
parameters, the response model each answers with, and every schema with its fields.

Descriptions are Markdown-ish text: they are escaped first, then only ```code``` spans become
``<code>`` elements; nothing else of the text is ever read as HTML.
"""

from __future__ import annotations

import re
from typing import Any

from markupsafe import Markup, escape

_CODE = re.compile(r"(`{1,2})([^`\n]+)\1")


def inline_code(text: str | None) -> Markup:
    """``text`` escaped for HTML, its ```code``` spans as ``<code>`` (no other Markdown)."""
    return Markup(_CODE.sub(lambda m: f"<code>{m.group(2)}</code>", str(escape(text or ""))))


def _ref_name(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


def type_of(schema: dict[str, Any]) -> list[tuple[str, str | None]]:
    """A schema as words and links: ``[("list of ", None), ("Meeting", "Meeting")]`` (link: a schema name)."""
    if "$ref" in schema:
        name = _ref_name(schema["$ref"])
        return [(name, name)]
    if "anyOf" in schema or "oneOf" in schema:
        parts: list[tuple[str, str | None]] = []
        for n, option in enumerate(schema.get("anyOf") or schema.get("oneOf") or []):
            parts += ([(" | ", None)] if n else []) + type_of(option)
        return parts
    kind = schema.get("type")
    if kind == "array":
        if "prefixItems" in schema:
            inner: list[tuple[str, str | None]] = [("[", None)]
            for n, item in enumerate(schema["prefixItems"]):
                inner += ([(", ", None)] if n else []) + type_of(item)
            return [*inner, ("]", None)]
        return [("list of ", None), *type_of(schema.get("items", {}))]
    if kind == "object" and isinstance(schema.get("additionalProperties"), dict):
        return [("object of ", None), *type_of(schema["additionalProperties"])]
    if "const" in schema:
        return [(repr(schema["const"]), None)]
    if "enum" in schema:
        return [(" | ".join(str(v) for v in schema["enum"]), None)]
    words = str(kind or "any")
    if schema.get("format"):
        words += f" ({schema['format']})"
    return [(words, None)]


def _parameter(p: dict[str, Any]) -> dict[str, Any]:
    schema = p.get("schema", {})
    choices = schema.get("enum") or [v for s in schema.get("anyOf", []) for v in s.get("enum", [])]
    kind = schema.get("type") or "/".join(s.get("type", "") for s in schema.get("anyOf", []) if s)
    return {
        "name": p["name"],
        "in": p["in"],
        "required": p.get("required", False),
        "type": kind,
        "choices": choices,
        "default": schema.get("default"),
        "pattern": schema.get("pattern")
        or next((s.get("pattern") for s in schema.get("anyOf", []) if s.get("pattern")), None),
        "description": inline_code(p.get("description", "") or schema.get("description", "")),
    }


def _responses(op: dict[str, Any]) -> list[dict[str, Any]]:
    """Each documented status with its JSON schema (a name, when it is a component) and media types."""
    out = []
    for status, answer in op.get("responses", {}).items():
        content = answer.get("content", {})
        schema = content.get("application/json", {}).get("schema")
        out.append(
            {
                "status": status,
                "description": inline_code(answer.get("description", "")),
                "type": type_of(schema) if schema else None,
                "media": list(content),
            }
        )
    return out


def _schemas(spec: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for name, schema in sorted(spec.get("components", {}).get("schemas", {}).items()):
        required = set(schema.get("required", []))
        fields = [
            {
                "name": field,
                "type": type_of(inner),
                "required": field in required,
                "description": inline_code(inner.get("description", "")),
            }
            for field, inner in schema.get("properties", {}).items()
        ]
        out.append({"name": name, "description": inline_code(schema.get("description", "")), "fields": fields})
    return out


def api_reference(spec: dict[str, Any]) -> dict[str, Any]:
    """What ``docs.html`` draws: the API's title and description, its operations and its schemas."""
    operations = []
    for path, methods in spec.get("paths", {}).items():
        for method, op in methods.items():
            operations.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "summary": op.get("summary", ""),
                    "description": inline_code(op.get("description", "")),
                    "parameters": [_parameter(p) for p in op.get("parameters", [])],
                    "responses": _responses(op),
                    "anchor": re.sub(r"[^a-z0-9]+", "-", f"{method}{path}".lower()).strip("-"),
                    "example": path if "{" not in path else None,
                }
            )
    info = dict(spec.get("info", {}))
    info["description"] = inline_code(info.get("description", ""))
    return {"info": info, "operations": operations, "schemas": _schemas(spec)}
