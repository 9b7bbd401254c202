"""Targets beyond kubeadm: kubespray, ansible, eks, gke, aks, and the not-controllable report."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from kgen import knowledge, yamlout
from kgen.errors import KgenError
from kgen.plan import Plan, build_plan
from kgen.profile import ProfileLoader
from kgen.render import _loader, render_profile, validate_config_document
from kgen.targets import aks, ansible, eks, gke, kubespray, not_controllable
from kgen.targets.managed import platforms

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
    for component, variable in kubespray.extra_args_variables().items():
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


@pytest.mark.parametrize(
    ("version", "line"),
    [
        ("1.33", "# Kubespray that installs Kubernetes 1.33: v2.31.0 ("),
        ("1.35", "# Kubespray that installs Kubernetes 1.35: v2.31.0, main (unreleased) ("),
        ("1.37", "# No kubespray known to kgen installs Kubernetes 1.37 ("),
    ],
)
def test_kubespray_header_names_the_releases_for_the_version(version: str, line: str) -> None:
    text = output(kubespray.render(plan_for("cis", version)), kubespray.VARS_PATH).content
    assert any(row.startswith(line) for row in text.splitlines()), text[:600]


@pytest.mark.parametrize("version", VERSIONS)
def test_kubespray_cis(version: str) -> None:
    values = kubespray.build_vars(plan_for("cis", version)).values
    assert values["authorization_modes"] == ["Node", "RBAC"]
    assert isinstance(values["kube_apiserver_enable_admission_plugins"], list)
    assert isinstance(values["audit_policy_custom_rules"], str) and values["kubernetes_audit"] is True
    assert values["kube_encryption_algorithm"] in platforms()["kubespray"]["encryptionAlgorithms"]
    assert values["kubelet_rotate_server_certificates"] is True
    assert values["remove_anonymous_access"] is True and values["kubeadm_use_file_discovery"] is True
    assert values["kubelet_config_extra_args"] == {} and values["kubelet_feature_gates"] == []
    assert "kube_api_anonymous_auth" not in values  # the authentication config file replaces --anonymous-auth
    text = output(kubespray.render(plan_for("cis", version)), kubespray.VARS_PATH).content
    assert "kubelet_csr_approver_enabled defaults to kubelet_rotate_server_certificates" in text
    assert "kubeadm:bootstrap-signer-clusterinfo" in text


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


# geerlingguy/ansible-role-kubernetes templates/kubeadm-kubelet-config.j2 @ d61baa9: the role's own spelling.
ROLE_OBJECTS = (
    ("kubernetes_config_cluster_configuration", "kubernetes_config_kubeadm_apiversion", "ClusterConfiguration"),
    ("kubernetes_config_kubelet_configuration", "kubenetes_config_kubelet_apiversion", "KubeletConfiguration"),
    ("kubernetes_config_kube_proxy_configuration", "kubernetes_config_kubeproxy_apiversion", "KubeProxyConfiguration"),
)


@pytest.mark.parametrize(("profile", "version"), CASES)
def test_ansible_role_objects(profile: str, version: str) -> None:
    plan = plan_for(profile, version)
    values, _ = ansible.role_vars(plan)
    for variable, version_variable, kind in ROLE_OBJECTS:
        body = values[variable]
        assert "apiVersion" not in body and "kind" not in body
        group, _, wanted = knowledge.api_version(kind, version).rpartition("/")
        assert values[version_variable] == wanted, version_variable
        document = {"apiVersion": f"{group}/{values[version_variable]}", "kind": kind, **body}
        if kind == "ClusterConfiguration":
            assert body["networking"]["podSubnet"] == "{{ kubernetes_pod_network.cidr }}"
            assert not isinstance(body["networking"]["podSubnet"], yamlout.UnsafeString)
            document = {**document, "networking": {}}
        assert validate_config_document(document, version, variable) == []
    assert not any(name.endswith("_api_version") for name in values)
    assert values["kubernetes_version"] == values["kubernetes_version_rhel_package"] == version
    assert "kubernetes_config_init_configuration" not in values
    files = values["kgen_node_files"]
    assert [f["path"] for f in files] == [n.node_path for n in plan.files if not n.secret_placeholders]
    for entry, node_file in zip(files, [n for n in plan.files if not n.secret_placeholders], strict=True):
        assert entry["mode"] == "0600"
        assert yaml.safe_load(entry["content"]) == node_file.document
    rendered = ansible.render(plan)
    if any(n.secret_placeholders for n in plan.files):
        assert any(f.path.startswith("scripts/install-") and f.executable for f in rendered)


def test_ansible_keeps_a_profile_pod_subnet(tmp_path: Path) -> None:
    plan = custom_plan(tmp_path, "name: net\nextends: cis\ncluster:\n  podSubnet: 10.244.0.0/16\n")
    values, _ = ansible.role_vars(plan)
    assert values["kubernetes_config_cluster_configuration"]["networking"] == {"podSubnet": "10.244.0.0/16"}
    text = output(ansible.render(plan), ansible.VARS_PATH).content
    assert "kubernetes_pod_network" not in text


def test_ansible_role_expression_is_left_for_ansible() -> None:
    text = output(ansible.render(plan_for("strict", "1.37")), ansible.VARS_PATH).content
    assert "podSubnet: '{{ kubernetes_pod_network.cidr }}'  # the role's default" in text
    assert "kubenetes_config_kubelet_apiversion: !unsafe v1beta1" in text


def test_ansible_keeps_the_roles_kubelet_defaults_unless_the_profile_sets_them() -> None:
    values, comments = ansible.role_vars(plan_for("cis", "1.37"))
    kubelet = values["kubernetes_config_kubelet_configuration"]
    assert platforms()["ansible"]["roleKubeletDefaults"] == {"cgroupDriver": "systemd"}
    assert kubelet["cgroupDriver"] == "systemd"
    assert ("kubernetes_config_kubelet_configuration", "cgroupDriver") in comments
    assert kubelet["readOnlyPort"] == 0 and kubelet["authentication"]["anonymous"]["enabled"] is False


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


@pytest.mark.parametrize(("profile", "version"), [(p, v) for p in ("cis", "strict") for v in VERSIONS])
def test_eks_leaves_the_serving_certificate_gate_to_nodeadm(profile: str, version: str) -> None:
    """nodeadm's own config turns RotateKubeletServerCertificate on and the drop-in merges over it (CIS EKS 3.2.9)."""
    data = platforms()["eks"]
    assert data["nodeadmDefaults"]["featureGates"] == {"RotateKubeletServerCertificate": True}
    plan = plan_for(profile, version)
    files = eks.render(plan)
    node_config = parse(output(files, "nodeadm-nodeconfig.yaml").content)[0]
    assert "RotateKubeletServerCertificate" not in node_config["spec"]["kubelet"]["config"].get("featureGates", {})
    report = output(files, "REPORT.md").content
    assert "CIS EKS 1.8.0 3.2.9 is met by the platform" in report
    eksctl_text = output(files, "eksctl-kubelet-extra-config.yaml").content
    assert "# Paste under nodeGroups[] (self-managed)" in eksctl_text
    assert "no kubeletExtraConfig for managedNodeGroups[]" in eksctl_text


