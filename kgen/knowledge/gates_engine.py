"""Decide which feature gates each component gets, from what the profile asks for.

Pure functions over the gate knowledge: no gate names appear here, every rule reads the data.
Rules, in order, for each requested gate in the target release:
  unknown name            -> error naming the nearest known names
  removed                 -> error naming the release that removed it (an optional request for a
                             feature that is now always on is dropped with a note)
  not yet introduced      -> error (optional: dropped with a note)
  locked, wanted != default -> error
  wanted == default       -> not rendered; a note says why (locked, or simply the default)
  alpha / beta-off        -> only when allowed (optional: dropped with a note)
  dependencies            -> a dependency that is off by default is enabled too, with a note;
                             one the profile disables is an error
Gates go to the components the gate affects (or the request's own list); --runtime-config entries
the enabled features need are collected for kube-apiserver.
"""

from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

from kgen.knowledge.gates import COMPONENTS, Gate, GateState, all_gates, gate, nearest_gate_names
from kgen.knowledge.versions import check_version, version_key


class GateRequest(NamedTuple):
    """The profile asks for a gate value. optional=True: a feature knob asked for it, so a gate that
    does not exist or is already fixed at the wanted value is dropped with a note instead of failing."""

    name: str
    enabled: bool
    origin: str
    reason: str
    components: tuple[str, ...] | None = None
    optional: bool = False


class Decision(NamedTuple):
    """A gate value kgen renders, with where it goes and why."""

    gate: str
    value: bool
    components: tuple[str, ...]
    origin: str
    reason: str
    rule: str


class GateNote(NamedTuple):
    """A request kgen did not render (or rendered with an addition), and why."""

    gate: str
    origin: str
    message: str


class GateError(NamedTuple):
    gate: str
    origin: str
    message: str

    def format(self) -> str:
        return f"{self.origin}: {self.message}"


class RuntimeConfigEntry(NamedTuple):
    """One kube-apiserver --runtime-config entry an enabled feature needs."""

    entry: str
    gate: str
    origin: str
    reason: str


class GateResolution(NamedTuple):
    version: str
    decisions: tuple[Decision, ...]
    notes: tuple[GateNote, ...]
    errors: tuple[GateError, ...]
    runtime_config: tuple[RuntimeConfigEntry, ...]
    per_component: dict[str, dict[str, bool]]

    @property
    def ok(self) -> bool:
        return not self.errors

    def gates_for(self, component: str) -> dict[str, bool]:
        """Gate -> value for one component, sorted by gate name (empty if it gets none)."""
        return dict(self.per_component.get(component, {}))

    def decision(self, gate_name: str) -> Decision | None:
        return next((d for d in self.decisions if d.gate == gate_name), None)

    def runtime_config_value(self) -> str:
        """The --runtime-config value (comma-separated, sorted, without duplicates)."""
        return ",".join(sorted({item.entry for item in self.runtime_config}))


def _describe(state: GateState) -> str:
    text = f"{state.stage}, {'on' if state.default else 'off'} by default"
    return text + (", locked" if state.locked else "")


def first_locked(found: Gate, version: str) -> str:
    """The earliest release (up to `version`) since which the gate has been locked at its current value."""
    since = version
    states = found.states()
    for candidate in sorted(states, key=version_key, reverse=True):
        if version_key(candidate) > version_key(version):
            continue
        state = states[candidate]
        if state is None or not state.locked:
            break
        since = candidate
    return since


def _last_state(found: Gate) -> GateState | None:
    states = [s for v, s in sorted(found.states().items(), key=lambda i: version_key(i[0])) if s is not None]
    return states[-1] if states else None


