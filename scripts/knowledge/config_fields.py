"""config-fields.json: the first version in which a config-file field exists."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .common import ALL_VERSIONS, FACTS_DIR, KnowledgeError, Sources


def build(upstream: Path, sources: Sources) -> dict[str, Any]:
    del upstream  # hand-kept facts only
    facts = sources.load(FACTS_DIR / "config-fields.yaml")
    for kind, fields in facts["kinds"].items():
        for path, entry in fields.items():
            if entry["since"] not in ALL_VERSIONS:
                raise KnowledgeError(f"config-fields {kind}.{path}: since {entry['since']} is not a known version")
            if not entry.get("source"):
                raise KnowledgeError(f"config-fields {kind}.{path}: no source")
    return {"kinds": facts["kinds"]}
