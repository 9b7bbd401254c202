"""The hand-kept tables (settings, features, requirements, audit policies, TLS cipher suites, kubeadm volumes).

The tables are written by hand in YAML beside this file, with their comments. kgen reads the JSON
generated from them: parsing JSON costs a tenth of parsing YAML on every start. The order of keys
and entries is kept (it is the order settings are rendered in), so the JSON is not sorted.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .common import FACTS_DIR, KnowledgeError, Sources

TABLES = ("settings", "features", "requirements", "audit-policies", "node-checks", "tls-cipher-suites", "kubeadm-volumes")


def build(name: str, sources: Sources) -> dict[str, Any]:
    table = sources.load(FACTS_DIR / f"{name}.yaml")
    if not isinstance(table, dict) or not table:
        raise KnowledgeError(f"scripts/knowledge/{name}.yaml: expected a non-empty mapping")
    # JSON keeps strings, numbers, booleans, lists and mappings with string keys; refuse the rest.
    try:
        kept = json.loads(json.dumps(table)) == table
    except (TypeError, ValueError):
        kept = False
    if not kept:
        raise KnowledgeError(f"scripts/knowledge/{name}.yaml: holds values JSON cannot keep as they are")
    return {"_source": sources.block(), "table": table}


def generate(upstream: Path) -> dict[str, str]:
    """Output file name -> exact text of each table's JSON."""
    outputs = {}
    for name in TABLES:
        data = build(name, Sources(upstream))
        outputs[f"{name}.json"] = json.dumps(data, indent=1, ensure_ascii=False) + "\n"
    return outputs
