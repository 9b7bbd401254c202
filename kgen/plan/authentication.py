"""Rule: API server authentication (anonymous access, external JWT issuers) and its AuthenticationConfiguration file."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kgen import knowledge
from kgen.errors import KgenError
from kgen.plan.model import HEALTH_PATHS, NodeFile, Note, Reason
from kgen.plan.planner import READY, gate_usable
from kgen.plan.tables import feature_refs

if TYPE_CHECKING:
    from kgen.plan.planner import Planner


def authentication(planner: Planner) -> None:
    plan, data = planner.plan, planner.data
    anonymous = data["anonymousAccess"]
    mode = anonymous["mode"]
    jwt = data["authentication"]["jwt"]
    wants_conditions = mode in ("health", "paths")
    endpoints_ok = planner.feature("anonymousEndpoints", wants_conditions, "anonymousAccess.mode")
    endpoints_refs = (*feature_refs("anonymousEndpoints"), "CIS 1.2.1")
    document: dict[str, Any] = {}
    reason_refs: tuple[str, ...] = ()
    if wants_conditions and endpoints_ok:
        paths = list(HEALTH_PATHS) + [p for p in anonymous["paths"] if mode == "paths" and p not in HEALTH_PATHS]
        document["anonymous"] = {"enabled": True, "conditions": [{"path": p} for p in paths]}
        reason_refs = endpoints_refs
    elif wants_conditions:
        plan.notes.append(
            Note(
                "anonymous access stays at the API server default (anonymous requests reach the authorizer; RBAC grants "
                "them only the health, version and cluster-info endpoints)",
                "anonymousAccess.mode",
                endpoints_refs,
            )
        )
    elif mode == "none":
        if jwt and _structured_authn_ok(planner):
            document["anonymous"] = {"enabled": False}
        else:
            plan.add(
                "kube-apiserver",
                "anonymous-auth",
                False,
                Reason("anonymousAccess.mode", ("CIS 1.2.1",), "reject unauthenticated requests"),
            )
        plan.notes.append(
            Note(
                "anonymousAccess.mode none also rejects unauthenticated health probes: load balancers and kubelet probes "
                "of kube-apiserver need credentials, and kubeadm's /livez probes fail (kubernetes/kubeadm#798)",
                "anonymousAccess.mode",
                ("CIS 1.2.1",),
            )
        )
    if jwt:
        document["jwt"] = [_jwt(entry) for entry in jwt]
        reason_refs = (*reason_refs, "KEP-3331")
    if not document:
        return
    if not _structured_authn_ok(planner):
        raise KgenError(
            problems=[
                planner.problem("authentication", f"structured authentication configuration is not available in {plan.version}")
            ]
        )
    full = {
        "apiVersion": knowledge.api_version("AuthenticationConfiguration", plan.version),
        "kind": "AuthenticationConfiguration",
        **document,
    }
    path = planner.node_file("authentication-config.yaml")
    reason = Reason(
        "anonymousAccess" if "anonymous" in document else "authentication.jwt",
        reason_refs,
        "structured authentication: anonymous access limited to listed paths, external JWT issuers",
    )
    plan.files.append(NodeFile(path, full, reason))
    plan.add("kube-apiserver", "authentication-config", path, reason)


def _structured_authn_ok(planner: Planner) -> bool:
    verdict, _ = gate_usable(planner.plan, "StructuredAuthenticationConfiguration")
    return verdict in READY


def _jwt(entry: dict[str, Any]) -> dict[str, Any]:
    issuer: dict[str, Any] = {"url": entry["issuer"], "audiences": list(entry["audiences"])}
    if len(entry["audiences"]) > 1:
        issuer["audienceMatchPolicy"] = "MatchAny"
    if entry.get("certificateAuthority"):
        issuer["certificateAuthority"] = entry["certificateAuthority"]
    mappings: dict[str, Any] = {"username": {"claim": entry["usernameClaim"], "prefix": entry["usernamePrefix"]}}
    if entry["groupsClaim"]:
        mappings["groups"] = {"claim": entry["groupsClaim"], "prefix": entry["groupsPrefix"]}
    return {"issuer": issuer, "claimMappings": mappings}
