"""Targets: each lays a plan out in the formats one kind of installer or platform reads.

Which targets exist, and which module renders each, is kgen/target_registry.py; a module is
imported only when its target is rendered (or asked what it cannot express).
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import TYPE_CHECKING, Any

from kgen.target_registry import MANAGED_TARGETS, REGISTRY, TARGET_SUMMARIES

if TYPE_CHECKING:
    from kgen.plan import Plan
    from kgen.targets.common import OutputFile

__all__ = [
    "KUBEADM_EXTRA_ARGS",
    "MANAGED_TARGETS",
    "TARGETS",
    "TARGET_SUMMARIES",
    "not_controllable",
    "renderer",
    "target_function",
]

# Target name -> the module that renders it (kept for callers that want the names in order).
TARGETS: dict[str, str] = {name: spec.module for name, spec in REGISTRY.items()}

# Where each component's extra flags live in kubeadm's v1beta4 ClusterConfiguration.
KUBEADM_EXTRA_ARGS: dict[str, tuple[str, ...]] = {
    "kube-apiserver": ("apiServer", "extraArgs"),
    "kube-controller-manager": ("controllerManager", "extraArgs"),
    "kube-scheduler": ("scheduler", "extraArgs"),
    "etcd": ("etcd", "local", "extraArgs"),
}


def renderer(name: str) -> Callable[[Plan], list[OutputFile]]:
    module = import_module(REGISTRY[name].module)
    render: Callable[[Plan], list[OutputFile]] = module.render
    return render


def target_function(name: str, function: str) -> Callable[..., Any]:
    """A function of target ``name``'s module, as its registry entry names it (imported on first use)."""
    found: Callable[..., Any] = getattr(import_module(REGISTRY[name].module), function)
    return found


def not_controllable(plan: Plan, name: str) -> list[dict[str, str]]:
    """Every setting of the plan that target ``name`` cannot express, from the target's own hook."""
    spec = REGISTRY[name]
    if not spec.not_controllable:
        return []
    items: list[dict[str, str]] = target_function(name, spec.not_controllable)(plan)
    return items
