"""Versions, apiVersions, flags and config-field facts as the rest of kgen reads them."""

from __future__ import annotations

import pytest

from kgen import knowledge
from kgen.errors import KgenError


def test_versions() -> None:
    assert knowledge.SUPPORTED_VERSIONS == ("1.31", "1.32", "1.33", "1.34", "1.35", "1.36", "1.37")
    assert knowledge.PREVIEW_VERSIONS == ("1.38",)
    assert knowledge.DEFAULT_VERSION == "1.37"


@pytest.mark.parametrize("given", ["1.35", "v1.35", "1.35.2", "v1.35.0-rc.1"])
def test_check_version_normalises(given: str) -> None:
    assert knowledge.check_version(given) == "1.35"


@pytest.mark.parametrize("given", ["1.30", "2.0", "latest", ""])
def test_check_version_rejects(given: str) -> None:
    with pytest.raises(KgenError, match=r"supported: 1\.31, 1\.32"):
        knowledge.check_version(given)


def test_api_versions() -> None:
    # notes feature-gates.md 3.15 and schemas.md 3
    assert knowledge.api_version("AuthenticationConfiguration", "1.33") == "apiserver.config.k8s.io/v1beta1"
    assert knowledge.api_version("AuthenticationConfiguration", "1.34") == "apiserver.config.k8s.io/v1"
    assert knowledge.api_version("AuthorizationConfiguration", "1.31") == "apiserver.config.k8s.io/v1beta1"
    assert knowledge.api_version("AuthorizationConfiguration", "1.32") == "apiserver.config.k8s.io/v1"
    assert knowledge.api_version("ClusterConfiguration", "1.37") == "kubeadm.k8s.io/v1beta4"
    assert knowledge.api_version("KubeletConfiguration", "1.31") == "kubelet.config.k8s.io/v1beta1"
    assert knowledge.api_version("KubeProxyConfiguration", "1.36") == "kubeproxy.config.k8s.io/v1alpha1"
    assert knowledge.api_version("PodSecurityConfiguration", "1.35") == "pod-security.admission.config.k8s.io/v1"
    assert knowledge.api_version("EncryptionConfiguration", "1.35") == "apiserver.config.k8s.io/v1"
    assert knowledge.api_version("Policy", "1.35") == "audit.k8s.io/v1"
    with pytest.raises(KgenError):
        knowledge.api_version("NoSuchConfiguration", "1.35")


def test_field_since() -> None:
    # kubernetes/kubelet config/v1beta1/types.go compared across release tags
    assert knowledge.field_since("KubeletConfiguration", "imagePullCredentialsVerificationPolicy") == "1.33"
    assert knowledge.field_since("KubeletConfiguration", "preloadedImagesVerificationAllowlist") == "1.33"
    assert knowledge.field_since("KubeletConfiguration", "userNamespaces.idsPerPod") == "1.33"
    assert knowledge.field_since("KubeletConfiguration", "tlsCurvePreferences") == "1.36"
    assert knowledge.field_since("KubeletConfiguration", "failCgroupV1") is None
    assert knowledge.field_since("KubeletConfiguration", "readOnlyPort") is None


def test_flags() -> None:
    anonymous = knowledge.flag("kube-apiserver", "anonymous-auth")
    assert anonymous is not None
    assert anonymous.type == "bool"
    assert knowledge.flag("kube-apiserver", "--anonymous-auth") == anonymous
    assert knowledge.flag("kube-apiserver", "enable-kubelet-cert-cn-validation") is None
    assert knowledge.flag_exists("kube-controller-manager", "use-service-account-credentials", "1.35")
    assert knowledge.flag_exists("kube-controller-manager", "terminated-pod-gc-threshold", "1.31")
    assert not knowledge.flag_exists("kube-apiserver", "insecure-port", "1.31")
    # kubernetes/apiserver pkg/server/options: tls-curve-preferences first in kubernetes-1.36.0
    assert not knowledge.flag_exists("kube-apiserver", "tls-curve-preferences", "1.35")
    assert knowledge.flag_exists("kube-apiserver", "tls-curve-preferences", "1.36")
    profiling = knowledge.flag("kube-scheduler", "profiling")
    assert profiling is not None
    assert profiling.status == "deprecated"
    assert profiling.deprecated_note


def test_etcd_flags_follow_the_etcd_release() -> None:
    # etcd-io/etcd server/embed/config.go: --enable-v2 gone in 3.6; kubeadm ships 3.6 from 1.34
    assert knowledge.flag_exists("etcd", "client-cert-auth", "1.31")
    assert knowledge.flag_exists("etcd", "enable-v2", "1.33")
    assert not knowledge.flag_exists("etcd", "enable-v2", "1.34")
    assert knowledge.flag("etcd", "enable-v2").status == "removed"  # type: ignore[union-attr]
