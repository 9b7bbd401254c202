"""kubeadm-gates.json: kubeadm-only gates (ClusterConfiguration.featureGates), kept apart from kube gates."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .common import ALL_VERSIONS, KnowledgeError, Sources, lower_stage, version_key


def build(upstream: Path, sources: Sources) -> dict[str, Any]:
    data = sources.load(upstream / "kubernetes" / "kubeadm_feature_gates.yaml")
    gates: dict[str, Any] = {}
    for name, entry in data["gates"].items():
        stages = sorted(entry["stages"], key=lambda s: version_key(str(s["version"])))
        removed_in = entry.get("removed_in")
        states: dict[str, Any] = {}
        for version in ALL_VERSIONS:
            current = None
            for stage in stages:
                if version_key(str(stage["version"])) <= version_key(version):
                    current = stage
            if current is None or (removed_in and version_key(version) >= version_key(removed_in)):
                states[version] = None
            else:
                states[version] = {
                    "stage": lower_stage(current["stage"]),
                    "default": bool(current["default"]),
                    "locked": bool(current.get("locked", False)),
                }
        if all(state is None for state in states.values()):
            continue
        gates[name] = {
            "removedIn": removed_in,
            "removalConfidence": entry.get("confidence"),
            "evidence": entry.get("evidence"),
            "states": states,
        }
    if not gates:
        raise KnowledgeError("no kubeadm gates in range")
    return {"versions": list(ALL_VERSIONS), "gates": gates, "relatedConfig": data.get("related_config")}
