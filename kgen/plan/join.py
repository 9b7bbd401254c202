"""Rule: what joining nodes need from the operator (requirements listed in REPORT.md)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kgen.plan.planner import Planner


def kubeadm_join(planner: Planner) -> None:
    planner.plan.need("capi-fragment-fields", "kind-node-image")
    if planner.data["anonymousAccess"]["mode"] != "unrestricted":
        planner.plan.need("join-file-discovery", "role-join-file-discovery", "capi-join-discovery-secret", "kind-single-node")
    if planner.data["kubelet"]["serverTLSBootstrap"]:
        planner.plan.need("kubelet-serving-csr-approver")
    if planner.data["kubelet"]["protectKernelDefaults"]:
        planner.plan.need("kubelet-kernel-defaults")
