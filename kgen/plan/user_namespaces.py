"""Rule: user namespaces for pods (and for hostNetwork pods), and the host IDs each pod gets."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kgen import knowledge
from kgen.errors import KgenError
from kgen.plan.model import Note, Reason

if TYPE_CHECKING:
    from kgen.plan.planner import Planner


def user_namespaces(planner: Planner) -> None:
    features = planner.data["features"]
    plan = planner.plan
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
