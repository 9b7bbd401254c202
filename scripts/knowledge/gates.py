"""feature-gates.jsonl: every Kubernetes and client-go feature gate, per minor version."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .common import (
    ALL_VERSIONS,
    COMPONENTS,
    FACTS_DIR,
    KnowledgeError,
    Sources,
    lower_stage,
    version_key,
)


def _state(stage: str, default: bool, locked: bool) -> dict[str, Any]:
    return {"stage": lower_stage(stage), "default": bool(default), "locked": bool(locked)}


def _state_from_specs(specs: list[dict[str, Any]], version: str) -> dict[str, Any] | None:
    """State at a version from a versionedSpecs list: the newest spec not newer than the version."""
    current = None
    for spec in sorted(specs, key=lambda s: version_key(str(s["version"]))):
        if version_key(str(spec["version"])) <= version_key(version):
            current = spec
    if current is None:
        return None
    return _state(current["preRelease"], current["default"], current.get("lockToDefault", False))


def build(upstream: Path, sources: Sources) -> dict[str, Any]:
    kube = upstream / "kubernetes"
    matrix = sources.load(kube / "feature_gates_by_version.yaml")
    newest_list = sources.load(kube / "versioned_feature_list.yaml")
    removed = sources.load(kube / "removed_feature_gates.yaml")
    client_go = sources.load(kube / "client_go_feature_gates.yaml")
    facts = sources.load(FACTS_DIR / "gate-facts.yaml")

    dependencies: dict[str, list[str]] = facts["dependencies"]["gates"]
    gates: dict[str, Any] = {}

    for name, entry in matrix.items():
        kep_components = [c for c in entry.get("kep_components") or [] if c in COMPONENTS]
        states = {}
        for version in ALL_VERSIONS:
            raw = entry["versions"].get(version)
            states[version] = None if raw is None else _state(raw["stage"], raw["default"], raw["locked"])
        removal = removed.get(name) or {}
        gates[name] = {
            "origin": "kubernetes",
            "kep": entry.get("kep"),
            "components": kep_components,
            "componentsSource": "kep.yaml" if kep_components else None,
            "removedIn": entry.get("removed_in"),
            "removalConfidence": entry.get("removal_confidence"),
            "removalEvidence": removal.get("evidence"),
            "renamedTo": entry.get("renamed_to"),
            "states": states,
        }

    for name, specs in client_go.items():
        if name in gates:
            raise KnowledgeError(f"client-go gate {name} also in the Kubernetes matrix")
        gates[name] = {
            "origin": "client-go",
            "kep": None,
            "components": list(COMPONENTS),
            "componentsSource": "client-go gate: every kube binary registers it (pkg/features init())",
            "removedIn": None,
            "removalConfidence": None,
            "removalEvidence": None,
            "renamedTo": None,
            "states": {v: _state_from_specs(specs, v) for v in ALL_VERSIONS},
        }

    for name, fact in facts["components"].items():
        gate = _require(gates, name, "components")
        added = [c for c in fact["add"] if c not in gate["components"]]
        for component in fact["add"]:
            if component not in COMPONENTS:
                raise KnowledgeError(f"gate-facts components.{name}: unknown component {component}")
        gate["components"] = sorted(gate["components"] + added, key=COMPONENTS.index)
        gate["componentsSource"] = "; ".join(filter(None, [gate["componentsSource"], fact["source"]]))

    for name, fact in facts["keps"].items():
        _require(gates, name, "keps")["kep"] = fact["kep"]

    for name, gate in gates.items():
        gate["componentsKnown"] = bool(gate["components"])
        if not gate["components"]:
            gate["components"] = list(COMPONENTS)
        gate["components"] = sorted(gate["components"], key=COMPONENTS.index)
        gate["dependsOn"] = sorted(dependencies.get(name, []))
        gate["runtimeConfig"] = {}
        gate["runtimeConfigSources"] = {}

    for name, deps in dependencies.items():
        _require(gates, name, "dependencies")
        for dep in deps:
            _require(gates, dep, f"dependencies.{name}")

    for name, ranges in facts["runtimeConfig"].items():
        gate = _require(gates, name, "runtimeConfig")
        for item in ranges:
            for version in item["versions"]:
                if gate["states"].get(version) is None:
                    raise KnowledgeError(f"runtimeConfig.{name}: gate does not exist in {version}")
                gate["runtimeConfig"].setdefault(version, []).extend(item["entries"])
                gate["runtimeConfigSources"][version] = item["source"]

    _self_check(gates, newest_list)
    return {
        "versions": list(ALL_VERSIONS),
        "components": list(COMPONENTS),
        "dependenciesSource": facts["dependencies"]["source"],
        "gates": gates,
    }


def _require(gates: dict[str, Any], name: str, where: str) -> dict[str, Any]:
    if name not in gates:
        raise KnowledgeError(f"gate-facts {where}: {name} is not a known gate")
    gate: dict[str, Any] = gates[name]
    return gate


def _self_check(gates: dict[str, Any], newest_list: list[dict[str, Any]]) -> None:
    """Cross-check the data against the verbatim newest upstream list, gate by gate, version by version."""
    problems = []
    for item in newest_list:
        name = item["name"]
        gate = gates.get(name)
        if gate is None:
            problems.append(f"{name}: in the newest upstream list but missing from the data")
            continue
        for version in ALL_VERSIONS:
            expected = _state_from_specs(item["versionedSpecs"], version)
            if gate["states"][version] != expected:
                problems.append(f"{name} {version}: data {gate['states'][version]} != upstream list {expected}")
    for name, gate in gates.items():
        removed_in = gate["removedIn"]
        if removed_in is None:
            continue
        for version, state in gate["states"].items():
            if version_key(version) >= version_key(removed_in) and state is not None:
                problems.append(f"{name}: removed in {removed_in} but has a state in {version}")
    if problems:
        raise KnowledgeError("feature gate self-check failed:\n  " + "\n  ".join(problems))
