"""apiVersions of config kinds and the versions config fields appeared in."""

from __future__ import annotations

from kgen.errors import KgenError
from kgen.knowledge._data import load
from kgen.knowledge.versions import check_version


def api_version(kind: str, version: str) -> str:
    """The apiVersion kgen writes for a config kind in that Kubernetes release."""
    version = check_version(version)
    kinds = load("api-versions.json")["kinds"]
    if kind not in kinds:
        raise KgenError(f"no apiVersion known for kind {kind!r}; known kinds: {', '.join(sorted(kinds))}")
    api: str = kinds[kind]["versions"][version]
    return api


def field_since(kind: str, dotted_path: str) -> str | None:
    """First Kubernetes minor in which the field exists; None means every supported version has it."""
    fields = load("config-fields.json")["kinds"].get(kind, {})
    entry = fields.get(dotted_path)
    return None if entry is None else str(entry["since"])
