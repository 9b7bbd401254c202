"""Target ansible: whole kubeadm objects and node files as variables for roles that take them.

The variable names are those of geerlingguy.kubernetes (defaults/main.yml): the role adds apiVersion
and kind itself from the *_api_version variables, so the objects here carry neither. Ansible replaces
a dictionary variable rather than merging it, so each object is complete.
"""

from __future__ import annotations

from typing import Any

from kgen import yamlout
from kgen.plan import Plan
from kgen.targets.common import OutputFile, cluster_objects_output, node_file_output, report_output, yaml_file
from kgen.targets.kubeadm import cluster_configuration, kube_proxy_configuration, kubelet_configuration
from kgen.targets.kubespray import unsafe

TARGET = "ansible"
VARS_PATH = "vars/kgen-kubeadm.yml"
Comments = dict[tuple[str | int, ...], str]
NODE_FILE_MODE = "0600"


def _role_object(
    variable: str, document: dict[str, Any], comments: Comments, values: dict[str, Any], out_comments: Comments
) -> None:
    body = {key: value for key, value in document.items() if key not in ("apiVersion", "kind")}
    values[variable] = body
    values[f"{variable}_api_version"] = document["apiVersion"]
    for path, text in comments.items():
        if path and path[0] in body:
            out_comments[(variable, *path)] = text


def role_vars(plan: Plan) -> tuple[dict[str, Any], Comments]:
    values: dict[str, Any] = {}
    comments: Comments = {}
    cluster, cluster_comments = cluster_configuration(plan)
    _role_object("kubernetes_config_cluster_configuration", cluster, cluster_comments, values, comments)
    kubelet, kubelet_comments = kubelet_configuration(plan)
    _role_object("kubernetes_config_kubelet_configuration", kubelet, kubelet_comments, values, comments)
    proxy = kube_proxy_configuration(plan)
    if proxy:
        _role_object("kubernetes_config_kube_proxy_configuration", proxy[0], proxy[1], values, comments)
    files = []
    for node_file in plan.files:
        if node_file.secret_placeholders:
            continue  # written on the node by its install script, never carried in a variable
        text = yamlout.dump(node_file.document)
        files.append({"path": node_file.node_path, "mode": NODE_FILE_MODE, "content": text})
        comments[("kgen_node_files", len(files) - 1, "path")] = node_file.reason.short()
    values["kgen_node_files"] = files
    comments[("kgen_node_files",)] = "copy before kubeadm init; the API server reads them from these paths"
    return unsafe(values), comments


def render(plan: Plan) -> list[OutputFile]:
    values, comments = role_vars(plan)
    outputs = [
        yaml_file(
            VARS_PATH,
            plan,
            TARGET,
            [values],
            [comments],
            what="For geerlingguy.kubernetes (and roles with the same variables); "
            "kubernetes_config_init_configuration keeps the role's default.",
        ),
    ]
    for node_file in plan.files:
        if node_file.secret_placeholders:
            outputs.extend(node_file_output(node_file, plan, TARGET))
    outputs.extend(cluster_objects_output(plan, TARGET))
    outputs.append(report_output(plan, TARGET))
    return outputs
