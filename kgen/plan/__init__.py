"""Decide what to render: turn a validated profile into settings, each with its reason.

The package is a small core and one module per concern (see docs/architecture.md):

- ``model``: the types a plan is made of (``Plan``, ``Setting``, ``Reason``, ...), read by targets;
- ``planner``: the state one planning run shares, and the helpers rules use (``feature``, ``problem``);
- ``build``: the loop, ``build_plan``, which runs the rules in order;
- ``tables``: the hand-kept data tables the rules read;
- one module per concern, each a rule ``rule(planner) -> None``: ``settings`` (the profile key ->
  flag or field table), ``authentication``, ``authorization``, ``admission``, ``audit``,
  ``encryption``, ``security_features``, ``user_namespaces``, ``image_pull_credentials``,
  ``image_volumes``, ``gates``, ``kubeadm_gates``, ``join``.
"""

from __future__ import annotations

from kgen.plan.build import build_plan
from kgen.plan.model import (
    COMPONENT_CONFIG_KINDS,
    CONTROL_PLANE,
    ENCRYPTION_KEY_PLACEHOLDER,
    HEALTH_PATHS,
    ClusterObject,
    FeatureStatus,
    NodeFile,
    Note,
    Plan,
    Reason,
    Setting,
    flag_text,
)
from kgen.plan.tables import (
    FeatureField,
    audit_policies,
    feature_fields,
    feature_refs,
    features_table,
    requirements_table,
    settings_table,
)

__all__ = [
    "COMPONENT_CONFIG_KINDS",
    "CONTROL_PLANE",
    "ENCRYPTION_KEY_PLACEHOLDER",
    "HEALTH_PATHS",
    "ClusterObject",
    "FeatureField",
    "FeatureStatus",
    "NodeFile",
    "Note",
    "Plan",
    "Reason",
    "Setting",
    "audit_policies",
    "build_plan",
    "feature_fields",
    "feature_refs",
    "features_table",
    "flag_text",
    "requirements_table",
    "settings_table",
]
