"""The ansible target through geerlingguy.kubernetes's own template and defaults, templated by ansible-playbook.

tests/data/geerlingguy-kubernetes holds the role's defaults/main.yml and templates/kubeadm-kubelet-config.j2
verbatim (commit in each file's header). kgen's vars file is loaded with vars_files, as examples/ansible does,
over the role's defaults. The rendered kubeadm configuration must carry every object kgen rendered, keep what
the role's own defaults hold (cgroupDriver, the pod network), with a hostile profile, and run no command.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from test_ansible_inert import ANSIBLE_PLAYBOOK, _ansible_env, load_vars, one_line_constructs
from test_targets_platforms import custom_plan, output

from kgen.targets import ansible

ROLE = Path(__file__).parent / "data" / "geerlingguy-kubernetes"
ADVERTISE_ADDRESS = "192.0.2.10"


def render_with_role(vars_text: str, work: Path) -> dict[str, dict[str, Any]]:
    """The role's kubeadm configuration for kgen's vars: kind -> document."""
    shutil.copytree(ROLE, work / "role")
    (work / "kgen.yml").write_text(vars_text, encoding="utf-8")
    (work / "hosts.ini").write_text("localhost\n", encoding="utf-8")
    (work / "tmp").mkdir()
    (work / "ansible.cfg").write_text(f"[defaults]\nroles_path = {work / 'role' / 'roles'}\n", encoding="utf-8")
    play = [
        {
            "hosts": "all",
            "gather_facts": False,
            "vars_files": [str(work / "kgen.yml")],
            "vars": {"excerpt_dest": str(work), "ansible_default_ipv4": {"address": ADVERTISE_ADDRESS}},
            "roles": ["role-excerpt"],
        }
    ]
    (work / "play.yml").write_text(yaml.safe_dump(play), encoding="utf-8")
    completed = subprocess.run(
        [str(ANSIBLE_PLAYBOOK), "-i", str(work / "hosts.ini"), "-c", "local", "-e",
         f"ansible_python_interpreter={sys.executable}", str(work / "play.yml")],
        cwd=work, env=_ansible_env(work), capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stdout + completed.stderr
    documents = yaml.safe_load_all((work / "kubeadm-config.yaml").read_text(encoding="utf-8"))
    return {document["kind"]: document for document in documents if document}


@pytest.fixture(scope="module")
def role_rendered(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], dict[str, dict[str, Any]], Path]:
    folder = tmp_path_factory.mktemp("role")
    marker = folder / "command-ran"
    audiences = yaml.safe_dump(one_line_constructs(marker), default_flow_style=True, width=100000).strip()
    body = f"name: hostile\nextends: strict\nauthentication:\n  jwt:\n  - issuer: https://issuer.example.com\n    audiences: {audiences}\n"
    text = output(ansible.render(custom_plan(folder, body)), ansible.VARS_PATH).content
    return load_vars(text), render_with_role(text, folder / "run"), marker


def test_the_role_carries_every_object_kgen_rendered(
    role_rendered: tuple[dict[str, Any], dict[str, dict[str, Any]], Path],
) -> None:
    values, documents, marker = role_rendered
    assert not marker.exists()
    kubelet = documents["KubeletConfiguration"]
    assert kubelet["apiVersion"] == "kubelet.config.k8s.io/v1beta1"
    assert {key: value for key, value in kubelet.items() if key not in ("apiVersion", "kind")} == values[
        "kubernetes_config_kubelet_configuration"
    ]
    cluster = documents["ClusterConfiguration"]
    expected_cluster = dict(values["kubernetes_config_cluster_configuration"])
    expected_cluster["networking"] = {"podSubnet": "10.244.0.0/16"}  # the role's kubernetes_pod_network.cidr
    assert {key: value for key, value in cluster.items() if key not in ("apiVersion", "kind")} == expected_cluster
    assert documents["InitConfiguration"]["localAPIEndpoint"] == {"advertiseAddress": ADVERTISE_ADDRESS}


def test_the_role_keeps_its_own_kubelet_default(role_rendered: tuple[dict[str, Any], dict[str, dict[str, Any]], Path]) -> None:
    _, documents, _ = role_rendered
    assert documents["KubeletConfiguration"]["cgroupDriver"] == "systemd"
    assert documents["KubeletConfiguration"]["readOnlyPort"] == 0
