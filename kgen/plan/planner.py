"""The planner's shared state and the helpers every rule uses.

A rule (one module of kgen/plan/) is a function ``rule(planner) -> None``: it reads the normalised
profile (``planner.data``), the version (``planner.plan.version``) and the knowledge, and adds
settings, files, notes and gate requests to ``planner.plan``, each with its reason.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kgen import knowledge
from kgen.errors import Problem
from kgen.knowledge.versions import version_key
from kgen.plan.model import FeatureStatus, Note, Plan, Reason
from kgen.plan.tables import features_table

if TYPE_CHECKING:
    from kgen.profile import Profile


def gate_usable(plan: Plan, name: str) -> tuple[str, str]:
    """(verdict, detail) for one gate in this version under the profile's policy.

    Verdicts: 'built-in' (graduated, gate removed), 'on' (on by default), 'request' (kgen turns it
    on), 'unavailable'.
    """
    gate = knowledge.gate(name)
    version = plan.version
    features = plan.profile.data["features"]
    if gate is None:
        return (
            "unavailable",
            f"the {name} gate exists in no Kubernetes release kgen knows (up to {knowledge.PREVIEW_VERSIONS[-1]})",
        )
    state = gate.state(version)
    if state is None:
        if gate.removed_in and version_key(gate.removed_in) <= version_key(version):
            return "built-in", f"built in: {name} graduated and its gate was removed in {gate.removed_in}"
        return "unavailable", f"{name} does not exist in {version}"
    if state.default:
        stage = state.stage.upper() if state.stage == "ga" else state.stage
        locked = " and locked" if state.locked else ""
        return "on", f"{name} is {stage}{locked}, on by default in {version}"
    if state.locked:
        return "unavailable", f"{name} is locked off in {version}"
    if state.stage == "alpha" and not features["allowAlpha"]:
        return "unavailable", f"{name} is alpha in {version}; set features.allowAlpha to use it"
    if state.stage == "beta" and not features["allowBetaOffByDefault"]:
        return "unavailable", f"{name} is beta but off by default in {version}; set features.allowBetaOffByDefault to use it"
    if state.stage == "deprecated":
        return "unavailable", f"{name} is deprecated in {version}"
    return "request", f"{name} is {state.stage}, off by default in {version}: kgen turns it on"


READY = frozenset({"built-in", "on"})


def ready_state(verdicts: set[str]) -> str:
    """The feature state for gates that need nothing rendered."""
    return "built-in" if verdicts == {"built-in"} else "on-by-default"


class Planner:
    """One planning run: the profile, the plan being filled in, and the gate requests the rules collect."""

    def __init__(self, profile: Profile) -> None:
        self.profile = profile
        self.data = profile.data
        self.plan = Plan(profile, profile.version)
        self.gate_requests: list[Any] = []
        self.config_dir = self.data["cluster"]["configDir"]
        self.gate_refs: dict[str, tuple[str, ...]] = {}

    def problem(self, path: str, message: str, rule: str = "profile") -> Problem:
        """A problem located at the profile key that caused it (through extends)."""
        return self.profile.problem(path, message, rule)

    def feature(self, knob: str, wanted: bool, origin: str) -> bool:
        """Record what becomes of a security feature; True when it is usable in this version."""
        spec = features_table()[knob]
        title, kep = spec["title"], int(spec["kep"])
        outcomes = [(name, *gate_usable(self.plan, name)) for name in spec["gates"]]
        verdicts = {verdict for _, verdict, _ in outcomes}
        if not wanted:
            # Not asked for, but a feature that is on by default (or built in) is on all the same: say so.
            if verdicts <= READY:
                state = ready_state(verdicts)
                detail = "; ".join(d for _, _, d in outcomes) + " (the profile does not ask for it; nothing to render)"
            else:
                state, detail = "off", "not asked for by the profile"
            self.plan.features.append(FeatureStatus(knob, title, kep, False, state, detail, origin))
            return False
        blocked = [detail for _, verdict, detail in outcomes if verdict == "unavailable"]
        if blocked:
            detail = "; ".join(blocked)
            self.plan.features.append(FeatureStatus(knob, title, kep, True, "unavailable", detail, origin))
            self.plan.notes.append(Note(f"{title} (KEP-{kep}) is not rendered: {detail}", origin, (f"KEP-{kep}",)))
            return False
        to_request = [name for name, verdict, _ in outcomes if verdict == "request"]
        for name in to_request:
            self.request_gate(name, True, origin, f"{title} (KEP-{kep})", refs=(f"KEP-{kep}",))
        state = "rendered" if to_request else ready_state(verdicts)
        detail = "; ".join(detail for _, _, detail in outcomes)
        if spec.get("note"):
            detail += ". " + spec["note"]
        self.plan.features.append(FeatureStatus(knob, title, kep, True, state, detail, origin))
        self.plan.need(*spec.get("requirements", ()))
        for component, flags in spec.get("flags", {}).items():
            for flag_name, value in flags.items():
                self.plan.add(component, flag_name, value, Reason(origin, (f"KEP-{kep}",), title))
        return True

    def request_gate(
        self, name: str, enabled: bool, origin: str, why: str, refs: tuple[str, ...] = (), explicit: bool = False
    ) -> None:
        from kgen.knowledge.gates_engine import GateRequest

        self.gate_requests.append(GateRequest(name=name, enabled=enabled, origin=origin, reason=why, optional=not explicit))
        self.gate_refs[name] = refs

    def node_file(self, name: str) -> str:
        return f"{self.config_dir}/{name}"

    def mount_file_dir(self, node_path: str) -> None:
        directory = node_path.rsplit("/", 1)[0] or "/"
        if (directory, False) not in self.plan.mounts and directory != self.config_dir:
            self.plan.mounts.append((directory, False))
