"""Rules: the profile's explicit feature gates, then every gate request resolved into flags, fields and --runtime-config."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kgen.errors import KgenError
from kgen.plan.model import Note, Reason

if TYPE_CHECKING:
    from kgen.plan.planner import Planner


def explicit_gates(planner: Planner) -> None:
    for name, enabled in sorted(planner.data["features"]["gates"].items()):
        planner.request_gate(name, enabled, f"features.gates.{name}", "explicit override in the profile", explicit=True)


def resolve_gates(planner: Planner) -> None:
    from kgen.knowledge.gates_engine import resolve_feature_gates

    plan, features = planner.plan, planner.data["features"]
    result = resolve_feature_gates(planner.gate_requests, plan.version, features["allowAlpha"], features["allowBetaOffByDefault"])
    if result.errors:
        raise KgenError(problems=[planner.problem(e.origin, e.message, "gates") for e in result.errors])
    for note in result.notes:
        plan.notes.append(Note(note.message, note.origin))
    for component, gates in result.per_component.items():
        if not gates:
            continue
        decisions = [d for d in result.decisions if component in d.components]
        origins = sorted({d.origin for d in decisions})
        refs = tuple(sorted({ref for d in decisions for ref in planner.gate_refs.get(d.gate, ())}))
        reason = Reason(", ".join(origins), refs, "feature gates that differ from the default in " + plan.version)
        if component == "kubelet":
            for gate_name, value in gates.items():
                plan.add(
                    "kubelet",
                    f"featureGates.{gate_name}",
                    value,
                    Reason(
                        next((d.origin for d in decisions if d.gate == gate_name), reason.origin),
                        planner.gate_refs.get(gate_name, ()),
                        "feature gate differs from the default",
                    ),
                    is_flag=False,
                )
        elif component == "kube-proxy":
            for gate_name, value in gates.items():
                plan.add("kube-proxy", f"featureGates.{gate_name}", value, reason, is_flag=False)
        else:
            text = ",".join(f"{name}={'true' if value else 'false'}" for name, value in gates.items())
            plan.add(component, "feature-gates", text, reason)
    if result.runtime_config:
        why = "; ".join(sorted({f"{item.gate} ({item.reason})" for item in result.runtime_config}))
        refs = tuple(sorted({ref for item in result.runtime_config for ref in planner.gate_refs.get(item.gate, ())}))
        origin = ", ".join(sorted({item.origin for item in result.runtime_config}))
        plan.add(
            "kube-apiserver",
            "runtime-config",
            result.runtime_config_value(),
            Reason(origin, refs, "API versions the enabled features serve: " + why),
        )
