"""Target kubeadm: kubeadm.k8s.io/v1beta4 configuration and the node files it mounts."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kgen import knowledge
from kgen.plan import COMPONENT_CONFIG_KINDS, Plan, Setting
from kgen.targets import kubeadm_extra_args
from kgen.targets.common import (
    OutputFile,
    cluster_objects_output,
    node_file_and_object_places,
    node_file_output,
    report_output,
    yaml_file,
)

if TYPE_CHECKING:
    from kgen.targets.common import PlacedRecord

TARGET = "kubeadm"
CONFIG_FILE = "kubeadm-config.yaml"
Comments = dict[tuple[str | int, ...], str]


def extra_args(settings: list[Setting], base: tuple[str | int, ...], comments: Comments) -> list[dict[str, str]]:
    """v1beta4 list-form extraArgs, sorted by flag name, each with its reason as a comment."""
    args = []
    for index, setting in enumerate(settings):
        args.append({"name": setting.key, "value": str(setting.value)})
        comments[(*base, index, "name")] = setting.reason.short()
    return args


def map_form_extra_args(node: Any, path: tuple[str | int, ...], comments: Comments, moved: Comments) -> Any:
    """kubeadm v1beta3 (and Cluster API v1beta1): every extraArgs list becomes a name -> value map.

    Returns a copy; each flag's comment is popped from ``comments`` and put in ``moved`` under its new path.
    """
    if isinstance(node, dict):
        result = {}
        for key, value in node.items():
            if key == "extraArgs" and isinstance(value, list):
                result[key] = {arg["name"]: arg["value"] for arg in value}
                for index, arg in enumerate(value):
                    text = comments.pop((*path, key, index, "name"), None)
                    if text:
                        moved[(*path, key, arg["name"])] = text
            else:
                result[key] = map_form_extra_args(value, (*path, key), comments, moved)
        return result
    return node


def kubelet_configuration(plan: Plan) -> tuple[dict[str, Any], Comments]:
    document = {
        "apiVersion": knowledge.api_version("KubeletConfiguration", plan.version),
        "kind": "KubeletConfiguration",
        **plan.config("kubelet"),
    }
    return document, plan.config_comments("kubelet")


def kube_proxy_configuration(plan: Plan) -> tuple[dict[str, Any], Comments] | None:
    config = plan.config("kube-proxy")
    if not config:
        return None
    document = {
        "apiVersion": knowledge.api_version("KubeProxyConfiguration", plan.version),
        "kind": "KubeProxyConfiguration",
        **config,
    }
    return document, plan.config_comments("kube-proxy")


def _section(document: dict[str, Any], path: tuple[str, ...]) -> dict[str, Any]:
    """The mapping at ``path`` in ``document``, made (empty) where it is missing."""
    section = document
    for key in path:
        section = section.setdefault(key, {})
    return section


def cluster_configuration(plan: Plan) -> tuple[dict[str, Any], Comments]:
    data = plan.profile.data
    cluster = data["cluster"]
    comments: Comments = {}
    document: dict[str, Any] = {
        "apiVersion": knowledge.api_version("ClusterConfiguration", plan.version),
        "kind": "ClusterConfiguration",
        "clusterName": cluster["name"],
        "kubernetesVersion": cluster["release"] or f"stable-{plan.version}",
    }
    if cluster["release"] is None:
        comments[("kubernetesVersion",)] = "newest patch release of the minor; set cluster.release to pin one"
    if cluster["controlPlaneEndpoint"]:
        document["controlPlaneEndpoint"] = cluster["controlPlaneEndpoint"]
    networking = {key: cluster[key] for key in ("podSubnet", "serviceSubnet") if cluster[key]}
    if networking:
        document["networking"] = networking
    document["certificatesDir"] = cluster["pkiDir"]
    document["encryptionAlgorithm"] = cluster["certificateAlgorithm"]
    places = kubeadm_extra_args()
    for place in places.values():
        _section(document, place[:-1])  # the component sections, in the order the data lists them
    _section(document, ("etcd", "local"))["dataDir"] = data["etcd"]["dataDir"]
    for component, place in places.items():
        flags = plan.flags(component)
        if flags:
            _section(document, place[:-1])[place[-1]] = extra_args(flags, place, comments)
    volumes = [
        {
            "name": "kgen-hardening",
            "hostPath": cluster["configDir"],
            "mountPath": cluster["configDir"],
            "readOnly": True,
            "pathType": "DirectoryOrCreate",
        }
    ]
    comments[("apiServer", "extraVolumes", 0, "name")] = "authentication, authorization, audit, admission and encryption files"
    for index, (directory, writable) in enumerate(plan.mounts, start=1):
        volumes.append(
            {
                "name": f"kgen-mount-{index}",
                "hostPath": directory,
                "mountPath": directory,
                "readOnly": not writable,
                "pathType": "DirectoryOrCreate",
            }
        )
        comments[("apiServer", "extraVolumes", index, "name")] = (
            "audit log directory (writable)" if writable else "file referenced by a config"
        )
    _section(document, ("apiServer",))["extraVolumes"] = volumes
    if plan.kubeadm_gates:
        document["featureGates"] = dict(plan.kubeadm_gates)
        comments[("featureGates",)] = "kubeadm's own feature gates (kubeadm.featureGates), not the components'"
    return document, comments


def join_configuration(plan: Plan, control_plane: bool) -> tuple[dict[str, Any], Comments]:
    discovery_file = plan.profile.data["kubeadm"]["discoveryFile"]
    document: dict[str, Any] = {
        "apiVersion": knowledge.api_version("JoinConfiguration", plan.version),
        "kind": "JoinConfiguration",
        "discovery": {"file": {"kubeConfigPath": discovery_file}},
    }
    comments: Comments = {
        ("discovery", "file", "kubeConfigPath"): "file discovery: anonymous access limited to health endpoints blocks "
        "bootstrap-token discovery of cluster-info (see REPORT.md)"
    }
    if control_plane:
        document["controlPlane"] = {}
        comments[("controlPlane",)] = "copy the shared certificates first, or add certificateKey on the node"
    return document, comments


def render(plan: Plan) -> list[OutputFile]:
    init = {"apiVersion": knowledge.api_version("InitConfiguration", plan.version), "kind": "InitConfiguration"}
    cluster, cluster_comments = cluster_configuration(plan)
    kubelet, kubelet_comments = kubelet_configuration(plan)
    documents: list[dict[str, Any]] = [init, cluster, kubelet]
    comments: list[Comments | None] = [
        {("kind",): "no bootstrap token here: kubeadm init creates one, secrets never go into rendered files"},
        cluster_comments,
        kubelet_comments,
    ]
    proxy = kube_proxy_configuration(plan)
    if proxy:
        documents.append(proxy[0])
        comments.append(proxy[1])
    outputs = [
        yaml_file(CONFIG_FILE, plan, TARGET, documents, comments, what=f"Use: kubeadm init --config {CONFIG_FILE}"),
        _join_file(plan, "join-worker.yaml", control_plane=False),
        _join_file(plan, "join-control-plane.yaml", control_plane=True),
    ]
    for node_file in plan.files:
        outputs.extend(node_file_output(node_file, plan, TARGET))
    outputs.extend(cluster_objects_output(plan, TARGET))
    outputs.append(report_output(plan, TARGET))
    return outputs


def places(plan: Plan, record: PlacedRecord) -> list[str]:
    """Where kgen explain finds a setting in kubeadm's files (the target's ``places`` hook)."""
    found = node_file_and_object_places(plan, record, TARGET)
    if found is not None:
        return found
    places = kubeadm_extra_args()
    if record.kind in ("flag", "gate", "runtime-config") and record.component in places:
        flag = {"flag": record.key, "gate": "feature-gates", "runtime-config": "runtime-config"}[record.kind]
        return [f"{TARGET}/{CONFIG_FILE} {'.'.join(places[record.component])} {flag}"]
    document = COMPONENT_CONFIG_KINDS.get(record.component)
    if document and record.kind in ("field", "gate"):
        key = f"featureGates.{record.key}" if record.kind == "gate" else record.key
        return [f"{TARGET}/{CONFIG_FILE} {document} {key}"]
    return []  # kubeadm itself writes the kubelet's and kube-proxy's command lines


def _join_file(plan: Plan, name: str, control_plane: bool) -> OutputFile:
    document, comments = join_configuration(plan, control_plane)
    return yaml_file(name, plan, TARGET, [document], [comments], what=f"Use: kubeadm join --config {name}")
