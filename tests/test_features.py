"""What the strict profile renders for each security feature, per Kubernetes version and component.

Expected values follow the upstream versioned feature-gate list (kubernetes/kubernetes
test/compatibility_lifecycle/reference/versioned_feature_list.yaml, as summarised with its sources
in the project's feature-gate notes): e.g. UserNamespacesSupport beta-off 1.31-1.32, beta-on
1.33-1.35, GA 1.36; ImageVolume alpha 1.31-1.32, beta-off 1.33-1.34, beta-on 1.35, GA 1.36;
PodCertificateRequest alpha 1.34, beta-off 1.35-1.36, GA 1.37; ClusterTrustBundle(Projection)
beta-off 1.33-1.36 and their certificates.k8s.io/v1beta1 APIs; KubeletEnsureSecretPulledImages
alpha 1.33-1.34, beta-on from 1.35; OrderedNamespaceDeletion beta-off 1.31-1.32.
"""

from __future__ import annotations

import pytest

from kgen.plan import Plan, build_plan
from kgen.profile import ProfileLoader

PCR = "ClusterTrustBundle=true,ClusterTrustBundleProjection=true,PodCertificateRequest=true"
PCR_RUNTIME = "certificates.k8s.io/v1beta1/clustertrustbundles=true,certificates.k8s.io/v1beta1/podcertificaterequests=true"

# version -> (kube-apiserver, kube-controller-manager, kube-scheduler --feature-gates, kubelet featureGates, --runtime-config)
EXPECTED_GATES: dict[str, tuple[str | None, str | None, str | None, dict[str, bool] | None, str | None]] = {
    "1.31": (
        "OrderedNamespaceDeletion=true,UserNamespacesSupport=true",
        "OrderedNamespaceDeletion=true",
        None,
        {"UserNamespacesSupport": True},
        None,
    ),
    "1.32": (
        "OrderedNamespaceDeletion=true,UserNamespacesSupport=true",
        "OrderedNamespaceDeletion=true",
        None,
        {"UserNamespacesSupport": True},
        None,
    ),
    "1.33": ("ImageVolume=true", None, None, {"ImageVolume": True}, None),
    "1.34": ("ImageVolume=true", None, None, {"ImageVolume": True}, None),
    "1.35": (
        PCR,
        "ClusterTrustBundle=true,PodCertificateRequest=true",
        None,
        {"ClusterTrustBundle": True, "ClusterTrustBundleProjection": True, "PodCertificateRequest": True},
        PCR_RUNTIME,
    ),
    "1.36": (
        PCR,
        "ClusterTrustBundle=true,PodCertificateRequest=true",
        None,
        {"ClusterTrustBundle": True, "ClusterTrustBundleProjection": True, "PodCertificateRequest": True},
        PCR_RUNTIME,
    ),
    "1.37": (None, None, None, None, None),
}

# version -> feature knob -> state
EXPECTED_STATES = {
    "1.31": {
        "anonymousEndpoints": "unavailable",
        "authorizeWithSelectors": "unavailable",
        "orderedNamespaceDeletion": "rendered",
        "userNamespaces": "rendered",
        "imageVolumes": "unavailable",
        "imagePullCredentialVerification": "unavailable",
        "podCertificates": "unavailable",
        "constrainedImpersonation": "unavailable",
        "csiServiceAccountTokenSecrets": "unavailable",
        "sidecarContainers": "on-by-default",
        "recursiveReadOnlyMounts": "on-by-default",
    },
    "1.33": {
        "anonymousEndpoints": "on-by-default",
        "userNamespaces": "on-by-default",
        "imageVolumes": "rendered",
        "imagePullCredentialVerification": "unavailable",
        "podCertificates": "unavailable",
        "sidecarContainers": "on-by-default",
    },
    "1.35": {
        "imagePullCredentialVerification": "on-by-default",
        "podCertificates": "rendered",
        "constrainedImpersonation": "unavailable",
        "csiServiceAccountTokenSecrets": "on-by-default",
        "imageVolumes": "on-by-default",
        "userNamespacesHostNetwork": "unavailable",
    },
    "1.36": {"constrainedImpersonation": "on-by-default", "userNamespaces": "on-by-default", "podCertificates": "rendered"},
    "1.37": {
        "anonymousEndpoints": "built-in",
        "authorizeWithSelectors": "built-in",
        "orderedNamespaceDeletion": "built-in",
        "sidecarContainers": "built-in",
        "podCertificates": "on-by-default",
        "userNamespacesHostNetwork": "unavailable",
    },
}


