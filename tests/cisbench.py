"""Score a rendered output directory the way kube-bench scores a node.

This is an independent re-implementation of kube-bench's test semantics (check/check.go and
check/test.go), driven by kube-bench's own benchmark YAML copied into tests/data/kube-bench.
Instead of running shell audits on a live node it reads what kgen's `flags` target renders:

    <dir>/kube-apiserver.args, kube-controller-manager.args, kube-scheduler.args,
    <dir>/etcd.args, kubelet.args, kube-proxy.args   one `--flag=value` per line, `#` comments
    <dir>/<component>.env                            optional process environment, KEY=VALUE lines
    <dir>/files/<node path>                          files at their paths on the node

What each audit becomes:

* ``ps -ef | grep $Xbin | grep -v grep``: every rendered command line containing the binary
  name (as on a node, `grep etcd` also picks up the API server's `--etcd-*` flags).
* ``ps -fC $Xbin``: that component's command line only.
* ``cat $kubeletconf``: the file named by `--config` in kubelet.args; without that flag,
  kube-bench's candidate list from cfg/config.yaml, looked up under files/.
* kube-proxy's config: kube-bench reads `$proxykubeconfig`; here the file named by `--config`
  in kube-proxy.args takes its place when present, since that is where metricsBindAddress lives.
* 1.2.28's script: the first provider after `providers:` in the --encryption-provider-config file.
* File mode/owner (`stat`) and live-cluster (`kubectl`, `gcloud`) audits are not run: INFO.

Statuses follow kube-bench: `type: manual` -> WARN, `type: skip` -> INFO, a failed test ->
FAIL when scored and WARN when not. A target kube-bench would skip (master without an API
server, scheduler and controller manager; etcd without etcd) is reported as INFO per check.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

KUBE_BENCH_DIR = Path(__file__).resolve().parent / "data" / "kube-bench" / "cfg"

STATES = ("PASS", "FAIL", "WARN", "INFO")

# kube-bench component key -> the binary kgen renders flags for, and its args file.
BINARIES = {
    "etcd": "etcd",
    "apiserver": "kube-apiserver",
    "controllermanager": "kube-controller-manager",
    "scheduler": "kube-scheduler",
    "kubelet": "kubelet",
    "proxy": "kube-proxy",
}
# The order `ps -ef` lists them on a kubeadm control-plane node (start order).
PROCESS_ORDER = ("etcd", "apiserver", "controllermanager", "scheduler", "kubelet", "proxy")

# Targets in the order kube-bench runs them (cmd/root.go); the file holding each.
TARGET_ORDER = ("master", "controlplane", "etcd", "node", "policies", "managedservices")
# Substitution suffix -> (candidate list key, default key) in cfg/config.yaml (cmd/util.go TypeMap).
FILE_KINDS = {
    "conf": ("confs", "defaultconf"),
    "svc": ("svc", "defaultsvc"),
    "kubeconfig": ("kubeconfig", "defaultkubeconfig"),
    "cafile": ("cafile", "defaultcafile"),
    "datadir": ("datadirs", "defaultdatadir"),
}

PS_GREP = re.compile(r"^(?:/bin/)?ps -ef \| (?:/bin/)?grep (?P<bin>'[^']*'|\S+) \| (?:/bin/)?grep -v grep$")
PS_BY_NAME = re.compile(r"^(?:/bin/)?ps -fC (?P<bin>'[^']*'|\S+)$")
CAT_FILE = re.compile(r"^(?:/bin/)?cat (?P<path>\S+)$")
CAT_IF_EXISTS = re.compile(r"^/bin/sh -c 'if test -e (?P<path>\S+); then cat (?P=path); fi'$")
ENCRYPTION_SCRIPT = re.compile(r"encryption-provider-config.*grep -A1 'providers:'", re.DOTALL)
SIMPLE_PATH = re.compile(r"^\{\.([A-Za-z0-9_.]+)\}$")
RANGE_PATH = re.compile(r"^\{range \.([A-Za-z0-9_.]+)\[:\]\}\{\}\{'(.*)'\}\{end\}$")


@dataclass(frozen=True)
class CheckResult:
    id: str
    text: str
    status: str
    scored: bool
    reason: str
    target: str = ""
    expected: str = ""
    actual: str = ""


@dataclass
class _TestItem:
    flag: str
    path: str
    env: str
    set: bool
    op: str
    value: str


@dataclass
class _ItemResult:
    passed: bool
    found: bool
    expected: str
    actual: str = ""


@dataclass
class _Render:
    """What a node running the rendered configuration would show kube-bench."""

    root: Path
    commands: dict[str, str] = field(default_factory=dict)  # component key -> command line
    flags: dict[str, dict[str, str]] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)

    def node_file(self, node_path: str) -> Path:
        return self.root / "files" / node_path.lstrip("/")

    def read_node_file(self, node_path: str) -> str | None:
        path = self.node_file(node_path)
        return path.read_text(encoding="utf-8") if path.is_file() else None


# --- loading -------------------------------------------------------------------------------------


def _read_args(path: Path) -> list[str]:
    args = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line and not line.startswith("#"):
            args.append(line)
    return args


def _load_render(render_dir: Path) -> _Render:
    render = _Render(root=render_dir)
    for key, binary in BINARIES.items():
        args_file = render_dir / f"{binary}.args"
        if not args_file.is_file():
            continue
        args = _read_args(args_file)
        render.commands[key] = " ".join([binary, *args])
        parsed: dict[str, str] = {}
        for arg in args:
            name, _, value = arg.partition("=")
            parsed[name] = value
        render.flags[key] = parsed
        env_file = render_dir / f"{binary}.env"
        if env_file.is_file():
            render.env[key] = env_file.read_text(encoding="utf-8")
    return render


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """viper.MergeConfig: nested maps merge, everything else is replaced."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _load_config(benchmark: str | None = None) -> dict[str, Any]:
    """cfg/config.yaml, with the benchmark's own config.yaml merged over it."""
    config: dict[str, Any] = yaml.safe_load((KUBE_BENCH_DIR / "config.yaml").read_text(encoding="utf-8"))
    if benchmark is None:
        return config
    override_file = KUBE_BENCH_DIR / benchmark / "config.yaml"
    override = yaml.safe_load(override_file.read_text(encoding="utf-8")) if override_file.exists() else None
    return _merge(config, override or {})


