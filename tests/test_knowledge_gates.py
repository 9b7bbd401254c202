"""Per-version facts for the gates behind kgen's hardening features, pinned release by release.

Notation: "A-" alpha/off, "B-" beta/off, "B+" beta/on, "G+" GA/on (unlocked), "G+L" GA/on locked,
None = the release does not know the gate (setting it fails as an unrecognized feature gate).
Sources are named per test; "list" = kubernetes/kubernetes
test/compatibility_lifecycle/reference/versioned_feature_list.yaml (newest stored copy @ 0c75d4bb and
the older snapshots) as summarised in the shared feature-gate notes.
"""

from __future__ import annotations

import pytest

from kgen import knowledge
from kgen.knowledge import GateState

VERSIONS = ("1.31", "1.32", "1.33", "1.34", "1.35", "1.36", "1.37", "1.38")
STAGES = {"A": "alpha", "B": "beta", "G": "ga", "D": "deprecated"}


def code(state: GateState | None) -> str | None:
    if state is None:
        return None
    letter = next(k for k, v in STAGES.items() if v == state.stage)
    return letter + ("+" if state.default else "-") + ("L" if state.locked else "")


def table(name: str) -> dict[str, str | None]:
    found = knowledge.gate(name)
    assert found is not None, name
    return {v: code(found.state(v)) for v in VERSIONS}


def row(*codes: str | None) -> dict[str, str | None]:
    assert len(codes) == len(VERSIONS)
    return dict(zip(VERSIONS, codes, strict=True))


def test_bound_service_account_token_gates() -> None:
    # list; KEP-4193 (notes 3.1). PodNodeInfo is gone from the 1.38-dev list.
    assert table("ServiceAccountTokenJTI") == row("B+", *["G+L"] * 7)
    assert table("ServiceAccountTokenNodeBinding") == row("B+", "B+", *["G+L"] * 6)
    assert table("ServiceAccountTokenNodeBindingValidation") == row("B+", *["G+L"] * 7)
    assert table("ServiceAccountTokenPodNodeInfo") == row("B+", *["G+L"] * 6, None)
    assert knowledge.gate("ServiceAccountTokenNodeBinding").depends_on == ("ServiceAccountTokenNodeBindingValidation",)  # type: ignore[union-attr]


def test_sidecar_containers() -> None:
    # list; removal in 1.37: CHANGELOG-1.37 v1.37.0-alpha.1 (#137755)
    assert table("SidecarContainers") == row("B+", "B+", "G+L", "G+L", "G+L", "G+L", None, None)
    assert knowledge.gate("SidecarContainers").removed_in == "1.37"  # type: ignore[union-attr]


def test_recursive_read_only_mounts() -> None:
    # list; KEP-3857, GA locked from 1.33, still listed in 1.38-dev
    assert table("RecursiveReadOnlyMounts") == row("B+", "B+", *["G+L"] * 6)


def test_authorize_with_selectors() -> None:
    # list; removal 1.37: kubernetes/apiserver tags v0.36.0 / v0.37.0-beta.0 ("Drop AuthorizeWithSelectors")
    expected = row("A-", "B+", "B+", "G+L", "G+L", "G+L", None, None)
    assert table("AuthorizeWithSelectors") == expected
    assert table("AuthorizeNodeWithSelectors") == expected
    assert knowledge.gate("AuthorizeNodeWithSelectors").depends_on == ("AuthorizeWithSelectors",)  # type: ignore[union-attr]


def test_anonymous_auth_configurable_endpoints() -> None:
    # list; removal 1.37 confirmed by apiserver tags (notes 3.5)
    assert table("AnonymousAuthConfigurableEndpoints") == row("A-", "B+", "B+", "G+L", "G+L", "G+L", None, None)
    assert knowledge.gate("AnonymousAuthConfigurableEndpoints").removed_in == "1.37"  # type: ignore[union-attr]


def test_ordered_namespace_deletion() -> None:
    # list; removal 1.37: CHANGELOG-1.37 alpha.1 (#138907); the namespace controller runs in kcm
    assert table("OrderedNamespaceDeletion") == row("B-", "B-", "B+", "G+L", "G+L", "G+L", None, None)
    components = knowledge.gate("OrderedNamespaceDeletion").components  # type: ignore[union-attr]
    assert "kube-apiserver" in components
    assert "kube-controller-manager" in components


def test_kubelet_cert_cn_validation_does_not_exist() -> None:
    # KEP-4872 has not merged: the gate is in none of the five stored lists, 1.38-dev included (notes 3.7)
    assert knowledge.gate("KubeletCertCNValidation") is None
    for version in VERSIONS:
        assert "KubeletCertCNValidation" not in knowledge.gates_in(version)


def test_constrained_impersonation() -> None:
    # list; beta-on from 1.36: v1.36.0 notes #137609 (notes 3.8)
    assert table("ConstrainedImpersonation") == row(None, None, None, None, "A-", "B+", "B+", "B+")


def test_user_namespaces_host_network_support() -> None:
    # list; KEP-5607, depends on UserNamespacesSupport (kube_features.go @ 6e6efbce)
    assert table("UserNamespacesHostNetworkSupport") == row(None, None, None, None, "A-", "A-", "A-", "A-")
    assert knowledge.gate("UserNamespacesHostNetworkSupport").depends_on == ("UserNamespacesSupport",)  # type: ignore[union-attr]


def test_csi_service_account_token_secrets() -> None:
    # list; KEP-5538 (notes 3.10)
    assert table("CSIServiceAccountTokenSecrets") == row(None, None, None, None, "B+", "G+L", "G+L", "G+L")


