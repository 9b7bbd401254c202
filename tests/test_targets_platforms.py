"""Targets beyond kubeadm: kubespray, ansible, eks, gke, aks, and the not-controllable report."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from kgen import knowledge, yamlout
from kgen.plan import Plan, build_plan
from kgen.profile import ProfileLoader
from kgen.render import _loader, render_profile, validate_config_document
from kgen.targets import aks, ansible, eks, gke, kubespray
from kgen.targets.managed import not_controllable, platforms

PROFILES = ("baseline", "cis", "strict")
VERSIONS = ("1.33", "1.37")
CASES = [(profile, version) for profile in PROFILES for version in VERSIONS]
NEW_TARGETS = ("kubespray", "ansible", "eks", "gke", "aks")


def plan_for(reference: str, version: str) -> Plan:
    return build_plan(ProfileLoader().load(reference, version))


def custom_plan(tmp_path: Path, body: str, version: str = "1.37") -> Plan:
    path = tmp_path / "custom.yaml"
    path.write_text(body, encoding="utf-8")
    return plan_for(str(path), version)


def output(files: list[Any], path: str) -> Any:
    return next(f for f in files if f.path == path)


def parse(text: str) -> list[Any]:
    return [doc for doc in yaml.load_all(text, Loader=_loader()) if doc is not None]


def strict_kubelet_problems(fragment: dict[str, Any], version: str) -> list[Any]:
    """A fragment validated as a whole KubeletConfiguration, so unknown or misplaced fields fail."""
    document = {"apiVersion": knowledge.api_version("KubeletConfiguration", version), "kind": "KubeletConfiguration", **fragment}
    return validate_config_document(document, version, "fragment")


# --- every target renders and passes the pipeline's self-check ------------------------------------


@pytest.mark.parametrize(("profile", "version"), CASES)
def test_new_targets_render_and_self_check(profile: str, version: str) -> None:
    result = render_profile(ProfileLoader().load(profile, version), list(NEW_TARGETS))
    paths = {f.path for f in result.files}
    for target in NEW_TARGETS:
        assert f"{profile}/{target}/REPORT.md" in paths
    assert f"{profile}/kubespray/group_vars/k8s_cluster/kgen-hardening.yml" in paths
    assert f"{profile}/ansible/vars/kgen-kubeadm.yml" in paths
    assert f"{profile}/eks/nodeadm-nodeconfig.yaml" in paths
    assert f"{profile}/eks/eksctl-kubelet-extra-config.yaml" in paths
    assert f"{profile}/gke/cluster-settings.yaml" in paths
    assert f"{profile}/aks/kubeletconfig.json" in paths
    for rendered in result.files:
        if rendered.path.endswith("REPORT.md"):
            continue  # laid out by the shared report template
        assert rendered.content.endswith("\n") and not rendered.content.endswith("\n\n")
        assert "\r" not in rendered.content


# --- kubespray ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("profile", "version"), CASES)
def test_kubespray_names_are_kubesprays(profile: str, version: str) -> None:
    facts = platforms()["kubespray"]
    built = kubespray.build_vars(plan_for(profile, version))
    unknown = set(built.values) - set(facts["variables"])
    assert not unknown
    assert facts["upstream"]["commits"], "the kubespray names must record the commit they were checked at"


@pytest.mark.parametrize(("profile", "version"), CASES)
def test_kubespray_extra_args_never_collide(profile: str, version: str) -> None:
    facts = platforms()["kubespray"]
    values = kubespray.build_vars(plan_for(profile, version)).values
    templated = set(facts["templatedKubeletFields"])
    assert not set(values["kubelet_config_extra_args"]) & templated
    conflicting = {flag for flags in facts["conflictingFlags"].values() for flag in flags}
    for component, variable in kubespray.EXTRA_ARGS.items():
        names = set(values[variable])
        assert not names & set(facts["templatedFlags"][component]), variable
        assert not names & conflicting, variable
    assert strict_kubelet_problems(values["kubelet_config_extra_args"], version) == []


def test_kubespray_strict_137() -> None:
    values = kubespray.build_vars(plan_for("strict", "1.37")).values
    assert values["kubelet_config_extra_args"] == {
        "userNamespaces": {"idsPerPod": 65536},
        "imagePullCredentialsVerificationPolicy": "AlwaysVerify",
    }
    assert values["kube_apiserver_use_authentication_config_file"] is True
    assert values["kube_apiserver_authentication_config_anonymous"] == {
        "enabled": True,
        "conditions": [{"path": "/healthz"}, {"path": "/readyz"}, {"path": "/livez"}],
    }
    assert values["remove_anonymous_access"] is True and values["kubeadm_use_file_discovery"] is True
    assert values["kube_apiserver_use_authorization_config_file"] is False
    assert values["authorization_modes"] == ["Node", "RBAC"]
    assert values["kube_encrypt_secret_data"] is True and values["kube_encryption_algorithm"] == "secretbox"
    assert values["kube_read_only_port"] == 0 and values["kubelet_rotate_server_certificates"] is True
    assert values["kube_pod_security_default_enforce"] == "restricted"
    assert values["tls_min_version"] == "VersionTLS12"
    assert values["kube_apiserver_admission_event_rate_limits"]["limit_2"] == {
        "type": "Namespace",
        "qps": 50,
        "burst": 100,
        "cache_size": 2000,
    }
    assert values["kube_kubeadm_apiserver_extra_args"]["service-account-max-token-expiration"] == "24h"
    assert "anonymous-auth" not in values["kube_kubeadm_apiserver_extra_args"]
    assert values["kube_feature_gates"] == []


def test_kubespray_strict_133_resolves_gates_per_component() -> None:
    values = kubespray.build_vars(plan_for("strict", "1.33")).values
    assert values["kube_apiserver_feature_gates"] == ["ImageVolume=true"]
    assert values["kubelet_feature_gates"] == ["ImageVolume=true"]
    assert all(re.fullmatch(r"[A-Za-z0-9]+=(true|false)", gate) for gate in values["kubelet_feature_gates"])
    # image pull verification is alpha in 1.33 and strict does not allow alpha
    assert "imagePullCredentialsVerificationPolicy" not in values["kubelet_config_extra_args"]


def test_kubespray_audit_rules_parse_back_with_each_rule_omitting_request_received() -> None:
    values = kubespray.build_vars(plan_for("cis", "1.37")).values
    rules = yaml.safe_load(values["audit_policy_custom_rules"])
    assert isinstance(rules, list) and rules
    assert all("RequestReceived" in rule["omitStages"] for rule in rules)
    policy = {"apiVersion": "audit.k8s.io/v1", "kind": "Policy", "rules": rules}
    assert validate_config_document(policy, "1.37", "audit") == []


def test_kubespray_kms_is_reported_not_dropped(tmp_path: Path) -> None:
    plan = custom_plan(tmp_path, "name: kms\nextends: cis\nencryption:\n  provider: kms\n")
    built = kubespray.build_vars(plan)
    assert built.values["kube_encrypt_secret_data"] is False
    assert any("KMS" in entry["platform"] and entry["origin"] == "encryption.provider" for entry in built.not_controllable)
    assert not_controllable(plan, "kubespray") == built.not_controllable
    report = output(kubespray.render(plan), "REPORT.md").content
    assert f"{len(built.not_controllable)} setting(s) of the profile cannot be set here." in report


def test_kubespray_tags_template_text_unsafe(tmp_path: Path) -> None:
    plan = custom_plan(
        tmp_path,
        (
            "name: jinja\nextends: strict\nauthorization:\n  style: file\n  webhook:\n    name: policy\n"
            "    kubeConfigFile: /etc/kubernetes/webhook.conf\n    matchConditions:\n"
            "      - \"request.user != '{{ admin }}'\"\n      - \"'{% raw %}' != request.user\"\n"
        ),
    )
    values = kubespray.build_vars(plan).values
    authorizers = values["kube_apiserver_authorization_config_authorizers"]
    conditions = authorizers[2]["webhook"]["matchConditions"]
    assert all(isinstance(c["expression"], yamlout.UnsafeString) for c in conditions)
    assert authorizers[0] == {"type": "Node", "name": "node"}
    assert values["kube_apiserver_use_authorization_config_file"] is True
    assert "authorization_modes" not in values
    text = output(kubespray.render(plan), kubespray.VARS_PATH).content
    assert "expression: !unsafe \"request.user != '{{ admin }}'\"" in text
    tagged = [line for line in text.splitlines() if "{{" in line or "{%" in line]
    assert tagged and all("!unsafe" in line for line in tagged if not line.lstrip().startswith("#"))
    assert (
        parse(text)[0]["kube_apiserver_authorization_config_authorizers"][2]["webhook"]["matchConditions"][0]["expression"]
        == "request.user != '{{ admin }}'"
    )


# --- ansible ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("profile", "version"), CASES)
def test_ansible_role_objects(profile: str, version: str) -> None:
    plan = plan_for(profile, version)
    values, _ = ansible.role_vars(plan)
    for variable, kind in (
        ("kubernetes_config_cluster_configuration", "ClusterConfiguration"),
        ("kubernetes_config_kubelet_configuration", "KubeletConfiguration"),
        ("kubernetes_config_kube_proxy_configuration", "KubeProxyConfiguration"),
    ):
        body = values[variable]
        assert "apiVersion" not in body and "kind" not in body
        api_version = values[f"{variable}_api_version"]
        assert api_version == knowledge.api_version(kind, version)
        assert validate_config_document({"apiVersion": api_version, "kind": kind, **body}, version, variable) == []
    assert "kubernetes_config_init_configuration" not in values
    files = values["kgen_node_files"]
    assert [f["path"] for f in files] == [n.node_path for n in plan.files if not n.secret_placeholders]
    for entry, node_file in zip(files, [n for n in plan.files if not n.secret_placeholders], strict=True):
        assert entry["mode"] == "0600"
        assert yaml.safe_load(entry["content"]) == node_file.document
    rendered = ansible.render(plan)
    if any(n.secret_placeholders for n in plan.files):
        assert any(f.path.startswith("scripts/install-") and f.executable for f in rendered)


# --- eks ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("profile", "version"), CASES)
def test_eks_fragments(profile: str, version: str) -> None:
    data = platforms()["eks"]
    plan = plan_for(profile, version)
    files = eks.render(plan)
    node_config = parse(output(files, "nodeadm-nodeconfig.yaml").content)[0]
    assert node_config["apiVersion"] == "node.eks.aws/v1alpha1" and node_config["kind"] == "NodeConfig"
    fragment = node_config["spec"]["kubelet"]["config"]
    assert not set(fragment) & set(data["nodeadmOwned"])
    assert fragment["readOnlyPort"] == 0
    assert strict_kubelet_problems(fragment, version) == []
    eksctl = parse(output(files, "eksctl-kubelet-extra-config.yaml").content)[0]["kubeletExtraConfig"]
    assert not set(eksctl) & set(data["eksctlForbidden"])
    assert strict_kubelet_problems(eksctl, version) == []


def test_eks_strict_133_keeps_eksctl_default_gate() -> None:
    plan = plan_for("strict", "1.33")
    fragment, _ = eks.kubelet_fragment(plan)
    assert fragment["featureGates"] == {"ImageVolume": True}
    wrapped, _ = eks.eksctl_fragment(plan)
    assert wrapped["kubeletExtraConfig"]["featureGates"] == {"ImageVolume": True, "RotateKubeletServerCertificate": True}


def test_eks_strict_137_carries_new_kubelet_fields() -> None:
    fragment, _ = eks.kubelet_fragment(plan_for("strict", "1.37"))
    assert fragment["imagePullCredentialsVerificationPolicy"] == "AlwaysVerify"
    assert fragment["userNamespaces"] == {"idsPerPod": 65536}
    assert "serverTLSBootstrap" not in fragment and "authentication" not in fragment


# --- gke and aks ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("profile", "version"), CASES)
def test_gke_system_config_uses_only_gke_fields(profile: str, version: str) -> None:
    data = platforms()["gke"]
    files = gke.render(plan_for(profile, version))
    config = parse(output(files, "node-system-config.yaml").content)[0]
    assert set(config) <= {"kubeletConfig", "linuxConfig"}
    assert set(config["kubeletConfig"]) <= set(data["kubeletConfigFields"])
    assert set(config.get("linuxConfig", {})) <= set(data["linuxConfigFields"])
    assert config["kubeletConfig"]["insecureKubeletReadonlyPortEnabled"] is False
    assert 1024 <= config["kubeletConfig"]["podPidsLimit"] <= data["podPidsLimit"]["max"]
    settings = parse(output(files, "cluster-settings.yaml").content)[0]
    assert settings == {"anonymousAuthenticationConfig": {"mode": "LIMITED"}}


def test_gke_refuses_a_pid_limit_below_its_range(tmp_path: Path) -> None:
    plan = custom_plan(
        tmp_path,
        "name: pids\nextends: cis\nkubelet:\n  podPidsLimit: 500\nanonymousAccess:\n  mode: paths\n  paths: [/version]\n",
    )
    document, _ = gke.system_config(plan)
    assert "podPidsLimit" not in document.get("kubeletConfig", {})
    items = not_controllable(plan, "gke")
    assert any(i["setting"] == "kubelet podPidsLimit: 500" for i in items)
    assert any(i["origin"] == "anonymousAccess.paths" for i in items)


@pytest.mark.parametrize(("profile", "version"), CASES)
def test_aks_config_uses_only_aks_fields(profile: str, version: str) -> None:
    data = platforms()["aks"]
    files = aks.render(plan_for(profile, version))
    kubelet = json.loads(output(files, "kubeletconfig.json").content)
    assert set(kubelet) <= set(data["kubeletConfigFields"])
    assert kubelet == {"podMaxPids": 4096}
    assert not any(f.path == "linuxosconfig.json" for f in files)


# --- the not-controllable report --------------------------------------------------------------------


def _accepted_kubelet_keys(plan: Plan, target: str) -> set[str]:
    if target == "eks":
        fragment, _ = eks.kubelet_fragment(plan)
        return {s.key for s in plan.fields("kubelet") if s.key.split(".", 1)[0] in fragment}
    field_map = platforms()[target]["kubeletFieldMap"]
    emitted = gke.system_config(plan)[0].get("kubeletConfig", {}) if target == "gke" else aks.kubelet_config(plan)
    return {s.key for s in plan.fields("kubelet") if field_map.get(s.key) in emitted}


@pytest.mark.parametrize("target", ["eks", "gke", "aks"])
@pytest.mark.parametrize(("profile", "version"), CASES)
def test_managed_reports_account_for_every_setting(profile: str, version: str, target: str) -> None:
    plan = plan_for(profile, version)
    items = not_controllable(plan, target)
    settings = {item["setting"] for item in items}
    for setting in plan.settings:
        if setting.component == "kubelet" and not setting.is_flag:
            continue
        assert any(
            s.startswith(f"{setting.component} --{setting.key}") or s.startswith(f"{setting.component} {setting.key}")
            for s in settings
        ), setting.key
    for node_file in plan.files:
        assert any(node_file.node_path in s for s in settings)
    accepted = _accepted_kubelet_keys(plan, target)
    for setting in plan.fields("kubelet"):
        refused = any(s.startswith(f"kubelet {setting.key}") for s in settings)
        assert refused != (setting.key in accepted), setting.key
    module = {"eks": eks, "gke": gke, "aks": aks}[target]
    report = output(module.render(plan), "REPORT.md").content
    assert f"{len(items)} setting(s) of the profile cannot be set here." in report
    assert report.count("\n| ") - 2 >= len(items)
    assert all(item["platform"] and item["action"] and item["origin"] for item in items)


@pytest.mark.parametrize(
    ("target", "mechanism"), [("eks", "envelope encryption"), ("gke", "LIMITED"), ("aks", "KMS etcd encryption")]
)
def test_managed_reports_name_the_platform_mechanism(target: str, mechanism: str) -> None:
    items = not_controllable(plan_for("cis", "1.37"), target)
    assert any(mechanism in item["platform"] or mechanism in item["action"] for item in items)


def test_kubeadm_and_flags_have_nothing_uncontrollable() -> None:
    plan = plan_for("strict", "1.37")
    assert not_controllable(plan, "kubeadm") == [] and not_controllable(plan, "ansible") == []
    assert not_controllable(plan, "kubespray") == []