class _Resolver:
    def __init__(self, version: str, allow_alpha: bool, allow_beta_off: bool) -> None:
        self.version = version
        self.allow_alpha = allow_alpha
        self.allow_beta_off = allow_beta_off
        self.decisions: dict[str, Decision] = {}
        self.enabled: dict[str, GateRequest] = {}  # gates that end up on, rendered or by default
        self.disabled: dict[str, GateRequest] = {}
        self.notes: list[GateNote] = []
        self.errors: list[GateError] = []

    def error(self, request: GateRequest, message: str) -> None:
        self.errors.append(GateError(request.name, request.origin, message))

    def note(self, request: GateRequest, message: str) -> None:
        self.notes.append(GateNote(request.name, request.origin, message))

    def run(self, requests: Sequence[GateRequest]) -> None:
        merged = self.merge(requests)
        for request in merged:
            self.resolve(request, merged_components=request.components)
        for name, request in sorted(self.enabled.items()):
            self.pull_dependencies(name, request)

    def merge(self, requests: Sequence[GateRequest]) -> list[GateRequest]:
        by_name: dict[str, GateRequest] = {}
        for request in requests:
            for component in request.components or ():
                if component not in COMPONENTS:
                    self.error(request, f"unknown component {component!r} for gate {request.name}")
            seen = by_name.get(request.name)
            if seen is None:
                by_name[request.name] = request
            elif seen.enabled != request.enabled:
                self.error(
                    request,
                    f"gate {request.name} is set to {str(request.enabled).lower()} here but to "
                    f"{str(seen.enabled).lower()} by {seen.origin}",
                )
            elif request.components is not None or seen.components is not None:
                union = tuple(sorted(set(seen.components or ()) | set(request.components or ())))
                by_name[request.name] = GateRequest(
                    seen.name,
                    seen.enabled,
                    seen.origin,
                    seen.reason,
                    union or None,
                    seen.optional and request.optional,
                )
            elif seen.optional and not request.optional:
                by_name[request.name] = request
        return [by_name[name] for name in sorted(by_name)]

    def resolve(self, request: GateRequest, merged_components: tuple[str, ...] | None) -> None:
        version = self.version
        found = gate(request.name)
        if found is None:
            if request.optional:
                self.note(request, f"{request.name} is not a feature gate kgen knows; nothing to set")
                return
            near = nearest_gate_names(request.name)
            hint = f"; did you mean {', '.join(near)}?" if near else ""
            self.error(request, f"unknown feature gate {request.name}{hint}")
            return
        state = found.state(version)
        if state is None:
            self.missing(request, found)
            return
        target = self.disabled if not request.enabled else self.enabled
        if request.enabled == state.default:
            target[request.name] = request
            if state.locked:
                stage = "GA" if state.stage == "ga" else state.stage
                self.note(
                    request,
                    f"{request.name} not rendered: {stage} and locked to {str(state.default).lower()} "
                    f"since {first_locked(found, version)}",
                )
            else:
                self.note(
                    request,
                    f"{request.name} not rendered: already {'on' if state.default else 'off'} by default "
                    f"in {version} ({_describe(state)})",
                )
            return
        if state.locked:
            self.error(
                request,
                f"feature gate {request.name} is locked to {str(state.default).lower()} in {version} "
                f"({_describe(state)}) and cannot be set to {str(request.enabled).lower()}",
            )
            return
        if request.enabled and state.stage == "alpha" and not self.allow_alpha:
            self.refuse(request, f"{request.name} is alpha in {version}; alpha gates need features.allowAlpha: true")
            return
        if request.enabled and state.stage == "beta" and not state.default and not self.allow_beta_off:
            self.refuse(
                request,
                f"{request.name} is beta and off by default in {version}; "
                "beta gates that are off by default need features.allowBetaOffByDefault: true",
            )
            return
        target[request.name] = request
        components = merged_components or found.components
        self.decisions[request.name] = Decision(
            gate=request.name,
            value=request.enabled,
            components=tuple(sorted(components, key=COMPONENTS.index)),
            origin=request.origin,
            reason=request.reason,
            rule=f"{request.name} is {_describe(state)} in {version}; set to {str(request.enabled).lower()}",
        )

    def refuse(self, request: GateRequest, message: str) -> None:
        if request.optional:
            self.note(request, message + "; not rendered")
        else:
            self.error(request, message)

    def missing(self, request: GateRequest, found: Gate) -> None:
        version = self.version
        if found.removed_in and version_key(version) >= version_key(found.removed_in):
            last = _last_state(found)
            built_in = last is not None and last.locked and last.default == request.enabled
            if request.optional and built_in:
                self.note(
                    request,
                    f"{request.name} not rendered: removed in {found.removed_in}, the feature is now "
                    f"always {'on' if request.enabled else 'off'}",
                )
                return
            self.error(
                request,
                f"feature gate {request.name} was removed in Kubernetes {found.removed_in}; components of {version} reject it",
            )
            return
        introduced = found.introduced_in()
        if introduced and version_key(version) < version_key(introduced):
            message = f"feature gate {request.name} does not exist before Kubernetes {introduced}"
            self.refuse(request, message)
            return
        self.error(request, f"feature gate {request.name} does not exist in Kubernetes {version}")

    def pull_dependencies(self, name: str, request: GateRequest) -> None:
        found = gate(name)
        if found is None:
            return
        own = self.decisions.get(name)
        components = own.components if own else found.components
        for dep_name in found.depends_on:
            dep = gate(dep_name)
            dep_state = dep.state(self.version) if dep else None
            if dep is None or dep_state is None:
                continue  # gone from this release: the dependency is built in
            if dep_name in self.disabled:
                self.error(
                    self.disabled[dep_name],
                    f"{dep_name} is disabled, but {name} (enabled by {request.origin}) depends on it",
                )
                continue
            if dep_state.default or dep_name in self.enabled:
                existing = self.decisions.get(dep_name)
                if existing and not set(components) <= set(existing.components):
                    merged = tuple(sorted(set(existing.components) | set(components), key=COMPONENTS.index))
                    self.decisions[dep_name] = Decision(
                        existing.gate, existing.value, merged, existing.origin, existing.reason, existing.rule
                    )
                continue
            pulled = GateRequest(
                name=dep_name,
                enabled=True,
                origin=request.origin,
                reason=f"required by {name}: {request.reason}",
                components=tuple(sorted(set(dep.components) | set(components), key=COMPONENTS.index)),
            )
            errors_before = len(self.errors)
            self.resolve(pulled, merged_components=pulled.components)
            if len(self.errors) == errors_before:
                self.note(pulled, f"{dep_name} enabled as well: {name} depends on it")
                self.pull_dependencies(dep_name, pulled)

    def runtime_config(self) -> list[RuntimeConfigEntry]:
        entries: dict[str, RuntimeConfigEntry] = {}
        for name, request in sorted(self.enabled.items()):
            found = gate(name)
            if found is None:
                continue
            for entry in found.runtime_config(self.version):
                entries.setdefault(
                    entry,
                    RuntimeConfigEntry(entry, name, request.origin, f"{name} needs its API served: {request.reason}"),
                )
        return [entries[key] for key in sorted(entries)]