def test_kubelet_ensure_secret_pulled_images() -> None:
    # list; KEP-2535, no GA in any stored data (notes 3.11)
    assert table("KubeletEnsureSecretPulledImages") == row(None, None, "A-", "A-", "B+", "B+", "B+", "B+")
    assert knowledge.gate("KubeletEnsureSecretPulledImages").components == ("kubelet",)  # type: ignore[union-attr]


def test_pod_certificates_and_cluster_trust_bundles() -> None:
    # list; the 1.37 GA entries are not locked (notes 3.12)
    assert table("PodCertificateRequest") == row(None, None, None, "A-", "B-", "B-", "G+", "G+")
    assert table("ClusterTrustBundle") == row("A-", "A-", "B-", "B-", "B-", "B-", "G+", "G+")
    assert table("ClusterTrustBundleProjection") == row("A-", "A-", "B-", "B-", "B-", "B-", "G+", "G+")
    pcr = knowledge.gate("PodCertificateRequest")
    assert pcr is not None
    assert "kubelet" in pcr.components
    assert pcr.depends_on == ("AuthorizeNodeWithSelectors",)
    # runtime-config per version (k8s.io/api tags; notes 3.12 and 4)
    assert [pcr.runtime_config(v) for v in VERSIONS] == [
        (), (), (),
        ("certificates.k8s.io/v1alpha1/podcertificaterequests=true",),
        ("certificates.k8s.io/v1beta1/podcertificaterequests=true",),
        ("certificates.k8s.io/v1beta1/podcertificaterequests=true",),
        (), (),
    ]  # fmt: skip
    ctb = knowledge.gate("ClusterTrustBundle")
    assert ctb is not None
    alpha = ("certificates.k8s.io/v1alpha1/clustertrustbundles=true",)
    beta = ("certificates.k8s.io/v1beta1/clustertrustbundles=true",)
    assert [ctb.runtime_config(v) for v in VERSIONS] == [alpha, alpha, beta, beta, beta, beta, (), ()]
    assert knowledge.gate("ClusterTrustBundleProjection").depends_on == ("ClusterTrustBundle",)  # type: ignore[union-attr]


def test_user_namespaces_support() -> None:
    # list; KEP-127 (notes 3.13); UserNamespacesPodSecurityStandards removed in 1.35
    assert table("UserNamespacesSupport") == row("B-", "B-", "B+", "B+", "B+", "G+L", "G+L", "G+L")
    assert table("UserNamespacesPodSecurityStandards") == row("A-", "A-", "A-", "A-", None, None, None, None)
    assert knowledge.gate("UserNamespacesPodSecurityStandards").removed_in == "1.35"  # type: ignore[union-attr]


def test_image_volume() -> None:
    # list; GA in 1.36: v1.36.0 notes #136711 (notes 3.14)
    assert table("ImageVolume") == row("A-", "A-", "B-", "B-", "B+", "G+L", "G+L", "G+L")
    assert table("ImageVolumeWithDigest") == row(None, None, None, None, "A-", "A-", "A-", "A-")


def test_structured_authn_authz_configuration() -> None:
    # list; removals confirmed by kubernetes/apiserver tags (notes 3.15)
    assert table("StructuredAuthenticationConfiguration") == row("B+", "B+", "B+", "G+L", "G+L", "G+L", None, None)
    assert table("StructuredAuthorizationConfiguration") == row("B+", *["G+L"] * 4, None, None, None)
    assert knowledge.gate("StructuredAuthorizationConfiguration").removed_in == "1.36"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "name",
    [
        "AnonymousAuthConfigurableEndpoints",
        "AuthorizeWithSelectors",
        "AuthorizeNodeWithSelectors",
        "SidecarContainers",
        "OrderedNamespaceDeletion",
        "StructuredAuthenticationConfiguration",
    ],
)
def test_removed_in_1_37(name: str) -> None:
    found = knowledge.gate(name)
    assert found is not None
    assert found.removed_in == "1.37"
    assert found.state("1.36") is not None
    assert found.state("1.37") is None


def test_client_go_gates_are_known_to_every_component() -> None:
    # kubernetes/client-go features/known_features.go @ 32ce75a7; registered by every kube binary
    found = knowledge.gate("InOrderInformers")
    assert found is not None
    assert found.components == knowledge.COMPONENTS
    assert code(found.state("1.35")) == "B+"
    assert code(found.state("1.36")) == "G+L"
    assert found.state("1.32") is None


def test_unknown_components_recorded_as_all_five() -> None:
    unknown = [g for g in knowledge.gates_in("1.35") if not knowledge.gate(g).components_known]  # type: ignore[union-attr]
    assert unknown, "some gates have no component information upstream"
    for name in unknown:
        assert knowledge.gate(name).components == knowledge.COMPONENTS  # type: ignore[union-attr]


def test_kubeadm_gates_kept_apart() -> None:
    # kubeadm_feature_gates.yaml: CHANGELOG-1.36 (#135773), CHANGELOG-1.37 alpha.1 (#138645, #136016)
    assert knowledge.gate("ControlPlaneKubeletLocalMode") is None
    assert knowledge.kubeadm_gate("ImageVolume") is None
    clm = knowledge.kubeadm_gate("ControlPlaneKubeletLocalMode")
    assert clm is not None
    assert code(clm.state("1.35")) == "G+L"
    assert clm.state("1.36") is None
    assert "NodeLocalCRISocket" in knowledge.kubeadm_gates_in("1.36")
    assert "NodeLocalCRISocket" not in knowledge.kubeadm_gates_in("1.37")
    assert "PublicKeysECDSA" not in knowledge.kubeadm_gates_in("1.37")
