"""CIS compliance of a plan: which automatable controls the rendered settings meet, and why not.

The controls and their tests come from kgen/data/cis.json (derived from kube-bench's benchmark
definitions). Evaluation reads the plan's flags and KubeletConfiguration / KubeProxyConfiguration
fields, the same way kube-bench reads a process command line and the kubelet's config file.
"""

from __future__ import annotations

import re
import weakref
from typing import Any, NamedTuple

from kgen.plan import Plan


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


def _encryption_providers(plan: Plan) -> str | None:
    """The first provider of each resource group, as kube-bench extracts them from the encryption file."""
    for node_file in plan.files:
        if node_file.document.get("kind") == "EncryptionConfiguration":
            firsts = [next(iter(group["providers"][0])) for group in node_file.document["resources"]]
            return ",".join(firsts)
    return None


def _component_values(plan: Plan, component: str, config_kind: str | None) -> tuple[dict[str, str], dict[str, Any]]:
    """The flags kube-bench would see on the component's command line, and its config file's fields."""
    flags = {s.key: str(s.value) for s in plan.flags(component)}
    if component == "kube-apiserver":
        providers = _encryption_providers(plan)
        if providers:
            flags["provider"] = providers
    config = plan.config(component) if config_kind else {}
    return flags, config


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


def evaluate(plan: Plan) -> list[ControlResult]:
    benchmark = benchmark_for(plan.version)
    results = []
    rendered = {s.component for s in plan.settings}
    values: dict[str, tuple[dict[str, str], dict[str, Any]]] = {}  # per component, built once
    for control in _cis()["controls"]:
        if benchmark not in control["benchmarks"] or control.get("needsNode"):
            continue
        if control["component"] not in rendered:
            continue
        variants = [t for t in control.get("tests", []) if benchmark in t["benchmarks"]]
        if not variants:
            continue
        component = control["component"]
        if component not in values:
            values[component] = _component_values(plan, component, control.get("configKind"))
        flags, config = values[component]
        test = variants[0]
        outcomes = [_item_passes(item, flags, config) for item in test["items"]]
        passed = all(outcomes) if test.get("binOp", "and") == "and" else any(outcomes)
        status = "pass" if passed else ("fail" if control["scored"] else "manual")
        detail = control.get("deviation", "") if not passed else ""
        results.append(ControlResult(control["id"], control["title"], control["scored"], status, detail))
    return sorted(results, key=lambda r: [int(p) for p in r.id.split(".")])


# Every target's REPORT.md shows the same summary: compute it once per plan.
_SUMMARIES: weakref.WeakKeyDictionary[Plan, dict[str, Any]] = weakref.WeakKeyDictionary()


def compliance_summary(plan: Plan) -> dict[str, Any]:
    if plan not in _SUMMARIES:
        _SUMMARIES[plan] = _summary(plan)
    return _SUMMARIES[plan]


def _summary(plan: Plan) -> dict[str, Any]:
    results = evaluate(plan)
    scored = [r for r in results if r.scored]
    return {
        "benchmark": benchmark_for(plan.version),
        "results": results,
        "scored_total": len(scored),
        "scored_pass": sum(1 for r in scored if r.status == "pass"),
        "failing": [r for r in results if r.status == "fail"],
        "manual_unmet": [r for r in results if r.status == "manual"],
    }
