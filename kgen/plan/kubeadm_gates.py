"""Rule: kubeadm's own feature gates, checked against the version."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kgen import knowledge
from kgen.errors import KgenError
from kgen.plan.model import Note

if TYPE_CHECKING:
    from kgen.plan.planner import Planner


def kubeadm_feature_gates(planner: Planner) -> None:
    """kubeadm's own gates: kubeadm rejects unknown and removed keys, and a locked gate set against its default."""
    problems = []
    for name, value in sorted(planner.data["kubeadm"]["featureGates"].items()):
        path = f"kubeadm.featureGates.{name}"
        found = knowledge.kubeadm_gate(name)
        state = found.state(planner.plan.version) if found else None
        if found is None:
            hint = " (it is a component gate: put it under features.gates)" if knowledge.gate(name) else ""
            known = ", ".join(sorted(knowledge.kubeadm_gates_in(planner.plan.version)))
            problems.append(
                planner.problem(
                    path, f"unknown kubeadm feature gate {name}{hint}; kubeadm {planner.plan.version} knows: {known}", "gates"
                )
            )
        elif state is None:
            when = f"was removed in {found.removed_in}" if found.removed_in else f"does not exist in {planner.plan.version}"
            problems.append(planner.problem(path, f"kubeadm feature gate {name} {when}", "gates"))
        elif state.locked and value != state.default:
            problems.append(
                planner.problem(
                    path,
                    f"kubeadm feature gate {name} is locked to {str(state.default).lower()} in {planner.plan.version}",
                    "gates",
                )
            )
        elif value == state.default:
            planner.plan.notes.append(
                Note(
                    f"kubeadm feature gate {name} is already {str(value).lower()} by default in {planner.plan.version}: "
                    "not rendered",
                    path,
                )
            )
        else:
            planner.plan.kubeadm_gates[name] = value
    if problems:
        raise KgenError(problems=problems)
