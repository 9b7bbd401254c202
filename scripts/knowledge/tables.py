"""The hand-kept tables (settings, features, requirements, audit policies, TLS cipher suites, kubeadm volumes, admission plugins).

The tables are written by hand in YAML beside this file, with their comments. kgen reads the JSON
generated from them: parsing JSON costs a tenth of parsing YAML on every start. The order of keys
and entries is kept (it is the order settings are rendered in), so the JSON is not sorted. A table
whose facts can be checked against upstream data names its check in CHECKS; a failed check stops generation.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import admission_plugins
from .common import FACTS_DIR, KnowledgeError, Sources

TABLES = (
    "settings",
    "features",
    "requirements",
    "audit-policies",
    "node-checks",
    "tls-cipher-suites",
    "kubeadm-volumes",
    "admission-plugins",
)
# table -> the check its facts pass before it is written (it may read upstream data, recorded in _source)
CHECKS: dict[str, Callable[[dict[str, Any], Sources], None]] = {"admission-plugins": admission_plugins.check}


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
    if name in CHECKS:
        CHECKS[name](table, sources)
    return {"_source": sources.block(), "table": table}


def table_text(name: str, upstream: Path) -> str:
    """The exact text of one table's JSON."""
    return json.dumps(build(name, Sources(upstream)), indent=1, ensure_ascii=False) + "\n"


def generate(upstream: Path) -> dict[str, str]:
    """Output file name -> exact text of each table's JSON."""
    return {f"{name}.json": table_text(name, upstream) for name in TABLES}
