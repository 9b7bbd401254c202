"""`kgen verify`: compare what a node runs with what a profile renders, setting by setting.

The expected side is the profile's plan for the version (the same settings every target renders);
the found side is what ``kgen.nodestate`` read from the node. Each expected setting is ``ok``,
``drift`` (expected and found differ), or ``missing``; a flag the profile does not set but that
weakens what it renders is ``extra``; a file that cannot be read is ``unreadable``. Values are
compared by meaning: flag lists as sets, feature-gate maps as maps, durations as durations, the
files flags point at as parsed documents. Key material is never shown.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, NamedTuple

from kgen.nodefs import NodeTree, ReadProblem, load_yaml
from kgen.nodestate import NodeState, node_checks

if TYPE_CHECKING:
    from kgen.plan import NodeFile, Plan, Reason, Setting

STATUSES = ("ok", "drift", "missing", "extra", "unreadable")
NODE_COMPONENTS = ("kube-apiserver", "kube-controller-manager", "kube-scheduler", "etcd", "kubelet")
SECRET_SHOWN = "(secret, not shown)"


class Finding(NamedTuple):
    component: str
    setting: str  # "--flag", a dotted KubeletConfiguration field, or a node file path
    status: str  # one of STATUSES
    expected: str
    found: str
    source: str  # the node file the found value came from
    origin: str = ""  # profile key
    refs: tuple[str, ...] = ()
    why: str = ""


class VerifyResult(NamedTuple):
    profile: str
    version: str
    root: str
    control_plane: bool
    findings: list[Finding]
    notes: list[str]

    def count(self, status: str) -> int:
        return sum(1 for finding in self.findings if finding.status == status)

    @property
    def drifted(self) -> bool:
        return any(finding.status != "ok" for finding in self.findings)


def verify(plan: Plan, tree: NodeTree, state: NodeState, *, check_files: bool = True) -> VerifyResult:
    findings: list[Finding] = []
    notes: list[str] = []
    components = [c for c in NODE_COMPONENTS if c == "kubelet" or state.is_control_plane]
    if not state.is_control_plane:
        notes.append("no control-plane static Pod manifests: a worker node, verified for the kubelet alone")
    if "kubelet" not in state.components:
        notes.append("no kubelet unit, environment file or configuration found")
    if any(setting.component == "kube-proxy" for setting in plan.settings):
        notes.append("kube-proxy runs as a DaemonSet with a ConfigMap: not verified from node files")
    if plan.cluster_objects and state.is_control_plane:
        names = ", ".join(obj.name for obj in plan.cluster_objects)
        notes.append(f"cluster objects live in the API, not on the node: not verified ({names}; check with kubectl)")
    notes.extend(state.notes)
    for problem in state.problems:
        findings.append(Finding(problem.component, problem.node_path, "unreadable", "", problem.message, problem.node_path))
    for component in components:
        if component not in state.components:
            for setting in _expected(plan, component):
                findings.append(_finding(setting, "missing", "(component not found on the node)", ""))
            continue
        findings.extend(_flag_findings(plan, state, component))
        findings.extend(_extra_findings(plan, state, component))
    if "kubelet" in state.components:
        findings.extend(_kubelet_field_findings(plan, state))
    for node_file in plan.files if check_files else ():
        if node_file.component in components and (node_file.component in state.components):
            findings.append(_file_finding(node_file, tree))
    # Paths and messages come from the node (a --config value names a path): one line, printable, in every format.
    findings = [f._replace(setting=printable(f.setting), source=printable(f.source), found=printable(f.found)) for f in findings]
    findings.sort(key=lambda f: (NODE_COMPONENTS.index(f.component) if f.component in NODE_COMPONENTS else 99, f.setting))
    return VerifyResult(plan.profile.name, plan.version, printable(str(tree.root)), state.is_control_plane, findings, notes)


def _expected(plan: Plan, component: str) -> list[Setting]:
    return [setting for setting in plan.settings if setting.component == component]


def _finding(setting: Setting, status: str, found: str, source: str) -> Finding:
    reason = setting.reason
    name = f"--{setting.key}" if setting.is_flag else setting.key
    return Finding(
        setting.component, name, status, _shown(setting.value), found, source, reason.origin, tuple(reason.refs), reason.why
    )


# ---- flags ------------------------------------------------------------------------------------


def _flag_type(component: str, name: str) -> str:
    from kgen.knowledge.flags import flag

    known = flag(component, name)
    return known.type if known is not None else ""


def same_flag_value(component: str, name: str, expected: str, found: str) -> bool:
    """Equal by meaning: lists as sets, maps as maps, booleans and durations normalised."""
    kind = _flag_type(component, name)
    if kind.startswith("map") or name in ("feature-gates", "runtime-config"):
        return _as_map(expected) == _as_map(found)
    if kind.endswith("Slice") or kind.endswith("Array"):
        return sorted(_as_list(expected)) == sorted(_as_list(found))
    if kind == "bool":
        return expected.lower() == found.lower()
    if kind == "duration" or (_DURATION.fullmatch(expected) and _DURATION.fullmatch(found)):
        return _seconds(expected) == _seconds(found)
    return expected == found


def _flag_findings(plan: Plan, state: NodeState, component: str) -> Iterable[Finding]:
    for setting in plan.flags(component):
        occurrences = state.components[component].flags.get(setting.key, [])
        if not occurrences:
            yield _finding(setting, "missing", "", state.components[component].source)
            continue
        last = occurrences[-1]
        ok = same_flag_value(component, setting.key, str(setting.value), last.value)
        found = _shown(last.value, setting.key)
        if len(occurrences) > 1:
            found += f" (given {len(occurrences)} times; the last one counts)"
        yield _finding(setting, "ok" if ok else "drift", found, last.source)


def _extra_findings(plan: Plan, state: NodeState, component: str) -> Iterable[Finding]:
    expected = {setting.key for setting in plan.flags(component)}
    if component == "kubelet":
        # A kubelet flag that overrides a field the profile sets is reported as that field's drift.
        fields = {setting.key for setting in plan.fields("kubelet")}
        expected |= {flag for flag, field in node_checks()["kubelet"]["flagFields"].items() if field in fields}
    for rule in node_checks()["weakening"].get(component, []):
        name = rule["flag"]
        if name in expected:
            continue  # the profile sets it: a different value is drift, reported above
        found = state.flag(component, name)
        if found is None or not _weakens(rule["when"], found.value):
            continue
        yield Finding(
            component,
            f"--{name}",
            "extra",
            "(not set)",
            _shown(found.value, name),
            found.source,
            "",
            tuple(rule["refs"]),
            rule["why"],
        )


def _weakens(condition: dict[str, Any], value: str) -> bool:
    if "equals" in condition:
        return value.lower() == str(condition["equals"]).lower()
    if "not-equals" in condition:
        return value.lower() != str(condition["not-equals"]).lower()
    if "contains" in condition:
        return str(condition["contains"]) in _as_list(value)
    return bool(condition.get("set"))


# ---- the kubelet's configuration --------------------------------------------------------------


def _kubelet_field_findings(plan: Plan, state: NodeState) -> Iterable[Finding]:
    flag_fields: dict[str, str] = node_checks()["kubelet"]["flagFields"]
    field_flags = {field: flag for flag, field in flag_fields.items()}
    config = state.kubelet_config or {}
    kubelet = state.components["kubelet"]
    for setting in plan.fields("kubelet"):
        flag_name = field_flags.get(setting.key)
        from_flag = state.flag("kubelet", flag_name) if flag_name else None
        if from_flag is not None:
            ok = same_flag_value("kubelet", flag_name or "", _flag_text(setting.value), from_flag.value)
            yield _finding(
                setting,
                "ok" if ok else "drift",
                f"{_shown(from_flag.value, flag_name or '')} (--{flag_name} wins over the file)",
                from_flag.source,
            )
            continue
        present, value = _dotted(config, setting.key)
        source = _source_of(state.kubelet_config_sources, setting.key) or kubelet.source
        if not present:
            yield _finding(setting, "missing", "", source)
            continue
        yield _finding(setting, "ok" if same_value(setting.value, value) else "drift", _shown(value), source)


def _dotted(data: Any, dotted: str) -> tuple[bool, Any]:
    for part in dotted.split("."):
        if not isinstance(data, dict) or part not in data:
            return False, None
        data = data[part]
    return True, data


def _source_of(sources: dict[str, str], dotted: str) -> str:
    probe = dotted
    while probe:
        if probe in sources:
            return sources[probe]
        probe = probe.rpartition(".")[0]
    return ""


def same_value(expected: Any, found: Any) -> bool:
    """Configuration values equal by meaning (durations as durations; mappings and lists deeply)."""
    if isinstance(expected, dict) and isinstance(found, dict):
        return expected.keys() == found.keys() and all(same_value(expected[k], found[k]) for k in expected)
    if isinstance(expected, list) and isinstance(found, list):
        return len(expected) == len(found) and all(same_value(a, b) for a, b in zip(expected, found, strict=True))
    if isinstance(expected, bool) or isinstance(found, bool):
        return expected is found
    if isinstance(expected, str) and isinstance(found, str) and _DURATION.fullmatch(expected) and _DURATION.fullmatch(found):
        return _seconds(expected) == _seconds(found)
    return bool(expected == found) and type(expected) is type(found)


# ---- files the flags point at -----------------------------------------------------------------


def _file_finding(node_file: NodeFile, tree: NodeTree) -> Finding:
    reason: Reason = node_file.reason
    kind = str(node_file.document.get("kind", "file"))

    def finding(status: str, found: str) -> Finding:
        path = node_file.node_path
        return Finding(node_file.component, path, status, kind, found, path, reason.origin, tuple(reason.refs), reason.why)

    read = tree.read(node_file.node_path)
    if isinstance(read, ReadProblem):
        return finding("missing", "") if read.message == "not found" else finding("unreadable", read.message)
    documents = load_yaml(read.text)
    if isinstance(documents, str):
        return finding("drift", documents)
    if len(documents) != 1:
        return finding("drift", f"{len(documents)} documents")
    differences = list(_differences(node_file.document, documents[0], (), set(node_file.secret_placeholders)))
    if not differences:
        return finding("ok", kind)
    shown = ", ".join(differences[:3]) + (f" and {len(differences) - 3} more" if len(differences) > 3 else "")
    return finding("drift", f"differs at {shown}")


def _differences(expected: Any, found: Any, path: tuple[str, ...], placeholders: set[str]) -> Iterable[str]:
    """Dotted paths where two parsed documents differ; values are not shown (they may be keys)."""
    where = ".".join(path) or "(document)"
    if isinstance(expected, str) and expected in placeholders:
        if not (isinstance(found, str) and found):
            yield where
        return
    if isinstance(expected, dict) and isinstance(found, dict):
        for key in expected:
            if key not in found:
                yield f"{'.'.join((*path, str(key)))} (missing)"
            else:
                yield from _differences(expected[key], found[key], (*path, str(key)), placeholders)
        for key in found:
            if key not in expected:
                yield f"{'.'.join((*path, str(key)))} (not expected)"
        return
    if isinstance(expected, list) and isinstance(found, list):
        if len(expected) != len(found):
            yield f"{where} ({len(found)} items, expected {len(expected)})"
            return
        for index, (left, right) in enumerate(zip(expected, found, strict=True)):
            yield from _differences(left, right, (*path, str(index)), placeholders)
        return
    if not same_value(expected, found):
        yield where


# ---- values -----------------------------------------------------------------------------------

_DURATION = re.compile(r"([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+")
_DURATION_PART = re.compile(r"([0-9]+(?:\.[0-9]+)?)(ns|us|µs|ms|s|m|h)")
_UNIT_SECONDS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}
# Credentials given inline: key=value or key: value pairs, a URL's user:password@, a JWT, a cloud access key.
_SECRET_LOOKING = re.compile(
    r"(?i)(?:^|[,;&?\s])[a-z_-]*(?:secret|token|passw(?:or)?d)\s*[=:]\s*[^,;&\s]+"
    r"|://[^/@\s:]*:[^/@\s]+@"
    r"|\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"
    r"|\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"
)
# A flag whose name says it carries a credential shows no value, unless its value is a path to one.
_SECRET_FLAG = re.compile(r"(?:secret|token|passw(?:or)?d)(?!.*-(?:file|dir|path|ttl|expiration|audiences?)$)")


def _seconds(text: str) -> float:
    return round(sum(float(number) * _UNIT_SECONDS[unit] for number, unit in _DURATION_PART.findall(text)), 9)


def _as_list(text: str) -> list[str]:
    return [item.strip() for item in text.split(",") if item.strip()]


def _as_map(text: str) -> dict[str, str]:
    result = {}
    for item in _as_list(text):
        key, _, value = item.partition("=")
        result[key.strip()] = value.strip().lower() if value.strip().lower() in ("true", "false") else value.strip()
    return result


def _flag_text(value: Any) -> str:
    from kgen.plan import flag_text

    if isinstance(value, dict):
        return ",".join(f"{k}={flag_text(v)}" for k, v in value.items())
    if isinstance(value, list):
        return ",".join(flag_text(v) for v in value)
    return flag_text(value)


def _shown(value: Any, flag_name: str = "") -> str:
    """A value as findings print it: one line, control characters escaped, secrets hidden."""
    from kgen.profile import looks_secret

    text = _flag_text(value) if not isinstance(value, str) else value
    if looks_secret(text) or _SECRET_LOOKING.search(text):
        return SECRET_SHOWN
    if flag_name and _SECRET_FLAG.search(flag_name) and text.lower() not in ("true", "false") and not text.startswith("/"):
        return SECRET_SHOWN
    text = printable(text)
    return text if len(text) <= 200 else text[:197] + "..."


def printable(text: str) -> str:
    """``text`` with control, format and separator characters escaped (a terminal cannot be steered by it)."""
    return (
        text
        if text.isprintable()
        else "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in text)
    )


def verify_node(profile_reference: str, root: str, version: str | None) -> VerifyResult:
    """Load the profile, read the node below ``root`` and compare them."""
    from pathlib import Path

    from kgen.errors import KgenError, Problem, UsageError
    from kgen.honoured import honoured_plan
    from kgen.nodestate import read_node
    from kgen.profile import ProfileLoader

    if not root:
        raise UsageError(problems=[Problem("--root must not be empty", "--root", rule="usage")])
    folder = Path(root)
    if not folder.is_dir():
        raise KgenError(problems=[Problem("not a directory", root, rule="usage")])
    profile = ProfileLoader().load(profile_reference, version)
    plan = honoured_plan(profile)
    tree = NodeTree(folder)
    return verify(plan, tree, read_node(tree))
