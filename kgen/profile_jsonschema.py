"""The profile format as a JSON Schema (draft 2020-12), translated from the one cerberus schema.

Editors (through the YAML language server) and other tools read JSON Schema, not cerberus. This
module translates ``PROFILE_SCHEMA`` rule by rule, so the two cannot drift: a cerberus rule it does
not know is an error here, not a silently looser JSON Schema. The translation describes one profile
*file*, before ``extends`` merges it with its parents: a file that extends another may leave out
what its parent provides (``name``), and nothing a parent may fill in is required of it.

What JSON Schema cannot say is left to ``kgen validate``: rules that depend on the Kubernetes
version, on other keys, or on the merged result of ``extends``.
"""

from __future__ import annotations

import json
from typing import Any

SCHEMA_ID = "https://example.invalid/kgen/profile.schema.json"
DRAFT = "https://json-schema.org/draft/2020-12/schema"

# cerberus type -> JSON Schema type
_TYPES = {
    "string": "string",
    "boolean": "boolean",
    "integer": "integer",
    "float": "number",
    "number": "number",
    "dict": "object",
    "list": "array",
}
# Rules that carry no constraint of their own (documentation, or cerberus defaults that JSON Schema shares).
_DESCRIPTIVE = {"meta", "default", "type", "nullable", "required", "schema", "empty"}


class UntranslatableRule(Exception):
    """A cerberus rule this module has no JSON Schema equivalent for: extend the translation."""


def _pattern(regex: str) -> str:
    """cerberus matches a regex against the whole string; JSON Schema's ``pattern`` searches.

    Anchor the whole expression, and write Python-only anchors in the ECMA-262 dialect that JSON
    Schema uses (``\\Z`` is Python's strict end of text; ECMA's ``$`` without the m flag means the same).
    """
    body = regex.replace(r"\Z", "$").replace(r"\A", "^")
    if body.startswith("^") and body.endswith("$") and "|" not in body:
        return body
    return f"^(?:{body})$"


def _rule(rule: dict[str, Any]) -> dict[str, Any]:
    unknown = (
        set(rule)
        - _DESCRIPTIVE
        - {
            "allowed",
            "regex",
            "min",
            "max",
            "minlength",
            "maxlength",
            "keysrules",
            "valuesrules",
        }
    )
    if unknown:
        raise UntranslatableRule(f"no JSON Schema translation for cerberus rule(s) {sorted(unknown)}")
    kind = rule.get("type")
    if kind not in _TYPES:
        raise UntranslatableRule(f"no JSON Schema type for cerberus type {kind!r}")
    out: dict[str, Any] = {}
    doc = " ".join(str(rule.get("meta", {}).get("doc", "")).split())
    if doc:
        out["description"] = doc
    json_type = _TYPES[kind]
    # cerberus replaces an explicit null (``key:`` with nothing after it) by the key's default.
    takes_null = rule.get("nullable") or "default" in rule
    out["type"] = [json_type, "null"] if takes_null else json_type
    if "default" in rule and not (kind == "dict" and rule["default"] == {}):
        out["default"] = rule["default"]
    if kind == "list":
        if "allowed" in rule:
            out["items"] = {"enum": list(rule["allowed"])}
        elif isinstance(rule.get("schema"), dict):
            out["items"] = _rule(rule["schema"])
        _bounds(rule, out, "minItems", "maxItems")
    elif kind == "dict":
        inner = rule.get("schema")
        if isinstance(inner, dict):
            out.update(_object(inner))
        if "keysrules" in rule:
            out["propertyNames"] = _rule(rule["keysrules"])
        if "valuesrules" in rule:
            out["additionalProperties"] = _rule(rule["valuesrules"])
    else:
        if "allowed" in rule:
            out["enum"] = [*rule["allowed"], None] if takes_null else list(rule["allowed"])
        if "regex" in rule:
            out["pattern"] = _pattern(rule["regex"])
        if kind == "string":
            if rule.get("empty") is False:
                out["minLength"] = max(1, int(rule.get("minlength", 1)))
            _bounds(rule, out, "minLength", "maxLength")
        if "min" in rule:
            out["minimum"] = rule["min"]
        if "max" in rule:
            out["maximum"] = rule["max"]
    return out


def _bounds(rule: dict[str, Any], out: dict[str, Any], low: str, high: str) -> None:
    if "minlength" in rule:
        out[low] = max(out.get(low, 0), rule["minlength"])
    if "maxlength" in rule:
        out[high] = rule["maxlength"]


def _object(schema: dict[str, Any]) -> dict[str, Any]:
    """A cerberus ``schema`` of a dict: known keys only (the profile rejects unknown keys everywhere)."""
    required = [key for key, rule in schema.items() if rule.get("required")]
    out: dict[str, Any] = {
        "properties": {key: _rule(rule) for key, rule in schema.items()},
        "additionalProperties": False,
    }
    if required:
        out["required"] = required
    return out


def profile_json_schema() -> dict[str, Any]:
    """The JSON Schema of one profile file."""
    from kgen.profile_schema import PROFILE_SCHEMA

    body = _object(PROFILE_SCHEMA)
    top_required = body.pop("required", [])
    schema: dict[str, Any] = {
        "$schema": DRAFT,
        "$id": SCHEMA_ID,
        "title": "kgen hardening profile",
        "description": (
            "One kgen profile file. Generated from kgen's profile schema by `kgen schema`; "
            "`kgen validate` also checks what depends on the Kubernetes version and on `extends`."
        ),
        "type": "object",
        **body,
    }
    if top_required:
        # A file that extends another may inherit these keys from its parent.
        schema["if"] = {"not": {"required": ["extends"]}}
        schema["then"] = {"required": top_required}
    return schema


def profile_json_schema_text() -> str:
    """The schema as the bytes ``kgen schema`` prints and the package ships (stable key order)."""
    return json.dumps(profile_json_schema(), indent=2, ensure_ascii=False) + "\n"


SHIPPED_FILE = "profile.schema.json"  # beside this module; tests/test_profile_jsonschema.py keeps it current


def shipped_schema_text() -> str:
    """The schema file shipped in the package (the same bytes as ``profile_json_schema_text()``)."""
    from pathlib import Path

    return (Path(__file__).resolve().parent / SHIPPED_FILE).read_text(encoding="utf-8")


if __name__ == "__main__":
    print(profile_json_schema_text(), end="")
