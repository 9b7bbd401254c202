"""Rule: image pull credential verification, stated explicitly in the KubeletConfiguration."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kgen import knowledge
from kgen.errors import KgenError
from kgen.plan.model import Note, Reason

if TYPE_CHECKING:
    from kgen.plan.planner import Planner


def image_pull_credentials(planner: Planner) -> None:
    features = planner.data["features"]
    plan = planner.plan
    pulls = features["imagePullCredentialVerification"]
    policy = pulls["policy"]
    if pulls["allowlist"] and policy != "NeverVerifyAllowlistedImages":
        raise KgenError(
            problems=[
                planner.problem(
                    "features.imagePullCredentialVerification.allowlist",
                    "an allowlist only applies with policy NeverVerifyAllowlistedImages",
                    "schema",
                )
            ]
        )
    if planner.feature("imagePullCredentialVerification", policy is not None, "features.imagePullCredentialVerification.policy"):
        if not knowledge.field_exists("KubeletConfiguration", "imagePullCredentialsVerificationPolicy", plan.version):
            since = knowledge.field_since("KubeletConfiguration", "imagePullCredentialsVerificationPolicy")
            plan.notes.append(
                Note(
                    f"imagePullCredentialsVerificationPolicy exists from {since}",
                    "features.imagePullCredentialVerification.policy",
                    ("KEP-2535",),
                )
            )
        else:
            reason = Reason(
                "features.imagePullCredentialVerification.policy",
                ("KEP-2535",),
                "state the policy explicitly: the upstream default NeverVerifyPreloadedImages exempts preloaded images",
            )
            plan.add("kubelet", "imagePullCredentialsVerificationPolicy", policy, reason, is_flag=False)
            if pulls["allowlist"]:
                plan.add(
                    "kubelet",
                    "preloadedImagesVerificationAllowlist",
                    list(pulls["allowlist"]),
                    Reason(
                        "features.imagePullCredentialVerification.allowlist", ("KEP-2535",), "images exempt from verification"
                    ),
                    is_flag=False,
                )
