"""Targets: each lays a plan out in the formats one kind of installer or platform reads.

The registry names each target's module; a module is imported only when its target is rendered.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kgen.plan import Plan
    from kgen.targets.common import OutputFile

TARGETS: dict[str, str] = {
    "kubeadm": "kgen.targets.kubeadm",
    "flags": "kgen.targets.flags",
    "kubespray": "kgen.targets.kubespray",
    "ansible": "kgen.targets.ansible",
    "eks": "kgen.targets.eks",
    "gke": "kgen.targets.gke",
    "aks": "kgen.targets.aks",
    "rke2": "kgen.targets.rke2",
    "k3s": "kgen.targets.k3s",
}

# Where each component's extra flags live in kubeadm's v1beta4 ClusterConfiguration.
KUBEADM_EXTRA_ARGS: dict[str, tuple[str, ...]] = {
    "kube-apiserver": ("apiServer", "extraArgs"),
    "kube-controller-manager": ("controllerManager", "extraArgs"),
    "kube-scheduler": ("scheduler", "extraArgs"),
    "etcd": ("etcd", "local", "extraArgs"),
}

# Targets where the platform owns the control plane: only part of a profile can be set there.
MANAGED_TARGETS = ("eks", "gke", "aks")
# Distributions that run the control plane themselves: they set some flags and cannot take every setting.
DISTRIBUTION_TARGETS = ("rke2", "k3s")

TARGET_SUMMARIES: dict[str, str] = {
    "kubeadm": "kubeadm v1beta4 Init/Cluster/Kubelet/KubeProxy configuration, join configurations, node files",
    "flags": "one --flag=value file per component, KubeletConfiguration and node files at their node paths",
    "kubespray": "group_vars for kubespray, using kubespray's own variable names",
    "ansible": "whole kubeadm objects and node files as variables for roles that take them",
    "eks": "EKS AL2023 nodeadm NodeConfig and eksctl kubeletExtraConfig; the rest reported as not controllable",
    "gke": "GKE node system config; the rest reported as not controllable",
    "aks": "AKS custom node configuration; the rest reported as not controllable",
    "rke2": "RKE2 config.yaml for server and agent nodes (first-class keys, *-arg lists, profile: cis) and the files it names",
    "k3s": "k3s config.yaml for server and agent nodes (*-arg lists, secrets encryption) and the files it names",
}


def renderer(name: str) -> Callable[[Plan], list[OutputFile]]:
    render: Callable[[Plan], list[OutputFile]] = target_module(name).render
    return render


def target_module(name: str) -> Any:
    """The module that renders target ``name`` (imported on first use)."""
    return import_module(TARGETS[name])
