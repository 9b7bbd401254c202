"""Build kgen's CIS Kubernetes Benchmark knowledge from kube-bench's benchmark definitions.

Inputs:
  <upstream>/cfg/...            kube-bench's YAML (config.yaml and one folder per benchmark)
  <upstream>/README.txt         names the kube-bench commit the YAML was taken from
  <upstream>/LICENSE, NOTICE    Apache-2.0 terms of that data
  scripts/knowledge/cis-controls.yaml   kgen's own titles and wants, kept by hand

Outputs:
  kgen/data/cis.json            the controls kgen can state or evaluate, with their source
  tests/data/kube-bench/        verbatim copies of the YAML for the test-suite evaluator

Run: python scripts/knowledge/cis.py --upstream DIR
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]
HAND_KEPT = Path(__file__).with_name("cis-controls.yaml")

KUBE_BENCH_REPOSITORY = "https://github.com/aquasecurity/kube-bench"
GENERIC_BENCHMARKS = ("cis-1.10", "cis-1.11", "cis-1.12")
COPIED_BENCHMARKS = (*GENERIC_BENCHMARKS, "eks-1.8.0", "gke-1.9.0", "aks-1.8")
TARGET_FILES = ("master", "controlplane", "etcd", "node", "policies", "managedservices")
# kgen supports these Kubernetes minors; the benchmark for each is looked up the way kube-bench does.
KGEN_KUBERNETES_MINORS = ("1.31", "1.32", "1.33", "1.34", "1.35", "1.36", "1.37", "1.38")

# kube-bench's component keys in cfg/config.yaml -> the Kubernetes component name kgen uses.
COMPONENT_BY_BENCH_KEY = {
    "apiserver": "kube-apiserver",
    "controllermanager": "kube-controller-manager",
    "scheduler": "kube-scheduler",
    "etcd": "etcd",
    "kubelet": "kubelet",
    "proxy": "kube-proxy",
}
CONFIG_KIND_BY_COMPONENT = {"kubelet": "KubeletConfiguration", "kube-proxy": "KubeProxyConfiguration"}

PROCESS_AUDIT = re.compile(
    r"^(?:/bin/)?ps -ef \| (?:/bin/)?grep \$(?P<grep>[a-z]+)bin \| (?:/bin/)?grep -v grep$"
    r"|^(?:/bin/)?ps -fC \$(?P<byname>[a-z]+)bin$"
)
# 1.2.28 reads the file named by --encryption-provider-config: a rendered file, so it counts as config.
ENCRYPTION_AUDIT = re.compile(r"encryption-provider-config.*grep -A1 'providers:'", re.DOTALL)
SIMPLE_PATH = re.compile(r"^\{\.([A-Za-z0-9_.]+)\}$")
RANGE_PATH = re.compile(r"^\{range \.([A-Za-z0-9_]+)\[:\]\}\{\}\{'(.*)'\}\{end\}$")


class CisBuildError(Exception):
    """Upstream data and the hand-kept file do not fit together."""


def _go_string(value: Any) -> str:
    """kube-bench decodes compare values into Go strings; mirror what yaml.v2 gives for scalars."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _read_commit(upstream_dir: Path) -> str:
    readme = (upstream_dir / "README.txt").read_text(encoding="utf-8")
    match = re.search(r"^Commit\s*:\s*([0-9a-f]{40})\s*$", readme, re.MULTILINE)
    if match is None:
        raise CisBuildError(f"{upstream_dir / 'README.txt'}: no 40-digit commit line")
    return match.group(1)


def _copy_upstream(upstream_dir: Path, tests_data_dir: Path, commit: str) -> None:
    if tests_data_dir.exists():
        shutil.rmtree(tests_data_dir)
    (tests_data_dir / "cfg").mkdir(parents=True)
    for name in ("LICENSE", "NOTICE"):
        shutil.copyfile(upstream_dir / name, tests_data_dir / name)
    shutil.copyfile(upstream_dir / "cfg" / "config.yaml", tests_data_dir / "cfg" / "config.yaml")
    for benchmark in COPIED_BENCHMARKS:
        shutil.copytree(upstream_dir / "cfg" / benchmark, tests_data_dir / "cfg" / benchmark)
    listing = "\n".join(f"  cfg/{name}/" for name in COPIED_BENCHMARKS)
    (tests_data_dir / "README").write_text(
        "kube-bench benchmark definitions, copied verbatim for kgen's test-suite evaluator\n"
        "(tests/cisbench.py). Not shipped in the kgen package.\n\n"
        f"Source  : {KUBE_BENCH_REPOSITORY}\n"
        f"Commit  : {commit}\n"
        "License : Apache License 2.0 (LICENSE and NOTICE in this directory, verbatim)\n\n"
        "Files, unchanged from that commit:\n"
        "  cfg/config.yaml\n"
        f"{listing}\n\n"
        "Regenerate with: python scripts/knowledge/cis.py --upstream DIR\n",
        encoding="utf-8",
    )


