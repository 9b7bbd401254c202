"""The feature-gate rules, one test per rule, on real gate data."""

from __future__ import annotations

from kgen.knowledge.gates_engine import (
    GateRequest,
    list_gates,
    resolve_feature_gates,
    upgrade_changes,
)


def req(name: str, enabled: bool = True, **kwargs: object) -> GateRequest:
    return GateRequest(name, enabled, f"features.gates.{name}", "test reason", **kwargs)  # type: ignore[arg-type]


def test_unknown_gate_is_an_error_with_nearest_names() -> None:
    result = resolve_feature_gates([req("ImageVolumes")], "1.35")
    assert len(result.errors) == 1
    error = result.errors[0]
    assert error.origin == "features.gates.ImageVolumes"
    assert "unknown feature gate ImageVolumes" in error.message
    assert "ImageVolume" in error.message
    assert not result.decisions


def test_gate_that_never_merged_is_unknown() -> None:
    result = resolve_feature_gates([req("KubeletCertCNValidation")], "1.37", allow_alpha=True)
    assert [e.gate for e in result.errors] == ["KubeletCertCNValidation"]


def test_unknown_optional_gate_is_dropped_with_note() -> None:
    result = resolve_feature_gates([req("KubeletCertCNValidation", optional=True)], "1.37")
    assert result.ok
    assert [n.gate for n in result.notes] == ["KubeletCertCNValidation"]


def test_removed_gate_names_the_release() -> None:
    result = resolve_feature_gates([req("SidecarContainers")], "1.37")
    assert len(result.errors) == 1
    assert "removed in Kubernetes 1.37" in result.errors[0].message


def test_removed_gate_built_in_is_dropped_for_optional_request() -> None:
    result = resolve_feature_gates([req("AuthorizeWithSelectors", optional=True)], "1.37")
    assert result.ok
    assert "removed in 1.37" in result.notes[0].message
    assert result.per_component == {}


def test_locked_against_default_is_an_error() -> None:
    result = resolve_feature_gates([req("UserNamespacesSupport", enabled=False)], "1.36")
    assert len(result.errors) == 1
    assert "locked to true" in result.errors[0].message


def test_locked_at_default_is_dropped_with_note() -> None:
    result = resolve_feature_gates([req("ImageVolume")], "1.36")
    assert result.ok
    assert result.decisions == ()
    assert result.notes[0].message == "ImageVolume not rendered: GA and locked to true since 1.36"


def test_default_value_is_not_rendered() -> None:
    result = resolve_feature_gates([req("KubeletEnsureSecretPulledImages")], "1.35")
    assert result.ok
    assert result.per_component == {}
    assert "already on by default" in result.notes[0].message


def test_alpha_refused_unless_allowed() -> None:
    refused = resolve_feature_gates([req("ConstrainedImpersonation")], "1.35")
    assert "alpha" in refused.errors[0].message
    optional = resolve_feature_gates([req("ConstrainedImpersonation", optional=True)], "1.35")
    assert optional.ok
    assert optional.decisions == ()
    allowed = resolve_feature_gates([req("ConstrainedImpersonation")], "1.35", allow_alpha=True)
    assert allowed.gates_for("kube-apiserver") == {"ConstrainedImpersonation": True}


def test_beta_off_refused_unless_allowed() -> None:
    refused = resolve_feature_gates([req("ImageVolume")], "1.34")
    assert "beta and off by default" in refused.errors[0].message
    allowed = resolve_feature_gates([req("ImageVolume")], "1.34", allow_beta_off=True)
    assert allowed.gates_for("kubelet") == {"ImageVolume": True}


def test_gate_not_yet_introduced() -> None:
    result = resolve_feature_gates([req("PodCertificateRequest")], "1.33", allow_alpha=True)
    assert "does not exist before Kubernetes 1.34" in result.errors[0].message


def test_dependency_pulled_in_with_note() -> None:
    result = resolve_feature_gates([req("AuthorizeNodeWithSelectors")], "1.31", allow_alpha=True)
    assert result.ok
    assert result.gates_for("kube-apiserver") == {
        "AuthorizeNodeWithSelectors": True,
        "AuthorizeWithSelectors": True,
    }
    assert any("depends on it" in n.message for n in result.notes)
    pulled = result.decision("AuthorizeWithSelectors")
    assert pulled is not None
    assert "required by AuthorizeNodeWithSelectors" in pulled.reason


def test_dependency_explicitly_disabled_is_an_error() -> None:
    result = resolve_feature_gates(
        [req("UserNamespacesHostNetworkSupport"), req("UserNamespacesSupport", enabled=False)],
        "1.35",
        allow_alpha=True,
    )
    assert any("depends on it" in e.message for e in result.errors)


def test_dependency_goes_to_the_dependent_components() -> None:
    result = resolve_feature_gates([req("ClusterTrustBundleProjection")], "1.33", allow_beta_off=True)
    assert result.ok
    assert result.gates_for("kubelet") == {"ClusterTrustBundle": True, "ClusterTrustBundleProjection": True}


def test_components_routing() -> None:
    result = resolve_feature_gates([req("KubeletEnsureSecretPulledImages")], "1.34", allow_alpha=True)
    assert set(result.per_component) == {"kubelet"}
    explicit = resolve_feature_gates(
        [req("KubeletEnsureSecretPulledImages", components=("kubelet", "kube-apiserver"))],
        "1.34",
        allow_alpha=True,
    )
    assert set(explicit.per_component) == {"kube-apiserver", "kubelet"}


def test_gates_sorted_by_name() -> None:
    result = resolve_feature_gates(
        [req("UserNamespacesSupport"), req("ImageVolume"), req("ClusterTrustBundle")],
        "1.32",
        allow_alpha=True,
        allow_beta_off=True,
    )
    assert list(result.gates_for("kube-apiserver")) == [
        "ClusterTrustBundle",
        "ImageVolume",
        "UserNamespacesSupport",
    ]


def test_runtime_config_collected() -> None:
    result = resolve_feature_gates([req("PodCertificateRequest")], "1.35", allow_beta_off=True)
    assert result.ok
    assert result.runtime_config_value() == "certificates.k8s.io/v1beta1/podcertificaterequests=true"
    assert result.runtime_config[0].origin == "features.gates.PodCertificateRequest"
    ga = resolve_feature_gates([req("PodCertificateRequest")], "1.37")
    assert ga.runtime_config == ()


def test_conflicting_requests() -> None:
    result = resolve_feature_gates([req("ImageVolume"), GateRequest("ImageVolume", False, "security.imageVolumes", "r")], "1.35")
    assert any("security.imageVolumes" in e.origin for e in result.errors)


def test_list_gates() -> None:
    rows = list_gates("1.36", component="kubelet", stage="ga")
    names = [r["name"] for r in rows]
    assert "ImageVolume" in names
    assert names == sorted(names)
    assert set(rows[0]) == {"name", "stage", "default", "locked", "components", "kep", "removedIn"}
    assert all(r["stage"] == "ga" and "kubelet" in r["components"] for r in rows)


def test_upgrade_changes() -> None:
    changes = upgrade_changes(
        ["SidecarContainers", "PodCertificateRequest", GateRequest("UserNamespacesSupport", False, "o", "r")],
        "1.35",
        "1.37",
    )
    kinds = {(c.gate, c.kind) for c in changes}
    assert ("SidecarContainers", "removed") in kinds
    assert ("PodCertificateRequest", "graduated") in kinds
    assert ("PodCertificateRequest", "runtime-config-changed") in kinds
    assert ("UserNamespacesSupport", "became-locked") in kinds
    assert ("UserNamespacesSupport", "conflict") in kinds
