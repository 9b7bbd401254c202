"""Flatten a plan into provenance records: one per rendered setting, each with its reason.

explain, diff and upgrade-check all speak about the same things: a flag on a component, a config
field, a feature gate, a --runtime-config entry, a node file, a cluster object. A record names one
of them with its value, the profile key that decided it (and where that key is written, through
``extends``), the references that justify it and the version rule that applied. Feature gates and
--runtime-config are split into one record per gate or entry, so that a change to one gate is one
change. Feature statuses and notes follow the settings as records of their own kinds.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kgen.plan import Plan, Reason, Setting

COMPONENT_ORDER: tuple[str, ...] = (
    "kube-apiserver",
    "kube-controller-manager",
    "kube-scheduler",
    "etcd",
    "kubelet",
    "kube-proxy",
    "cluster",
)
SETTING_KINDS: tuple[str, ...] = ("flag", "field", "gate", "runtime-config", "file", "cluster-object")
KINDS: tuple[str, ...] = (*SETTING_KINDS, "feature", "note")


@dataclass(frozen=True)
class Record:
    """One rendered setting (or a feature status, or a note) and why it is there."""

    component: str  # a component name, "cluster" for cluster objects, "" for features and notes
    kind: str  # flag | field | gate | runtime-config | file | cluster-object | feature | note
    key: str  # flag name, dotted field, gate name, runtime-config entry, node path, object name, knob
    value: Any
    profile_key: str  # the dotted profile key that decided it ("kgen defaults" when none)
    location: str  # file:line:col of that key through extends; "" for a default
    refs: tuple[str, ...] = ()
    why: str = ""
    rule: str = ""  # the version rule that applied, if any

    @property
    def is_setting(self) -> bool:
        return self.kind in SETTING_KINDS

    @property
    def identity(self) -> tuple[str, str, str]:
        """What two plans' records are matched by in a diff."""
        return (self.component, self.kind, self.key)

    def label(self) -> str:
        """How the setting is written on its component: --flag, field path, gate, file."""
        if self.kind == "flag":
            return f"--{self.key}"
        if self.kind == "gate":
            return f"feature gate {self.key}"
        if self.kind == "runtime-config":
            return f"--runtime-config {self.key}"
        if self.kind == "file":
            return f"file {self.key}"
        if self.kind == "cluster-object":
            return f"object {self.key}"
        return self.key

    def shown_value(self) -> str:
        return show_value(self.value)

    def as_dict(self) -> dict[str, Any]:
        return {
            "component": self.component,
            "kind": self.kind,
            "key": self.key,
            "value": self.value,
            "profileKey": self.profile_key,
            "location": self.location,
            "refs": list(self.refs),
            "why": self.why,
            "rule": self.rule,
        }


