"""Target rke2: /etc/rancher/rke2/config.yaml for server and agent nodes, and the files its keys name.

The layout is shared with k3s (kgen/targets/rancher.py). RKE2 adds first-class keys for the Pod Security
admission file and the audit policy, forces secrets encryption, runs the control plane as static pods
(files an argument names are mounted for it) and has its own `profile: cis`.
"""

from __future__ import annotations

from kgen.plan import Plan
from kgen.targets import rancher
from kgen.targets.common import OutputFile
from kgen.targets.coverage import Coverage
from kgen.targets.managed import Item

TARGET = "rke2"


def render(plan: Plan) -> list[OutputFile]:
    return rancher.render(plan, TARGET)


def not_controllable(plan: Plan) -> list[Item]:
    """Every setting of the plan this target cannot express or leaves to the distribution."""
    return rancher.not_controllable(plan, TARGET)


def coverage(plan: Plan) -> Coverage:
    """What runs with this target's files: what they carry plus what the distribution sets itself."""
    return rancher.running(plan, TARGET)