def _load_benchmark(cfg_dir: Path, benchmark: str) -> list[tuple[str, dict[str, Any]]]:
    """All checks of one benchmark as (target, check) in file order."""
    checks: list[tuple[str, dict[str, Any]]] = []
    for target in TARGET_FILES:
        path = cfg_dir / benchmark / f"{target}.yaml"
        if not path.exists():
            continue
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        for group in document.get("groups") or []:
            for check in group.get("checks") or []:
                checks.append((target, check))
    return checks


def _evaluation(check: dict[str, Any]) -> tuple[str, str | None]:
    """How a check can be decided: ('config', component key) | ('node', None) | ('cluster', None) | ..."""
    if str(check.get("type") or "") in {"manual", "skip"}:
        return "manual", None
    audit = str(check.get("audit") or "").strip()
    process = PROCESS_AUDIT.match(audit)
    if process:
        return "config", process.group("grep") or process.group("byname")
    if ENCRYPTION_AUDIT.search(audit):
        return "config", "apiserver"
    if "kubectl" in audit or "gcloud" in audit:
        return "cluster", None
    if "stat -c" in audit:
        return "node", None
    return "manual", None


def _test_item(item: dict[str, Any]) -> dict[str, Any]:
    entry: dict[str, Any] = {"flag": str(item.get("flag", ""))}
    path = item.get("path")
    if path:
        entry["path"] = path
        simple = SIMPLE_PATH.match(path)
        ranged = RANGE_PATH.match(path)
        if simple:
            entry["field"] = simple.group(1)
        elif ranged:
            entry["field"] = ranged.group(1)
            entry["joinedWith"] = ranged.group(2)
        else:
            raise CisBuildError(f"unsupported path expression {path!r}")
    if item.get("env"):
        entry["env"] = str(item["env"])
    entry["set"] = bool(item.get("set", True))
    compare = item.get("compare")
    if compare:
        entry["op"] = str(compare["op"])
        entry["value"] = _go_string(compare.get("value", ""))
    return entry


def _test(check: dict[str, Any]) -> dict[str, Any]:
    tests = check.get("tests") or {}
    return {
        "binOp": str(tests.get("bin_op") or "and"),
        "items": [_test_item(item) for item in tests.get("test_items") or []],
    }


def _file_requirement(check: dict[str, Any]) -> dict[str, str]:
    """Mode (a bitmask ceiling) and owner a host-file control asks for."""
    wanted: dict[str, str] = {}
    for item in (check.get("tests") or {}).get("test_items") or []:
        flag = str(item.get("flag", ""))
        compare = item.get("compare") or {}
        if compare.get("op") == "bitmask":
            wanted["mode"] = _go_string(compare["value"])
        elif compare.get("op") == "eq" and ":" in _go_string(compare.get("value", "")):
            wanted["owner"] = _go_string(compare["value"])
        elif re.fullmatch(r"[a-z]+:[a-z]+", flag):
            wanted["owner"] = flag
    if not wanted:
        raise CisBuildError(f"{check['id']}: cannot read a mode or owner from its test")
    return wanted


def _benchmark_for(minor: str, mapping: dict[str, str]) -> tuple[str, str]:
    """kube-bench's lookup: exact minor, else step the minor down until one is mapped."""
    major, _, rest = minor.partition(".")
    number = int(rest)
    while number > 1:
        candidate = f"{major}.{number}"
        if candidate in mapping:
            how = "version_mapping" if candidate == minor else f"stepped down to {candidate}"
            return mapping[candidate], how
        number -= 1
    raise CisBuildError(f"no benchmark for Kubernetes {minor}")


