"""Target aks: custom node configuration (kubeletconfig.json, linuxosconfig.json) with AKS's own fields.

AKS accepts a fixed list of kubelet fields; everything else, and every control-plane setting, is listed
in REPORT.md with what AKS does instead.
"""

from __future__ import annotations

import json
from typing import Any

from kgen.plan import Plan
from kgen.targets.common import OutputFile, cluster_objects_output, report_output
from kgen.targets.managed import kubelet_refusal, not_controllable, platforms

TARGET = "aks"


def kubelet_config(plan: Plan) -> dict[str, Any]:
    field_map: dict[str, str] = platforms()[TARGET]["kubeletFieldMap"]
    return {
        field_map[s.key]: s.value for s in plan.fields("kubelet") if s.key in field_map and kubelet_refusal(s, TARGET) is None
    }


def linux_os_config(plan: Plan) -> dict[str, Any]:
    """No setting of the plan maps to linuxOSConfig today; the file is written when one does."""
    return {}


def _json(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def render(plan: Plan) -> list[OutputFile]:
    outputs = []
    kubelet = kubelet_config(plan)
    if kubelet:
        outputs.append(OutputFile("kubeletconfig.json", _json(kubelet)))
    linux = linux_os_config(plan)
    if linux:
        outputs.append(OutputFile("linuxosconfig.json", _json(linux)))
    outputs.extend(cluster_objects_output(plan, TARGET))
    outputs.append(report_output(plan, TARGET, not_controllable(plan, TARGET)))
    return outputs