def test_eks_cis_fragment() -> None:
    for version in VERSIONS:
        fragment, _ = eks.kubelet_fragment(plan_for("cis", version))
        assert fragment == {
            "readOnlyPort": 0,
            "streamingConnectionIdleTimeout": "5m",
            "makeIPTablesUtilChains": True,
            "eventRecordQPS": 5,
            "rotateCertificates": True,
            "protectKernelDefaults": True,
            "tlsMinVersion": "VersionTLS12",
            "tlsCipherSuites": [
                "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
                "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
                "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
                "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
                "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305",
                "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305",
            ],
            "podPidsLimit": 4096,
            "seccompDefault": True,
        }, version
        assert "featureGates" not in eks.eksctl_fragment(plan_for("cis", version))[0]["kubeletExtraConfig"]


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


# googleapis/googleapis google/container/v1/cluster_service.proto @ f8291d2: NodeKubeletConfig in proto3 JSON names.
GKE_KUBELET_FIELDS = {
    "cpuManagerPolicy", "topologyManager", "memoryManager", "cpuCfsQuota", "cpuCfsQuotaPeriod", "podPidsLimit",
    "insecureKubeletReadonlyPortEnabled", "imageGcLowThresholdPercent", "imageGcHighThresholdPercent", "imageMinimumGcAge",
    "imageMaximumGcAge", "containerLogMaxSize", "containerLogMaxFiles", "allowedUnsafeSysctls", "evictionSoft",
    "evictionSoftGracePeriod", "evictionMinimumReclaim", "evictionMaxPodGracePeriodSeconds", "maxParallelImagePulls",
    "singleProcessOomKill", "crashLoopBackOff", "shutdownGracePeriodSeconds", "shutdownGracePeriodCriticalPodsSeconds",
}  # fmt: skip
# Azure/azure-rest-api-specs aks/stable/2025-10-01/managedClusters.json @ 06da0e3: KubeletConfig properties.
AKS_KUBELET_FIELDS = {
    "cpuManagerPolicy", "cpuCfsQuota", "cpuCfsQuotaPeriod", "imageGcHighThreshold", "imageGcLowThreshold",
    "topologyManagerPolicy", "allowedUnsafeSysctls", "failSwapOn", "containerLogMaxSizeMB", "containerLogMaxFiles", "podMaxPids",
}  # fmt: skip