def strict(version: str) -> Plan:
    return build_plan(ProfileLoader().load("strict", version))


@pytest.mark.parametrize("version", sorted(EXPECTED_GATES))
def test_strict_gates_per_component(version: str) -> None:
    plan = strict(version)
    apiserver, kcm, scheduler, kubelet, runtime = EXPECTED_GATES[version]
    assert plan.flag_value("kube-apiserver", "feature-gates") == apiserver
    assert plan.flag_value("kube-controller-manager", "feature-gates") == kcm
    assert plan.flag_value("kube-scheduler", "feature-gates") == scheduler
    assert plan.config("kubelet").get("featureGates") == kubelet
    assert plan.flag_value("kube-apiserver", "runtime-config") == runtime
    assert plan.config("kube-proxy").get("featureGates") is None


@pytest.mark.parametrize("version", sorted(EXPECTED_STATES))
def test_strict_feature_states(version: str) -> None:
    states = {f.knob: f.state for f in strict(version).features}
    for knob, state in EXPECTED_STATES[version].items():
        assert states[knob] == state, (version, knob)


@pytest.mark.parametrize("version", ["1.31", "1.32", "1.33", "1.34", "1.35", "1.36", "1.37"])
def test_kubelet_fields_appear_only_where_the_version_has_them(version: str) -> None:
    config = strict(version).config("kubelet")
    has_user_namespaces = version >= "1.33"  # KubeletConfiguration.userNamespaces since 1.33
    has_pull_policy = version >= "1.35"  # field since 1.33, gate alpha (off) until 1.35
    assert ("userNamespaces" in config) is has_user_namespaces
    assert ("imagePullCredentialsVerificationPolicy" in config) is has_pull_policy
    if has_pull_policy:
        assert config["imagePullCredentialsVerificationPolicy"] == "AlwaysVerify"


def test_kep_4872_gate_is_never_rendered() -> None:
    for version in EXPECTED_GATES:
        plan = strict(version)
        assert "KubeletCertCNValidation" not in str(plan.flag_value("kube-apiserver", "feature-gates"))
        assert plan.flag_value("kube-apiserver", "enable-kubelet-cert-cn-validation") is None
        assert plan.flag_value("kube-apiserver", "kubelet-certificate-authority")  # the prerequisite is rendered


def test_alpha_features_need_the_switch() -> None:
    loader = ProfileLoader()
    profile = loader.load("strict", "1.35")
    profile.data["features"]["allowAlpha"] = True
    plan = build_plan(profile)
    gates = plan.flag_value("kube-apiserver", "feature-gates")
    assert "ConstrainedImpersonation=true" in gates
    assert "UserNamespacesHostNetworkSupport=true" in gates
    assert "UserNamespacesHostNetworkSupport=true" in plan.flag_value("kube-scheduler", "feature-gates")
    assert plan.config("kubelet")["featureGates"]["UserNamespacesHostNetworkSupport"] is True


def test_image_volume_policy_limits_registries() -> None:
    plan = strict("1.36")
    kinds = [obj.document["kind"] for obj in plan.cluster_objects]
    assert kinds == ["ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding"]
    expression = plan.cluster_objects[0].document["spec"]["validations"][0]["expression"]
    assert "'registry.k8s.io/*'" in expression
