"""installers.json: what kgen needs to know about Cluster API's kubeadm providers and kind.

A step of scripts/update-knowledge. The hand-kept facts (scripts/knowledge/installer-facts.yaml) are joined
with the facts extracted from the upstream code (upstream/installers/kind/kind-kubeadm-facts.yaml: which
kubeadm API kind generates for each Kubernetes version, its default node image; upstream/installers/capi/
capi-webhook-rules.yaml: the extraArgs shape of each Cluster API version), and checked against each other.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from .common import FACTS_DIR, KnowledgeError, Sources

FACTS = FACTS_DIR / "installer-facts.yaml"
_BOUND = re.compile(r"([<>]=?)\s*([0-9]+)\.([0-9]+)\.[0-9]+")


def _kind_kubeadm_ranges(raw: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """[{apiVersion, from, below}] with minor versions ('1.23'), from the upstream '>= 1.23.0, < 1.36.0' texts."""
    ranges = []
    for entry in raw:
        low = high = None
        for operator, major, minor in _BOUND.findall(str(entry["kubernetes"])):
            if operator == ">=":
                low = f"{major}.{minor}"
            elif operator == "<":
                high = f"{major}.{minor}"
            else:
                raise KnowledgeError(f"kind: unexpected bound {operator} in {entry['kubernetes']!r}")
        ranges.append({"apiVersion": entry["apiVersion"], "from": low, "below": high})
    return ranges


def build(upstream: Path, sources: Sources) -> dict[str, Any]:
    facts = sources.load(FACTS)
    kind_upstream = sources.load(upstream / "installers" / "kind" / "kind-kubeadm-facts.yaml")
    capi_upstream = sources.load(upstream / "installers" / "capi" / "capi-webhook-rules.yaml")
    for contract, entry in facts["capi"]["contracts"].items():
        shape = str(capi_upstream["extraArgsShape"][contract])
        expected = "list" if shape.startswith("list") else "map" if shape.startswith("map") else None
        if entry["extraArgs"] != expected:
            raise KnowledgeError(f"capi {contract}: facts say extraArgs {entry['extraArgs']}, upstream says {shape!r}")
    kind = dict(facts["kind"])
    kind["kubeadmApiVersions"] = _kind_kubeadm_ranges(kind_upstream["kubeadmApiVersionByKubernetesVersion"])
    kind["defaultNodeImage"] = kind_upstream["defaultNodeImage"]
    kind["upstreamCommit"] = kind_upstream["source"]["commit"]
    capi = dict(facts["capi"])
    capi["upstreamCommit"] = capi_upstream["source"]["commit"]
    return {"capi": capi, "kind": kind}