def test_platform_field_lists_match_the_verified_apis() -> None:
    assert set(platforms()["gke"]["kubeletConfigFields"]) == GKE_KUBELET_FIELDS
    assert set(platforms()["aks"]["kubeletConfigFields"]) == AKS_KUBELET_FIELDS
    assert "seccompDefault" not in AKS_KUBELET_FIELDS
    assert platforms()["gke"]["podPidsLimit"] == {"min": 1024, "max": 4194303}  # ">= 1024 and < 4194304"
    assert platforms()["gke"]["anonymousModes"] == ["ENABLED", "LIMITED"]


@pytest.mark.parametrize(("profile", "version"), [(p, v) for p in ("cis", "strict") for v in VERSIONS])
def test_managed_cis_and_strict_outputs(profile: str, version: str) -> None:
    plan = plan_for(profile, version)
    gke_files = gke.render(plan)
    assert parse(output(gke_files, "node-system-config.yaml").content)[0] == {
        "kubeletConfig": {"insecureKubeletReadonlyPortEnabled": False, "podPidsLimit": 4096}
    }
    settings_text = output(gke_files, "cluster-settings.yaml").content
    assert "gcloud container clusters update CLUSTER --anonymous-authentication-config=MODE" in settings_text
    assert parse(settings_text)[0] == {"anonymousAuthenticationConfig": {"mode": "LIMITED"}}
    assert json.loads(output(aks.render(plan), "kubeletconfig.json").content) == {"podMaxPids": 4096}
    assert set(aks.kubelet_config(plan)) <= AKS_KUBELET_FIELDS


@pytest.mark.parametrize(("limit", "accepted"), [(1023, False), (1024, True), (4194303, True), (4194304, False)])
def test_gke_pid_limit_range_edges(tmp_path: Path, limit: int, accepted: bool) -> None:
    plan = custom_plan(tmp_path, f"name: pids\nextends: cis\nkubelet:\n  podPidsLimit: {limit}\n")
    document, _ = gke.system_config(plan)
    assert (document["kubeletConfig"].get("podPidsLimit") == limit) is accepted
    refused = [i for i in not_controllable(plan, "gke") if i["setting"] == f"kubelet podPidsLimit: {limit}"]
    assert bool(refused) is not accepted


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


# --- never weaker than the platform or role ---------------------------------------------------------


def _dig(tree: dict[str, Any], dotted: str) -> Any:
    node: Any = tree
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def _kubespray_kubelet_value(values: dict[str, Any], field: str) -> Any:
    entry = platforms()["kubespray"]["kubeletVariables"].get(field)
    if entry is None or entry["variable"] not in values:
        return None
    value = values[entry["variable"]]
    return ("Webhook" if value else "AlwaysAllow") if entry["type"] == "webhook-mode" else value


@pytest.mark.parametrize(("profile", "version"), CASES)
def test_no_target_renders_a_kubelet_value_weaker_than_its_platforms_default(profile: str, version: str) -> None:
    facts = platforms()
    plan = plan_for(profile, version)
    fragment = parse(output(eks.render(plan), "nodeadm-nodeconfig.yaml").content)[0]["spec"]["kubelet"]["config"]
    eksctl = parse(output(eks.render(plan), "eksctl-kubelet-extra-config.yaml").content)[0]["kubeletExtraConfig"]
    spray = kubespray.build_vars(plan).values
    checked = 0
    for field, hardened in facts["kubeletHardened"].items():
        if facts["eks"]["kubeletDefaults"].get(field) == hardened:
            assert _dig(fragment, field) in (None, hardened), field
            assert _dig(eksctl, field) in (None, hardened), field
            checked += 1
        if facts["kubespray"]["kubeletDefaults"].get(field) == hardened:
            assert _kubespray_kubelet_value(spray, field) in (None, hardened), field
            checked += 1
    assert checked >= 10


