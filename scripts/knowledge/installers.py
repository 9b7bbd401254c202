"""installers.json: what kgen needs to know about kubeadm, Cluster API's kubeadm providers and kind.

A step of scripts/update-knowledge. The hand-kept facts (scripts/knowledge/installer-facts.yaml) are joined
with the facts extracted from the upstream code (upstream/installers/kind/kind-kubeadm-facts.yaml: which
kubeadm API kind generates for each Kubernetes version, its default node image; upstream/installers/capi/
capi-webhook-rules.yaml: the extraArgs shape of each Cluster API version), and checked against each other
and against the upstream schemas they name (the KubeadmControlPlane CRDs, kubeadm's v1beta4 ClusterConfiguration).
kubeadm's own facts (where its ClusterConfiguration takes each component's extra flags, and where the
documents that register a node take the kubelet's) are checked against those kinds' schemas.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from .common import COMPONENTS, FACTS_DIR, KnowledgeError, Sources

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


def _schema(upstream: Path, sources: Sources, relative: str) -> dict[str, Any]:
    """An upstream JSON schema, parsed as JSON (YAML is slow on files this size) and recorded as an input."""
    path = upstream / relative
    schema: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    provenance = schema["x-kgen-provenance"]
    sources.inputs[f"upstream/{relative}"] = {
        "commits": [str(provenance["commit"])],
        "records": f"{provenance['apiVersion']} {provenance['kind']} schema ({provenance['repo']} {provenance['path']})",
    }
    return schema


def _properties(schema: dict[str, Any], path: list[str]) -> dict[str, Any]:
    """The properties of the object at ``path`` (property names from the root), or {} when there is none."""
    node: Any = schema
    for part in path:
        node = node.get("properties", {}).get(part) if isinstance(node, dict) else None
    properties = node.get("properties", {}) if isinstance(node, dict) else {}
    return dict(properties)


def _resolved(schema: dict[str, Any], node: Any) -> Any:
    """``node`` with local $refs followed and an optional (anyOf with null) unwrapped."""
    while isinstance(node, dict):
        if "$ref" in node:
            name = str(node["$ref"]).removeprefix("#/$defs/")
            node = schema.get("$defs", {}).get(name)
        elif "anyOf" in node:
            choices = [choice for choice in node["anyOf"] if choice.get("type") != "null"]
            node = choices[0] if len(choices) == 1 else None
        else:
            break
    return node


def _holds_args(schema: dict[str, Any], path: list[str]) -> bool:
    """Whether ``path`` in the schema is a list of kubeadm's Arg ({name, value})."""
    node: Any = schema
    for part in path:
        properties = node.get("properties", {}) if isinstance(node, dict) else {}
        node = _resolved(schema, properties.get(part))
    items = _resolved(schema, node.get("items")) if isinstance(node, dict) else None
    fields = set(items.get("properties", {})) if isinstance(items, dict) else set()
    return fields == {"name", "value"}  # kubeadm's Arg; extraEnvs items (EnvVar) also have valueFrom


def _check_kubeadm(facts: dict[str, Any], schemas: dict[str, dict[str, Any]]) -> None:
    """Each component's extra-flags place is a ClusterConfiguration field holding a list of {name, value}, and
    the kubelet's is such a field of every kind that registers a node."""
    components = [entry["component"] for entry in facts["extraArgs"]]
    unknown = sorted(set(components) - {*COMPONENTS, "etcd"})
    if unknown or len(set(components)) != len(components):
        raise KnowledgeError(f"kubeadm extraArgs: unknown or repeated components: {', '.join(unknown)}")
    for component, path in ((entry["component"], entry["path"]) for entry in facts["extraArgs"]):
        if not _holds_args(schemas["ClusterConfiguration"], path):
            where = ".".join(path)
            raise KnowledgeError(
                f"kubeadm extraArgs {component}: {where} is not a list of {{name, value}} in kubeadm v1beta4 ClusterConfiguration"
            )
    kubelet = facts["kubeletExtraArgs"]
    for kind in kubelet["kinds"]:
        if kind not in schemas or not _holds_args(schemas[kind], kubelet["path"]):
            where = ".".join(kubelet["path"])
            raise KnowledgeError(f"kubeadm kubeletExtraArgs: {where} is not a list of {{name, value}} in kubeadm v1beta4 {kind}")


