"""Target k3s: /etc/rancher/k3s/config.yaml for server and agent nodes, and the files its keys name.

The layout is shared with RKE2 (kgen/targets/rancher.py). k3s lacks RKE2's first-class keys for the Pod
Security admission file, the audit policy and a CIS profile, so those settings go in as kube-apiserver
arguments; secrets encryption is turned on with its own key; the control plane runs inside the k3s process
and reads host paths directly.
"""

from __future__ import annotations

from kgen.plan import Plan
from kgen.targets import rancher
from kgen.targets.common import OutputFile
from kgen.targets.coverage import Coverage
from kgen.targets.managed import Item

TARGET = "k3s"


def render(plan: Plan) -> list[OutputFile]:
    return rancher.render(plan, TARGET)


def not_controllable(plan: Plan) -> list[Item]:
    """Every setting of the plan this target cannot express or leaves to the distribution."""
    return rancher.not_controllable(plan, TARGET)


def coverage(plan: Plan) -> Coverage:
    """What runs with this target's files: what they carry plus what the distribution sets itself."""
    return rancher.running(plan, TARGET)
