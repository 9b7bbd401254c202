"""Target flags: one --flag=value file per component, plus every file they point at."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kgen.plan import Plan
from kgen.targets.common import (
    OutputFile,
    cluster_objects_output,
    header_lines,
    node_file_and_object_places,
    node_file_output,
    render_template,
    report_output,
    yaml_file,
)

if TYPE_CHECKING:
    from kgen.targets.common import PlacedRecord
from kgen.targets.kubeadm import kube_proxy_configuration, kubelet_configuration

TARGET = "flags"
COMPONENT_FILES = ("kube-apiserver", "kube-controller-manager", "kube-scheduler", "etcd", "kubelet", "kube-proxy")


def render(plan: Plan) -> list[OutputFile]:
    outputs: list[OutputFile] = []
    for component in COMPONENT_FILES:
        flags = plan.flags(component)
        if not flags:
            continue
        content = render_template(
            "flags/component.args.j2",
            header=header_lines(plan, TARGET, f"{component}: one flag per line; comment lines start with '#'."),
            flags=[(f"--{s.key}={s.value}", s.reason.short()) for s in flags],
        )
        outputs.append(OutputFile(args_file(component), content))
    data = plan.profile.data
    kubelet, kubelet_comments = kubelet_configuration(plan)
    kubelet_path = data["cluster"]["kubeletConfigPath"]
    outputs.append(
        yaml_file(f"files{kubelet_path}", plan, TARGET, [kubelet], [kubelet_comments], what=f"Node path: {kubelet_path}")
    )
    proxy = kube_proxy_configuration(plan)
    proxy_path = plan.flag_value("kube-proxy", "config")
    if proxy and proxy_path:
        outputs.append(yaml_file(f"files{proxy_path}", plan, TARGET, [proxy[0]], [proxy[1]], what=f"Node path: {proxy_path}"))
    for node_file in plan.files:
        outputs.extend(node_file_output(node_file, plan, TARGET))
    outputs.extend(cluster_objects_output(plan, TARGET))
    outputs.append(report_output(plan, TARGET))
    return outputs


def args_file(component: str) -> str:
    """The file holding one component's flags, relative to the target's folder."""
    return f"{component}.args"


def places(plan: Plan, record: PlacedRecord) -> list[str]:
    """Where kgen explain finds a setting in the flags target's files (the target's ``places`` hook)."""
    found = node_file_and_object_places(plan, record, TARGET)
    if found is not None:
        return found
    if record.kind == "flag":
        return [f"{TARGET}/{args_file(record.component)} --{record.key}"]
    if record.kind in ("gate", "runtime-config") and record.component not in ("kubelet", "kube-proxy"):
        flag = "--feature-gates" if record.kind == "gate" else "--runtime-config"
        return [f"{TARGET}/{args_file(record.component)} {flag}"]
    key = f"featureGates.{record.key}" if record.kind == "gate" else record.key
    if record.component == "kubelet":
        return [f"{TARGET}/files{plan.profile.data['cluster']['kubeletConfigPath']} {key}"]
    if record.component == "kube-proxy":
        path = plan.flag_value("kube-proxy", "config")
        return [f"{TARGET}/files{path} {key}"] if path else []
    return []