def _check_capi(facts: dict[str, Any], upstream: Path, sources: Sources, cluster_configuration: set[str]) -> None:
    """The infrastructureRef shape of each contract is its KubeadmControlPlane CRD's; kubeadmConfigSpec has no
    kube-proxy field; the fields Cluster API fills are ClusterConfiguration fields."""
    for contract, entry in facts["contracts"].items():
        name = entry["controlPlaneApiVersion"].replace("/", "_") + "_KubeadmControlPlane.json"
        crd = _schema(upstream, sources, f"installers/capi/{name}")
        reference = entry["infrastructureRef"]
        fields = _properties(crd, ["spec", "machineTemplate", *reference["path"]])
        if not {reference["groupField"], "kind", "name"} <= set(fields):
            raise KnowledgeError(f"capi {contract}: infrastructureRef: {name} has no {reference['groupField']}/kind/name there")
        if any("proxy" in field.lower() for field in _properties(crd, ["spec", "kubeadmConfigSpec"])):
            raise KnowledgeError(f"capi {contract}: {name} has a kube-proxy field; kubeProxyConfiguration says it has none")
    unknown = set(facts["ownedByCluster"]) - cluster_configuration
    if unknown:
        raise KnowledgeError(f"capi ownedByCluster: not ClusterConfiguration fields: {', '.join(sorted(unknown))}")


def _check_kind(facts: dict[str, Any], cluster_configuration: set[str]) -> None:
    sections = [*facts["patchedSections"], *facts["v1beta4OnlySections"]]
    unknown = set(sections) - cluster_configuration
    if unknown or len(set(sections)) != len(sections):
        raise KnowledgeError(f"kind patchedSections/v1beta4OnlySections: unknown or repeated: {', '.join(sorted(unknown))}")


def build(upstream: Path, sources: Sources) -> dict[str, Any]:
    facts = sources.load(FACTS)
    kind_upstream = sources.load(upstream / "installers" / "kind" / "kind-kubeadm-facts.yaml")
    capi_upstream = sources.load(upstream / "installers" / "capi" / "capi-webhook-rules.yaml")
    for contract, entry in facts["capi"]["contracts"].items():
        shape = str(capi_upstream["extraArgsShape"][contract])
        expected = "list" if shape.startswith("list") else "map" if shape.startswith("map") else None
        if entry["extraArgs"] != expected:
            raise KnowledgeError(f"capi {contract}: facts say extraArgs {entry['extraArgs']}, upstream says {shape!r}")
    kubeadm = {
        kind: _schema(upstream, sources, f"schemas/kubeadm.k8s.io_v1beta4_{kind}.json")
        for kind in ("ClusterConfiguration", "InitConfiguration", "JoinConfiguration")
    }
    cluster_configuration = set(kubeadm["ClusterConfiguration"]["properties"])
    _check_kubeadm(facts["kubeadm"], kubeadm)
    _check_capi(facts["capi"], upstream, sources, cluster_configuration)
    _check_kind(facts["kind"], cluster_configuration)
    kind = dict(facts["kind"])
    kind["kubeadmApiVersions"] = _kind_kubeadm_ranges(kind_upstream["kubeadmApiVersionByKubernetesVersion"])
    kind["defaultNodeImage"] = kind_upstream["defaultNodeImage"]
    kind["upstreamCommit"] = kind_upstream["source"]["commit"]
    capi = dict(facts["capi"])
    capi["upstreamCommit"] = capi_upstream["source"]["commit"]
    return {"kubeadm": facts["kubeadm"], "capi": capi, "kind": kind}
