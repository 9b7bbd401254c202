"""Helpers shared by the knowledge steps: versions, YAML input, deterministic JSON output, provenance."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml

SUPPORTED_VERSIONS = ("1.31", "1.32", "1.33", "1.34", "1.35", "1.36", "1.37")
PREVIEW_VERSIONS = ("1.38",)
ALL_VERSIONS = SUPPORTED_VERSIONS + PREVIEW_VERSIONS
COMPONENTS = ("kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubelet", "kube-proxy")

FACTS_DIR = Path(__file__).resolve().parent
REPO_ROOT = FACTS_DIR.parent.parent

_COMMIT = re.compile(r"\b[0-9a-f]{40}\b")


class KnowledgeError(Exception):
    """Upstream data or a hand-kept fact is inconsistent; generation stops."""


def version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def versions_from(start: str, end: str | None = None) -> list[str]:
    """Known versions in [start, end] (end inclusive, open when None)."""
    return [
        v for v in ALL_VERSIONS if version_key(v) >= version_key(start) and (end is None or version_key(v) <= version_key(end))
    ]


class Sources:
    """Records every file a step read, with the commits its header comments name."""

    def __init__(self, upstream: Path) -> None:
        self.upstream = upstream
        self.inputs: dict[str, dict[str, Any]] = {}

    def load(self, path: Path) -> Any:
        text = path.read_text(encoding="utf-8")
        if path.is_relative_to(self.upstream):
            label = "upstream/" + path.relative_to(self.upstream).as_posix()
        else:
            label = path.relative_to(REPO_ROOT).as_posix()
        header = [line[1:].strip() for line in text.splitlines() if line.startswith("#")][:12]
        commits = sorted(set(_COMMIT.findall("\n".join(header))))
        record: dict[str, Any] = {"commits": commits}
        if header:
            record["records"] = header[0]
        self.inputs[label] = record
        return yaml.safe_load(text)

    def block(self) -> dict[str, Any]:
        return {"generator": "scripts/update-knowledge", "inputs": self.inputs}


def dump_json(data: Any) -> str:
    return json.dumps(data, sort_keys=True, indent=1, ensure_ascii=False) + "\n"


def dump_json_lines(data: dict[str, Any], rows: str) -> str:
    """JSON Lines: the header (every key but ``rows``) on the first line, then one row per line.

    Each row is ``{"name": KEY, ...}`` with ``name`` first and the rest sorted, rows sorted by name.
    A reader indexes the rows by the name at the start of each line and parses only those it uses:
    a render asks for a handful of the few hundred feature gates. One row per line also makes a
    change to one gate one changed line in review.
    """
    header = {key: value for key, value in data.items() if key != rows}
    lines = [json.dumps(header, sort_keys=True, ensure_ascii=False, separators=(",", ":"))]
    for name, row in sorted(data[rows].items()):
        if not re.fullmatch(r"[A-Za-z0-9]+", name):
            raise KnowledgeError(f"{rows}: row name {name!r} is not alphanumeric")
        body = json.dumps(row, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        lines.append(f'{{"name":"{name}",{body[1:]}' if body != "{}" else f'{{"name":"{name}"}}')
    return "\n".join(lines) + "\n"


def lower_stage(stage: str) -> str:
    stages = {"Alpha": "alpha", "Beta": "beta", "GA": "ga", "Deprecated": "deprecated"}
    if stage not in stages:
        raise KnowledgeError(f"unknown stage {stage!r}")
    return stages[stage]
