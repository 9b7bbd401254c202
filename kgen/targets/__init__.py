"""Targets: each lays a plan out in the formats one kind of installer or platform reads.

Which targets exist, which module renders each and which hooks each module provides is
kgen/target_registry.py; a module is imported only when its target is rendered or one of its hooks
is called.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import TYPE_CHECKING, Any

from kgen.target_registry import HOOKS, MANAGED_TARGETS, REGISTRY, TARGET_SUMMARIES

if TYPE_CHECKING:
    from kgen.plan import Plan
    from kgen.targets.common import OutputFile

__all__ = [
    "MANAGED_TARGETS",
    "TARGETS",
    "TARGET_SUMMARIES",
    "kubeadm_extra_args",
    "kubeadm_kubelet_extra_args",
    "not_controllable",
    "renderer",
    "target_hook",
]

# Target name -> the module that renders it (kept for callers that want the names in order).
TARGETS: dict[str, str] = {name: spec.module for name, spec in REGISTRY.items()}


def kubeadm_extra_args() -> dict[str, tuple[str, ...]]:
    """Control-plane component -> where kubeadm's ClusterConfiguration takes its extra flags, in section order.

    From kgen/data/installers.json (kubeadm.extraArgs, checked against kubeadm's v1beta4 schema when generated);
    the kubeadm, capi and kind targets write these places, kgen import and kgen check-config read them.
    """
    from kgen.knowledge._data import load

    return {entry["component"]: tuple(entry["path"]) for entry in load("installers.json")["kubeadm"]["extraArgs"]}


def kubeadm_kubelet_extra_args() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Where kubeadm takes the kubelet's extra flags, and the kinds that hold that place (the documents that
    register a node), from kgen/data/installers.json (kubeadm.kubeletExtraArgs, checked against their schemas)."""
    from kgen.knowledge._data import load

    place = load("installers.json")["kubeadm"]["kubeletExtraArgs"]
    return tuple(place["path"]), tuple(place["kinds"])


def renderer(name: str) -> Callable[[Plan], list[OutputFile]]:
    module = import_module(REGISTRY[name].module)
    render: Callable[[Plan], list[OutputFile]] = module.render
    return render


def target_hook(name: str, hook: str) -> Callable[..., Any] | None:
    """Target ``name``'s hook (one of target_registry.HOOKS), or None when its registry entry does not list it.

    The one way shared code reaches into a target: the module is imported on first use, and only for
    a hook its entry lists.
    """
    if hook not in HOOKS:
        raise ValueError(f"unknown target hook {hook!r}; known: {', '.join(HOOKS)}")
    spec = REGISTRY[name]
    if hook not in spec.hooks:
        return None
    found: Callable[..., Any] = getattr(import_module(spec.module), hook)
    return found


def not_controllable(plan: Plan, name: str) -> list[dict[str, str]]:
    """Every setting of the plan that target ``name`` cannot express, from the target's own hook."""
    hook = target_hook(name, "not_controllable")
    if hook is None:
        return []
    items: list[dict[str, str]] = hook(plan)
    return items