def test_baseline_leaves_the_platforms_protect_kernel_defaults_alone() -> None:
    plan = plan_for("baseline", "1.37")
    assert plan.config("kubelet")["protectKernelDefaults"] is False
    files = eks.render(plan)
    fragment = parse(output(files, "nodeadm-nodeconfig.yaml").content)[0]["spec"]["kubelet"]["config"]
    assert "protectKernelDefaults" not in fragment
    assert "protectKernelDefaults" not in output(files, "eksctl-kubelet-extra-config.yaml").content
    eks_items = [entry for entry in not_controllable(plan, "eks") if entry["origin"] == "kubelet.protectKernelDefaults"]
    assert len(eks_items) == 1 and "nodeadm" in eks_items[0]["platform"] and "stronger" in eks_items[0]["platform"]
    built = kubespray.build_vars(plan)
    assert "kubelet_protect_kernel_defaults" not in built.values
    assert any(entry["origin"] == "kubelet.protectKernelDefaults" for entry in built.not_controllable)
    report = output(files, "REPORT.md").content
    assert "## The platform's own defaults" in report and "protectKernelDefaults: true" in report
    # The hardened value is still rendered: it equals the platform's and says so explicitly.
    cis = plan_for("cis", "1.37")
    assert (
        parse(output(eks.render(cis), "nodeadm-nodeconfig.yaml").content)[0]["spec"]["kubelet"]["config"]["protectKernelDefaults"]
        is True
    )
    assert kubespray.build_vars(cis).values["kubelet_protect_kernel_defaults"] is True


def test_a_platform_default_that_is_not_hardened_is_not_protected(tmp_path: Path) -> None:
    """kubespray leaves serverTLSBootstrap off by default: a profile may turn it on or leave it off."""
    assert platforms()["kubespray"]["kubeletDefaults"]["serverTLSBootstrap"] is False
    plan = custom_plan(tmp_path, "name: tls-off\nextends: cis\nkubelet:\n  serverTLSBootstrap: false\n")
    assert kubespray.build_vars(plan).values["kubelet_rotate_server_certificates"] is False


def test_gke_refuses_what_its_node_system_config_cannot_say(tmp_path: Path) -> None:
    """GKE takes podPidsLimit only within its bounds and can only open or close the read-only port (platform data)."""
    from kgen.profile import ProfileLoader
    from kgen.targets import not_controllable

    profile = tmp_path / "p.yaml"
    profile.write_text("name: p\nextends: cis\nkubelet:\n  podPidsLimit: 100\n", encoding="utf-8")
    from kgen.plan import build_plan

    items = not_controllable(build_plan(ProfileLoader(tmp_path).load(str(profile))), "gke")
    texts = [entry["platform"] for entry in items]
    assert "GKE accepts podPidsLimit from 1024 to 4194303 only" in texts
    assert not any("only opens or closes" in text for text in texts)  # cis keeps the read-only port closed


def _with_kubelet_value(plan: Plan, key: str, value: Any) -> Plan:
    """The plan with one kubelet field's value replaced (for values the profile schema refuses)."""
    plan.settings = [s._replace(value=value) if s.component == "kubelet" and s.key == key else s for s in plan.settings]
    return plan


def test_gke_never_opens_a_read_only_port_its_default_keeps_closed(tmp_path: Path) -> None:
    """GKE closes the read-only port by default in clusters created at 1.32 or later (platform data, with the
    condition): an open port renders nothing and is listed with the reason; the closed port renders as before."""
    facts = platforms()["gke"]
    assert facts["kubeletDefaults"]["readOnlyPort"] == 0
    assert facts["kubeletDefaultsWhen"]["readOnlyPort"] == "in clusters created at GKE 1.32 or later"
    # The profile schema refuses an open port outright ...
    profile = tmp_path / "open.yaml"
    profile.write_text("name: open\nextends: cis\nkubelet:\n  readOnlyPort: 10255\n", encoding="utf-8")
    with pytest.raises(KgenError, match=r"kubelet\.readOnlyPort: 10255 is not allowed"):
        ProfileLoader(tmp_path).load(str(profile))
    # ... and a plan that holds one anyway renders nothing for it.
    plan = _with_kubelet_value(plan_for("cis", "1.37"), "readOnlyPort", 10255)
    document, _ = gke.system_config(plan)
    assert document == {"kubeletConfig": {"podPidsLimit": 4096}}
    files = gke.render(plan)
    assert "insecureKubeletReadonlyPortEnabled" not in output(files, "node-system-config.yaml").content
    items = [entry for entry in not_controllable(plan, "gke") if entry["origin"] == "kubelet.readOnlyPort"]
    assert items == [
        {
            "setting": "kubelet readOnlyPort: 10255",
            "origin": "kubelet.readOnlyPort",
            "platform": "GKE's node defaults already set readOnlyPort: 0 (in clusters created at GKE 1.32 or later), "
            "stronger than the profile's 10255; kgen never renders a weaker value over it",
            "action": "nothing to do: the platform's value stays",
        }
    ]
    report = output(files, "REPORT.md").content
    assert "| kubelet readOnlyPort: 10255 | `kubelet.readOnlyPort` | GKE's node defaults already set readOnlyPort: 0" in report
    # The hardened value still renders: a cluster created before 1.32 may have the port open.
    cis = gke.render(plan_for("cis", "1.37"))
    config = parse(output(cis, "node-system-config.yaml").content)[0]
    assert config["kubeletConfig"]["insecureKubeletReadonlyPortEnabled"] is False
    assert not any(entry["origin"] == "kubelet.readOnlyPort" for entry in not_controllable(plan_for("cis", "1.37"), "gke"))
    assert (
        "Each kubelet value is compared with GKE's node defaults; it holds readOnlyPort: 0 "
        "(in clusters created at GKE 1.32 or later)." in output(cis, "REPORT.md").content
    )


