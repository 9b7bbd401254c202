"""What a platform does not let you set: the not-controllable report shared by kubespray, eks, gke and aks.

Every setting of the plan is either rendered by a target or listed here with what the platform does
instead and what the operator can do. Nothing is dropped silently: the CLI prints the count.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from kgen.plan import CONTROL_PLANE, Plan, Setting
from kgen.targets import MANAGED_TARGETS

Item = dict[str, str]


@cache
def platforms() -> dict[str, Any]:
    """kgen/data/platforms.yaml, read once."""
    from importlib.resources import files

    import yaml

    loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    data: dict[str, Any] = yaml.load(files("kgen.data").joinpath("platforms.yaml").read_text(encoding="utf-8"), Loader=loader)
    return data


def item(setting: str, origin: str, platform: str, action: str) -> Item:
    return {"setting": setting, "origin": origin, "platform": platform, "action": action}


def describe(setting: Setting) -> str:
    if setting.is_flag:
        return f"{setting.component} --{setting.key}"
    value = setting.value
    shown = f": {str(value).lower() if isinstance(value, bool) else value}" if isinstance(value, bool | int | str) else ""
    return f"{setting.component} {setting.key}{shown}"


def not_controllable(plan: Plan, target: str) -> list[Item]:
    """Every setting of the plan that ``target`` cannot express, with the platform's own mechanism."""
    if target == "kubespray":
        from kgen.targets.kubespray import build_vars

        return build_vars(plan).not_controllable
    if target not in MANAGED_TARGETS:
        return []
    data = platforms()[target]
    items: list[Item] = []
    items.extend(control_plane_items(plan, data))
    for setting in plan.settings:
        if setting.component == "kube-proxy":
            items.append(
                item(describe(setting), setting.reason.origin, data["kubeProxy"]["platform"], data["kubeProxy"]["action"])
            )
        elif setting.component == "kubelet" and setting.is_flag:
            items.append(
                item(describe(setting), setting.reason.origin, data["kubeletFlags"]["platform"], data["kubeletFlags"]["action"])
            )
    items.extend(kubelet_items(plan, target))
    if target == "gke":
        from kgen.targets.gke import anonymous_items

        items.extend(anonymous_items(plan))
    return items


def control_plane_items(plan: Plan, data: dict[str, Any]) -> list[Item]:
    """Each control-plane and etcd flag, and each file they read, matched to the platform's mechanism."""
    topics: dict[str, Any] = data["controlPlane"]["topics"]
    default = data["controlPlane"]["default"]
    by_flag = {flag: topic for topic in topics.values() for flag in topic["flags"]}
    by_kind = {kind: topic for topic in topics.values() for kind in topic["kinds"]}
    items: list[Item] = []
    for setting in plan.settings:
        if setting.component in (*CONTROL_PLANE, "etcd"):
            topic = by_flag.get(setting.key, default) if setting.component == "kube-apiserver" else default
            items.append(item(describe(setting), setting.reason.origin, topic["platform"], topic["action"]))
    for node_file in plan.files:
        kind = str(node_file.document.get("kind", ""))
        topic = by_kind.get(kind, default)
        items.append(item(f"{kind} file {node_file.node_path}", node_file.reason.origin, topic["platform"], topic["action"]))
    return items


def kubelet_items(plan: Plan, target: str) -> list[Item]:
    return [entry for setting in plan.fields("kubelet") if (entry := kubelet_refusal(setting, target)) is not None]


def kubelet_refusal(setting: Setting, target: str) -> Item | None:
    """None when ``target`` accepts this KubeletConfiguration field with this value, else why not."""
    data = platforms()[target]
    top = setting.key.split(".", 1)[0]
    origin = setting.reason.origin
    if target == "eks":
        if top in data["nodeadmOwned"]:
            text = data["ownedText"].get(top, "nodeadm sets this field for the cluster")
            return item(
                describe(setting), origin, text, "nothing to do: the EKS setting is the hardened one; eksctl refuses the field"
            )
        return None
    field_map: dict[str, str] = data["kubeletFieldMap"]
    if setting.key in field_map:
        if target == "gke" and setting.key == "podPidsLimit":
            bounds = data["podPidsLimit"]
            if not bounds["min"] <= int(setting.value) <= bounds["max"]:
                return item(
                    describe(setting),
                    origin,
                    f"GKE accepts podPidsLimit from {bounds['min']} to {bounds['max']} only",
                    f"set kubelet.podPidsLimit between {bounds['min']} and {bounds['max']}",
                )
        if target == "gke" and setting.key == "readOnlyPort" and setting.value != 0:
            return item(
                describe(setting), origin, "GKE only opens or closes the read-only port 10255", "set kubelet.readOnlyPort to 0"
            )
        return None
    default = data["kubeletDefault"]
    if top == "featureGates":
        return item(
            describe(setting),
            origin,
            f"{target.upper()} decides kubelet feature gates per node version; the node configuration has no featureGates",
            "pick a node version where the feature is on by default",
        )
    preview = data.get("previewKubeletFields", {}).get(top)
    action = f"{default['action']}; {preview}" if preview else default["action"]
    return item(describe(setting), origin, default["platform"], action)
