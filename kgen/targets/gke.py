"""Target gke: the node system config file and the cluster's anonymous-authentication setting.

GKE accepts a fixed list of kubelet fields; everything else, and every control-plane setting, is listed
in REPORT.md with what GKE does instead.
"""

from __future__ import annotations

from typing import Any

from kgen.plan import Plan
from kgen.targets.common import OutputFile, cluster_objects_output, report_output, yaml_file
from kgen.targets.managed import Item, item, kubelet_refusal, platform_items, platform_value, platforms

TARGET = "gke"
Comments = dict[tuple[str | int, ...], str]


def system_config(plan: Plan) -> tuple[dict[str, Any], Comments]:
    field_map: dict[str, str] = platforms()[TARGET]["kubeletFieldMap"]
    kubelet: dict[str, Any] = {}
    comments: Comments = {}
    for setting in plan.fields("kubelet"):
        if setting.key not in field_map or kubelet_refusal(setting, TARGET) is not None:
            continue
        name = field_map[setting.key]
        kubelet[name] = platform_value(setting, TARGET)  # readOnlyPort 0 -> insecureKubeletReadonlyPortEnabled false
        comments[("kubeletConfig", name)] = setting.reason.short()
    document: dict[str, Any] = {"kubeletConfig": kubelet} if kubelet else {}
    return document, comments


def anonymous_mode(plan: Plan) -> tuple[str, str]:
    """GKE's anonymousAuthenticationConfig.mode for the profile, and why."""
    mode = plan.profile.data["anonymousAccess"]["mode"]
    if mode == "unrestricted":
        return "ENABLED", "anonymousAccess.mode unrestricted: GKE's default"
    if mode == "health":
        return "LIMITED", "anonymousAccess.mode health: anonymous requests reach only the health check endpoints"
    return "LIMITED", f"anonymousAccess.mode {mode}: LIMITED (health checks only) is the closest GKE offers; see REPORT.md"


def anonymous_items(plan: Plan) -> list[dict[str, str]]:
    mode = plan.profile.data["anonymousAccess"]["mode"]
    if mode == "paths":
        return [
            item(
                "anonymous access to anonymousAccess.paths",
                "anonymousAccess.paths",
                "GKE LIMITED allows health check endpoints only; no custom paths",
                "authenticate the clients of those paths",
            )
        ]
    if mode == "none":
        return [
            item(
                "anonymous access off",
                "anonymousAccess.mode",
                "GKE LIMITED still allows anonymous health checks",
                "accept LIMITED: health endpoints reveal no data",
            )
        ]
    return []


def not_controllable(plan: Plan) -> list[Item]:
    """This target's entry in REPORT.md's not-controllable list (named in kgen/target_registry.py)."""
    return [*platform_items(plan, TARGET), *anonymous_items(plan)]


def render(plan: Plan) -> list[OutputFile]:
    data = platforms()[TARGET]
    document, comments = system_config(plan)
    mode, why = anonymous_mode(plan)
    settings = {"anonymousAuthenticationConfig": {"mode": mode}}
    outputs = []
    if document:
        outputs.append(
            yaml_file(
                "node-system-config.yaml",
                plan,
                TARGET,
                [document],
                [comments],
                what="Use: gcloud container node-pools create|update ... --system-config-from-file=node-system-config.yaml",
            )
        )
    outputs.append(
        yaml_file(
            "cluster-settings.yaml",
            plan,
            TARGET,
            [settings],
            [{("anonymousAuthenticationConfig", "mode"): why}],
            what=f"The cluster's anonymous authentication mode: {data['anonymousSetting']['gcloud']} "
            f"(API: {data['anonymousSetting']['apiField']}).",
        )
    )
    outputs.extend(cluster_objects_output(plan, TARGET))
    outputs.append(report_output(plan, TARGET, not_controllable(plan)))
    return outputs
