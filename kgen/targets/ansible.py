"""Target ansible: whole kubeadm objects and node files as variables for roles that take them.

The variable names are those of geerlingguy.kubernetes (defaults/main.yml, templates/kubeadm-kubelet-config.j2,
recorded in kgen/data/platforms.json): the role writes apiVersion and kind itself, from version-only variables
such as kubernetes_config_kubeadm_apiversion, so the objects here carry neither. Ansible replaces a dictionary
variable rather than merging it, so each object is complete and keeps what the role's own default held
(its podSubnet expression, its kubelet cgroupDriver). Every string is tagged !unsafe except the role's own
expressions kept from its defaults (role_evaluated_paths), which Ansible must evaluate.
"""

from __future__ import annotations

from typing import Any

from kgen import yamlout
from kgen.plan import Plan
from kgen.targets.common import OutputFile, cluster_objects_output, node_file_output, report_output, yaml_file
from kgen.targets.kubeadm import cluster_configuration, kube_proxy_configuration, kubelet_configuration
from kgen.targets.managed import platforms

TARGET = "ansible"
VARS_PATH = "vars/kgen-kubeadm.yml"
Comments = dict[tuple[str | int, ...], str]
NODE_FILE_MODE = "0600"
ROLE_DEFAULT = "the role's default: set cluster.podSubnet in the profile to fix it here"
ROLE_KUBELET_DEFAULT = "the role's default KubeletConfiguration, which this variable replaces"
Path = tuple[str | int, ...]


def _role_object(document: dict[str, Any], comments: Comments, values: dict[str, Any], out_comments: Comments) -> None:
    facts = platforms()["ansible"]
    kind = str(document["kind"])
    variable = facts["objectVariables"][kind]
    body = {key: value for key, value in document.items() if key not in ("apiVersion", "kind")}
    values[variable] = body
    version_variable = facts["apiVersionVariables"][kind]
    values[version_variable] = str(document["apiVersion"]).rsplit("/", 1)[-1]
    out_comments[(version_variable,)] = f"the role writes apiVersion {document['apiVersion']} from it"
    for path, text in comments.items():
        if path and path[0] in body:
            out_comments[(variable, *path)] = text


def _keep_role_defaults(document: dict[str, Any], defaults: dict[str, Any], comments: Comments, why: str) -> list[Path]:
    """Add the role's own defaults the profile leaves open, key by key at any depth; the paths added."""
    kept: list[Path] = []
    for name, value in defaults.items():
        if isinstance(value, dict):
            inner = document.setdefault(name, {})
            inner_comments: Comments = {}
            kept.extend((name, *path) for path in _keep_role_defaults(inner, value, inner_comments, why))
            comments.update({(name, *path): text for path, text in inner_comments.items()})
        elif name not in document:
            document[name] = value
            comments[(name,)] = why
            kept.append((name,))
    return kept


def role_evaluated_paths(cluster_kept: list[Path]) -> set[Path]:
    """The values left for Ansible to evaluate: the role's own expressions among its kept ClusterConfiguration defaults.

    Every other string is tagged !unsafe. The role's expressions are recorded in kgen/data/platforms.json
    (ansible.roleExpressions) and only a value equal to one of them is left untagged.
    """
    facts = platforms()["ansible"]
    variable = facts["objectVariables"]["ClusterConfiguration"]
    expressions = set(facts["roleExpressions"])
    defaults = facts["roleClusterDefaults"]
    evaluated: set[Path] = set()
    for path in cluster_kept:
        value: Any = defaults
        for part in path:
            value = value[part]
        if value in expressions:
            evaluated.add((variable, *path))
    return evaluated


def role_vars(plan: Plan) -> tuple[dict[str, Any], Comments]:
    facts = platforms()["ansible"]
    values: dict[str, Any] = {}
    comments: Comments = {}
    for variable in facts["packageVersionVariables"]:
        values[variable] = plan.version
        comments[(variable,)] = f"the role installs kubelet, kubeadm and kubectl {plan.version} packages"
    cluster, cluster_comments = cluster_configuration(plan)
    kept = _keep_role_defaults(cluster, facts["roleClusterDefaults"], cluster_comments, ROLE_DEFAULT)
    _role_object(cluster, cluster_comments, values, comments)
    kubelet, kubelet_comments = kubelet_configuration(plan)
    _keep_role_defaults(kubelet, facts["roleKubeletDefaults"], kubelet_comments, ROLE_KUBELET_DEFAULT)
    _role_object(kubelet, kubelet_comments, values, comments)
    proxy = kube_proxy_configuration(plan)
    if proxy:
        _role_object(proxy[0], proxy[1], values, comments)
    files = []
    for node_file in plan.files:
        if node_file.secret_placeholders:
            continue  # written on the node by its install script, never carried in a variable
        text = yamlout.dump(node_file.document)
        files.append({"path": node_file.node_path, "mode": NODE_FILE_MODE, "content": text})
        comments[("kgen_node_files", len(files) - 1, "path")] = node_file.reason.short()
    values["kgen_node_files"] = files
    comments[("kgen_node_files",)] = "copy before kubeadm init; the API server reads them from these paths"
    return yamlout.unsafe(values, role_evaluated_paths(kept)), comments


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
