"""Target eks: a nodeadm NodeConfig for AL2023 nodes and an eksctl kubeletExtraConfig fragment.

EKS exposes a few control-plane settings on the cluster resource (REPORT.md lists them); every other
control-plane setting is listed in REPORT.md with what EKS does instead. Kubelet fields nodeadm owns
(authentication, authorization, serverTLSBootstrap) are left to it.
nodeadm writes spec.kubelet.config as a kubelet drop-in, which the kubelet applies as a JSON merge patch over
nodeadm's own config: maps such as featureGates merge, so nodeadm's RotateKubeletServerCertificate gate stays on
(CIS EKS 1.8.0 3.2.9) without kgen repeating it. eksctl's AL2 kubelet.yaml replaces featureGates instead, so the
eksctl fragment names eksctl's default gate again.
"""

from __future__ import annotations

from typing import Any

from kgen import knowledge
from kgen.plan import Plan
from kgen.plan.model import put_nested
from kgen.targets.common import OutputFile, cluster_objects_output, report_output, yaml_file
from kgen.targets.managed import Item, kubelet_refusal, platform_items, platforms

TARGET = "eks"
Comments = dict[tuple[str | int, ...], str]


def kubelet_fragment(plan: Plan) -> tuple[dict[str, Any], Comments]:
    """The KubeletConfiguration fields EKS lets nodes set, nested, with their reasons."""
    fragment: dict[str, Any] = {}
    comments: Comments = {}
    for setting in plan.fields("kubelet"):
        if kubelet_refusal(setting, TARGET) is not None:
            continue
        parts = setting.key.split(".")
        put_nested(fragment, parts, setting.value)
        comments[tuple(parts)] = setting.reason.short()
    return fragment, comments


def eksctl_fragment(plan: Plan) -> tuple[dict[str, Any], Comments]:
    """kubeletExtraConfig: without the fields eksctl refuses; featureGates keep eksctl's default gates."""
    data = platforms()[TARGET]
    fragment, comments = kubelet_fragment(plan)
    fragment = {key: value for key, value in fragment.items() if key not in data["eksctlForbidden"]}
    if "featureGates" in fragment:
        gates = dict(fragment["featureGates"])
        for name, value in data["defaultGates"].items():
            gate = knowledge.gate(name)
            state = gate.state(plan.version) if gate else None
            if state is not None and name not in gates and not (state.locked and state.default != value):
                gates[name] = value
                comments[("featureGates", name)] = "eksctl's default gate: a custom featureGates map replaces it"
        fragment["featureGates"] = gates
    wrapped = {"kubeletExtraConfig": fragment}
    return wrapped, {("kubeletExtraConfig", *path): text for path, text in comments.items()}


def not_controllable(plan: Plan) -> list[Item]:
    """This target's entry in REPORT.md's not-controllable list (named in kgen/target_registry.py)."""
    return platform_items(plan, TARGET)


def render(plan: Plan) -> list[OutputFile]:
    data = platforms()[TARGET]
    fragment, comments = kubelet_fragment(plan)
    node_config = {"apiVersion": data["nodeConfigApiVersion"], "kind": "NodeConfig", "spec": {"kubelet": {"config": fragment}}}
    node_comments: Comments = {("spec", "kubelet", "config", *path): text for path, text in comments.items()}
    node_comments[("kind",)] = "merged by nodeadm with the NodeConfig EKS generates and with its kubelet defaults"
    if "featureGates" in fragment:
        kept = ", ".join(f"{name} stays {'on' if on else 'off'}" for name, on in data["nodeadmDefaults"]["featureGates"].items())
        node_comments[("spec", "kubelet", "config", "featureGates")] = f"merged key by key with nodeadm's gates ({kept})"
    eksctl, eksctl_comments = eksctl_fragment(plan)
    outputs = [
        yaml_file(
            "nodeadm-nodeconfig.yaml",
            plan,
            TARGET,
            [node_config],
            [node_comments],
            what="Add as a MIME part (Content-Type: application/node.eks.aws) to the launch template user data of AL2023 nodes.",
        ),
        yaml_file(
            "eksctl-kubelet-extra-config.yaml",
            plan,
            TARGET,
            [eksctl],
            [eksctl_comments],
            what="Paste under nodeGroups[] (self-managed) in the eksctl ClusterConfig; eksctl has no kubeletExtraConfig for "
            "managedNodeGroups[] and refuses it for Windows and Bottlerocket. Managed node groups: use nodeadm-nodeconfig.yaml.",
        ),
    ]
    outputs.extend(cluster_objects_output(plan, TARGET))
    outputs.append(report_output(plan, TARGET, not_controllable(plan)))
    return outputs
