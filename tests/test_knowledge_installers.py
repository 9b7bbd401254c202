"""scripts/knowledge/installers.py: the hand-kept kubeadm, Cluster API and kind facts must agree with the upstream schemas."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "scripts"))

from knowledge.common import KnowledgeError, Sources  # noqa: E402
from knowledge.installers import _check_capi, _check_kind, _check_kubeadm  # noqa: E402

COMMITTED: dict[str, Any] = json.loads((REPO / "kgen" / "data" / "installers.json").read_text(encoding="utf-8"))
CLUSTER_CONFIGURATION = {"apiVersion", "kind", "clusterName", "certificatesDir", "apiServer", "encryptionAlgorithm"}


def _crd(root: Path, version: str, machine_template: dict[str, Any], config_spec: dict[str, Any]) -> None:
    """A KubeadmControlPlane CRD as the upstream extracts hold it, with only the parts the checks read."""
    folder = root / "installers" / "capi"
    folder.mkdir(parents=True, exist_ok=True)
    schema = {
        "x-kgen-provenance": {"commit": "0" * 40, "apiVersion": version, "kind": "KubeadmControlPlane", "repo": "r", "path": "p"},
        "properties": {"spec": {"properties": {"machineTemplate": machine_template, "kubeadmConfigSpec": config_spec}}},
    }
    name = version.replace("/", "_") + "_KubeadmControlPlane.json"
    (folder / name).write_text(json.dumps(schema), encoding="utf-8")


def _reference(*fields: str) -> dict[str, Any]:
    return {"properties": {field: {"type": "string"} for field in fields}}


def _capi_facts() -> dict[str, Any]:
    return {
        "contracts": {
            "new": {
                "controlPlaneApiVersion": "cp/new",
                "infrastructureRef": {"path": ["spec", "infrastructureRef"], "groupField": "apiGroup"},
            },
            "old": {
                "controlPlaneApiVersion": "cp/old",
                "infrastructureRef": {"path": ["infrastructureRef"], "groupField": "apiVersion"},
            },
        },
        "ownedByCluster": ["apiVersion", "kind", "clusterName"],
    }


def _upstream(root: Path, new_ref: dict[str, Any], config_spec: dict[str, Any] | None = None) -> Path:
    spec = config_spec or {"properties": {"files": {}}}
    _crd(root, "cp/new", {"properties": {"spec": {"properties": {"infrastructureRef": new_ref}}}}, spec)
    _crd(root, "cp/old", {"properties": {"infrastructureRef": _reference("apiVersion", "kind", "name")}}, spec)
    return root


def test_capi_facts_that_match_the_crds_pass_and_record_them(tmp_path: Path) -> None:
    sources = Sources(tmp_path)
    _check_capi(_capi_facts(), _upstream(tmp_path, _reference("apiGroup", "kind", "name")), sources, CLUSTER_CONFIGURATION)
    assert sorted(sources.inputs) == [
        "upstream/installers/capi/cp_new_KubeadmControlPlane.json",
        "upstream/installers/capi/cp_old_KubeadmControlPlane.json",
    ]


@pytest.mark.parametrize(
    ("new_ref", "config_spec", "owned", "message"),
    [
        (_reference("apiVersion", "kind", "name"), None, [], "capi new: infrastructureRef"),
        (_reference("apiGroup", "kind", "name"), {"properties": {"kubeProxy": {}}}, [], "kube-proxy field"),
        (_reference("apiGroup", "kind", "name"), None, ["kgenField"], "ownedByCluster"),
    ],
)
def test_capi_facts_that_disagree_with_the_crds_stop_generation(
    tmp_path: Path, new_ref: dict[str, Any], config_spec: dict[str, Any] | None, owned: list[str], message: str
) -> None:
    facts = _capi_facts()
    facts["ownedByCluster"] += owned
    with pytest.raises(KnowledgeError, match=message):
        _check_capi(facts, _upstream(tmp_path, new_ref, config_spec), Sources(tmp_path), CLUSTER_CONFIGURATION)


def test_kind_sections_must_be_cluster_configuration_fields_named_once() -> None:
    _check_kind(
        {"patchedSections": ["certificatesDir", "apiServer"], "v1beta4OnlySections": ["encryptionAlgorithm"]},
        CLUSTER_CONFIGURATION,
    )
    with pytest.raises(KnowledgeError, match="kgenSection"):
        _check_kind({"patchedSections": ["kgenSection"], "v1beta4OnlySections": []}, CLUSTER_CONFIGURATION)
    with pytest.raises(KnowledgeError, match="repeated"):
        _check_kind({"patchedSections": ["apiServer"], "v1beta4OnlySections": ["apiServer"]}, CLUSTER_CONFIGURATION)


def test_committed_data_names_the_schemas_the_moved_facts_were_checked_against() -> None:
    inputs = COMMITTED["_source"]["inputs"]
    for contract in COMMITTED["capi"]["contracts"].values():
        label = f"upstream/installers/capi/{contract['controlPlaneApiVersion'].replace('/', '_')}_KubeadmControlPlane.json"
        assert inputs[label]["commits"], label
    assert inputs["upstream/schemas/kubeadm.k8s.io_v1beta4_ClusterConfiguration.json"]["commits"]
    assert "scripts/knowledge/installer-facts.yaml" in inputs


# kgen's copies of the kubeadm v1beta4 schemas, the ones the generator checks against upstream.
KUBEADM_SCHEMAS: dict[str, dict[str, Any]] = {
    kind: json.loads((REPO / "kgen" / "data" / "schemas" / f"kubeadm.k8s.io_v1beta4_{kind}.json").read_text(encoding="utf-8"))
    for kind in ("ClusterConfiguration", "InitConfiguration", "JoinConfiguration")
}
KUBELET_PLACE = {"path": ["nodeRegistration", "kubeletExtraArgs"], "kinds": ["InitConfiguration", "JoinConfiguration"]}
FACTS_FILE = REPO / "scripts" / "knowledge" / "installer-facts.yaml"


def test_the_kubeadm_extra_args_places_are_lists_of_name_and_value() -> None:
    import yaml

    _check_kubeadm(yaml.safe_load(FACTS_FILE.read_text(encoding="utf-8"))["kubeadm"], KUBEADM_SCHEMAS)
    assert COMMITTED["kubeadm"]["extraArgs"][0] == {"component": "kube-apiserver", "path": ["apiServer", "extraArgs"]}
    assert COMMITTED["kubeadm"]["kubeletExtraArgs"] == KUBELET_PLACE


APISERVER = {"component": "kube-apiserver", "path": ["apiServer", "extraArgs"]}


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        (
            [{"component": "kube-apiserver", "path": ["apiServer", "extraArg"]}],
            "kube-apiserver: apiServer.extraArg is not a list",
        ),
        ([{"component": "etcd", "path": ["etcd", "extraArgs"]}], "etcd: etcd.extraArgs is not a list of {name, value}"),
        ([{"component": "kube-apiserver", "path": ["apiServer", "extraEnvs"]}], "apiServer.extraEnvs is not a list"),
        ([{"component": "kube-apiserver", "path": ["apiServer", "certSANs"]}], "apiServer.certSANs is not a list"),
        ([{"component": "kube-scheduler", "path": ["scheduler"]}], "kube-scheduler: scheduler is not a list"),
        ([{"component": "kube-sheduler", "path": ["scheduler", "extraArgs"]}], "unknown or repeated components: kube-sheduler"),
        ([APISERVER, {"component": "kube-apiserver", "path": ["scheduler", "extraArgs"]}], "unknown or repeated components"),
    ],
)
def test_a_wrong_kubeadm_extra_args_place_stops_generation(entries: list[dict[str, Any]], message: str) -> None:
    with pytest.raises(KnowledgeError, match=re.escape(message)):
        _check_kubeadm({"extraArgs": entries, "kubeletExtraArgs": KUBELET_PLACE}, KUBEADM_SCHEMAS)


@pytest.mark.parametrize(
    ("place", "message"),
    [
        (
            {"path": ["nodeRegistration", "kubeletExtraArg"], "kinds": ["InitConfiguration"]},
            "not a list of {name, value} in kubeadm v1beta4 InitConfiguration",
        ),
        ({"path": ["nodeRegistration", "taints"], "kinds": ["JoinConfiguration"]}, "nodeRegistration.taints is not a list"),
        (
            {"path": ["nodeRegistration", "kubeletExtraArgs"], "kinds": ["ClusterConfiguration"]},
            "in kubeadm v1beta4 ClusterConfiguration",
        ),
        (
            {"path": ["nodeRegistration", "kubeletExtraArgs"], "kinds": ["ResetConfiguration"]},
            "in kubeadm v1beta4 ResetConfiguration",
        ),
    ],
)
def test_a_wrong_kubelet_extra_args_place_stops_generation(place: dict[str, Any], message: str) -> None:
    with pytest.raises(KnowledgeError, match=re.escape(message)):
        _check_kubeadm({"extraArgs": [APISERVER], "kubeletExtraArgs": place}, KUBEADM_SCHEMAS)
