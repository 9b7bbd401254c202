"""The hand-kept tables the planner reads.

Each table is written in scripts/knowledge/<name>.yaml and generated into kgen/data/<name>.json.
"""

from __future__ import annotations

from typing import Any


def _data(name: str) -> Any:
    """A hand-kept table (written in scripts/knowledge/<name>.yaml, generated into kgen/data/<name>.json)."""
    from kgen.knowledge._data import load

    return load(f"{name}.json")["table"]


def settings_table() -> dict[str, list[dict[str, Any]]]:
    data: dict[str, list[dict[str, Any]]] = _data("settings")
    return data


def features_table() -> dict[str, dict[str, Any]]:
    data: dict[str, dict[str, Any]] = _data("features")
    return data


def requirements_table() -> dict[str, dict[str, Any]]:
    data: dict[str, dict[str, Any]] = _data("requirements")
    return data


def audit_policies() -> dict[str, list[dict[str, Any]]]:
    data: dict[str, list[dict[str, Any]]] = _data("audit-policies")
    return data