def show_value(value: Any) -> str:
    """A value as one line of text: booleans as YAML writes them, documents summarised."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        if "kind" in value:
            return f"{value.get('kind')} ({value.get('apiVersion', '')})"
        return "{" + ", ".join(f"{k}: {show_value(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(show_value(item) for item in value) + "]"
    if value is None:
        return "null"
    return str(value)


def records(plan: Plan) -> list[Record]:
    """Every rendered setting of the plan, then its feature statuses and notes, in a stable order."""
    settings: list[Record] = []
    for setting in plan.settings:
        settings.extend(_setting_records(plan, setting))
    for node_file in plan.files:
        settings.append(_record(plan, node_file.component, "file", node_file.node_path, node_file.document, node_file.reason))
    for obj in plan.cluster_objects:
        settings.append(_record(plan, "cluster", "cluster-object", obj.name, obj.document, obj.reason))
    settings.sort(key=_order)
    rest: list[Record] = []
    for feature in plan.features:
        origin = feature.origin
        rest.append(
            Record(
                "",
                "feature",
                feature.knob,
                feature.state,
                origin,
                _location(plan, origin),
                (f"KEP-{feature.kep}",),
                f"{feature.title}: {feature.detail}",
            )
        )
    for note in plan.notes:
        rest.append(Record("", "note", note.origin, note.text, note.origin, _location(plan, note.origin), note.refs))
    return settings + rest


def component_index(component: str) -> int:
    """Components in the order reports list them; anything else last."""
    return COMPONENT_ORDER.index(component) if component in COMPONENT_ORDER else len(COMPONENT_ORDER)


def order_key(component: str, kind: str, key: str) -> tuple[int, int, str]:
    return (component_index(component), KINDS.index(kind), key)


def _order(record: Record) -> tuple[int, int, str]:
    return order_key(record.component, record.kind, record.key)


def _location(plan: Plan, profile_key: str) -> str:
    """Where the key itself is written; "" when it keeps its default (an enclosing section being
    written somewhere does not make that the place the value came from)."""
    if not profile_key or profile_key == "kgen defaults":
        return ""
    found = plan.profile.origins.get(tuple(profile_key.split(".")))
    if found is None:
        return ""
    file, bundled = found.file, " (bundled)"
    if file.endswith(bundled):
        return f"{file.removesuffix(bundled)}:{found.line}:{found.column}{bundled}"
    return found.format()


def _record(plan: Plan, component: str, kind: str, key: str, value: Any, reason: Reason, rule: str = "") -> Record:
    return Record(
        component, kind, key, value, reason.origin, _location(plan, reason.origin), reason.refs, reason.why, rule or reason.rule
    )


def _setting_records(plan: Plan, setting: Setting) -> list[Record]:
    reason = setting.reason
    if setting.is_flag and setting.key == "feature-gates":
        gates = [item.split("=", 1) for item in str(setting.value).split(",") if item]
        return [_gate_record(plan, setting.component, name, value == "true", reason) for name, value in gates]
    if setting.is_flag and setting.key == "runtime-config":
        entries = [item.partition("=") for item in str(setting.value).split(",") if item]
        return [_record(plan, setting.component, "runtime-config", api, value or "true", reason) for api, _, value in entries]
    if not setting.is_flag and setting.key.startswith("featureGates."):
        return [_gate_record(plan, setting.component, setting.key.removeprefix("featureGates."), bool(setting.value), reason)]
    kind = "flag" if setting.is_flag else "field"
    return [_record(plan, setting.component, kind, setting.key, setting.value, reason, _field_rule(setting))]


def _field_rule(setting: Setting) -> str:
    if setting.is_flag:
        return ""
    from kgen import knowledge
    from kgen.plan import COMPONENT_CONFIG_KINDS

    kind = COMPONENT_CONFIG_KINDS.get(setting.component)
    since = knowledge.field_since(kind, setting.key) if kind else None
    return f"{kind}.{setting.key} exists from Kubernetes {since}" if since else ""


def _gate_record(plan: Plan, component: str, name: str, value: bool, reason: Reason) -> Record:
    """A gate gets the one origin that asked for it, not the joined origins of every gate on the flag."""
    from kgen import knowledge

    candidates = [part.strip() for part in reason.origin.split(",") if part.strip()]
    origin = reason.origin
    if f"features.gates.{name}" in candidates:
        origin = f"features.gates.{name}"
    else:
        for knob in _knobs_for_gate(name):
            match = next((c for c in candidates if c.startswith(f"features.{knob}.") or c == f"features.{knob}"), None)
            if match:
                origin = match
                break
        else:
            if len(candidates) > 1:
                origin = candidates[0]
    found = knowledge.gate(name)
    state = found.state(plan.version) if found else None
    rule = ""
    if state is not None:
        stage = "GA" if state.stage == "ga" else state.stage
        rule = (
            f"{name} is {stage}, {'on' if state.default else 'off'} by default in {plan.version}"
            f"{', locked' if state.locked else ''}; set to {'true' if value else 'false'}"
        )
    refs = reason.refs
    if found is not None and found.kep:
        refs = (f"KEP-{found.kep}",)  # a gate's own KEP is its reference
    why = reason.why
    if origin == f"features.gates.{name}":
        why = "explicit override in the profile"
    return Record(component, "gate", name, value, origin, _location(plan, origin), refs, why, rule)


def _knobs_for_gate(name: str) -> list[str]:
    from kgen.plan import features_table

    return [knob for knob, spec in features_table().items() if name in spec.get("gates", ())]


# --- where a record lands in a target's files --------------------------------------------------------


def places(plan: Plan, record: Record, target: str) -> list[str]:
    """The files (and the place inside them) a record is rendered to by one target.

    A target that knows its own layout says so through its ``places`` hook (kgen/target_registry.py);
    for any other, a node file holding a secret is found in the script that writes it, and the rest
    by searching the target's rendered files.
    """
    from kgen.target_registry import REGISTRY
    from kgen.targets import target_hook
    from kgen.targets.common import install_script_places

    if target not in REGISTRY:
        return []
    hook = target_hook(target, "places")
    if hook is not None:
        found: list[str] = hook(plan, record)
        return found
    return install_script_places(plan, record, target) or _searched_places(plan, record, target)


def _searched_places(plan: Plan, record: Record, target: str) -> list[str]:
    """For targets without a known layout: the output files that mention the setting's name."""
    needle = record.key.rsplit(".", 1)[-1] if record.kind == "field" else record.key.rsplit("/", 1)[-1]
    outputs = _rendered(plan, target)
    return [f"{target}/{path}" for path, content in outputs if needle in content and not path.endswith(".md")]


# Each target is rendered once per plan, however many records ask where they land; the cache lives
# as long as the plan does.
_RENDER_CACHE: weakref.WeakKeyDictionary[Plan, dict[str, list[tuple[str, str]]]] = weakref.WeakKeyDictionary()


def _rendered(plan: Plan, target: str) -> list[tuple[str, str]]:
    from kgen.targets import renderer

    by_target = _RENDER_CACHE.setdefault(plan, {})
    if target not in by_target:
        by_target[target] = [(output.path, output.content) for output in renderer(target)(plan)]
    return by_target[target]


# --- shared by explain, diff and upgrade-check ---------------------------------------------------------


def load_plan(reference: str, version: str | None, targets: list[str] | None = None) -> tuple[Plan, list[str]]:
    """Load a profile, plan it for a version and check the targets asked for (default: the profile's)."""
    from kgen.honoured import honoured_plan
    from kgen.profile import ProfileLoader
    from kgen.render import check_targets

    profile = ProfileLoader().load(reference, version)
    chosen = check_targets(list(targets or profile.data["targets"]))
    return honoured_plan(profile), chosen


def requirements_for(plan: Plan, targets: list[str]) -> list[str]:
    """The plan's requirements that apply to at least one of ``targets`` (an entry without targets applies to all)."""
    from kgen.plan import requirements_table

    table = requirements_table()
    return [rid for rid in plan.requirements if any(t in table.get(rid, {}).get("targets", [t]) for t in targets)]


def requirement_text(requirement: str) -> str:
    from kgen.plan import requirements_table

    entry = requirements_table().get(requirement, {})
    return " ".join(str(entry.get("text", entry.get("description", ""))).split())
