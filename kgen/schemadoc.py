"""The profile reference page, generated from the schema's own descriptions and defaults."""

from __future__ import annotations

import json
from typing import Any

from kgen.profile_schema import PROFILE_SCHEMA


def _default(rule: dict[str, Any]) -> str:
    if "default" not in rule or (rule.get("type") == "dict" and rule["default"] == {}):
        return ""
    return "`" + json.dumps(rule["default"]) + "`"


def _kind(rule: dict[str, Any]) -> str:
    kind = str(rule.get("type", ""))
    if "allowed" in rule:
        return "one of " + ", ".join(f"`{v}`" for v in rule["allowed"])
    if kind == "list" and isinstance(rule.get("schema"), dict):
        inner = rule["schema"].get("type", "")
        return f"list of {inner}" if inner != "dict" else "list of mappings"
    return kind


def _rows(schema: dict[str, Any], prefix: str = "") -> list[str]:
    rows = []
    for key, rule in schema.items():
        path = f"{prefix}{key}"
        doc = " ".join(str(rule.get("meta", {}).get("doc", "")).split())
        required = " (required)" if rule.get("required") else ""
        rows.append(f"| `{path}` | {_kind(rule)}{required} | {_default(rule)} | {doc} |")
        inner = rule.get("schema")
        if rule.get("type") == "dict" and isinstance(inner, dict):
            rows.extend(_rows(inner, path + "."))
        elif rule.get("type") == "list" and isinstance(inner, dict) and inner.get("type") == "dict":
            rows.extend(_rows(inner["schema"], path + "[]."))
    return rows


def reference_markdown() -> str:
    lines = [
        "# Profile reference",
        "",
        "Generated from kgen's profile schema (`kgen/profile_schema.py`) by "
        "`python -m kgen.schemadoc > docs/profile-reference.md`.",
        "Every key, its type, its default and what it means. Defaults apply when a key is absent; `extends` merges",
        "mappings key by key and replaces lists whole.",
        "",
        "| key | type | default | meaning |",
        "| --- | --- | --- | --- |",
        *_rows(PROFILE_SCHEMA),
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(reference_markdown(), end="")
