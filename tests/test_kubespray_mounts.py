"""kubespray's own templates, fed kgen's vars: every path knob lands on the host where the profile says.

tests/data/kubespray holds verbatim lines of kubespray's kubeadm template and role defaults (source commit in
each file's header) as a role, so ansible-playbook applies kgen's inventory group_vars over kubespray's defaults
with Ansible's own precedence. The rendered kube-apiserver flags are then followed through the rendered
extraVolumes to the host path, as the kubelet mounts them. kubespray's PodSecurity template (verbatim) also gets
every hostile construct of test_ansible_inert as exempt usernames, which must come out unchanged.
"""

from __future__ import annotations

import posixpath
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from test_ansible_inert import ANSIBLE_PLAYBOOK, _ansible_env, one_line_constructs

from kgen.targets import kubespray
from kgen.targets.common import OutputFile
from kgen.targets.managed import platforms

from test_targets_platforms import custom_plan, output  # isort: skip

EXCERPT = Path(__file__).parent / "data" / "kubespray"


def render_with_kubespray(cases: dict[str, str], work: Path) -> dict[str, tuple[dict[str, Any], str]]:
    """Per case (name -> kgen's vars file): kubespray's ClusterConfiguration excerpt and audit policy host path.

    One ansible-playbook run templates every case: each is an inventory host of group k8s_cluster whose
    kgen vars sit in host_vars, which like kubespray's inventory group_vars take precedence over role defaults.
    """
    shutil.copytree(EXCERPT, work / "kubespray")
    inventory = work / "inventory"
    for name, text in cases.items():
        host_vars = inventory / "host_vars" / name / "kgen-hardening.yml"
        host_vars.parent.mkdir(parents=True)
        host_vars.write_text(text, encoding="utf-8")
        (work / name).mkdir()
    hosts = "".join(f"{name} excerpt_dest={work / name}\n" for name in cases)
    (inventory / "hosts.ini").write_text(f"[k8s_cluster]\n{hosts}", encoding="utf-8")
    (work / "tmp").mkdir()
    (work / "ansible.cfg").write_text(f"[defaults]\nroles_path = {work / 'kubespray' / 'roles'}\n", encoding="utf-8")
    play = [{"hosts": "k8s_cluster", "gather_facts": False, "roles": ["kubespray-excerpt"]}]
    (work / "play.yml").write_text(yaml.safe_dump(play), encoding="utf-8")
    completed = subprocess.run(
        [str(ANSIBLE_PLAYBOOK), "-i", str(inventory / "hosts.ini"), "-c", "local", "-e",
         f"ansible_python_interpreter={sys.executable}", str(work / "play.yml")],
        cwd=work, env=_ansible_env(work), capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stdout + completed.stderr
    results = {}
    for name in cases:
        config = yaml.safe_load((work / name / "kubeadm-config.yaml").read_text(encoding="utf-8"))
        policy = yaml.safe_load((work / name / "policy.json").read_text(encoding="utf-8"))["audit_policy_file"]
        results[name] = (config, policy)
        if name == HOSTILE:
            podsecurity = yaml.safe_load((work / name / "podsecurity.yaml").read_text(encoding="utf-8"))
            results[name] = (podsecurity, policy)
    return results


def host_path(config: dict[str, Any], pod_path: str) -> str:
    """Where a path inside the kube-apiserver pod is on the host: through the deepest extraVolume holding it."""
    holding = [
        volume
        for volume in config["apiServer"]["extraVolumes"]
        if pod_path == volume["mountPath"] or pod_path.startswith(volume["mountPath"].rstrip("/") + "/")
    ]
    assert holding, f"{pod_path} is on no volume: it would not outlive the container"
    volume = max(holding, key=lambda entry: len(entry["mountPath"]))
    return posixpath.join(volume["hostPath"], posixpath.relpath(pod_path, volume["mountPath"]))


def flag(config: dict[str, Any], name: str) -> str:
    values = [arg["value"] for arg in config["apiServer"]["extraArgs"] if arg["name"] == name]
    assert len(values) == 1, name
    return str(values[0])


def vars_text(files: list[OutputFile]) -> str:
    return str(output(files, kubespray.VARS_PATH).content)


# name -> (profile body, where the audit log must land on the host, certificate key algorithm)
CASES = {
    "default": ("extends: cis\n", "/var/log/kubernetes/audit/audit.log", "RSA-2048"),
    "moved": ("extends: strict\naudit:\n  logPath: /srv/k8s-audit/api/audit.log\n", "/srv/k8s-audit/api/audit.log", "ECDSA-P256"),
    "rsa": (
        "extends: cis\ncluster:\n  certificateAlgorithm: RSA-4096\naudit:\n  logPath: /var/log/kube-audit.log\n",
        "/var/log/kube-audit.log",
        "RSA-4096",
    ),
}
UNMOUNTED = "unmounted"
HOSTILE = "hostile"


@pytest.fixture(scope="module")
def kubespray_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("kubespray")


@pytest.fixture(scope="module")
def kubespray_rendered(kubespray_folder: Path) -> dict[str, tuple[dict[str, Any], str]]:
    folder = kubespray_folder
    cases = {}
    for name, (body, _, _) in CASES.items():
        (folder / name).mkdir()
        cases[name] = vars_text(kubespray.render(custom_plan(folder / name, f"name: {name}\n{body}")))
    # Profile strings through kubespray's own PodSecurity template: they must come out byte for byte.
    (folder / HOSTILE).mkdir()
    usernames = yaml.safe_dump({"admission": {"podSecurity": {"exemptUsernames": one_line_constructs(folder / "command-ran")}}})
    plan = custom_plan(folder / HOSTILE, f"name: {HOSTILE}\nextends: strict\n{usernames}")
    cases[HOSTILE] = vars_text(kubespray.render(plan))
    # The failure the mount variables prevent: the "moved" vars without them, on kubespray's own defaults.
    values = yaml.safe_load(cases["moved"].replace("!unsafe ", ""))
    for variable in platforms()["kubespray"]["pathMounts"]["audit_log_path"].values():
        values.pop(variable)
    cases[UNMOUNTED] = yaml.safe_dump(values)
    return render_with_kubespray(cases, folder / "run")


@pytest.mark.parametrize("name", list(CASES))
def test_every_path_knob_lands_where_the_profile_says(
    name: str, kubespray_rendered: dict[str, tuple[dict[str, Any], str]]
) -> None:
    _, log_path, algorithm = CASES[name]
    config, policy_file = kubespray_rendered[name]
    assert config["encryptionAlgorithm"] == algorithm
    assert flag(config, "audit-log-path") == log_path
    assert host_path(config, flag(config, "audit-log-path")) == log_path
    # kubespray writes the policy on the host at audit_policy_file; the pod must read that same file.
    assert host_path(config, flag(config, "audit-policy-file")) == policy_file


def test_without_the_mount_variables_kubesprays_fixed_host_directory_would_win(
    kubespray_rendered: dict[str, tuple[dict[str, Any], str]],
) -> None:
    config, _ = kubespray_rendered[UNMOUNTED]
    assert flag(config, "audit-log-path") == "/srv/k8s-audit/api/audit.log"
    assert host_path(config, flag(config, "audit-log-path")) == "/var/log/kubernetes/audit/audit.log"


def test_every_variable_kgen_sets_for_paths_and_algorithms_is_kubesprays() -> None:
    facts = platforms()["kubespray"]
    names = set(facts["variables"])
    for variable, mount in facts["pathMounts"].items():
        assert {variable, mount["hostPath"], mount["mountPath"]} <= names
    assert all(entry["variable"] in names for entry in facts["profileVariables"].values())
    template = (EXCERPT / "roles" / "kubespray-excerpt" / "templates" / "kubeadm-config-excerpt.yaml.j2").read_text()
    for mount in facts["pathMounts"].values():
        assert "{{ " + mount["hostPath"] + " }}" in template and "{{ " + mount["mountPath"] + " }}" in template


def test_profile_strings_pass_kubesprays_own_pod_security_template_unchanged(
    kubespray_rendered: dict[str, tuple[dict[str, Any], str]], kubespray_folder: Path
) -> None:
    podsecurity, _ = kubespray_rendered[HOSTILE]
    marker = kubespray_folder / "command-ran"
    assert not marker.exists()
    assert podsecurity["exemptions"]["usernames"] == one_line_constructs(marker)
