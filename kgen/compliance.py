"""CIS compliance of one target's files: which automatable controls the rendered settings meet, and why not.

The controls and their tests come from kgen/data/cis.json (derived from kube-bench's benchmark
definitions). Evaluation reads the flags and KubeletConfiguration / KubeProxyConfiguration fields
the target's files carry (kgen.targets.coverage), the same way kube-bench reads a process command
line and the kubelet's config file. A setting the target lists as not controllable counts as absent,
and a control's "deliberate" deviation is shown only when the rendered files carry what it cites.
"""

import re
import weakref
from typing import Any, NamedTuple

from kgen.plan import NodeFile, Plan
from kgen.plan.model import nested_fields
from kgen.targets.coverage import Coverage, coverage


class ControlResult(NamedTuple):
    id: str
    title: str
    scored: bool
    status: str  # pass | fail | manual
    detail: str


def _cis() -> dict[str, Any]:
    from kgen.knowledge._data import load

    return load("cis.json")


def benchmark_for(version: str) -> str:
    return str(_cis()["kubernetes"][version]["benchmark"])


def _encryption_providers(files: tuple[NodeFile, ...]) -> str | None:
    """The first provider of each resource group, as kube-bench extracts them from the encryption file."""
    for node_file in files:
        if node_file.document.get("kind") == "EncryptionConfiguration":
            firsts = [next(iter(group["providers"][0])) for group in node_file.document["resources"]]
            return ",".join(firsts)
    return None


def _component_values(covered: Coverage, component: str) -> tuple[dict[str, str], dict[str, Any]]:
    """The flags kube-bench would see on the component's command line, and its config file's fields."""
    flags = {s.key: str(s.value) for s in covered.settings if s.component == component and s.is_flag}
    if component == "kube-apiserver":
        providers = _encryption_providers(covered.files)
        if providers:
            flags["provider"] = providers
    return flags, nested_fields(s for s in covered.settings if s.component == component and not s.is_flag)


def _lookup(config: dict[str, Any], path: str) -> Any:
    node: Any = config
    for part in path.strip("{}").lstrip(".").split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    return str(value)


def _compare(op: str, actual: str, wanted: str) -> bool:
    if op == "eq":
        return actual == wanted
    if op == "noteq":
        return actual != wanted
    if op in ("gt", "gte", "lt", "lte"):
        try:
            a, w = float(actual), float(wanted)
        except ValueError:
            return False
        return {"gt": a > w, "gte": a >= w, "lt": a < w, "lte": a <= w}[op]
    if op == "has":
        return wanted in actual
    if op == "nothave":
        return wanted not in actual
    if op == "regex":
        return re.search(wanted, actual) is not None
    if op == "valid_elements":
        allowed = set(wanted.split(","))
        return all(item in allowed for item in actual.split(","))
    return False


def _item_passes(item: dict[str, Any], flags: dict[str, str], config: dict[str, Any]) -> bool:
    flag = str(item.get("flag", "")).lstrip("-")
    actual: str | None = flags.get(flag)
    if actual is None and (item.get("field") or item.get("path")):
        value = _lookup(config, str(item.get("field") or item["path"]))
        actual = None if value is None else _text(value)
    present = actual is not None
    if not item.get("set", True):
        return not present
    if not present:
        return False
    op = item.get("op")
    if not op:
        return True
    return _compare(str(op), actual or "", str(item.get("value", "")))


def _carries(when: dict[str, Any], covered: Coverage, flags: dict[str, str], config: dict[str, Any]) -> bool:
    """Whether the rendered files carry what a cis-controls.yaml condition (deviationWhen, deviationElseUnless) names."""
    if "kind" in when:
        documents = [f.document for f in covered.files if f.document.get("kind") == when["kind"]]
        return any(_lookup(document, str(when["path"])) not in (None, [], {}) for document in documents)
    return _item_passes(when, flags, config)


def _unmet_detail(control: dict[str, Any], covered: Coverage) -> str:
    """The control's deviation text when the files carry what it cites, its alternative text, or nothing."""
    if not control.get("deviation"):
        return ""
    flags, config = _component_values(covered, control["component"])
    when = control.get("deviationWhen")
    if not when or _carries(when, covered, flags, config):
        return "deliberate, " + str(control["deviation"])
    unless = control.get("deviationElseUnless")
    if unless and _carries(unless, covered, flags, config):
        return ""
    return str(control.get("deviationElse", ""))


def _outcome(control: dict[str, Any], benchmark: str, covered: Coverage) -> bool | None:
    """True or False as kube-bench would decide the control from the covered settings; None if it is not decidable."""
    variants = [t for t in control.get("tests", []) if benchmark in t["benchmarks"]]
    if not variants:
        return None
    flags, config = _component_values(covered, control["component"])
    test = variants[0]
    outcomes = [_item_passes(item, flags, config) for item in test["items"]]
    return all(outcomes) if test.get("binOp", "and") == "and" else any(outcomes)


def evaluate(plan: Plan, target: str, covered: Coverage | None = None) -> list[ControlResult]:
    """Each decidable control for what ``target``'s files carry of ``plan``."""
    covered = covered or coverage(plan, target)
    everything = Coverage(tuple(plan.settings), tuple(plan.files))
    benchmark = benchmark_for(plan.version)
    results = []
    rendered = {s.component for s in plan.settings}
    for control in _cis()["controls"]:
        if benchmark not in control["benchmarks"] or control.get("needsNode"):
            continue
        if control["component"] not in rendered:
            continue
        passed = _outcome(control, benchmark, covered)
        if passed is None:
            continue
        status = "pass" if passed else ("fail" if control["scored"] else "manual")
        detail = ""
        if not passed and _outcome(control, benchmark, everything):
            detail = f"the {target} files cannot carry the setting (see Not controllable on this platform)"
        elif not passed:
            detail = _unmet_detail(control, covered)
        results.append(ControlResult(control["id"], control["title"], control["scored"], status, detail))
    return sorted(results, key=lambda r: [int(p) for p in r.id.split(".")])


# Targets that carry the whole plan (kubeadm, flags, ansible) show the same summary: compute it once.
_SUMMARIES: weakref.WeakKeyDictionary[Plan, dict[str, dict[str, Any]]] = weakref.WeakKeyDictionary()
_WHOLE_PLAN = ""


def compliance_summary(plan: Plan, target: str, covered: Coverage | None = None) -> dict[str, Any]:
    """The CIS summary of ``target``'s REPORT.md, from what its files carry."""
    covered = covered or coverage(plan, target)
    per_plan = _SUMMARIES.setdefault(plan, {})
    whole = covered.settings == tuple(plan.settings) and covered.files == tuple(plan.files)
    key = _WHOLE_PLAN if whole else target
    if key not in per_plan:
        per_plan[key] = _summary(plan, target, covered)
    return per_plan[key]


def _summary(plan: Plan, target: str, covered: Coverage) -> dict[str, Any]:
    results = evaluate(plan, target, covered)
    scored = [r for r in results if r.scored]
    return {
        "benchmark": benchmark_for(plan.version),
        "results": results,
        "scored_total": len(scored),
        "scored_pass": sum(1 for r in scored if r.status == "pass"),
        "failing": [r for r in results if r.status == "fail"],
        "manual_unmet": [r for r in results if r.status == "manual"],
    }
