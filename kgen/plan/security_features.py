"""Rule: the security features of kgen/data/features.json that are a knob and its gates, and kubelet serving-cert validation.

The features that are nothing but their gates and flags are the entries of features.yaml marked
``rule: security_features``; this rule decides them in the table's order.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kgen.errors import KgenError
from kgen.plan.tables import features_table

if TYPE_CHECKING:
    from kgen.plan.planner import Planner

RULE = "security_features"


def security_features(planner: Planner) -> None:
    features = planner.data["features"]
    planner.feature("boundServiceAccountTokens", True, "authentication.serviceAccounts")
    for knob, spec in features_table().items():
        if spec.get("rule") == RULE:
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
