"""Rule: user namespaces for pods (and for hostNetwork pods), and the host IDs each pod gets."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kgen.errors import KgenError
from kgen.plan.model import Note, Reason
from kgen.plan.tables import feature_fields, feature_refs

if TYPE_CHECKING:
    from kgen.plan.planner import Planner

FEATURE = "userNamespaces"
HOST_NETWORK_FEATURE = "userNamespacesHostNetwork"
# The kubelet takes host IDs per pod only in whole multiples of this (KubeletConfiguration's API documentation).
ID_RANGE = 65536


def user_namespaces(planner: Planner) -> None:
    plan = planner.plan
    users = planner.data["features"][FEATURE]
    ids_field = feature_fields(FEATURE)["idsPerPod"]
    if planner.feature(FEATURE, users["enabled"], f"features.{FEATURE}.enabled"):
        if users["idsPerPod"] % ID_RANGE:
            raise KgenError(problems=[planner.problem(ids_field.origin, f"must be a multiple of {ID_RANGE}", "schema")])
        if ids_field.exists_in(plan.version):
            reason = Reason(ids_field.origin, feature_refs(FEATURE), "host IDs given to each pod's user namespace")
            plan.add(ids_field.component, ids_field.path, users["idsPerPod"], reason, is_flag=False)
        planner.feature(HOST_NETWORK_FEATURE, users["hostNetwork"], f"features.{FEATURE}.hostNetwork")
    elif users["hostNetwork"]:
        plan.notes.append(
            Note(
                f"hostNetwork user namespaces need features.{FEATURE}.enabled",
                f"features.{FEATURE}.hostNetwork",
                feature_refs(HOST_NETWORK_FEATURE),
            )
        )