def benchmark_for(kubernetes_version: str) -> str:
    """The benchmark kube-bench picks for a Kubernetes minor: mapped, else step the minor down."""
    mapping = {str(k): str(v) for k, v in _load_config()["version_mapping"].items()}
    major, _, minor = kubernetes_version.partition(".")
    number = int(minor.split(".")[0])
    while number > 1:
        candidate = f"{major}.{number}"
        if candidate in mapping:
            return mapping[candidate]
        number -= 1
    raise ValueError(f"no benchmark maps to Kubernetes {kubernetes_version}")


# --- substitutions (cmd/util.go) -----------------------------------------------------------------


def _running_binary(candidates: list[str], render: _Render) -> str:
    """findExecutable: the first candidate whose first word is a running process."""
    for candidate in candidates:
        proc = candidate.split()[0]
        for key, binary in BINARIES.items():
            running = binary == proc and key in render.commands
            if running and re.match(r"^(\S*/)*" + re.escape(candidate), render.commands[key]):
                return candidate
    return ""


def _component_binaries(section: dict[str, Any], render: _Render) -> tuple[dict[str, str], bool]:
    """getBinaries: component -> binary; False when a required component is not running."""
    binaries: dict[str, str] = {}
    complete = True
    for component in section.get("components") or []:
        settings = section.get(component)
        if not isinstance(settings, dict) or not settings.get("bins"):
            continue
        binary = _running_binary([str(b) for b in settings["bins"]], render)
        if not binary and not settings.get("optional"):
            complete = False
        binaries[component] = binary or component
    return binaries, complete


