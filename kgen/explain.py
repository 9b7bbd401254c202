"""`kgen explain`: why each setting is rendered, or why something is not.

With a query (a flag such as --profiling, a config field, a feature gate, a node file, a profile key
or a feature knob) the report names what is rendered for it, on which component, in which target
files, from which profile key and file:line, and why. A gate or flag that matches nothing rendered
is explained from the version knowledge (on by default, GA and locked, removed, alpha not allowed).
Without a query it summarises every decision, grouped by component, then features, notes and
requirements.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kgen.errors import KgenError
from kgen.knowledge.gates_engine import first_locked
from kgen.knowledge.versions import version_key
from kgen.provenance import Record, component_index, load_plan, places, records, requirement_text, requirements_for
from kgen.reports import check_format

if TYPE_CHECKING:
    from kgen.plan import Plan

EXPLAIN_FORMATS: tuple[str, ...] = ("text", "json")
SUMMARY_LEGEND = "Each setting: what is rendered, then profile key (file:line), references, why."


@dataclass
class Unrendered:
    """Something the query names that this plan does not render, and why not."""

    name: str
    kind: str  # gate | flag
    reasons: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "kind": self.kind, "reasons": list(self.reasons)}


@dataclass
class Explanation:
    plan: Plan
    targets: list[str]
    query: str | None
    settings: list[Record]
    features: list[Record]
    notes: list[Record]
    unrendered: list[Unrendered]


def explain_report(
    profile_ref: str, query: str | None, targets: list[str] | None, version: str | None, output_format: str
) -> str:
    chosen_format = check_format(output_format, EXPLAIN_FORMATS)
    plan, chosen = load_plan(profile_ref, version, targets)
    explanation = explain(plan, chosen, query)
    if chosen_format == "json":
        return json.dumps(_as_json(explanation), indent=2, default=str) + "\n"
    return _text(explanation)


def explain(plan: Plan, targets: list[str], query: str | None) -> Explanation:
    """The records a query matches (every record without a query); KgenError when nothing matches."""
    every = records(plan)
    settings = [r for r in every if r.is_setting]
    features = [r for r in every if r.kind == "feature"]
    notes = [r for r in every if r.kind == "note"]
    if query is None or not query.strip():
        return Explanation(plan, targets, None, settings, features, notes, [])
    wanted = _normalise(query)
    matched_settings = [r for r in settings if _matches(r, wanted)]
    matched_features = [r for r in features if _feature_matches(r, wanted)]
    matched_notes = [r for r in notes if _note_matches(r, wanted)]
    unrendered = _unrendered(plan, wanted, matched_settings, matched_features)
    if not (matched_settings or matched_features or matched_notes or unrendered):
        raise KgenError(_no_match_message(plan, query, every))
    return Explanation(plan, targets, query, matched_settings, matched_features, matched_notes, unrendered)


def _normalise(query: str) -> str:
    text = query.strip()
    text = text.removeprefix("--")
    return text.split("=", 1)[0] if text and "=" in text and not text.startswith("/") else text


def _last(dotted: str) -> str:
    return dotted.rsplit(".", 1)[-1]


def _matches(record: Record, wanted: str) -> bool:
    lowered = wanted.lower()
    key = record.key.lower()
    if lowered in (key, _last(key)):
        return True
    if record.kind == "file":
        base = key.rsplit("/", 1)[-1]
        if lowered in (base, base.rsplit(".", 1)[0]):
            return True
    if record.kind in ("field", "gate") and lowered == f"featuregates.{key}":
        return True
    profile_key = record.profile_key.lower()
    return any(profile_key == prefix or profile_key.startswith(prefix + ".") for prefix in (lowered, f"features.{lowered}"))


def _gates_of(knob: str) -> list[str]:
    from kgen.plan import features_table

    return list(features_table().get(knob, {}).get("gates", ()))


def _feature_matches(record: Record, wanted: str) -> bool:
    lowered = wanted.lower()
    if lowered in (record.key.lower(), f"features.{record.key.lower()}", record.profile_key.lower()):
        return True
    return lowered in (name.lower() for name in _gates_of(record.key))


def _note_matches(record: Record, wanted: str) -> bool:
    lowered = wanted.lower()
    if record.profile_key.lower() == lowered or record.profile_key.lower().startswith(lowered + "."):
        return True
    return len(lowered) >= 4 and lowered in str(record.value).lower()


def _unrendered(plan: Plan, wanted: str, settings: list[Record], features: list[Record]) -> list[Unrendered]:
    from kgen import knowledge
    from kgen.knowledge.flags import flag_components

    found: list[Unrendered] = []
    gate_names = {name.lower(): name for name in _all_gate_names()}
    gate_name = gate_names.get(wanted.lower())
    if gate_name and not any(r.kind == "gate" and r.key == gate_name for r in settings):
        found.append(Unrendered(gate_name, "gate", _gate_reasons(plan, gate_name, features)))
    flag_name = wanted.lower()
    if not settings and not gate_name:
        for component in flag_components():
            known = knowledge.flag(component, flag_name)
            if known is None:
                continue
            reasons = [f"kgen does not set --{flag_name} on {component} for this profile; the component's default applies"]
            if known.status == "deprecated":
                reasons.append(f"--{flag_name} is deprecated" + (f": {known.deprecated_note}" if known.deprecated_note else ""))
            elif not knowledge.flag_exists(component, flag_name, plan.version):
                reasons.append(f"--{flag_name} does not exist in {component} of Kubernetes {plan.version}")
            found.append(Unrendered(f"{component} --{flag_name}", "flag", reasons))
    return found


def _all_gate_names() -> list[str]:
    from kgen.knowledge.gates import all_gates

    return sorted(all_gates())


def _gate_reasons(plan: Plan, name: str, features: list[Record]) -> list[str]:
    """Why a gate is not rendered: the profile does not ask for it, or the version makes it needless or impossible."""
    from kgen import knowledge

    version = plan.version
    found = knowledge.gate(name)
    reasons: list[str] = []
    explicit = plan.profile.data["features"]["gates"].get(name)
    asked_by = [r for r in features if name in _gates_of(r.key) and r.value != "off"]
    if explicit is not None:
        reasons.append(f"features.gates.{name} asks for {str(explicit).lower()}")
    for feature in asked_by:
        reasons.append(f"features knob {feature.key} ({feature.profile_key}) is {feature.value}")
    if found is None:
        return [*reasons, f"{name} is not a gate of any Kubernetes release kgen knows"]
    state = found.state(version)
    if state is None:
        if found.removed_in and version_key(found.removed_in) <= version_key(version):
            reasons.append(
                f"{name} was removed in Kubernetes {found.removed_in}: the feature is built in (or gone) and no "
                f"component of {version} accepts the gate"
            )
        else:
            reasons.append(f"{name} does not exist before Kubernetes {found.introduced_in()}")
    elif state.locked:
        stage = "GA" if state.stage == "ga" else state.stage
        reasons.append(
            f"{name} is {stage} and locked to {str(state.default).lower()} since {first_locked(found, version)}: nothing to set"
        )
    elif explicit is None and not asked_by:
        reasons.append(
            f"the profile does not ask for it; it stays at its default in {version} "
            f"({state.stage}, {'on' if state.default else 'off'} by default)"
        )
    elif state.default and (explicit is None or explicit):
        reasons.append(f"{name} is already on by default in {version} ({state.stage})")
    elif not state.default and explicit is False:
        reasons.append(f"{name} is already off by default in {version} ({state.stage})")
    elif state.stage == "alpha" and not plan.profile.data["features"]["allowAlpha"]:
        reasons.append(f"{name} is alpha in {version}; alpha gates need features.allowAlpha: true")
    elif state.stage == "beta" and not plan.profile.data["features"]["allowBetaOffByDefault"]:
        reasons.append(f"{name} is beta and off by default in {version}; it needs features.allowBetaOffByDefault: true")
    for note in plan.notes:
        if name in note.text and note.text not in reasons:
            reasons.append(note.text)
    return reasons


def _no_match_message(plan: Plan, query: str, every: list[Record]) -> str:
    import difflib

    candidates: set[str] = set()
    for record in every:
        if record.kind == "note":
            continue
        candidates.add(record.label() if record.kind == "flag" else record.key)
        candidates.add(_last(record.key))
        if record.profile_key and record.profile_key != "kgen defaults":
            candidates.update(part.strip() for part in record.profile_key.split(","))
    candidates.update(_all_gate_names())
    close = difflib.get_close_matches(query, sorted(candidates), n=5, cutoff=0.6)
    if not close:
        lowered = {c.lower(): c for c in sorted(candidates)}
        close = [lowered[c] for c in difflib.get_close_matches(query.lower(), list(lowered), n=5, cutoff=0.6)]
    hint = f"; close matches: {', '.join(close)}" if close else ""
    return f"nothing rendered for profile {plan.profile.name!r} (Kubernetes {plan.version}) matches {query!r}{hint}"


# --- formats -------------------------------------------------------------------------------------------


def _where(record: Record) -> str:
    location = record.location or ("kgen default" if record.profile_key == "kgen defaults" else "default value")
    return f"{record.profile_key} ({location})"


def _setting_lines(explanation: Explanation, record: Record, indent: str) -> list[str]:
    plan = explanation.plan
    lines = [
        f"{indent}{record.label()} = {record.shown_value()}"
        if record.kind not in ("file", "cluster-object")
        else f"{indent}{record.label()}: {record.shown_value()}"
    ]
    pad = indent + "  "
    rendered_in = [place for target in explanation.targets for place in places(plan, record, target)]
    lines.append(f"{pad}from:  {_where(record)}")
    if record.refs:
        lines.append(f"{pad}refs:  {', '.join(record.refs)}")
    if record.why:
        lines.append(f"{pad}why:   {record.why}")
    if record.rule:
        lines.append(f"{pad}rule:  {record.rule}")
    if rendered_in:
        lines.append(f"{pad}in:    {rendered_in[0]}")
        lines.extend(f"{pad}       {place}" for place in rendered_in[1:])
    elif explanation.targets:
        lines.append(f"{pad}in:    not written by target(s) {', '.join(explanation.targets)} (the installer sets it)")
    return lines


def _summary_lines(record: Record) -> list[str]:
    """Two lines per setting: what is rendered, then where it comes from and why."""
    first = (
        f"  {record.label()} = {record.shown_value()}"
        if record.kind not in ("file", "cluster-object")
        else f"  {record.label()}: {record.shown_value()}"
    )
    reasons = [_where(record), *record.refs]
    if record.why:
        reasons.append(record.why)
    if record.rule:
        reasons.append(record.rule)
    return [first, "      " + "; ".join(reasons)]


def _header(explanation: Explanation) -> list[str]:
    plan = explanation.plan
    return [
        f"Profile {plan.profile.name} for Kubernetes {plan.version}; targets: {', '.join(explanation.targets)}",
        f"Profile files: {' <- '.join(plan.profile.chain)}",
        *([] if explanation.query is not None else [SUMMARY_LEGEND]),
    ]


def _text(explanation: Explanation) -> str:
    lines = _header(explanation)
    if explanation.query is not None:
        return "\n".join([*lines, "", *_query_lines(explanation)]) + "\n"
    by_component: dict[str, list[Record]] = {}
    for record in explanation.settings:
        by_component.setdefault(record.component, []).append(record)
    for component, found in by_component.items():
        lines.append("")
        lines.append(f"{component} ({len(found)} setting{'s' if len(found) != 1 else ''})")
        for record in found:
            lines.extend(_summary_lines(record))
    lines.append("")
    lines.append("Features")
    for record in explanation.features:
        lines.append(f"  {record.key}: {record.value} - {record.why}")
    if explanation.notes:
        lines.append("")
        lines.append("Notes")
        for record in explanation.notes:
            lines.append(f"  - {record.value}" + (f" ({record.profile_key})" if record.profile_key else ""))
    requirements = requirements_for(explanation.plan, explanation.targets)
    if requirements:
        lines.append("")
        lines.append("Requirements")
        lines.extend(f"  - {rid}: {requirement_text(rid)}" for rid in requirements)
    return "\n".join(lines) + "\n"


def _query_lines(explanation: Explanation) -> list[str]:
    lines: list[str] = []
    count = len(explanation.settings)
    if count:
        components = sorted({r.component for r in explanation.settings}, key=component_index)
        verb = "settings match" if count != 1 else "setting matches"
        lines.append(f"{count} rendered {verb} {explanation.query!r} (on {', '.join(components)})")
        for component in components:
            lines.append("")
            lines.append(f"{component}:")
            for record in explanation.settings:
                if record.component == component:
                    lines.extend(_setting_lines(explanation, record, "  "))
    else:
        lines.append(f"nothing is rendered for {explanation.query!r}")
    for item in explanation.unrendered:
        lines.append("")
        lines.append(f"not rendered: {item.name}" if item.kind == "flag" else f"not rendered: feature gate {item.name}")
        lines.extend(f"  - {reason}" for reason in item.reasons)
    if explanation.features:
        lines.append("")
        lines.append("features:")
        for record in explanation.features:
            lines.append(f"  {record.key}: {record.value} ({_where(record)}; {', '.join(record.refs)})")
            lines.append(f"    {record.why}")
    if explanation.notes:
        lines.append("")
        lines.append("notes:")
        lines.extend(f"  - {record.value}" for record in explanation.notes)
    return lines


def _as_json(explanation: Explanation) -> dict[str, Any]:
    plan = explanation.plan

    def setting(record: Record) -> dict[str, Any]:
        data = record.as_dict()
        data["renderedIn"] = [place for target in explanation.targets for place in places(plan, record, target)]
        return data

    return {
        "profile": plan.profile.name,
        "kubernetesVersion": plan.version,
        "chain": list(plan.profile.chain),
        "targets": list(explanation.targets),
        "query": explanation.query,
        "settings": [setting(r) for r in explanation.settings],
        "notRendered": [item.as_dict() for item in explanation.unrendered],
        "features": [
            {
                "knob": r.key,
                "state": r.value,
                "profileKey": r.profile_key,
                "location": r.location,
                "refs": list(r.refs),
                "detail": r.why,
            }
            for r in explanation.features
        ],
        "notes": [{"text": r.value, "profileKey": r.profile_key, "refs": list(r.refs)} for r in explanation.notes],
        "requirements": requirements_for(plan, explanation.targets) if explanation.query is None else [],
    }
