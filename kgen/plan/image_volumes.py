"""Rule: image volumes, and the ValidatingAdmissionPolicy that limits them to the allowed registries."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kgen.plan.model import ClusterObject, Note, Reason
from kgen.plan.tables import feature_refs

if TYPE_CHECKING:
    from kgen.plan.planner import Planner

FEATURE = "imageVolumes"


def image_volumes(planner: Planner) -> None:
    volumes = planner.data["features"][FEATURE]
    if planner.feature(FEATURE, volumes["enabled"], f"features.{FEATURE}.enabled"):
        image_volume_policy(planner, volumes["allowedRegistries"])


def image_volume_policy(planner: Planner, registries: list[str]) -> None:
    if not registries:
        planner.plan.notes.append(
            Note(
                "image volumes are on with no registry restriction; list features.imageVolumes.allowedRegistries",
                "features.imageVolumes.allowedRegistries",
                feature_refs(FEATURE),
            )
        )
        return
    allowed = ", ".join("'" + r + "'" for r in registries)
    expression = (
        "!has(object.spec.volumes) || object.spec.volumes.all(v, !has(v.image) || "
        f"[{allowed}].exists(r, r.endsWith('/*') ? v.image.reference.startsWith(r.substring(0, r.size() - 1)) : "
        "(v.image.reference == r || v.image.reference.startsWith(r + ':') || v.image.reference.startsWith(r + '@'))))"
    )
    name = "kgen-image-volume-registries"
    reason = Reason(
        "features.imageVolumes.allowedRegistries",
        feature_refs(FEATURE),
        "image volumes may only mount images from the allowed registries",
    )
    policy = {
        "apiVersion": "admissionregistration.k8s.io/v1",
        "kind": "ValidatingAdmissionPolicy",
        "metadata": {"name": name},
        "spec": {
            "failurePolicy": "Fail",
            "matchConstraints": {
                "resourceRules": [
                    {"apiGroups": [""], "apiVersions": ["v1"], "operations": ["CREATE", "UPDATE"], "resources": ["pods"]}
                ]
            },
            "validations": [
                {
                    "expression": expression,
                    "message": "image volumes must reference an allowed registry: " + ", ".join(registries),
                }
            ],
        },
    }
    binding = {
        "apiVersion": "admissionregistration.k8s.io/v1",
        "kind": "ValidatingAdmissionPolicyBinding",
        "metadata": {"name": name},
        "spec": {"policyName": name, "validationActions": ["Deny"]},
    }
    planner.plan.cluster_objects.append(ClusterObject(name, policy, reason))
    planner.plan.cluster_objects.append(ClusterObject(name + "-binding", binding, reason))