def _component_files(section: dict[str, Any], kind: str, render: _Render) -> dict[str, str]:
    """getFiles: the first candidate that exists on the node, else the default, else the name."""
    candidates_key, default_key = FILE_KINDS[kind]
    files: dict[str, str] = {}
    for component in section.get("components") or []:
        settings = section.get(component)
        if not isinstance(settings, dict):
            continue
        found = next((str(c) for c in settings.get(candidates_key) or [] if render.node_file(str(c)).exists()), "")
        files[component] = found or str(settings.get(default_key) or component)
    # The process names its own config file; that is the one it reads.
    if kind == "conf" and render.flags.get("kubelet", {}).get("--config"):
        files["kubelet"] = render.flags["kubelet"]["--config"]
    if kind == "kubeconfig" and render.flags.get("proxy", {}).get("--config"):
        files["proxy"] = render.flags["proxy"]["--config"]
    return files


def _substitute(text: str, suffix: str, values: dict[str, str]) -> str:
    """makeSubstitutions/multiWordReplace: `$<component><suffix>` -> value, quoted if it has spaces."""
    for component, value in values.items():
        if not value:
            continue
        replacement = f"'{value}'" if len(value.split()) > 1 else value
        text = text.replace(f"${component}{suffix}", replacement)
    return text


# --- audits --------------------------------------------------------------------------------------


class _AuditError(Exception):
    """The audit command would have exited non-zero."""


class _NotEvaluated(Exception):
    """The audit needs a real node or a live cluster."""


def _unquote(word: str) -> str:
    return word[1:-1] if len(word) >= 2 and word[0] == word[-1] == "'" else word


def _run_audit(audit: str, render: _Render) -> str:
    audit = audit.strip()
    if not audit:
        return ""
    grep = PS_GREP.match(audit)
    if grep:
        needle = _unquote(grep.group("bin"))
        lines = [render.commands[k] for k in PROCESS_ORDER if k in render.commands and needle in render.commands[k]]
        if not lines:
            raise _AuditError(f"no running process matches {needle!r}")
        return "\n".join(lines) + "\n"
    by_name = PS_BY_NAME.match(audit)
    if by_name:
        name = _unquote(by_name.group("bin")).split()[0]
        for key in PROCESS_ORDER:
            if BINARIES[key] == name and key in render.commands:
                return "UID PID PPID C STIME TTY TIME CMD\n" + render.commands[key] + "\n"
        raise _AuditError(f"no process named {name!r} in the render")
    if ENCRYPTION_SCRIPT.search(audit):
        return _encryption_providers(render)
    if "kubectl" in audit or "gcloud" in audit:
        raise _NotEvaluated("needs a live cluster")
    if "stat -c" in audit:
        raise _NotEvaluated("needs file mode and owner on a node")
    raise _NotEvaluated("audit script not modelled")


def _run_audit_config(audit: str, render: _Render) -> str:
    audit = audit.strip()
    if not audit:
        return ""
    cat = CAT_FILE.match(audit)
    if cat:
        content = render.read_node_file(cat.group("path"))
        if content is None:
            # `cat` fails; kube-bench ignores a missing file when the process audit had output.
            return ""
        return content
    cat_if = CAT_IF_EXISTS.match(audit)
    if cat_if:
        return render.read_node_file(cat_if.group("path")) or ""
    raise _NotEvaluated("config audit not modelled")


def _encryption_providers(render: _Render) -> str:
    """1.2.28: grep -A1 'providers:' FILE | tail -n1 | grep -o '[A-Za-z]*' | sed 's/^/provider=/'."""
    lines = [
        line
        for key in PROCESS_ORDER
        if key in render.commands
        for line in [render.commands[key]]
        if "kube-apiserver" in line and "--encryption-provider-config" in line
    ]
    paths = [m.group(1) for line in lines for m in [re.search(r".*encryption-provider-config[= ]([^ ]*)", line)] if m]
    if not paths:
        return ""
    content = render.read_node_file(paths[-1])
    if content is None:
        return ""
    file_lines = content.splitlines()
    matches = [i for i, line in enumerate(file_lines) if "providers:" in line]
    if not matches:
        return ""
    last = file_lines[min(matches[-1] + 1, len(file_lines) - 1)]
    words = re.findall(r"[A-Za-z]+", last)
    return "".join(f"provider={word}\n" for word in words)


