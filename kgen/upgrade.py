"""`kgen upgrade-check`: what changes for a profile between two Kubernetes versions.

The configuration already rendered for the old version is what runs on the cluster when the
control plane is upgraded, so it is checked against the new version: a feature gate that the new
components no longer know or have locked to the other value, a flag they removed, a config
apiVersion they no longer read, a --runtime-config group version the new kube-apiserver does not
register. Any of these, or a profile that cannot be rendered for the new version at all, breaks the
upgrade (exit status 4). Everything else is reported as information: gates that graduate or lock,
older apiVersions still read while kgen now writes a newer one, --runtime-config resources no longer
served, deprecated flags, features that become available or built in, and what kgen renders for the
new version instead.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kgen.errors import KgenError, UsageError
from kgen.reports import check_format

if TYPE_CHECKING:
    from kgen.diff import FeatureChange, SettingChange
    from kgen.plan import Plan
    from kgen.provenance import Record

UPGRADE_FORMATS: tuple[str, ...] = ("text", "json")
KUBEADM_KINDS: tuple[str, ...] = ("InitConfiguration", "ClusterConfiguration", "JoinConfiguration")


@dataclass(frozen=True)
class Finding:
    topic: str  # gate | apiVersion | runtime-config | flag | profile
    subject: str
    message: str
    breaks: bool


@dataclass
class UpgradeCheck:
    profile: str
    from_version: str
    to_version: str
    findings: list[Finding]
    gate_changes: list[str]
    features: list[FeatureChange]
    settings: list[SettingChange]
    new_problems: list[str]

    @property
    def breaks(self) -> bool:
        return any(f.breaks for f in self.findings)


def upgrade_report(profile_ref: str, from_version: str | None, to_version: str, output_format: str) -> tuple[str, bool]:
    chosen_format = check_format(output_format, UPGRADE_FORMATS)
    check = upgrade_check(profile_ref, from_version, to_version)
    text = json.dumps(_as_json(check), indent=2, default=str) + "\n" if chosen_format == "json" else _text(check)
    return text, check.breaks


def upgrade_check(profile_ref: str, from_version: str | None, to_version: str) -> UpgradeCheck:
    from kgen import knowledge
    from kgen.diff import _feature_changes, compare_records
    from kgen.honoured import honoured_plan
    from kgen.knowledge.versions import version_key
    from kgen.profile import ProfileLoader
    from kgen.provenance import records

    loader = ProfileLoader()
    old_plan = honoured_plan(loader.load(profile_ref, from_version))
    target = knowledge.check_version(to_version)
    if version_key(target) < version_key(old_plan.version):
        raise UsageError(f"--to {target} is older than --from {old_plan.version}; upgrade-check looks forward")
    new_plan: Plan | None = None
    new_problems: list[str] = []
    try:
        new_plan = honoured_plan(loader.load(profile_ref, target))
    except KgenError as error:
        new_problems = error.lines()
    old_records = records(old_plan)
    findings = [
        *_gate_findings(old_records, old_plan.version, target),
        *_flag_findings(old_records, old_plan.version, target),
        *_api_findings(old_plan, target),
        *_runtime_config_findings(old_records, old_plan.version, target),
    ]
    if new_problems:
        findings.append(
            Finding(
                "profile", old_plan.profile.name, f"the profile cannot be rendered for {target}: " + "; ".join(new_problems), True
            )
        )
    features: list[FeatureChange] = []
    settings: list[SettingChange] = []
    new_records = records(new_plan) if new_plan is not None else []
    if new_plan is not None:
        features = _feature_changes(old_plan, new_plan)
        settings = compare_records(old_records, new_records)
    return UpgradeCheck(
        old_plan.profile.name,
        old_plan.version,
        target,
        findings,
        _gate_changes(old_plan, old_records, new_records, target),
        features,
        settings,
        new_problems,
    )


def _rendered_gates(old_records: list[Record]) -> dict[str, tuple[bool, list[str], str]]:
    gates: dict[str, tuple[bool, list[str], str]] = {}
    for record in old_records:
        if record.kind == "gate":
            value, components, origin = gates.get(record.key, (bool(record.value), [], record.profile_key))
            gates[record.key] = (value, [*components, record.component], origin)
    return gates


def _gate_findings(old_records: list[Record], old_version: str, new_version: str) -> list[Finding]:
    from kgen import knowledge

    findings = []
    for name, (value, components, origin) in sorted(_rendered_gates(old_records).items()):
        setting = f"{name}={'true' if value else 'false'}"
        where = f"rendered for {old_version} on {', '.join(components)} (from {origin})"
        found = knowledge.gate(name)
        state = found.state(new_version) if found else None
        if found is None or state is None:
            removed = found.removed_in if found and found.removed_in else new_version
            findings.append(
                Finding(
                    "gate",
                    name,
                    f"feature gate {setting} is {where}; the gate is removed in {removed}: "
                    f"components of {new_version} refuse to start with it",
                    True,
                )
            )
        elif state.locked and state.default != value:
            findings.append(
                Finding(
                    "gate",
                    name,
                    f"feature gate {setting} is {where}; {new_version} locks it to "
                    f"{str(state.default).lower()}: components refuse to start with it",
                    True,
                )
            )
        elif state.locked or state.default == value:
            stage = "GA" if state.stage == "ga" else state.stage
            findings.append(
                Finding(
                    "gate",
                    name,
                    f"feature gate {setting} is {where}; in {new_version} it is {stage}"
                    f"{' and locked' if state.locked else ''}, {'on' if state.default else 'off'} by default: "
                    "still accepted, and kgen no longer renders it",
                    False,
                )
            )
    return findings


def _flag_findings(old_records: list[Record], old_version: str, new_version: str) -> list[Finding]:
    from kgen import knowledge

    findings = []
    for record in old_records:
        if record.kind != "flag":
            continue
        known = knowledge.flag(record.component, record.key)
        if known is None:
            continue
        subject = f"{record.component} --{record.key}"
        if knowledge.flag_exists(record.component, record.key, old_version) and not knowledge.flag_exists(
            record.component, record.key, new_version
        ):
            when = f" (removed in {known.removed_in})" if known.removed_in else ""
            findings.append(
                Finding(
                    "flag",
                    subject,
                    f"--{record.key} is rendered for {record.component} of {old_version} "
                    f"but {new_version} does not accept it{when}",
                    True,
                )
            )
        elif known.status == "deprecated":
            note = f": {known.deprecated_note}" if known.deprecated_note else ""
            findings.append(Finding("flag", subject, f"--{record.key} on {record.component} is deprecated{note}", False))
    return findings


def rendered_api_versions(plan: Plan) -> list[tuple[str, str]]:
    """(kind, apiVersion) of every configuration document the plan's output contains, nested ones included.

    Node files carry their own apiVersion; the documents targets build (KubeletConfiguration,
    KubeProxyConfiguration, kubeadm's) take the one kgen writes for the plan's version.
    """
    from kgen import knowledge

    found: list[tuple[str, str]] = [("KubeletConfiguration", knowledge.api_version("KubeletConfiguration", plan.version))]
    if plan.config("kube-proxy"):
        found.append(("KubeProxyConfiguration", knowledge.api_version("KubeProxyConfiguration", plan.version)))
    if "kubeadm" in plan.profile.data["targets"]:
        found.extend((kind, knowledge.api_version(kind, plan.version)) for kind in KUBEADM_KINDS)
    for node_file in plan.files:
        document = node_file.document
        found.append((str(document.get("kind")), str(document.get("apiVersion", ""))))
        for plugin in document.get("plugins") or []:
            inner = plugin.get("configuration") if isinstance(plugin, dict) else None
            if isinstance(inner, dict) and inner.get("kind"):
                found.append((str(inner["kind"]), str(inner.get("apiVersion", ""))))
    return list(dict.fromkeys(found))


def _api_findings(plan: Plan, new_version: str) -> list[Finding]:
    """A rendered apiVersion the new release no longer reads breaks; an older one it still reads is a warning."""
    from kgen import knowledge
    from kgen.knowledge.config import config_kind

    findings = []
    for kind, old_api in rendered_api_versions(plan):
        filed = config_kind(kind, old_api)
        if filed is None:
            continue  # not a kind kgen versions
        new_api = knowledge.api_version(filed, new_version)
        if not knowledge.api_version_served(filed, old_api, new_version):
            findings.append(
                Finding(
                    "apiVersion",
                    kind,
                    f"{kind} is rendered as {old_api} for {plan.version}; {new_version} no longer reads it: write {new_api}",
                    True,
                )
            )
        elif old_api != new_api:
            findings.append(
                Finding(
                    "apiVersion",
                    kind,
                    f"{kind}: kgen writes {new_api} for {new_version} instead of {old_api}; {old_api} is still read (deprecated)",
                    False,
                )
            )
    return findings


def _runtime_config_findings(old_records: list[Record], old_version: str, new_version: str) -> list[Finding]:
    """A --runtime-config entry whose group version the new kube-apiserver does not register stops it from starting."""
    from kgen.knowledge.config import check_runtime_config

    findings = []
    for record in old_records:
        if record.kind != "runtime-config":
            continue
        entry = f"{record.key}={record.value}"
        before = check_runtime_config(record.key, old_version)
        after = check_runtime_config(record.key, new_version)
        if not after.known:
            continue
        if not after.starts:
            message = (
                f"--runtime-config {entry} is rendered for {old_version}; {after.detail}: "
                f"kube-apiserver {new_version} refuses to start"
            )
            findings.append(Finding("runtime-config", record.key, message, True))
        elif before.served and not after.served:
            message = (
                f"--runtime-config {entry} is rendered for {old_version}; {after.detail}: "
                f"kube-apiserver {new_version} starts, but the API is no longer there"
            )
            findings.append(Finding("runtime-config", record.key, message, False))
    return findings


def _gate_changes(old_plan: Plan, old_records: list[Record], new_records: list[Record], new_version: str) -> list[str]:
    """How the gates this profile touches change between the versions, from the gate knowledge."""
    from kgen.knowledge.gates_engine import upgrade_changes
    from kgen.plan import features_table

    names = {r.key for r in (*old_records, *new_records) if r.kind == "gate"}
    table = features_table()
    for feature in old_plan.features:
        if feature.wanted:
            names.update(table[feature.knob].get("gates", ()))
    names.update(old_plan.profile.data["features"]["gates"])
    return [
        change.message for change in upgrade_changes(sorted(names), old_plan.version, new_version) if change.kind != "unknown"
    ]


# --- formats ---------------------------------------------------------------------------------------------


def _text(check: UpgradeCheck) -> str:
    from kgen.diff import _change_lines

    lines = [f"upgrade-check {check.profile}: Kubernetes {check.from_version} -> {check.to_version}"]
    problems = [f for f in check.findings if f.breaks]
    if problems:
        lines.append(
            f"result: BREAKS - the configuration rendered for {check.from_version} would be rejected by "
            f"{check.to_version} ({len(problems)} problem{'s' if len(problems) != 1 else ''}); render for "
            f"{check.to_version} and roll the new configuration out with the upgrade"
        )
    else:
        lines.append(f"result: ok - the configuration rendered for {check.from_version} is accepted by {check.to_version}")
    if problems:
        lines.append("")
        lines.append("breaks")
        lines.extend(f"  ! {f.message}" for f in problems)
    for topic, title in (
        ("gate", "rendered gates"),
        ("apiVersion", "config apiVersions"),
        ("runtime-config", "--runtime-config"),
        ("flag", "flags"),
    ):
        found = [f for f in check.findings if f.topic == topic and not f.breaks]
        if found:
            lines.append("")
            lines.append(title)
            lines.extend(f"  - {f.message}" for f in found)
    if check.gate_changes:
        lines.append("")
        lines.append("gates this profile touches")
        lines.extend(f"  - {message}" for message in check.gate_changes)
    if check.features:
        lines.append("")
        lines.append("features")
        for feature in check.features:
            lines.append(f"  ~ {feature.knob}: {feature.old or '(absent)'} -> {feature.new or '(absent)'}: {feature.detail}")
    if check.settings:
        lines.append("")
        lines.append(f"what kgen renders for {check.to_version} instead (kgen render -k {check.to_version})")
        current = None
        for change in check.settings:
            if change.record.component != current:
                current = change.record.component
                lines.append(f"  {current}")
            lines.extend("  " + line for line in _change_lines(change))
    return "\n".join(lines) + "\n"


def _as_json(check: UpgradeCheck) -> dict[str, Any]:
    return {
        "profile": check.profile,
        "from": check.from_version,
        "to": check.to_version,
        "breaks": check.breaks,
        "findings": [{"topic": f.topic, "subject": f.subject, "message": f.message, "breaks": f.breaks} for f in check.findings],
        "gateChanges": list(check.gate_changes),
        "features": [{"knob": f.knob, "old": f.old, "new": f.new, "detail": f.detail} for f in check.features],
        "settings": [
            {
                "change": c.change,
                "component": c.record.component,
                "kind": c.record.kind,
                "key": c.record.key,
                "old": c.old.value if c.old else None,
                "new": c.new.value if c.new else None,
            }
            for c in check.settings
        ],
        "newVersionProblems": list(check.new_problems),
    }
