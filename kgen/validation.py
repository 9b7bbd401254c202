"""Checks of one configuration document against the upstream types and the version rules.

Shared by the render pipeline's self-check and by check-config; it needs no templates or plan, so
check-config can use it without loading the renderer.
"""

from __future__ import annotations

from typing import Any

from kgen import knowledge
from kgen.errors import KgenError, Problem


def validate_config_document(document: Any, version: str, file: str, index: int = 0) -> list[Problem]:
    """Schema and version checks for one configuration document (also used by check-config)."""
    from kgen.schemacheck import schema_for, validate_document

    if not isinstance(document, dict) or "apiVersion" not in document or "kind" not in document:
        return []
    api_version, kind = str(document["apiVersion"]), str(document["kind"])
    problems: list[Problem] = []
    label = f"document {index + 1} ({kind})"
    if schema_for(api_version, kind) is not None:
        for problem in validate_document(document):
            problems.append(Problem(f"{label}: {problem.message}", file, path=problem.path, rule="schema"))
    try:
        wanted = knowledge.api_version(kind, version)
    except (KgenError, KeyError):
        wanted = None
    if wanted and wanted != api_version:
        problems.append(
            Problem(
                f"{label}: for Kubernetes {version} write {kind} as {wanted} (found {api_version})",
                file,
                path="apiVersion",
                rule="version",
            )
        )
    if kind == "AdmissionConfiguration":
        for position, plugin in enumerate(document.get("plugins") or []):
            inner = plugin.get("configuration") if isinstance(plugin, dict) else None
            for inner_problem in validate_config_document(inner, version, file, index):
                inner_path = f"plugins[{position}].configuration.{inner_problem.path}".rstrip(".")
                problems.append(Problem(inner_problem.message, file, path=inner_path, rule=inner_problem.rule))
    for path, _value in _field_paths(document):
        if not knowledge.field_exists(kind, path, version):
            since = knowledge.field_since(kind, path)
            problems.append(
                Problem(f"{label}: field {path} does not exist before Kubernetes {since}", file, path=path, rule="version")
            )
    gates = document.get("featureGates") if kind in ("KubeletConfiguration", "KubeProxyConfiguration") else None
    if isinstance(gates, dict):
        problems.extend(gate_problems(gates, version, file, "featureGates"))
    return problems


def _field_paths(document: dict[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    paths = []
    for key, value in document.items():
        path = f"{prefix}{key}"
        paths.append((path, value))
        if isinstance(value, dict) and key != "featureGates":
            paths.extend(_field_paths(value, path + "."))
    return paths


def gate_messages(gates: dict[str, Any], version: str) -> list[tuple[str, str]]:
    """(gate, message) for each unknown, removed or locked-against-its-default gate among ``gates``."""
    found_problems: list[tuple[str, str]] = []
    for name, value in gates.items():
        found = knowledge.gate(str(name))
        if found is None:
            close = knowledge.nearest_gate_names(str(name))
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            found_problems.append((str(name), f"unknown feature gate {name}{hint}"))
            continue
        state = found.state(version)
        if state is None:
            when = f"removed in {found.removed_in}" if found.removed_in else "not available"
            found_problems.append((str(name), f"feature gate {name} is {when}; Kubernetes {version} refuses to start with it"))
        elif state.locked and isinstance(value, bool) and value != state.default:
            found_problems.append((str(name), f"feature gate {name} is locked to {str(state.default).lower()} in {version}"))
    return found_problems


def gate_problems(gates: dict[str, Any], version: str, file: str, path: str) -> list[Problem]:
    return [Problem(message, file, path=f"{path}.{name}", rule="gates") for name, message in gate_messages(gates, version)]