def _controls(cfg_dir: Path, hand_kept: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    seen: dict[str, dict[str, Any]] = {}
    order: list[str] = []
    for benchmark in GENERIC_BENCHMARKS:
        for _target, check in _load_benchmark(cfg_dir, benchmark):
            control_id = str(check["id"])
            evaluation, bench_key = _evaluation(check)
            needs_node = control_id.rsplit(".", 1)[0] in {"1.1", "4.1"}
            if evaluation != "config" and not needs_node:
                continue
            if control_id not in hand_kept:
                raise CisBuildError(f"{control_id} ({benchmark}) is missing from {HAND_KEPT.name}")
            kept = hand_kept[control_id]
            if bench_key is not None and not needs_node:
                upstream_component = COMPONENT_BY_BENCH_KEY[bench_key]
                if kept["component"] != upstream_component:
                    raise CisBuildError(
                        f"{control_id}: {HAND_KEPT.name} says {kept['component']}, kube-bench audits {upstream_component}"
                    )
            scored = bool(check.get("scored"))
            variant: dict[str, Any] = {"benchmarks": [benchmark], **_test(check)}
            if needs_node:
                variant.update(_file_requirement(check))
            if control_id not in seen:
                order.append(control_id)
                seen[control_id] = {"scored": scored, "variants": [variant], "needsNode": needs_node}
                continue
            entry = seen[control_id]
            if entry["scored"] != scored:
                raise CisBuildError(f"{control_id}: scored changes between benchmarks; extend the format")
            last = entry["variants"][-1]
            if {k: v for k, v in last.items() if k != "benchmarks"} == {k: v for k, v in variant.items() if k != "benchmarks"}:
                last["benchmarks"].append(benchmark)
            else:
                entry["variants"].append(variant)
    unknown = sorted(set(hand_kept) - set(seen))
    if unknown:
        raise CisBuildError(f"{HAND_KEPT.name} names controls kube-bench does not have: {unknown}")

    controls: list[dict[str, Any]] = []
    for control_id in order:
        entry = seen[control_id]
        kept = hand_kept[control_id]
        component = str(kept["component"])
        benchmarks = [b for variant in entry["variants"] for b in variant["benchmarks"]]
        control: dict[str, Any] = {
            "id": control_id,
            "section": control_id.rsplit(".", 1)[0],
            "component": component,
            "title": str(kept["title"]),
            "benchmarks": benchmarks,
            "scored": entry["scored"],
            "needsNode": entry["needsNode"],
        }
        if entry["needsNode"]:
            newest = entry["variants"][-1]
            control["files"] = [str(path) for path in kept["files"]]
            for key in ("mode", "owner"):
                if key in newest:
                    control[key] = newest[key]
        else:
            control["want"] = str(kept["want"])
            if component in CONFIG_KIND_BY_COMPONENT:
                control["configKind"] = CONFIG_KIND_BY_COMPONENT[component]
        for key in ("note", "deviation"):  # deviation: why a kgen profile deliberately does not meet it
            if key in kept:
                control[key] = str(kept[key])
        for key in ("deviationWhen", "deviationElseUnless"):  # conditions on what the rendered files carry
            if key in kept:
                control[key] = {str(k): v for k, v in kept[key].items()}
        if "deviationElse" in kept:  # what REPORT.md says when they do not
            control["deviationElse"] = str(kept["deviationElse"])
        control["tests"] = entry["variants"]
        controls.append(control)
    return controls


def build_cis(upstream_dir: Path, data_dir: Path, tests_data_dir: Path) -> None:
    commit = _read_commit(upstream_dir)
    cfg_dir = upstream_dir / "cfg"
    hand_kept_doc = yaml.safe_load(HAND_KEPT.read_text(encoding="utf-8"))
    hand_kept = {str(key): value for key, value in hand_kept_doc["controls"].items()}

    config = yaml.safe_load((cfg_dir / "config.yaml").read_text(encoding="utf-8"))
    version_mapping = {str(k): str(v) for k, v in config["version_mapping"].items()}
    generic_mapping = {k: v for k, v in version_mapping.items() if v in GENERIC_BENCHMARKS}
    kubernetes: dict[str, dict[str, str]] = {}
    for minor in KGEN_KUBERNETES_MINORS:
        benchmark, how = _benchmark_for(minor, version_mapping)
        kubernetes[minor] = {"benchmark": benchmark, "mappedBy": how}

    benchmarks: dict[str, dict[str, Any]] = {}
    for benchmark in COPIED_BENCHMARKS:
        checks = _load_benchmark(cfg_dir, benchmark)
        entry: dict[str, Any] = {
            "kubernetes": sorted(
                (k for k, v in version_mapping.items() if v == benchmark),
                key=lambda k: [int(p) if p.isdigit() else p for p in k.split(".")],
            ),
            "checks": len(checks),
            "scored": sum(1 for _t, c in checks if c.get("scored")),
        }
        if benchmark in GENERIC_BENCHMARKS:
            config_checks = [c for _t, c in checks if _evaluation(c)[0] == "config"]
            entry["fromConfig"] = len(config_checks)
            entry["scoredFromConfig"] = sum(1 for c in config_checks if c.get("scored"))
        benchmarks[benchmark] = entry

    document = {
        "source": {
            "repository": KUBE_BENCH_REPOSITORY,
            "commit": commit,
            "paths": ["cfg/config.yaml", *(f"cfg/{name}/" for name in GENERIC_BENCHMARKS)],
            "license": "Apache-2.0",
            "wording": "titles, wants and notes are kgen's own (scripts/knowledge/cis-controls.yaml)",
        },
        "versionMapping": generic_mapping,
        "kubernetes": kubernetes,
        "benchmarks": benchmarks,
        "controls": _controls(cfg_dir, hand_kept),
    }
    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / "cis.json").write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    _copy_upstream(upstream_dir, tests_data_dir, commit)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--upstream", type=Path, required=True, help="kube-bench copy holding cfg/ and README.txt")
    parser.add_argument("--data-dir", type=Path, default=REPO / "kgen" / "data")
    parser.add_argument("--tests-data-dir", type=Path, default=REPO / "tests" / "data" / "kube-bench")
    args = parser.parse_args()
    build_cis(args.upstream, args.data_dir, args.tests_data_dir)


if __name__ == "__main__":
    main()
