"""Rule: the authorizer chain, as --authorization-mode or an AuthorizationConfiguration file."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kgen import knowledge
from kgen.plan.model import NodeFile, Note, Reason

if TYPE_CHECKING:
    from kgen.plan.planner import Planner


def authorization(planner: Planner) -> None:
    plan, data = planner.plan, planner.data
    authz = data["authorization"]
    webhook = authz["webhook"]
    if authz["style"] == "flags" and not webhook:
        plan.add(
            "kube-apiserver",
            "authorization-mode",
            "Node,RBAC",
            Reason(
                "authorization.style", ("CIS 1.2.6", "CIS 1.2.7", "CIS 1.2.8"), "Node authorizer then RBAC; never AlwaysAllow"
            ),
        )
        return
    authorizers: list[dict[str, Any]] = [{"type": "Node", "name": "node"}, {"type": "RBAC", "name": "rbac"}]
    if webhook:
        config: dict[str, Any] = {
            "timeout": webhook["timeout"],
            "subjectAccessReviewVersion": "v1",
            "matchConditionSubjectAccessReviewVersion": "v1",
            "failurePolicy": webhook["failurePolicy"],
            "authorizedTTL": "5m",
            "unauthorizedTTL": "30s",
            "connectionInfo": {"type": "KubeConfigFile", "kubeConfigFile": webhook["kubeConfigFile"]},
        }
        if webhook["matchConditions"]:
            config["matchConditions"] = [{"expression": e} for e in webhook["matchConditions"]]
        authorizers.append({"type": "Webhook", "name": webhook["name"], "webhook": config})
        planner.mount_file_dir(webhook["kubeConfigFile"])
    document = {
        "apiVersion": knowledge.api_version("AuthorizationConfiguration", plan.version),
        "kind": "AuthorizationConfiguration",
        "authorizers": authorizers,
    }
    path = planner.node_file("authorization-config.yaml")
    reason = Reason(
        "authorization", ("KEP-3221",), "structured authorization: Node, RBAC" + (", then the webhook" if webhook else "")
    )
    plan.files.append(NodeFile(path, document, reason))
    plan.add("kube-apiserver", "authorization-config", path, reason)
    plan.notes.append(
        Note(
            "--authorization-config replaces --authorization-mode; kube-bench's literal checks 1.2.6-1.2.8 look for the "
            "flag and report FAIL although the authorizer chain is Node then RBAC",
            "authorization.style",
            ("CIS 1.2.6", "CIS 1.2.7", "CIS 1.2.8"),
        )
    )
