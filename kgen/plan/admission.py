"""Rule: admission plugins and the AdmissionConfiguration file (Pod Security, EventRateLimit).

Which plugins --enable-admission-plugins lists, and which profile key turns each on, is the table
scripts/knowledge/admission-plugins.yaml (kgen/data/admission-plugins.json); the configuration
document is built here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kgen import knowledge
from kgen.plan.model import NodeFile, Reason
from kgen.plan.tables import admission_plugins_table

if TYPE_CHECKING:
    from kgen.plan.planner import Planner


def admission(planner: Planner) -> None:
    plan, data = planner.plan, planner.data
    admission = data["admission"]
    table = admission_plugins_table()
    plugins: list[str] = []
    refs: list[str] = []
    for entry in table["plugins"]:
        if entry["when"] == "always" or plan.profile.get(entry["when"]):
            plugins.append(entry["plugin"])
            refs += [ref for ref in entry["refs"] if ref not in refs]
    plan.add(table["component"], table["flag"], plugins, Reason("admission", tuple(refs), table["why"]))
    pss = admission["podSecurity"]
    if pss["enforce"] != "privileged" and "local-path-storage" not in pss["exemptNamespaces"]:
        plan.need("kind-local-path-storage")
    pod_security = {
        "apiVersion": knowledge.api_version("PodSecurityConfiguration", plan.version),
        "kind": "PodSecurityConfiguration",
        "defaults": {
            "enforce": pss["enforce"],
            "enforce-version": pss["version"],
            "audit": pss["audit"],
            "audit-version": pss["version"],
            "warn": pss["warn"],
            "warn-version": pss["version"],
        },
        "exemptions": {
            "usernames": list(pss["exemptUsernames"]),
            "runtimeClasses": list(pss["exemptRuntimeClasses"]),
            "namespaces": list(pss["exemptNamespaces"]),
        },
    }
    configured: list[dict[str, Any]] = [{"name": "PodSecurity", "configuration": pod_security}]
    if admission["eventRateLimit"]["enabled"]:
        limits = [dict(limit) for limit in admission["eventRateLimit"]["limits"]]
        configured.append(
            {
                "name": "EventRateLimit",
                "configuration": {
                    "apiVersion": knowledge.api_version("Configuration.eventratelimit.admission.k8s.io", plan.version),
                    "kind": "Configuration",
                    "limits": limits,
                },
            }
        )
    document = {
        "apiVersion": knowledge.api_version("AdmissionConfiguration", plan.version),
        "kind": "AdmissionConfiguration",
        "plugins": configured,
    }
    path = planner.node_file("admission-config.yaml")
    reason = Reason("admission", ("CIS 1.2.9", "KEP-2579"), "Pod Security Admission defaults and EventRateLimit limits")
    plan.files.append(NodeFile(path, document, reason))
    plan.add("kube-apiserver", "admission-control-config-file", path, reason)
