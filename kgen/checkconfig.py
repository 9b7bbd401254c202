"""``kgen check-config``: strictly validate configuration that already exists.

Brownfield clusters carry kubeadm configs, KubeletConfigurations, kube-apiserver files and flag
files that nobody wrote with kgen. This module reads them as safely as kgen reads its own
profiles, checks every document against the schema derived from its upstream type and the
version rules kgen knows, and checks what schemas cannot see: flags in kubeadm ``extraArgs`` and
``.args`` files, feature gates inside ``--feature-gates`` values, kubeadm's own gates, and flags
that kube-apiserver refuses to combine. Results are plain data; text and JSON are two reporters.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kgen import knowledge
from kgen.errors import KgenError, Problem, UsageError, printable
from kgen.knowledge.flags import flag, flag_components, flag_list_complete
from kgen.reports import check_format
from kgen.schemacheck import schema_for
from kgen.targets import kubeadm_extra_args, kubeadm_kubelet_extra_args
from kgen.validation import gate_messages, validate_config_document
from kgen.yamlload import Document, parse_documents, read_file

YAML_SUFFIXES = (".yaml", ".yml", ".json", ".conf")
FLAG_SUFFIX = ".args"
FORMATS = ("text", "json")


def _kubeadm_extra_args(kind: str) -> list[tuple[tuple[str | int, ...], str]]:
    """kubeadm's component blocks in a document of ``kind``: where their extra flags live and which component reads them."""
    if kind == "ClusterConfiguration":
        return [(place, component) for component, place in kubeadm_extra_args().items()]
    kubelet_place, registering_kinds = kubeadm_kubelet_extra_args()
    if kind in registering_kinds:
        return [(kubelet_place, "kubelet")]
    return []


# Components that take --feature-gates (etcd has its own, unrelated gates).
_GATED_COMPONENTS = frozenset(knowledge.COMPONENTS)

KeyPath = tuple[str | int, ...]


@dataclass
class FlagUse:
    """One flag as written, and where."""

    name: str
    value: str | None
    file: str
    line: int
    column: int
    path: str


@dataclass
class CheckResult:
    """Everything one check-config run found (plain data; the reporters format it)."""

    version: str
    files: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> int:
        return sum(1 for p in self.problems if p.severity == "error")

    @property
    def warnings(self) -> int:
        return sum(1 for p in self.problems if p.severity != "error")


@dataclass
class _Run:
    """State shared by the files of one run: cross-file conflicts need every file read first."""

    version: str
    result: CheckResult
    apiserver_flag_sets: list[list[FlagUse]] = field(default_factory=list)
    authn_configs: list[tuple[Document, int, dict[str, Any]]] = field(default_factory=list)
    checked: int = 0  # documents and flag files actually checked

    def add(self, problem: Problem) -> None:
        self.result.problems.append(problem)


# --- entry point -------------------------------------------------------------------------------------


def check_config_report(paths: list[Path] | list[str], version: str | None, fmt: str) -> tuple[str, bool]:
    """Check files and folders; return the report in ``fmt`` and whether any error was found."""
    fmt = check_format(fmt, FORMATS)
    try:
        wanted = knowledge.check_version(version) if version else knowledge.DEFAULT_VERSION
    except KgenError as exc:
        raise UsageError(problems=exc.problems) from None
    result = check_config(paths, wanted)
    text = format_json(result) if fmt == "json" else format_text(result)
    return text, result.errors > 0


def check_config(paths: Iterable[Path | str], version: str) -> CheckResult:
    run = _Run(version, CheckResult(version))
    usable: list[Path] = []
    for given in paths:
        if not str(given):
            run.add(Problem("an empty path names no file or folder", "", rule="usage"))
        elif "\0" in str(given):
            run.add(Problem("the path contains a NUL byte", str(given), rule="usage"))
        else:
            usable.append(Path(given))
    named_files = {path for path in usable if not _is_dir(path)}
    for path in _collect(usable, run):
        run.result.files.append(str(path))
        checked_before, errors_before = run.checked, run.result.errors
        _check_file(path, run)
        if path in named_files and run.checked == checked_before and run.result.errors == errors_before:
            # A file named on the command line that holds nothing kgen can check is not "ok".
            run.add(Problem("nothing to check: no Kubernetes configuration kgen knows in this file", str(path), rule="kind"))
    _check_conflicts(run)
    from kgen.errors import redact_secrets

    # Secret material never reaches the report, whichever check quoted it (a flag value, a field).
    run.result.problems = [
        p._replace(message=redact_secrets(p.message), path=redact_secrets(p.path)) for p in run.result.problems
    ]
    run.result.problems.sort(key=lambda p: (p.file, p.line, p.column, p.path, p.message))
    return run.result


