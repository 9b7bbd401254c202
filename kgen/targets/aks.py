"""Target aks: custom node configuration (kubeletconfig.json, linuxosconfig.json) with AKS's own fields.

AKS accepts a fixed list of kubelet fields; everything else, and every control-plane setting, is listed
in REPORT.md with what AKS does instead.
"""

from __future__ import annotations

import json
from typing import Any

from kgen.plan import Plan, Setting
from kgen.targets.common import OutputFile, cluster_objects_output, report_output
from kgen.targets.managed import Item, kubelet_refusal, platform_items, platform_value, platforms

TARGET = "aks"


def kubelet_settings(plan: Plan) -> list[tuple[str, Setting]]:
    """(AKS field, the plan's setting) for every kubelet setting AKS accepts."""
    field_map: dict[str, str] = platforms()[TARGET]["kubeletFieldMap"]
    return [(field_map[s.key], s) for s in plan.fields("kubelet") if s.key in field_map and kubelet_refusal(s, TARGET) is None]


def kubelet_config(plan: Plan) -> dict[str, Any]:
    return {field: platform_value(setting, TARGET) for field, setting in kubelet_settings(plan)}


def _json(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def not_controllable(plan: Plan) -> list[Item]:
    """This target's entry in REPORT.md's not-controllable list (named in kgen/target_registry.py)."""
    return platform_items(plan, TARGET)


def render(plan: Plan) -> list[OutputFile]:
    outputs = []
    kubelet = kubelet_config(plan)
    if kubelet:
        # JSON is YAML too: the self-check parses the file back against this data.
        outputs.append(OutputFile("kubeletconfig.json", _json(kubelet), (kubelet,)))
    # JSON holds no comments: REPORT.md gives each rendered value its reason instead.
    reasons = [
        {
            "file": "kubeletconfig.json",
            "key": field,
            "value": json.dumps(platform_value(setting, TARGET)),
            "why": setting.reason.short(),
        }
        for field, setting in kubelet_settings(plan)
    ]
    outputs.extend(cluster_objects_output(plan, TARGET))
    outputs.append(report_output(plan, TARGET, not_controllable(plan), reasons))
    return outputs