# --- test semantics (check/test.go) --------------------------------------------------------------


def _go_bool(value: str) -> bool:
    return value.strip().lower() in {"true", "yes", "on", "y"}


def _go_float(value: float) -> str:
    """fmt.Sprint(float64): shortest digits, exponent form below 1e-4 or from 1e6 on (%g)."""
    if value == 0:
        return "0"
    if math.isnan(value) or math.isinf(value):
        return {"nan": "NaN", "inf": "+Inf", "-inf": "-Inf"}[repr(value)]
    sign, digits, exponent = Decimal(repr(value)).normalize().as_tuple()
    assert isinstance(exponent, int)
    text_digits = "".join(map(str, digits))
    decimal_exponent = len(text_digits) + exponent - 1
    prefix = "-" if sign else ""
    if decimal_exponent < -4 or decimal_exponent >= 6:
        mantissa = text_digits[0] + ("." + text_digits[1:] if len(text_digits) > 1 else "")
        return f"{prefix}{mantissa}e{'-' if decimal_exponent < 0 else '+'}{abs(decimal_exponent):02d}"
    return prefix + format(Decimal(repr(abs(value))).normalize(), "f")


def _go_print(value: Any) -> str:
    """fmt.Fprint of a decoded JSON/YAML value, as k8s jsonpath prints it."""
    if value is None:
        return "<nil>"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return _go_float(value)
    if isinstance(value, list):
        return "[" + " ".join(_go_print(v) for v in value) + "]"
    if isinstance(value, dict):
        return "map[" + " ".join(f"{_go_print(k)}:{_go_print(v)}" for k, v in sorted(value.items(), key=str)) + "]"
    return str(value)


class _ConfigLoader(yaml.SafeLoader):
    """YAML 1.1 like yaml.v2, but timestamps stay strings as they do in Go's interface{} decode."""


_ConfigLoader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _json_path(path: str, document: Any) -> str:
    simple = SIMPLE_PATH.match(path)
    ranged = RANGE_PATH.match(path)
    match = simple or ranged
    if match is None:
        raise ValueError(f"unable to parse path expression {path!r}")
    node = document
    for part in match.group(1).split("."):
        if not isinstance(node, dict) or part not in node:
            return ""  # AllowMissingKeys
        node = node[part]
    if simple:
        return _go_print(node)
    if not isinstance(node, list):
        raise ValueError(f"{path}: not a list")
    return "".join(_go_print(item) + (ranged.group(2) if ranged else "") for item in node)


def _find_flag(item: _TestItem, output: str) -> tuple[bool, str]:
    if not output or not item.flag:
        return False, ""
    if item.flag not in output:
        return False, ""
    found = re.search("(" + item.flag + r")(=|: *)*([^\s]*) *", output)
    if found is None:
        raise ValueError(f"invalid flag in testItem definition: {output}")
    if found.group(3):
        return True, found.group(3)
    return True, "true" if item.flag.startswith("--") else found.group(1)


def _find_path(item: _TestItem, output: str) -> tuple[bool, str]:
    try:
        # Go decodes JSON numbers as float64, which is how they then print.
        document = json.loads(output, parse_int=float)
    except ValueError:
        document = yaml.load(output, Loader=_ConfigLoader)
    value = _json_path(item.path, document)
    return value != "", value


def _find_env(item: _TestItem, output: str) -> tuple[bool, str]:
    if not output or not item.env:
        return False, ""
    found = re.search(item.env + r"=.*(?:\Z|\n)", output)
    text = found.group(0) if found else ""
    text = text.replace("\n", "", 1).replace(f"{item.env}=", "", 1)
    return (True, text) if text else (False, "")