def resolve_feature_gates(
    requests: Iterable[GateRequest],
    version: str,
    allow_alpha: bool = False,
    allow_beta_off: bool = False,
) -> GateResolution:
    """Apply the gate rules to the requests for one Kubernetes release."""
    resolver = _Resolver(check_version(version), allow_alpha, allow_beta_off)
    resolver.run(list(requests))
    decisions = tuple(resolver.decisions[name] for name in sorted(resolver.decisions))
    per_component: dict[str, dict[str, bool]] = {}
    for component in COMPONENTS:
        chosen = {d.gate: d.value for d in decisions if component in d.components}
        if chosen:
            per_component[component] = dict(sorted(chosen.items()))
    return GateResolution(
        version=resolver.version,
        decisions=decisions,
        notes=tuple(resolver.notes),
        errors=tuple(resolver.errors),
        runtime_config=tuple(resolver.runtime_config()),
        per_component=per_component,
    )


def list_gates(version: str, component: str | None = None, stage: str | None = None) -> list[dict[str, Any]]:
    """Every gate of a release as plain data (for `kgen gates --format json`), sorted by name."""
    version = check_version(version)
    rows = []
    for name, found in sorted(all_gates().items()):
        state = found.state(version)
        if state is None:
            continue
        if component is not None and component not in found.components:
            continue
        if stage is not None and state.stage != stage.lower():
            continue
        rows.append(
            {
                "name": name,
                "stage": state.stage,
                "default": state.default,
                "locked": state.locked,
                "components": list(found.components),
                "kep": found.kep,
                "removedIn": found.removed_in,
            }
        )
    return rows


class GateChange(NamedTuple):
    """How one gate changes between two releases. kind: removed | graduated | became-locked |
    default-changed | runtime-config-changed | conflict | unknown."""

    gate: str
    kind: str
    message: str
    before: GateState | None
    after: GateState | None


def upgrade_changes(gates_or_requests: Iterable[str | GateRequest], from_version: str, to_version: str) -> list[GateChange]:
    """What changes for the given gates when upgrading from one release to another, gate by gate."""
    before_v, after_v = check_version(from_version), check_version(to_version)
    changes: list[GateChange] = []
    items = sorted(gates_or_requests, key=lambda g: g if isinstance(g, str) else g.name)
    for item in items:
        name = item if isinstance(item, str) else item.name
        found = gate(name)
        if found is None:
            changes.append(GateChange(name, "unknown", f"{name} is not a known feature gate", None, None))
            continue
        before, after = found.state(before_v), found.state(after_v)
        if before is not None and after is None:
            when = found.removed_in or after_v
            changes.append(GateChange(name, "removed", f"{name} is removed in {when}", before, after))
            continue
        if before is None or after is None:
            continue
        if before.stage != after.stage:
            changes.append(
                GateChange(
                    name,
                    "graduated",
                    f"{name}: {before.stage} in {before_v}, {after.stage} in {after_v}",
                    before,
                    after,
                )
            )
        if after.locked and not before.locked:
            changes.append(
                GateChange(
                    name,
                    "became-locked",
                    f"{name} is locked to {str(after.default).lower()} in {after_v}",
                    before,
                    after,
                )
            )
        if before.default != after.default:
            changes.append(
                GateChange(
                    name,
                    "default-changed",
                    f"{name} default: {str(before.default).lower()} in {before_v}, {str(after.default).lower()} in {after_v}",
                    before,
                    after,
                )
            )
        rc_before, rc_after = found.runtime_config(before_v), found.runtime_config(after_v)
        if rc_before != rc_after:
            changes.append(
                GateChange(
                    name,
                    "runtime-config-changed",
                    f"{name} --runtime-config: {', '.join(rc_before) or 'none'} in {before_v}, "
                    f"{', '.join(rc_after) or 'none'} in {after_v}",
                    before,
                    after,
                )
            )
        if isinstance(item, GateRequest) and after.locked and item.enabled != after.default:
            changes.append(
                GateChange(
                    name,
                    "conflict",
                    f"{item.origin}: {name}={str(item.enabled).lower()} is rejected in {after_v} "
                    f"(locked to {str(after.default).lower()})",
                    before,
                    after,
                )
            )
    return changes