def test_aks_lists_a_kubelet_value_weaker_than_its_node_default(tmp_path: Path) -> None:
    """AKS nodes start with anonymous authentication off and protectKernelDefaults on (platform data): a profile
    asking otherwise renders nothing for them and REPORT.md says the platform's value is stronger."""
    facts = platforms()["aks"]
    assert facts["kubeletDefaults"]["protectKernelDefaults"] is True
    assert facts["kubeletDefaults"]["authentication.anonymous.enabled"] is False
    plan = custom_plan(tmp_path, "name: weak\nextends: baseline\nkubelet:\n  anonymousAuth: true\n")
    assert plan.config("kubelet")["protectKernelDefaults"] is False
    assert plan.config("kubelet")["authentication"]["anonymous"]["enabled"] is True
    files = aks.render(plan)
    assert json.loads(output(files, "kubeletconfig.json").content) == {"podMaxPids": 4096}
    weaker = {entry["origin"]: entry for entry in not_controllable(plan, "aks") if "stronger" in entry["platform"]}
    assert set(weaker) == {"kubelet.protectKernelDefaults", "kubelet.anonymousAuth"}
    assert weaker["kubelet.protectKernelDefaults"]["platform"] == (
        "AKS's node defaults (AgentBaker's node template) already set protectKernelDefaults: true, stronger than the "
        "profile's false; kgen never renders a weaker value over it"
    )
    assert (
        "authentication.anonymous.enabled: false, stronger than the profile's true"
        in (weaker["kubelet.anonymousAuth"]["platform"])
    )
    report = output(files, "REPORT.md").content
    assert (
        "compared with AKS's node defaults (AgentBaker's node template); it holds authentication.anonymous.enabled: "
        "false, authentication.webhook.enabled: true, authorization.mode: Webhook, protectKernelDefaults: true, "
        "readOnlyPort: 0." in report
    )
    # AKS's podPidsLimit default (-1, no limit) is not a hardened value: the profile's limit renders as before.
    assert facts["kubeletDefaults"]["podPidsLimit"] == -1
    assert "podPidsLimit" not in platforms()["kubeletHardened"]
    cis = plan_for("cis", "1.37")
    assert json.loads(output(aks.render(cis), "kubeletconfig.json").content) == {"podMaxPids": 4096}
    assert not any("stronger" in entry["platform"] for entry in not_controllable(cis, "aks"))


def test_a_conditional_default_names_only_recorded_defaults() -> None:
    for name, data in platforms().items():
        if isinstance(data, dict) and "kubeletDefaultsWhen" in data:
            assert set(data["kubeletDefaultsWhen"]) <= set(data["kubeletDefaults"]), name


def test_gke_refuses_a_value_its_field_cannot_take_without_a_recorded_default(monkeypatch: pytest.MonkeyPatch) -> None:
    """kubeletValueMap lists the values GKE's field can take; without the default, an open port is still refused."""
    import copy

    from kgen.targets import managed

    facts = copy.deepcopy(platforms())
    facts["gke"]["kubeletDefaults"] = {}
    monkeypatch.setattr(managed, "platforms", lambda: facts)
    plan = _with_kubelet_value(plan_for("cis", "1.37"), "readOnlyPort", 10255)
    setting = next(s for s in plan.fields("kubelet") if s.key == "readOnlyPort")
    refusal = managed.kubelet_refusal(setting, "gke")
    assert refusal is not None
    assert refusal["platform"] == "GKE only opens or closes the read-only port 10255"
    assert refusal["action"] == "set kubelet.readOnlyPort to 0"
    closed = setting._replace(value=0)
    assert managed.kubelet_refusal(closed, "gke") is None
    assert managed.platform_value(closed, "gke") is False
