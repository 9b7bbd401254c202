"""Which apiVersions each release reads per config kind, and which --runtime-config keys kube-apiserver accepts."""

from __future__ import annotations

import pytest

from kgen import knowledge
from kgen.knowledge.config import check_runtime_config, config_kind, served_since
from kgen.knowledge.versions import version_key

ALL = (*knowledge.SUPPORTED_VERSIONS, *knowledge.PREVIEW_VERSIONS)


def test_kubeadm_v1beta3_read_until_1_36() -> None:
    # CHANGELOG-1.37 v1.37.0-alpha.1, kubernetes/kubernetes #136016
    for kind in ("InitConfiguration", "ClusterConfiguration", "JoinConfiguration"):
        assert knowledge.api_versions_served(kind, "1.36") == ("kubeadm.k8s.io/v1beta4", "kubeadm.k8s.io/v1beta3")
        assert knowledge.api_versions_served(kind, "1.37") == ("kubeadm.k8s.io/v1beta4",)
    assert not knowledge.api_version_served("ResetConfiguration", "kubeadm.k8s.io/v1beta3", "1.31")
    assert served_since("ClusterConfiguration", "kubeadm.k8s.io/v1beta3") == ("1.31", "1.36")


def test_structured_authn_and_authz_versions() -> None:
    # kubernetes/apiserver pkg/apis/apiserver/v1/register.go per tag
    assert not knowledge.api_version_served("AuthenticationConfiguration", "apiserver.config.k8s.io/v1", "1.33")
    assert knowledge.api_version_served("AuthenticationConfiguration", "apiserver.config.k8s.io/v1", "1.34")
    assert not knowledge.api_version_served("AuthorizationConfiguration", "apiserver.config.k8s.io/v1", "1.31")
    assert knowledge.api_versions_served("AuthorizationConfiguration", "1.37") == (
        "apiserver.config.k8s.io/v1",
        "apiserver.config.k8s.io/v1alpha1",
        "apiserver.config.k8s.io/v1beta1",
    )
    # v1alpha1 AdmissionConfiguration lives in apiserver.k8s.io, never in apiserver.config.k8s.io
    assert knowledge.api_version_served("AdmissionConfiguration", "apiserver.k8s.io/v1alpha1", "1.37")
    assert not knowledge.api_version_served("AdmissionConfiguration", "apiserver.config.k8s.io/v1alpha1", "1.37")
    assert knowledge.api_versions_served("EncryptionConfiguration", "1.35") == ("apiserver.config.k8s.io/v1",)
    assert knowledge.api_versions_served("Policy", "1.31") == ("audit.k8s.io/v1",)
    assert len(knowledge.api_versions_served("PodSecurityConfiguration", "1.37")) == 3


def test_what_kgen_writes_is_read_then_and_in_every_later_release() -> None:
    # kgen's own output never breaks an upgrade through its apiVersions
    for kind in ("AuthenticationConfiguration", "AuthorizationConfiguration", "ClusterConfiguration", "KubeletConfiguration"):
        for old in ALL:
            written = knowledge.api_version(kind, old)
            later = [v for v in ALL if version_key(v) >= version_key(old)]
            assert all(knowledge.api_version_served(kind, written, v) for v in later), (kind, old)


def test_shared_kind_is_filed_with_its_group() -> None:
    assert (
        config_kind("Configuration", "eventratelimit.admission.k8s.io/v1alpha1")
        == "Configuration.eventratelimit.admission.k8s.io"
    )
    assert config_kind("Configuration", "resourcequota.admission.k8s.io/v1beta1") is None
    assert config_kind("ClusterConfiguration", "kubeadm.k8s.io/v1beta3") == "ClusterConfiguration"
    assert (
        knowledge.api_version("Configuration.eventratelimit.admission.k8s.io", "1.35")
        == "eventratelimit.admission.k8s.io/v1alpha1"
    )


@pytest.mark.parametrize(
    ("key", "version", "starts", "served"),
    [
        ("certificates.k8s.io/v1alpha1/clustertrustbundles", "1.32", True, True),
        ("certificates.k8s.io/v1beta1/clustertrustbundles", "1.32", True, False),  # v1beta1 registered (CSR), resource not yet
        ("certificates.k8s.io/v1beta1/clustertrustbundles", "1.33", True, True),
        ("certificates.k8s.io/v1alpha1/podcertificaterequests", "1.34", True, True),
        ("certificates.k8s.io/v1alpha1/podcertificaterequests", "1.35", True, False),
        ("certificates.k8s.io/v1alpha1/clustertrustbundles", "1.37", True, False),  # APILifecycleRemoved 1.37
        ("certificates.k8s.io/v1/clustertrustbundles", "1.37", True, True),
        ("scheduling.k8s.io/v1alpha2=true", "1.36", True, True),
        ("scheduling.k8s.io/v1alpha2=true", "1.37", False, False),
        ("storagemigration.k8s.io/v1alpha1/storageversionmigrations", "1.35", False, False),
        ("api/all", "1.37", True, True),
        ("certificates.k8s.io", "1.37", False, False),
    ],
)
def test_runtime_config_keys(key: str, version: str, starts: bool, served: bool) -> None:
    result = check_runtime_config(key, version)
    assert (result.known, result.starts, result.served) == (True, starts, served), result.detail


def test_runtime_config_group_kgen_has_no_facts_for() -> None:
    result = check_runtime_config("example.com/v1", "1.37")
    assert not result.known
    assert "no facts for API group example.com" in result.detail
