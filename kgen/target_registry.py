"""The targets kgen knows: one entry per target, and nothing that renders.

This module sits at the bottom of kgen, beside the knowledge: the profile schema reads the target
names from here, and the rendering layer reads which module lays each target out. It imports
nothing from kgen, so no layer below the targets ever depends on them. Adding a target means one
module under ``kgen/targets/`` and one entry here (see docs/architecture.md).
"""

from __future__ import annotations

# The hooks a target module may provide, each a function of that name in the module. A target lists the
# ones it provides in its registry entry, and shared code reaches them only through
# ``kgen.targets.target_hook``, which reads that list:
#   not_controllable(plan) -> list[Item]   every setting of the plan the target cannot express
#   coverage(plan) -> Coverage             what the target's files carry (kgen/targets/coverage.py), for a target
#                                          that carries only part of the plan and is not a managed platform
#                                          (managed platforms share one rule)
#   places(plan, record) -> list[str]      where ``kgen explain`` finds a setting in the target's files; without
#                                          it, explain searches the rendered files for the setting's name
HOOKS: tuple[str, ...] = ("not_controllable", "coverage", "places")


class TargetSpec:
    """What kgen needs to know about one target before importing it.

    A plain class: a NamedTuple costs about a tenth of a millisecond to define at every start.
    """

    __slots__ = ("distribution", "hooks", "managed", "module", "summary")

    def __init__(
        self,
        module: str,
        summary: str,
        *,
        managed: bool = False,
        distribution: bool = False,
        hooks: frozenset[str] = frozenset(),
    ) -> None:
        # The module whose render(plan) -> list[OutputFile] lays a plan out for this target.
        self.module = module
        # One line for listings and docs.
        self.summary = summary
        # The platform owns the control plane: only part of a profile can be set, and REPORT.md shows
        # no CIS summary (the control-plane flags it would check are the platform's).
        self.managed = managed
        # A distribution that runs the control plane itself (RKE2, k3s, Talos, kops): it sets part of the
        # profile on its own, takes part through its configuration, and the render summary line counts what it
        # cannot take.
        self.distribution = distribution
        # The names in HOOKS that ``module`` defines; no other hook of the module is ever called.
        self.hooks = hooks


REGISTRY: dict[str, TargetSpec] = {
    "kubeadm": TargetSpec(
        "kgen.targets.kubeadm",
        "kubeadm v1beta4 Init/Cluster/Kubelet/KubeProxy configuration, join configurations, node files",
        hooks=frozenset({"places"}),
    ),
    "flags": TargetSpec(
        "kgen.targets.flags",
        "one --flag=value file per component, KubeletConfiguration and node files at their node paths",
        hooks=frozenset({"places"}),
    ),
    "kubespray": TargetSpec(
        "kgen.targets.kubespray",
        "group_vars for kubespray, using kubespray's own variable names",
        hooks=frozenset({"not_controllable", "coverage"}),
    ),
    "ansible": TargetSpec(
        "kgen.targets.ansible",
        "whole kubeadm objects and node files as variables for roles that take them",
    ),
    "eks": TargetSpec(
        "kgen.targets.eks",
        "EKS AL2023 nodeadm NodeConfig and eksctl kubeletExtraConfig; the rest reported as not controllable",
        managed=True,
        hooks=frozenset({"not_controllable"}),
    ),
    "gke": TargetSpec(
        "kgen.targets.gke",
        "GKE node system config; the rest reported as not controllable",
        managed=True,
        hooks=frozenset({"not_controllable"}),
    ),
    "aks": TargetSpec(
        "kgen.targets.aks",
        "AKS custom node configuration; the rest reported as not controllable",
        managed=True,
        hooks=frozenset({"not_controllable"}),
    ),
    "capi": TargetSpec(
        "kgen.targets.capi",
        "Cluster API KubeadmControlPlane and workers' KubeadmConfigTemplate (v1beta2, or v1beta1) with node files",
        hooks=frozenset({"not_controllable", "coverage"}),
    ),
    "kind": TargetSpec(
        "kgen.targets.kind",
        "kind Cluster (v1alpha4) with kubeadmConfigPatches and node files mounted, for trying a profile locally",
        hooks=frozenset({"not_controllable", "coverage"}),
    ),
    "rke2": TargetSpec(
        "kgen.targets.rke2",
        "RKE2 config.yaml for server and agent nodes (first-class keys, *-arg lists, profile: cis) and the files it names",
        distribution=True,
        hooks=frozenset({"not_controllable", "coverage"}),
    ),
    "k3s": TargetSpec(
        "kgen.targets.k3s",
        "k3s config.yaml for server and agent nodes (*-arg lists, secrets encryption) and the files it names",
        distribution=True,
        hooks=frozenset({"not_controllable", "coverage"}),
    ),
    "talos": TargetSpec(
        "kgen.targets.talos",
        "Talos machine configuration patches (control plane, workers) beyond what Talos already sets; the rest reported",
        distribution=True,
        hooks=frozenset({"not_controllable", "coverage", "places"}),
    ),
    "kops": TargetSpec(
        "kgen.targets.kops",
        "kops Cluster spec fragment (kops.k8s.io/v1alpha2) in typed fields, with fileAssets; the rest reported",
        distribution=True,
        hooks=frozenset({"not_controllable", "coverage", "places"}),
    ),
}

TARGET_NAMES: tuple[str, ...] = tuple(REGISTRY)
# Targets where the platform owns the control plane: only part of a profile can be set there.
MANAGED_TARGETS: tuple[str, ...] = tuple(name for name, spec in REGISTRY.items() if spec.managed)
# Distributions that run the control plane themselves: they set part of a profile and cannot take all of it.
DISTRIBUTION_TARGETS: tuple[str, ...] = tuple(name for name, spec in REGISTRY.items() if spec.distribution)
TARGET_SUMMARIES: dict[str, str] = {name: spec.summary for name, spec in REGISTRY.items()}
