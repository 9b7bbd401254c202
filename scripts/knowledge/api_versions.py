"""api-versions.json: per minor version, the apiVersion kgen renders for each config kind, every apiVersion
the release reads for it, and the API group versions and resources kube-apiserver serves for --runtime-config."""

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
        kinds[kind] = {
            "versions": by_version,
            "served": _served(kind, entry, by_version),
            "source": entry["source"],
            "servedSource": entry["servedSource"],
        }
    runtime = sources.load(FACTS_DIR / "runtime-config.yaml")
    return {"kinds": kinds, "apiGroups": _groups(runtime), "apiGroupsSource": runtime["source"]}


def _served(kind: str, entry: dict[str, Any], written: dict[str, str]) -> dict[str, list[str]]:
    """Version -> apiVersions the release reads, the one kgen writes first, then the others in sorted order."""
    served: dict[str, list[str]] = {version: [] for version in ALL_VERSIONS}
    for item in entry["served"]:
        for version in versions_from(item["from"], item.get("to")):
            if item["apiVersion"] in served[version]:
                raise KnowledgeError(f"api-versions {kind}: {item['apiVersion']} listed twice for {version}")
            served[version].append(item["apiVersion"])
    for version, api_versions in served.items():
        if written[version] not in api_versions:
            raise KnowledgeError(f"api-versions {kind}: kgen writes {written[version]} for {version}, which is not served there")
        served[version] = [written[version], *sorted(api for api in api_versions if api != written[version])]
    return served


def _groups(facts: dict[str, Any]) -> dict[str, Any]:
    """Group -> version -> minor -> served resources, for the minors that register the group version."""
    groups: dict[str, Any] = {}
    for group, versions in facts["groups"].items():
        for group_version, ranges in versions.items():
            by_minor: dict[str, list[str]] = {}
            for item in ranges:
                for minor in versions_from(item["from"], item.get("to")):
                    if minor in by_minor:
                        raise KnowledgeError(f"runtime-config {group}/{group_version}: overlapping ranges at {minor}")
                    by_minor[minor] = sorted(item["resources"])
            groups.setdefault(group, {})[group_version] = by_minor
    return groups