def _compare(op: str, actual: str, wanted: str, name: str) -> tuple[str, bool]:
    if op in {"eq", "noteq"}:
        lowered = actual.lower()
        equal = lowered == wanted if lowered in {"true", "false"} else actual == wanted
        if op == "eq":
            return f"'{name}' is equal to '{wanted}'", equal
        return f"'{name}' is not equal to '{wanted}'", not equal
    if op in {"gt", "gte", "lt", "lte"}:
        try:
            a, b = int(actual.strip()), int(wanted.strip())
        except ValueError:
            return f"Invalid Number(s) used for comparison: '{actual}' '{wanted}'", False
        outcome = {"gt": a > b, "gte": a >= b, "lt": a < b, "lte": a <= b}[op]
        words = {
            "gt": "greater than",
            "gte": "greater or equal to",
            "lt": "lower than",
            "lte": "lower or equal to",
        }
        return f"'{name}' is {words[op]} {wanted}", outcome
    if op == "has":
        return f"'{name}' has '{wanted}'", wanted in actual
    if op == "nothave":
        return f"'{name}' does not have '{wanted}'", wanted not in actual
    if op == "regex":
        return f"'{name}' matched by regex expression '{wanted}'", re.search(wanted, actual) is not None
    if op == "valid_elements":
        have, allowed = _split_list(actual), _split_list(wanted)
        if not have or not allowed:
            return f"'{name}' contains valid elements from '{wanted}'", not have and not allowed
        return f"'{name}' contains valid elements from '{wanted}'", all(v in allowed for v in have)
    if op == "bitmask":
        try:
            requested, ceiling = int(actual, 8), int(wanted, 8)
        except ValueError:
            return f"Not numeric value - flag: {actual}", False
        return f"{name} has permissions {actual}, expected {wanted} or more restrictive", (ceiling & requested) == requested
    return "", False


def _split_list(text: str) -> list[str]:
    cleaned = text.strip().rstrip(",")
    return [part.strip() for part in cleaned.split(",")] if cleaned else []


def _evaluate_item(item: _TestItem, source: str, output: str) -> _ItemResult:
    try:
        if source == "config":
            found, value = _find_path(item, output)
            name = item.path
        elif source == "env":
            found, value = _find_env(item, output)
            name = item.env
        else:
            found, value = _find_flag(item, output)
            name = item.flag
    except (ValueError, yaml.YAMLError) as error:
        return _ItemResult(False, False, "", str(error))
    if not item.set:
        return _ItemResult(not found, found, f"'{name}' is not present", value)
    if found and item.op:
        expected, passed = _compare(item.op, value, item.value, name)
        return _ItemResult(passed, found, expected, value)
    return _ItemResult(found, found, f"'{name}' is present", value)


def _execute_item(item: _TestItem, source: str, output: str, multiple: bool) -> _ItemResult:
    output = output.rstrip(" \n")
    rows = output.split("\n") if multiple else [output]
    result = _ItemResult(False, False, "")
    for row in rows:
        result = _evaluate_item(item, source, row)
        if not result.passed:
            break
    return result


def _items(check: dict[str, Any]) -> tuple[str, list[_TestItem]]:
    tests = check.get("tests") or {}
    items = []
    for raw in tests.get("test_items") or []:
        compare = raw.get("compare") or {}
        items.append(
            _TestItem(
                flag=str(raw.get("flag") or ""),
                path=str(raw.get("path") or ""),
                env=str(raw.get("env") or ""),
                set=_go_bool(str(raw.get("set", "true"))),
                op=str(compare.get("op") or ""),
                value=str(compare.get("value") or ""),
            )
        )
    return str(tests.get("bin_op") or ""), items