def _is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:  # a name the OS refuses (too long): reported when it is read
        return False


def _collect(paths: Iterable[Path], run: _Run) -> list[Path]:
    found: list[Path] = []
    for path in paths:
        try:
            exists = path.exists()
        except OSError as exc:
            run.add(Problem(f"cannot read: {exc.strerror}", str(path)))
            continue
        if _is_dir(path):
            inside = sorted(
                p
                for p in path.rglob("*")
                if p.is_file()
                and p.suffix in (*YAML_SUFFIXES, FLAG_SUFFIX)
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
            if not inside:
                run.add(
                    Problem(
                        "no configuration files (*.yaml, *.yml, *.json, *.conf, *.args) in this folder",
                        str(path),
                    )
                )
            found.extend(inside)
        elif exists or path.is_symlink():
            found.append(path)
        else:
            run.add(Problem("no such file or folder", str(path)))
    return list(dict.fromkeys(found))


def _check_file(path: Path, run: _Run) -> None:
    name = str(path)
    try:
        raw = read_file(path, name)
        if path.suffix == FLAG_SUFFIX:
            _check_args_file(raw, name, path.stem, run)
            return
        documents = parse_documents(raw, name)
    except KgenError as exc:
        for problem in exc.problems:
            run.add(problem)
        return
    if not any(doc.data is not None for doc in documents):
        run.add(Problem("file is empty", name, rule="yaml", severity="warning"))
    for index, document in enumerate(documents):
        if document.data is not None:
            _check_document(document, index, run)


# --- YAML documents ------------------------------------------------------------------------------------


def _check_document(document: Document, index: int, run: _Run) -> None:
    data = document.data
    file = document.file
    label = f"document {index + 1}"
    if not isinstance(data, dict):
        line, column = document.where(())
        run.add(Problem(f"{label} must be a mapping with apiVersion and kind", file, line, column, rule="yaml"))
        return
    api_version, kind = data.get("apiVersion"), data.get("kind")
    if not isinstance(api_version, str) or not isinstance(kind, str):
        line, column = document.where(())
        message = f"{label} has no apiVersion and kind: not a Kubernetes configuration document, not checked"
        run.add(Problem(message, file, line, column, rule="kind", severity="warning"))
        return
    known_kind = _known_kind(kind) or schema_for(api_version, kind) is not None
    if not known_kind:
        line, column = document.where(("kind",))
        message = f"{label}: kind {kind} ({api_version}) is not one kgen knows; not checked"
        run.add(Problem(message, file, line, column, "kind", "kind", "warning"))
        return
    run.checked += 1

    skip_paths: set[str] = set()
    extra_args_problems: list[Problem] = []
    for where, component in _kubeadm_extra_args(kind) if api_version.startswith("kubeadm.k8s.io/") else []:
        extra_args_problems.extend(_check_extra_args(document, index, where, component, run=run, skip_paths=skip_paths))

    from kgen.profile import secret_texts

    secrets = secret_texts(data)
    for problem in validate_config_document(data, run.version, file, index):
        if problem.path in skip_paths or _is_written_version_problem(problem):
            continue  # the served-apiVersion check below says more
        line, column = document.where(parse_path(problem.path))
        message = _redact(problem.message, secrets)
        run.add(Problem(message, file, line, column, problem.path, problem.rule, problem.severity))
    for problem in extra_args_problems:
        run.add(problem._replace(message=_redact(problem.message, secrets)))
    for path, inner_kind, inner_api in _versioned_documents(data):
        _check_served(document, label, path, inner_kind, inner_api, run)

    if kind == "ClusterConfiguration" and api_version.startswith("kubeadm.k8s.io/"):
        _check_kubeadm_gates(document, index, run)
    if kind == "AuthenticationConfiguration":
        run.authn_configs.append((document, index, data))


def _is_written_version_problem(problem: Problem) -> bool:
    """The shared validator's "write <kind> as <apiVersion>" problem, which knows only what kgen writes."""
    return problem.rule == "version" and problem.path.endswith("apiVersion") and " write " in problem.message


def _versioned_documents(data: dict[str, Any]) -> list[tuple[KeyPath, str, str]]:
    """(path, kind, apiVersion) of the document and of the plugin configurations an AdmissionConfiguration embeds."""
    found: list[tuple[KeyPath, str, str]] = [((), str(data["kind"]), str(data["apiVersion"]))]
    if data["kind"] == "AdmissionConfiguration":
        for position, plugin in enumerate(data.get("plugins") or []):
            inner = plugin.get("configuration") if isinstance(plugin, dict) else None
            if isinstance(inner, dict) and isinstance(inner.get("kind"), str) and isinstance(inner.get("apiVersion"), str):
                found.append((("plugins", position, "configuration"), inner["kind"], inner["apiVersion"]))
    return found


def _check_served(document: Document, label: str, path: KeyPath, kind: str, api_version: str, run: _Run) -> None:
    """An apiVersion the release no longer reads is an error; an older one it still reads is a warning."""
    from kgen.knowledge.config import config_kind, served_since

    filed = config_kind(kind, api_version)
    if filed is None:
        return
    written = knowledge.api_version(filed, run.version)
    if api_version == written:
        return
    where = (*path, "apiVersion")
    line, column = document.where(where)
    dotted = _format_path(where)
    subject = f"{label} ({kind})" if not path else f"{label}: {_format_path(path)} ({kind})"
    if knowledge.api_version_served(filed, api_version, run.version):
        message = f"{subject}: kgen writes {written} for Kubernetes {run.version}; {api_version} is still read"
        run.add(Problem(message, document.file, line, column, dotted, "version", "warning"))
        return
    first, last = served_since(filed, api_version)
    if last is not None and knowledge.versions.version_key(last) < knowledge.versions.version_key(run.version):
        why = f"no longer read (last read by {last})"
    elif first is not None:
        why = f"not read before {first}"
    else:
        why = f"not read by any release kgen knows; it reads {', '.join(knowledge.api_versions_served(filed, run.version))}"
    message = f"{subject}: {api_version} is {why}; Kubernetes {run.version} reads {kind} as {written}"
    run.add(Problem(message, document.file, line, column, dotted, "version"))


def _redact(message: str, secrets: set[str]) -> str:
    for secret in sorted(secrets, key=len, reverse=True):
        message = message.replace(secret, "<redacted>")
    return message


def _known_kind(kind: str) -> bool:
    try:
        knowledge.api_version(kind, knowledge.DEFAULT_VERSION)
    except (KgenError, KeyError):
        return False
    return True


def _check_extra_args(
    document: Document,
    index: int,
    where: KeyPath,
    component: str,
    *,
    run: _Run,
    skip_paths: set[str],
) -> list[Problem]:
    value: Any = document.data
    for part in where:
        value = value.get(part) if isinstance(value, dict) else None
    if value is None:
        return []
    file = document.file
    dotted = ".".join(str(part) for part in where)
    line, column = document.where(where)
    label = f"document {index + 1} ({document.data['kind']})"
    problems: list[Problem] = []
    items: list[tuple[KeyPath, Any, Any]] = []
    if isinstance(value, dict) and document.data.get("apiVersion") == "kubeadm.k8s.io/v1beta3":
        items = [((*where, key), key, item) for key, item in value.items()]  # the v1beta3 form
    elif isinstance(value, dict):
        skip_paths.add(dotted)
        skip_paths.update(f"{dotted}.{key}" for key in value)
        message = (
            f"{label}: extraArgs is a mapping (the kubeadm.k8s.io/v1beta3 form); "
            "kubeadm.k8s.io/v1beta4 takes a list of {name: ..., value: ...} items (a flag may repeat)"
        )
        problems.append(Problem(message, file, line, column, dotted, "kubeadm"))
        items = [((*where, key), key, item) for key, item in value.items()]
    elif isinstance(value, list):
        for position, item in enumerate(value):
            if isinstance(item, dict) and isinstance(item.get("name"), str):
                items.append(((*where, position), item["name"], item.get("value")))
    else:
        return problems  # the schema check reports the wrong type
    flags: list[FlagUse] = []
    for item_path, name, flag_value in items:
        item_line, item_column = document.where(item_path)
        shown = f"{dotted}.{name}" if isinstance(value, dict) else _format_path(item_path)
        use = FlagUse(
            str(name),
            None if flag_value is None else _flag_text(flag_value),
            file,
            item_line,
            item_column,
            shown,
        )
        flags.append(use)
        for message, severity, rule in _flag_findings(component, use.name, use.value, run.version):
            problems.append(Problem(message, file, item_line, item_column, shown, rule, severity))
    if component == "kube-apiserver":
        run.apiserver_flag_sets.append(flags)
    return problems


def _flag_text(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def _check_kubeadm_gates(document: Document, index: int, run: _Run) -> None:
    gates = document.data.get("featureGates")
    if not isinstance(gates, dict):
        return
    file = document.file
    known = knowledge.kubeadm_gate_names()
    for name, value in gates.items():
        path = ("featureGates", name)
        line, column = document.where(path)
        dotted = f"featureGates.{name}"
        found = knowledge.kubeadm_gate(str(name))
        if found is None:
            if knowledge.gate(str(name)) is not None:
                message = (
                    f"{name} is a Kubernetes component feature gate, not a kubeadm one: "
                    "set it in the components' extraArgs feature-gates (or KubeletConfiguration.featureGates)"
                )
            else:
                close = difflib.get_close_matches(str(name), known, n=1)
                hint = f"; did you mean {close[0]}?" if close else f"; kubeadm gates: {', '.join(known)}"
                message = f"unknown kubeadm feature gate {name}{hint}"
            run.add(Problem(message, file, line, column, dotted, "gates"))
            continue
        state = found.state(run.version)
        if state is None:
            when = f"removed in {found.removed_in}" if found.removed_in else "not available"
            run.add(
                Problem(
                    f"kubeadm feature gate {name} is {when}; kubeadm {run.version} rejects it",
                    file,
                    line,
                    column,
                    dotted,
                    "gates",
                )
            )
        elif state.locked and isinstance(value, bool) and value != state.default:
            message = f"kubeadm feature gate {name} is locked to {str(state.default).lower()} in {run.version}"
            run.add(Problem(message, file, line, column, dotted, "gates"))


# --- flags ---------------------------------------------------------------------------------------------


def _flag_findings(component: str, name: str, value: str | None, version: str) -> list[tuple[str, str, str]]:
    """(message, severity, rule) for one flag of a component."""
    findings: list[tuple[str, str, str]] = []
    bare = name.removeprefix("--")
    if not bare or not re.fullmatch(r"[a-z0-9][a-z0-9.-]*", bare):
        return [(f"{name!r} is not a flag name", "error", "flags")]
    found = flag(component, bare) if component in flag_components() else None
    if component in flag_components():
        if found is None:
            if flag_list_complete(component):
                findings.append((f"--{bare} is not a {component} flag", "error", "flags"))
            else:
                findings.append((f"--{bare} is not in kgen's {component} flag list; not checked", "warning", "flags"))
        elif not knowledge.flag_exists(component, bare, version):
            release = "etcd " if component == "etcd" else ""
            if found.removed_in or found.status == "removed":
                when = f" (removed in {release}{found.removed_in})" if found.removed_in else " (removed)"
            else:
                when = f" (added in {release}{found.since})" if found.since else ""
            findings.append((f"--{bare} is not a {component} flag in Kubernetes {version}{when}", "error", "flags"))
        elif found.status == "deprecated":
            note = (found.deprecated_note or "").removeprefix("DEPRECATED:").strip()
            findings.append((f"--{bare} is deprecated" + (f" ({note})" if note else ""), "warning", "flags"))
    if bare == "feature-gates" and component in _GATED_COMPONENTS:
        findings.extend((message, "error", "gates") for message in _feature_gates_value(value or "", version))
    elif found is not None and value is not None:
        problem = _flag_value_problem(component, found.name, found.type, value)
        if problem:
            findings.append((problem, "error", "flags"))
    return findings


# How the components parse a flag's value: Go's strconv (base 0, as pflag's int flags use it),
# time.ParseDuration, and the TLS version names of kgen/data/tls-cipher-suites.json (tlsVersions).
_BOOL_WORDS = frozenset(["1", "t", "T", "TRUE", "true", "True", "0", "f", "F", "FALSE", "false", "False"])
_INTEGER_RANGES = {
    "int": (-(2**63), 2**63 - 1),
    "int64": (-(2**63), 2**63 - 1),
    "int32": (-(2**31), 2**31 - 1),
    "uint": (0, 2**64 - 1),
}
_GO_INTEGER = re.compile(r"[+-]?(?:0[xX](?:_?[0-9a-fA-F])+|0[bB](?:_?[01])+|0[oO]?(?:_?[0-7])+|[1-9](?:_?[0-9])*|0)")
_GO_DURATION = re.compile(r"[+-]?(?:0|(?:(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:ns|us|\u00b5s|\u03bcs|ms|s|m|h))+)")
_CIPHER_SUITE_NAME = re.compile(r"TLS_[A-Z0-9]+(?:_[A-Z0-9]+)+")  # the form only: names are checked by the TLS table


def _known_cipher_suites() -> dict[str, Any]:
    from kgen.knowledge._data import load

    suites: dict[str, Any] = load("tls-cipher-suites.json")["table"]["suites"]
    return suites


def tls_versions(component: str) -> list[str]:
    """The TLS version names ``component`` accepts in --tls-min-version and --tls-max-version."""
    from kgen.knowledge._data import load

    versions: dict[str, Any] = load("tls-cipher-suites.json")["table"]["tlsVersions"]
    return list(versions.get(component, versions["default"])["names"])


def _flag_value_problem(component: str, name: str, kind: str, value: str) -> str | None:
    """Why the component would refuse ``value`` for a flag of type ``kind``, or None."""
    shown = repr(value) if len(value) <= 60 else repr(value[:60] + "...")
    if name in ("tls-min-version", "tls-max-version"):
        allowed = tls_versions(component)
        if value and value not in allowed:  # empty: the component's default
            return f"{shown} is not a TLS version {component} knows ({', '.join(allowed)})"
    elif name in ("tls-cipher-suites", "cipher-suites"):
        bad = [entry for entry in value.split(",") if not _CIPHER_SUITE_NAME.fullmatch(entry.strip())]
        if bad:
            first = repr(bad[0]) if len(bad[0]) <= 60 else repr(bad[0][:60] + "...")
            return f"{first} is not a cipher suite name (IANA names such as TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256)"
        # The Kubernetes components and etcd both look names up in Go's crypto/tls tables.
        unknown = [entry.strip() for entry in value.split(",") if entry.strip() not in _known_cipher_suites()]
        if unknown:
            return f"{unknown[0]!r} is not a cipher suite {component} knows (Go crypto/tls names); it refuses to start"
    elif kind == "bool":
        if value not in _BOOL_WORDS:
            return f"{shown} is not true or false"
    elif kind in _INTEGER_RANGES:
        low, high = _INTEGER_RANGES[kind]
        if not _GO_INTEGER.fullmatch(value):
            return f"{shown} is not an integer"
        number = _go_integer(value)
        if number is None or not low <= number <= high:
            return f"{shown} is out of range for {kind} ({low} to {high})"
    elif kind in ("float", "float64"):
        try:
            float(value)
        except ValueError:
            return f"{shown} is not a number"
    elif kind == "duration" and not _GO_DURATION.fullmatch(value):
        return f"{shown} is not a duration such as 30s, 5m or 1h30m"
    return None


def _go_integer(text: str) -> int | None:
    """The value of a Go integer literal; None for one far beyond any flag's range (not converted)."""
    if len(text) > 80:
        return None
    digits = text.replace("_", "")
    sign = -1 if digits.startswith("-") else 1
    digits = digits.lstrip("+-")
    if len(digits) > 1 and digits[0] == "0" and digits[1].isdigit():
        digits = "0o" + digits[1:]  # Go reads a leading 0 as octal
    return sign * int(digits, 0)


def _feature_gates_value(text: str, version: str) -> list[str]:
    """Problems in a --feature-gates value such as ``A=true,B=false``."""
    problems: list[str] = []
    gates: dict[str, bool] = {}
    for entry in text.split(","):
        item = entry.strip()
        if not item:
            continue
        name, sep, raw = item.partition("=")
        name, raw = name.strip(), raw.strip().lower()
        if not sep or raw not in ("true", "false") or not name:
            problems.append(f"feature-gates entry {item!r} must be Name=true or Name=false")
            continue
        gates[name] = raw == "true"
    return problems + [message for _, message in gate_messages(gates, version)]


def _check_args_file(raw: bytes, file: str, component: str, run: _Run) -> None:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        run.add(Problem(f"not valid UTF-8 (byte 0x{raw[exc.start]:02x})", file, line, rule="flags"))
        return
    if component not in flag_components() and component not in _GATED_COMPONENTS:
        name = Path(file).name
        message = f"cannot tell which component reads {name} (name it <component>.args); flags not checked"
        run.add(Problem(message, file, rule="flags", severity="warning"))
        return
    run.checked += 1
    flags: list[FlagUse] = []
    for number, line_text in enumerate(text.splitlines(), start=1):
        stripped = line_text.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if "\0" in stripped:
            run.add(Problem("line contains a NUL byte", file, number, rule="flags"))
            continue
        if not stripped.startswith("--"):
            run.add(Problem("expected --flag=value (one flag per line)", file, number, rule="flags"))
            continue
        name, sep, value = stripped[2:].partition("=")
        if not sep and " " in name:
            name, _, value = name.partition(" ")
            sep = " "
        use = FlagUse(name.strip(), value.strip() if sep else None, file, number, 1, f"--{name.strip()}")
        flags.append(use)
        for message, severity, rule in _flag_findings(component, use.name, use.value, run.version):
            run.add(Problem(message, file, number, 1, use.path, rule, severity))
    if component == "kube-apiserver":
        run.apiserver_flag_sets.append(flags)


# --- conflicts ---------------------------------------------------------------------------------------


def _check_conflicts(run: _Run) -> None:
    """Flags kube-apiserver refuses to combine with each other or with its configuration files."""
    anonymous_configs = [(doc, idx) for doc, idx, data in run.authn_configs if data.get("anonymous") is not None]
    jwt_configs = [(doc, idx) for doc, idx, data in run.authn_configs if data.get("jwt")]
    for flags in run.apiserver_flag_sets:
        names = {use.name: use for use in flags}
        if "anonymous-auth" in names and anonymous_configs:
            use = names["anonymous-auth"]
            doc, _ = anonymous_configs[0]
            line = doc.where(("anonymous",))[0]
            message = (
                f"--anonymous-auth cannot be set when the AuthenticationConfiguration configures anonymous "
                f"({doc.file}:{line}); kube-apiserver refuses to start: remove the flag"
            )
            run.add(Problem(message, use.file, use.line, use.column, use.path, "conflict"))
        oidc = sorted(name for name in names if name.startswith("oidc-"))
        if oidc and (jwt_configs or "authentication-config" in names):
            use = names[oidc[0]]
            if jwt_configs:
                doc, _ = jwt_configs[0]
                line = doc.where(("jwt",))[0]
                against = f"the AuthenticationConfiguration's jwt authenticators ({doc.file}:{line})"
            else:
                against = "--authentication-config"
            message = f"--{', --'.join(oidc)} cannot be combined with {against}; move the issuer into the jwt list"
            run.add(Problem(message, use.file, use.line, use.column, use.path, "conflict"))
        if "authorization-config" in names:
            clashing = sorted(n for n in names if n == "authorization-mode" or n.startswith("authorization-webhook-"))
            if clashing:
                use = names[clashing[0]]
                message = (
                    f"--{', --'.join(clashing)} cannot be combined with --authorization-config; "
                    "describe the authorizers in the AuthorizationConfiguration instead"
                )
                run.add(Problem(message, use.file, use.line, use.column, use.path, "conflict"))


# --- paths ---------------------------------------------------------------------------------------------

_PATH_PART = re.compile(r'\.?([^.\[\]]+)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]')


def parse_path(text: str) -> KeyPath:
    """The key path a problem's dotted path names (``a.b[2].c``, ``a["x.y"]``); empty for the document."""
    parts: list[str | int] = []
    position = 0
    while position < len(text):
        match = _PATH_PART.match(text, position)
        if match is None:
            break  # an unusual path: the nearest ancestor found so far still gives a line
        name, number, quoted = match.groups()
        if number is not None:
            parts.append(int(number))
        elif quoted is not None:
            parts.append(str(json.loads(quoted)))
        else:
            parts.append(name)
        position = match.end()
    return tuple(parts)


def _format_path(path: KeyPath) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


# --- reporters ---------------------------------------------------------------------------------------


def format_text(result: CheckResult) -> str:
    lines = [problem.format() for problem in result.problems]
    verdict = "ok" if result.errors == 0 else "FAILED"
    lines.append(
        f"check-config: {verdict}: {len(result.files)} file(s) for Kubernetes {result.version}, "
        f"{result.errors} error(s), {result.warnings} warning(s)"
    )
    return "\n".join(lines) + "\n"


def format_json(result: CheckResult) -> str:
    payload = {
        "kubernetesVersion": result.version,
        "ok": result.errors == 0,
        "files": [printable(name) for name in result.files],
        "errors": result.errors,
        "warnings": result.warnings,
        "problems": [
            {
                "file": printable(p.file),
                "line": p.line,
                "column": p.column,
                "path": printable(p.path),
                "severity": p.severity,
                "rule": p.rule,
                "message": printable(p.message),
            }
            for p in result.problems
        ],
    }
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"
