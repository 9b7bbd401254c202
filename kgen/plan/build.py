"""The planning loop: run every rule, in order, over one profile at its Kubernetes version."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from kgen.knowledge.versions import is_preview
from kgen.plan.admission import admission
from kgen.plan.audit import audit
from kgen.plan.authentication import authentication
from kgen.plan.authorization import authorization
from kgen.plan.encryption import encryption
from kgen.plan.gates import explicit_gates, resolve_gates
from kgen.plan.image_pull_credentials import image_pull_credentials
from kgen.plan.image_volumes import image_volumes
from kgen.plan.join import kubeadm_join
from kgen.plan.kubeadm_gates import kubeadm_feature_gates
from kgen.plan.model import Note, Plan
from kgen.plan.planner import Planner
from kgen.plan.security_features import security_features
from kgen.plan.settings import settings_from_table
from kgen.plan.user_namespaces import user_namespaces

if TYPE_CHECKING:
    from kgen.profile import Profile

Rule = Callable[[Planner], None]

# The order is part of the output: settings keep the order they were decided in (config fields
# render in it), and resolve_gates must run after every rule that requests a gate.
RULES: tuple[Rule, ...] = (
    settings_from_table,
    authentication,
    authorization,
    admission,
    audit,
    encryption,
    security_features,
    user_namespaces,
    image_pull_credentials,
    image_volumes,
    explicit_gates,
    resolve_gates,
    kubeadm_feature_gates,
    kubeadm_join,
)


def build_plan(profile: Profile) -> Plan:
    """Every setting, file and note for this profile at its Kubernetes version."""
    planner = Planner(profile)
    if is_preview(planner.plan.version):
        planner.plan.notes.append(
            Note(
                f"Kubernetes {planner.plan.version} is a preview: its facts come from a development snapshot and may change "
                "before the release",
                "kubernetesVersion",
            )
        )
    for rule in RULES:
        rule(planner)
    return planner.plan
