"""Rule: the security features of kgen/data/features.json the profile asks for, and their kubelet fields."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kgen import knowledge
from kgen.errors import KgenError
from kgen.plan.model import Note, Reason

if TYPE_CHECKING:
    from kgen.plan.planner import Planner


def security_features(planner: Planner) -> None:
    features = planner.data["features"]
    plan = planner.plan
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

    users = features["userNamespaces"]
    if planner.feature("userNamespaces", users["enabled"], "features.userNamespaces.enabled"):
        if users["idsPerPod"] % 65536:
            raise KgenError(
                problems=[planner.problem("features.userNamespaces.idsPerPod", "must be a multiple of 65536", "schema")]
            )
        if knowledge.field_exists("KubeletConfiguration", "userNamespaces.idsPerPod", plan.version):
            plan.add(
                "kubelet",
                "userNamespaces.idsPerPod",
                users["idsPerPod"],
                Reason("features.userNamespaces.idsPerPod", ("KEP-127",), "host IDs given to each pod's user namespace"),
                is_flag=False,
            )
        planner.feature("userNamespacesHostNetwork", users["hostNetwork"], "features.userNamespaces.hostNetwork")
    elif users["hostNetwork"]:
        plan.notes.append(
            Note(
                "hostNetwork user namespaces need features.userNamespaces.enabled",
                "features.userNamespaces.hostNetwork",
                ("KEP-5607",),
            )
        )

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
