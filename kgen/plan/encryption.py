"""Rule: encryption at rest and its EncryptionConfiguration file."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kgen import knowledge
from kgen.plan.model import ENCRYPTION_KEY_PLACEHOLDER, NodeFile, Note, Reason

if TYPE_CHECKING:
    from kgen.plan.planner import Planner


def encryption(planner: Planner) -> None:
    plan, enc = planner.plan, planner.data["encryption"]
    if not enc["enabled"]:
        plan.notes.append(
            Note("encryption at rest is off: CIS 1.2.27 and 1.2.28 are not met", "encryption.enabled", ("CIS 1.2.27",))
        )
        return
    provider = enc["provider"]
    placeholders: dict[str, str] = {}
    if provider == "kms":
        kms = enc["kms"]
        first: dict[str, Any] = {
            "kms": {"apiVersion": "v2", "name": kms["name"], "endpoint": kms["endpoint"], "timeout": kms["timeout"]}
        }
        plan.need("kms-plugin")
    else:
        first = {provider: {"keys": [{"name": "key1", "secret": ENCRYPTION_KEY_PLACEHOLDER}]}}
        placeholders[ENCRYPTION_KEY_PLACEHOLDER] = enc["keyFile"]
        plan.need("encryption-key-file", "capi-encryption-key-secret", "kind-encryption-config")
    document = {
        "apiVersion": knowledge.api_version("EncryptionConfiguration", plan.version),
        "kind": "EncryptionConfiguration",
        "resources": [{"resources": list(enc["resources"]), "providers": [first, {"identity": {}}]}],
    }
    path = planner.node_file("encryption-config.yaml")
    refs = ("CIS 1.2.27", "CIS 1.2.28")
    reason = Reason(
        "encryption.provider",
        refs,
        f"encrypt {', '.join(enc['resources'])} in etcd with {provider}; identity last so existing data stays readable",
    )
    plan.files.append(NodeFile(path, document, reason, secret_placeholders=placeholders))
    plan.add("kube-apiserver", "encryption-provider-config", path, reason)
    if provider == "aescbc":
        plan.notes.append(
            Note(
                "aescbc is accepted by CIS 1.2.28 but upstream no longer recommends it; prefer kms or secretbox",
                "encryption.provider",
                ("CIS 1.2.28",),
            )
        )
