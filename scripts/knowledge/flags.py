"""flags.json: command-line flags per component with status and the versions they exist in."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .common import ALL_VERSIONS, FACTS_DIR, KnowledgeError, Sources

STATUSES = ("active", "deprecated", "removed")


def _flag(
    type_: str,
    status: str,
    source: str,
    *,
    since: str | None = None,
    removed_in: str | None = None,
    note: str | None = None,
) -> dict[str, Any]:
    if status not in STATUSES:
        raise KnowledgeError(f"unknown flag status {status!r}")
    return {
        "type": type_,
        "status": status,
        "since": since,
        "removedIn": removed_in,
        "deprecatedNote": note if status == "deprecated" else None,
        "note": note if status != "deprecated" else None,
        "source": source,
    }


def _from_upstream_list(data: dict[str, Any], overlay: dict[str, Any]) -> dict[str, Any]:
    flags: dict[str, Any] = {}
    for entry in data["flags"]:
        name = entry["name"]
        source = entry.get("source") or "upstream flag list (no source recorded): " + (entry.get("note") or "")
        flags[name] = _flag(entry["type"], entry["status"], source.strip(), note=entry.get("note"))
    for name, fact in overlay.items():
        if name not in flags:
            raise KnowledgeError(f"flag-facts: {name} is not in the upstream list")
        flags[name]["since"] = fact.get("since", flags[name]["since"])
        flags[name]["removedIn"] = fact.get("removedIn", flags[name]["removedIn"])
        flags[name]["source"] = flags[name]["source"] + "; version: " + fact["source"]
    return flags


def _from_hand_list(data: dict[str, Any]) -> dict[str, Any]:
    flags: dict[str, Any] = {}
    for name, type_ in data["flags"].items():
        flags[name] = _flag(type_, "active", data["source"])
    for name, entry in data.get("later", {}).items():
        flags[name] = _flag(
            entry["type"],
            entry.get("status", "active"),
            entry.get("source", data["source"]),
            since=entry.get("since"),
            note=entry.get("deprecatedNote"),
        )
    return flags


def _from_etcd(data: dict[str, Any]) -> dict[str, Any]:
    flags: dict[str, Any] = {}
    tags = ", ".join(f"{minor}={tag['tag']}@{tag['commit']}" for minor, tag in sorted(data["tags"].items()))
    for name, entry in data["flags"].items():
        deprecated_in = entry.get("deprecatedIn")
        status = "removed" if entry.get("removedIn") else "deprecated" if deprecated_in else "active"
        note = f"deprecated in etcd {deprecated_in}" if deprecated_in else None
        flags[name] = _flag(
            entry["type"],
            status,
            f"{data['source']} at {tags}",
            since=entry["since"],
            removed_in=entry.get("removedIn"),
            note=note,
        )
        if status == "removed" and deprecated_in:
            flags[name]["note"] = note
    return flags


def build(upstream: Path, sources: Sources) -> dict[str, Any]:
    overlay = sources.load(FACTS_DIR / "flag-facts.yaml")
    components: dict[str, Any] = {}
    for component in ("kube-apiserver", "kubelet"):
        data = sources.load(upstream / "flags" / f"{component}.yaml")
        components[component] = {
            "versionScheme": "kubernetes",
            "complete": False,
            "caveats": data.get("caveats", []),
            "flags": _from_upstream_list(data, overlay.get(component, {})),
        }
    for component in ("kube-controller-manager", "kube-scheduler"):
        data = sources.load(FACTS_DIR / f"flags-{component}.yaml")
        components[component] = {
            "versionScheme": "kubernetes",
            "complete": False,
            "caveats": [f"hand-kept list from {data['source']}; flags added later may be missing"],
            "flags": _from_hand_list(data),
        }
    etcd = sources.load(FACTS_DIR / "flags-etcd.yaml")
    components["etcd"] = {
        "versionScheme": "etcd",
        "complete": True,
        "caveats": ["since/removedIn are etcd minor versions; see etcdByKubernetes"],
        "flags": _from_etcd(etcd),
    }
    etcd_map = etcd["etcdByKubernetes"]
    if sorted(etcd_map["versions"]) != sorted(ALL_VERSIONS):
        raise KnowledgeError("flags-etcd.yaml etcdByKubernetes must cover every known Kubernetes version")
    for component, block in components.items():
        for name, flag in block["flags"].items():
            for key in ("since", "removedIn"):
                value = flag[key]
                known = ALL_VERSIONS if block["versionScheme"] == "kubernetes" else tuple(etcd["tags"])
                if value is not None and value not in known:
                    raise KnowledgeError(f"{component} --{name}: {key} {value} is not a known version")
    return {"components": components, "etcdByKubernetes": etcd_map}
