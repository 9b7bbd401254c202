"""Knobs the user set that the chosen version cannot honour: an error, not a report line.

A security feature the user's own profile asks for, but whose gates the Kubernetes version cannot
turn on under the profile's policy, would otherwise render without it. When the knob comes from a
bundled profile the report line stays (bundled profiles span every version on purpose); when the
user wrote it, the render fails, naming the first version that has the feature on without opting
in and the opt-in that makes it usable in the chosen version. Every feature of kgen/data/features.json
is covered through the plan's feature statuses.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kgen import knowledge
from kgen.errors import KgenError, Problem
from kgen.knowledge.versions import ALL_VERSIONS, version_key

if TYPE_CHECKING:
    from kgen.plan import Plan
    from kgen.profile import Profile

# The profile switch that lets kgen turn on a gate of each stage that is off by default.
OPT_IN_BY_STAGE = {"alpha": "features.allowAlpha", "beta": "features.allowBetaOffByDefault"}


def _on_without_opt_in(name: str, version: str) -> bool:
    """Whether kgen can have the gate on in ``version`` under the default policy."""
    gate = knowledge.gate(name)
    if gate is None:
        return False
    state = gate.state(version)
    if state is None:
        return bool(gate.removed_in) and version_key(str(gate.removed_in)) <= version_key(version)
    if state.default:
        return True
    return state.stage == "ga" and not state.locked


def _opt_in(name: str, version: str) -> str | None:
    """The switch that makes the gate usable in ``version``, or None when no switch can."""
    gate = knowledge.gate(name)
    state = gate.state(version) if gate is not None else None
    if state is None or state.locked or state.default:
        return None
    return OPT_IN_BY_STAGE.get(state.stage)


def first_version_on(gates: list[str]) -> str | None:
    """The first Kubernetes version kgen knows in which every gate is on without opting in."""
    for version in ALL_VERSIONS:
        if all(_on_without_opt_in(name, version) for name in gates):
            return version
    return None


def honoured_plan(profile: Profile) -> Plan:
    """The plan of a profile as every command that acts on it sees it (render, explain, diff,
    upgrade-check, verify): a knob the user set that the version cannot honour is a located error."""
    from kgen.plan import build_plan

    plan = build_plan(profile)
    problems = unhonoured_problems(plan)
    if problems:
        raise KgenError(problems=problems)
    return plan


def unhonoured_problems(plan: Plan) -> list[Problem]:
    """A located problem for each feature the user's own profile asks for and this version cannot render."""
    from kgen.plan import features_table
    from kgen.plan.planner import gate_usable

    problems: list[Problem] = []
    version = plan.version
    for status in plan.features:
        if not status.wanted or status.state != "unavailable":
            continue
        origin = plan.profile.user_origin(status.origin)
        if origin is None:
            continue  # inherited from a bundled profile: the report says what became of it
        gates = list(features_table()[status.knob]["gates"])
        blocking = [name for name in gates if gate_usable(plan, name)[0] == "unavailable"]
        reasons = ", ".join(_gate_state_text(name, version) for name in blocking) or status.detail
        message = f"{status.title} (KEP-{status.kep}) cannot be honoured in Kubernetes {version}: {reasons}"
        first = first_version_on(gates)
        if first is None:
            message += f"; no Kubernetes version kgen knows (up to {ALL_VERSIONS[-1]}) has it on without opting in"
        elif version_key(first) > version_key(version):
            message += f"; first on without opting in: Kubernetes {first}"
        switches = {_opt_in(name, version) for name in blocking}
        if switches and None not in switches:
            wanted = " and ".join(f"{switch}: true" for switch in sorted(s for s in switches if s))
            message += f"; to use it in {version}, set {wanted} (not for production clusters)"
        else:
            message += f"; no opt-in makes it available in {version}"
        problems.append(Problem(message, origin.file, origin.line, origin.column, status.origin, "feature-version"))
    problems.extend(_missing_field_problems(plan))
    return sorted(problems, key=lambda p: (p.file, p.line, p.column))


def _missing_field_problems(plan: Plan) -> list[Problem]:
    """A knob the user set for a usable feature whose config field the version lacks (it would be dropped)."""
    from kgen.plan import feature_fields, features_table

    usable = {status.knob for status in plan.features if status.wanted and status.state != "unavailable"}
    problems = []
    for knob in features_table():
        if knob not in usable:
            continue
        for field in feature_fields(knob).values():
            origin = plan.profile.user_origin(field.origin)
            if origin is None or field.exists_in(plan.version):
                continue
            message = (
                f"{field.kind} has no field {field.path} in Kubernetes {plan.version} (it exists from {field.since()}): "
                "the value cannot be rendered"
            )
            problems.append(Problem(message, origin.file, origin.line, origin.column, field.origin, "feature-version"))
    return problems


def _gate_state_text(name: str, version: str) -> str:
    gate = knowledge.gate(name)
    state = gate.state(version) if gate is not None else None
    if state is None:
        return f"{name} does not exist in {version}"
    if state.locked and not state.default:
        return f"{name} is locked off in {version}"
    return f"{name} is {state.stage}, off by default in {version}"
