"""Rule: audit logging and its policy file.

The log path and rotation flags map one profile key each to one flag: they are the rows of
scripts/knowledge/settings.yaml marked ``rule: audit``, applied here after the policy file.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kgen import knowledge
from kgen.plan.model import NodeFile, Note, Reason
from kgen.plan.settings import apply_settings_rows
from kgen.plan.tables import audit_policies

if TYPE_CHECKING:
    from kgen.plan.planner import Planner


def audit(planner: Planner) -> None:
    plan, audit = planner.plan, planner.data["audit"]
    if not audit["enabled"]:
        plan.notes.append(Note("audit logging is off: CIS 1.2.16-1.2.19 and 3.2.1 are not met", "audit.enabled", ("CIS 1.2.16",)))
        return
    policy = {
        "apiVersion": knowledge.api_version("Policy", plan.version),
        "kind": "Policy",
        "omitStages": ["RequestReceived"],
        "rules": audit_policies()[audit["policy"]],
    }
    path = planner.node_file("audit-policy.yaml")
    reason = Reason("audit.policy", ("CIS 3.2.1", "CIS 3.2.2"), f"audit policy preset '{audit['policy']}'")
    plan.files.append(NodeFile(path, policy, reason))
    plan.add("kube-apiserver", "audit-policy-file", path, reason)
    apply_settings_rows(planner, rule="audit")
    plan.mounts.append((audit["logPath"].rsplit("/", 1)[0], True))
    plan.need("audit-log-dir")
