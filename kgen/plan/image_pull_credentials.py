"""Rule: image pull credential verification, stated explicitly in the KubeletConfiguration."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kgen.errors import KgenError
from kgen.plan.model import Note, Reason
from kgen.plan.tables import feature_fields, feature_refs

if TYPE_CHECKING:
    from kgen.plan.planner import Planner

FEATURE = "imagePullCredentialVerification"
# The one policy an allowlist applies to (KubeletConfiguration's imagePullCredentialsVerificationPolicy values).
ALLOWLIST_POLICY = "NeverVerifyAllowlistedImages"


def image_pull_credentials(planner: Planner) -> None:
    plan = planner.plan
    pulls = planner.data["features"][FEATURE]
    fields = feature_fields(FEATURE)
    policy_field, allowlist_field = fields["policy"], fields["allowlist"]
    refs = feature_refs(FEATURE)
    policy = pulls["policy"]
    if pulls["allowlist"] and policy != ALLOWLIST_POLICY:
        raise KgenError(
            problems=[
                planner.problem(allowlist_field.origin, f"an allowlist only applies with policy {ALLOWLIST_POLICY}", "schema")
            ]
        )
    if not planner.feature(FEATURE, policy is not None, policy_field.origin):
        return
    if not policy_field.exists_in(plan.version):
        plan.notes.append(Note(f"{policy_field.path} exists from {policy_field.since()}", policy_field.origin, refs))
        return
    reason = Reason(
        policy_field.origin,
        refs,
        "state the policy explicitly: the upstream default NeverVerifyPreloadedImages exempts preloaded images",
    )
    plan.add(policy_field.component, policy_field.path, policy, reason, is_flag=False)
    if pulls["allowlist"]:
        reason = Reason(allowlist_field.origin, refs, "images exempt from verification")
        plan.add(allowlist_field.component, allowlist_field.path, list(pulls["allowlist"]), reason, is_flag=False)
