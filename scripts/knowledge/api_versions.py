"""api-versions.json: the apiVersion kgen renders for each config kind, per minor version."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .common import ALL_VERSIONS, FACTS_DIR, KnowledgeError, Sources, versions_from


def build(upstream: Path, sources: Sources) -> dict[str, Any]:
    del upstream  # hand-kept facts only
    facts = sources.load(FACTS_DIR / "api-versions.yaml")
    kinds: dict[str, Any] = {}
    for kind, entry in facts["kinds"].items():
        by_version: dict[str, str] = {}
        for item in entry["ranges"]:
            for version in versions_from(item["from"], item.get("to")):
                if version in by_version:
                    raise KnowledgeError(f"api-versions {kind}: overlapping ranges at {version}")
                by_version[version] = item["apiVersion"]
        missing = [v for v in ALL_VERSIONS if v not in by_version]
        if missing:
            raise KnowledgeError(f"api-versions {kind}: no apiVersion for {', '.join(missing)}")
        kinds[kind] = {"versions": by_version, "source": entry["source"]}
    return {"kinds": kinds}
