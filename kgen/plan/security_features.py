"""Rule: the security features of kgen/data/features.json that are a knob and its gates, and kubelet serving-cert validation."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kgen.errors import KgenError

if TYPE_CHECKING:
    from kgen.plan.planner import Planner


def security_features(planner: Planner) -> None:
    features = planner.data["features"]
    planner.feature("boundServiceAccountTokens", True, "authentication.serviceAccounts")
    for knob in (
        "sidecarContainers",
        "recursiveReadOnlyMounts",
        "authorizeWithSelectors",
        "orderedNamespaceDeletion",
        "constrainedImpersonation",
        "csiServiceAccountTokenSecrets",
        "podCertificates",
    ):
        planner.feature(knob, features[knob]["enabled"], f"features.{knob}.enabled")
    if (
        planner.feature(
            "kubeletServingCertValidation",
            features["kubeletServingCertValidation"]["enabled"],
            "features.kubeletServingCertValidation.enabled",
        )
        and not planner.data["apiServer"]["verifyKubeletCertificates"]
    ):
        raise KgenError(
            problems=[planner.problem("features.kubeletServingCertValidation", "needs apiServer.verifyKubeletCertificates: true")]
        )
