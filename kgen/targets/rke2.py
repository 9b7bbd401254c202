"""Target rke2: /etc/rancher/rke2/config.yaml for server and agent nodes, and the files its keys name.

The layout is shared with k3s (kgen/targets/rancher.py). RKE2 adds first-class keys for the Pod Security
admission file and the audit policy, forces secrets encryption, runs the control plane as static pods
(files an argument names are mounted for it) and has its own `profile: cis`.
"""

from __future__ import annotations

from kgen.plan import Plan
from kgen.targets import rancher
from kgen.targets.common import OutputFile

TARGET = "rke2"


def render(plan: Plan) -> list[OutputFile]:
    return rancher.render(plan, TARGET)