def _run_check(check: dict[str, Any], render: _Render, target: str, env_output: str) -> CheckResult:
    check_id = str(check.get("id"))
    text = " ".join(str(check.get("text") or "").split())
    scored = _go_bool(str(check.get("scored", "false")))
    kind = str(check.get("type") or "").strip()
    failed = "FAIL" if scored else "WARN"

    def result(status: str, reason: str, expected: str = "", actual: str = "") -> CheckResult:
        return CheckResult(check_id, text, status, scored, reason, target, expected, actual)

    if scored and not kind and check.get("tests") is None:
        return result("WARN", "There are no tests")
    if kind == "skip":
        return result("INFO", "Test marked as skip")
    if kind == "manual":
        return result("WARN", "Test marked as a manual test")
    bin_op, items = _items(check)
    if not items:
        return result(failed, "No tests defined")

    try:
        audit_output = _run_audit(str(check.get("audit") or ""), render)
        config_output = _run_audit_config(str(check.get("audit_config") or ""), render)
    except _NotEvaluated as reason:
        return result("INFO", f"not evaluated: {reason}")
    except _AuditError as error:
        return result(failed, f"audit failed: {error}")

    multiple = _go_bool(str(check.get("use_multiple_values", "false")))
    has_config = bool(str(check.get("audit_config") or "").strip())
    outcomes = []
    for item in items:
        outcome = _execute_item(item, "command", audit_output, multiple)
        if not outcome.found and has_config and config_output:
            outcome = _execute_item(item, "config", config_output, multiple)
            if not outcome.found and item.env:
                outcome = _execute_item(item, "env", env_output, multiple)
        if not outcome.found and item.env:
            outcome = _execute_item(item, "env", env_output, multiple)
        outcomes.append(outcome)

    if bin_op in {"", "and"}:
        passed = all(o.passed for o in outcomes)
        joiner = " AND "
    elif bin_op == "or":
        passed = any(o.passed for o in outcomes)
        joiner = " OR "
    else:
        return result(failed, f"unknown binary operator for tests {bin_op}")
    expected = joiner.join(o.expected for o in outcomes)
    actual = outcomes[0].actual
    return result("PASS" if passed else failed, expected, expected, actual)


# --- public API ----------------------------------------------------------------------------------


def evaluate(render_dir: Path, benchmark: str = "cis-1.12") -> list[CheckResult]:
    """Every check of `benchmark`, judged against the rendered output in `render_dir`."""
    benchmark_dir = KUBE_BENCH_DIR / benchmark
    if not benchmark_dir.is_dir():
        raise ValueError(f"unknown benchmark {benchmark!r}")
    config = _load_config(benchmark)
    render = _load_render(render_dir)
    targets = [str(t) for t in config.get("target_mapping", {}).get(benchmark, [])]
    results: list[CheckResult] = []
    for target in TARGET_ORDER:
        definition = benchmark_dir / f"{target}.yaml"
        if target not in targets or not definition.exists():
            continue
        section = config.get(target) or {}
        binaries, complete = _component_binaries(section, render)
        text = _substitute(definition.read_text(encoding="utf-8"), "bin", binaries)
        for suffix in FILE_KINDS:
            text = _substitute(text, suffix, _component_files(section, suffix, render))
        controls = yaml.load(text, Loader=yaml.BaseLoader)  # every scalar stays a string, as in Go
        # kube-bench runs master (and controlplane) only where the control plane runs, etcd only with etcd.
        skipped = ""
        if target in {"master", "controlplane"}:
            _master, master_complete = _component_binaries(config.get("master") or {}, render)
            if not master_complete:
                skipped = "master components are not all in the render"
        elif target == "etcd" and not complete:
            skipped = "etcd is not in the render"
        env_output = render.env.get("etcd", "") if target == "etcd" else ""
        for group in controls.get("groups") or []:
            for check in group.get("checks") or []:
                if skipped:
                    results.append(
                        CheckResult(
                            str(check.get("id")),
                            " ".join(str(check.get("text") or "").split()),
                            "INFO",
                            _go_bool(str(check.get("scored", "false"))),
                            f"target {target} not run: {skipped}",
                            target,
                        )
                    )
                    continue
                if str(group.get("type") or "") == "skip":
                    results.append(_run_check({**check, "type": "skip"}, render, target, env_output))
                else:
                    results.append(_run_check(check, render, target, env_output))
    return results


def summary(results: Iterable[CheckResult]) -> dict[str, int]:
    """Counts per status, every status present: {'PASS': n, 'FAIL': n, 'WARN': n, 'INFO': n}."""
    counts = Counter(r.status for r in results)
    return {state: counts.get(state, 0) for state in STATES}


def by_id(results: Iterable[CheckResult]) -> dict[str, CheckResult]:
    return {r.id: r for r in results}
