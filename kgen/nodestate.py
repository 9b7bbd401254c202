"""What a node actually runs: each component's flags, the kubelet's effective configuration, and
the files the flags point at, read from a kubeadm-style node (see kgen/data/node-checks.json).

Each value remembers the file it came from, so a finding can say where to look. Nothing here judges
the values; ``kgen.verify`` compares them with a profile and ``kgen.importer`` turns them into one.
"""

from __future__ import annotations

import re
import shlex
from typing import Any, NamedTuple

from kgen.nodefs import NodeText, NodeTree, ReadProblem, load_yaml


class FlagValue(NamedTuple):
    value: str
    source: str  # node file the flag was read from


class NodeProblem(NamedTuple):
    component: str
    node_path: str
    message: str


class ComponentState(NamedTuple):
    name: str
    source: str  # where the command line was read
    flags: dict[str, list[FlagValue]]  # every occurrence, in command-line order: the last one wins


class NodeState:
    """Everything read from one node."""

    def __init__(self) -> None:
        self.components: dict[str, ComponentState] = {}
        self.kubelet_config: dict[str, Any] | None = None
        self.kubelet_config_sources: dict[str, str] = {}  # dotted field -> node file that set it last
        self.problems: list[NodeProblem] = []
        self.files: dict[str, Any] = {}  # node path -> parsed documents (list) of files read on request

    @property
    def is_control_plane(self) -> bool:
        return any(name != "kubelet" for name in self.components)

    def flag(self, component: str, name: str) -> FlagValue | None:
        state = self.components.get(component)
        if state is None or name not in state.flags:
            return None
        return state.flags[name][-1]


def node_checks() -> dict[str, Any]:
    from kgen.knowledge._data import load

    table: dict[str, Any] = load("node-checks.json")["table"]
    return table


def parse_args(words: list[str], source: str) -> dict[str, list[FlagValue]]:
    """``--name=value`` and ``--name value`` words (pflag's forms); a bare ``--name`` is ``true``."""
    return parse_words([(word, source) for word in words])


def parse_words(words: list[tuple[str, str]]) -> dict[str, list[FlagValue]]:
    """Like ``parse_args`` for words that each remember the file they came from."""
    flags: dict[str, list[FlagValue]] = {}
    index = 0
    while index < len(words):
        word, source = words[index]
        index += 1
        if not word.startswith("--") or word == "--":
            continue
        name, has_value, value = word[2:].partition("=")
        if not has_value:
            following = words[index][0] if index < len(words) else None
            if following is not None and not following.startswith("-"):
                value = following
                index += 1
            else:
                value = "true"
        flags.setdefault(name, []).append(FlagValue(value, source))
    return flags


def _merge_flags(into: dict[str, list[FlagValue]], more: dict[str, list[FlagValue]]) -> None:
    for name, values in more.items():
        into.setdefault(name, []).extend(values)


def read_node(tree: NodeTree) -> NodeState:
    state = NodeState()
    checks = node_checks()
    _read_static_pods(tree, state, checks["staticPods"])
    _read_kubelet(tree, state, checks["kubelet"])
    return state


def _read_static_pods(tree: NodeTree, state: NodeState, layout: dict[str, Any]) -> None:
    for component, name in layout["components"].items():
        path = f"{layout['directory']}/{name}"
        found = tree.read(path)
        if isinstance(found, ReadProblem):
            if found.message != "not found":
                state.problems.append(NodeProblem(component, path, found.message))
            continue
        documents = load_yaml(found.text)
        if isinstance(documents, str):
            state.problems.append(NodeProblem(component, path, documents))
            continue
        words = _container_words(documents, component)
        if isinstance(words, str):
            state.problems.append(NodeProblem(component, path, words))
            continue
        state.components[component] = ComponentState(component, path, parse_args(words, path))


def _container_words(documents: list[Any], component: str) -> list[str] | str:
    """The command and args of the component's container in a static Pod manifest."""
    pods = [doc for doc in documents if isinstance(doc, dict) and doc.get("kind") == "Pod"]
    if len(pods) != 1:
        return "not a static Pod manifest (expected one document of kind Pod)"
    containers = (pods[0].get("spec") or {}).get("containers")
    if not isinstance(containers, list) or not containers:
        return "the Pod has no containers"
    chosen = next((c for c in containers if isinstance(c, dict) and c.get("name") == component), containers[0])
    if not isinstance(chosen, dict):
        return "the Pod's container is not a mapping"
    words: list[str] = []
    for key in ("command", "args"):  # Kubernetes runs command followed by args
        part = chosen.get(key) or []
        if not isinstance(part, list) or not all(isinstance(word, str | int | float | bool) for word in part):
            return f"the container's {key} is not a list of strings"
        words.extend(str(word) for word in part)
    return words


# ---- the kubelet ------------------------------------------------------------------------------

_ENV_ASSIGNMENT = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)=(.*)$")
_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)")


def _environment_file(text: str) -> dict[str, str]:
    """KEY=value lines as systemd's EnvironmentFile= reads them (quotes removed, comments skipped)."""
    values: dict[str, str] = {}
    for line in text.splitlines():
        if line.lstrip().startswith(("#", ";")):
            continue
        match = _ENV_ASSIGNMENT.match(line)
        if match:
            try:
                words = shlex.split(match.group(2))
            except ValueError:
                words = [match.group(2)]
            values[match.group(1)] = " ".join(words)
    return values


class _Unit:
    """The parts of kubelet.service and its drop-ins that decide the kubelet's command line."""

    def __init__(self) -> None:
        self.exec_start: str | None = None
        self.exec_source = ""
        self.environment: dict[str, str] = {}
        self.origins: dict[str, str] = {}  # variable -> the file that set it last
        self.environment_files: list[tuple[str, bool]] = []  # (node path, optional)
        self.sources: list[str] = []

    def read(self, text: str, source: str) -> None:
        self.sources.append(source)
        section = ""
        for raw in _joined_lines(text):
            line = raw.strip()
            if not line or line.startswith(("#", ";")):
                continue
            if line.startswith("["):
                section = line
                continue
            if section != "[Service]":
                continue
            key, _, value = line.partition("=")
            key = key.strip()
            value = value.strip()
            if key == "ExecStart":
                self.exec_start = value or None  # an empty ExecStart= clears the ones before it
                self.exec_source = source
            elif key == "Environment":
                try:
                    assignments = shlex.split(value)
                except ValueError:
                    continue
                for assignment in assignments:
                    name, sep, text_value = assignment.partition("=")
                    if sep:
                        self.environment[name] = text_value
                        self.origins[name] = source
            elif key == "EnvironmentFile":
                optional = value.startswith("-")
                self.environment_files.append((value.lstrip("-"), optional))


def _joined_lines(text: str) -> list[str]:
    """Unit file lines with backslash continuations joined, as systemd reads them."""
    lines: list[str] = []
    pending = ""
    for line in text.splitlines():
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        lines.append(pending + line)
        pending = ""
    if pending:
        lines.append(pending)
    return lines


def _read_kubelet(tree: NodeTree, state: NodeState, layout: dict[str, Any]) -> None:
    unit = _Unit()
    for path in layout["units"]:
        found = tree.read(path)
        if isinstance(found, NodeText):
            unit.read(found.text, path)
        elif found.message != "not found":
            state.problems.append(NodeProblem("kubelet", path, found.message))
    drop_ins: dict[str, str] = {}  # systemd: a drop-in of the same name in a later directory replaces earlier ones
    for directory in layout["dropInDirectories"]:
        names = tree.list_dir(directory)
        if isinstance(names, ReadProblem):
            state.problems.append(NodeProblem("kubelet", directory, names.message))
            continue
        for name in names:
            if name.endswith(".conf"):
                drop_ins[name] = f"{directory}/{name}"
    for name in sorted(drop_ins):
        found = tree.read(drop_ins[name])
        if isinstance(found, NodeText):
            unit.read(found.text, drop_ins[name])
        else:
            state.problems.append(NodeProblem("kubelet", drop_ins[name], found.message))

    environment = dict(unit.environment)
    origins = dict(unit.origins)
    files = unit.environment_files or [(path, True) for path in layout["environmentFiles"]]
    for path, optional in files:
        found = tree.read(path)
        if isinstance(found, NodeText):
            values = _environment_file(found.text)
            environment.update(values)
            origins.update(dict.fromkeys(values, path))
            unit.sources.append(path)
        elif not (optional and found.message == "not found"):
            state.problems.append(NodeProblem("kubelet", path, found.message))

    flags: dict[str, list[FlagValue]] = {}
    if unit.exec_start is not None:
        _exec_start_flags(unit.exec_start, unit.exec_source, environment, origins, flags, state)
        source = ", ".join(unit.sources)
    else:
        # No unit: the kubeadm environment files alone, in the order the kubeadm drop-in lists them.
        for name in ("KUBELET_KUBECONFIG_ARGS", "KUBELET_CONFIG_ARGS", "KUBELET_KUBEADM_ARGS", "KUBELET_EXTRA_ARGS"):
            _variable_flags(name, environment, origins, flags, state)
        source = ", ".join(unit.sources) or "(no kubelet unit or environment file)"
    config_path = flags["config"][-1].value if "config" in flags else None
    if config_path is None and not unit.sources and not tree.exists(layout["defaultConfig"]):
        return  # no kubelet on this node at all
    state.components["kubelet"] = ComponentState("kubelet", source, flags)
    _read_kubelet_config(tree, state, config_path or layout["defaultConfig"], flags)


def _variable_flags(
    name: str, environment: dict[str, str], origins: dict[str, str], flags: dict[str, list[FlagValue]], state: NodeState
) -> None:
    try:
        words = shlex.split(environment.get(name, ""))
    except ValueError:
        state.problems.append(NodeProblem("kubelet", origins.get(name, name), f"{name} cannot be split into words"))
        return
    _merge_flags(flags, parse_args(words, origins.get(name, "")))


def _exec_start_flags(
    command: str,
    source: str,
    environment: dict[str, str],
    origins: dict[str, str],
    flags: dict[str, list[FlagValue]],
    state: NodeState,
) -> None:
    """ExecStart= as systemd expands it: a lone $VAR splits into words, ${VAR} inside a word does not.

    Each flag remembers the file that supplied it: the unit for words written in ExecStart=, the
    environment file or drop-in for words that came from a variable.
    """
    try:
        tokens = shlex.split(command)
    except ValueError:
        state.problems.append(NodeProblem("kubelet", source, "ExecStart= cannot be split into words"))
        return
    words: list[tuple[str, str]] = []
    for token in tokens[1:]:  # tokens[0] is the kubelet binary
        lone = _VARIABLE.fullmatch(token)
        if lone and not token.startswith("${"):
            name = lone.group(2)
            try:
                words.extend((word, origins.get(name, source)) for word in shlex.split(environment.get(name, "")))
            except ValueError:
                state.problems.append(NodeProblem("kubelet", origins.get(name, source), f"{name} cannot be split into words"))
            continue
        words.append((_VARIABLE.sub(lambda m: environment.get(m.group(1) or m.group(2), ""), token), source))
    _merge_flags(flags, parse_words(words))


def _read_kubelet_config(tree: NodeTree, state: NodeState, path: str, flags: dict[str, list[FlagValue]]) -> None:
    config: dict[str, Any] = {}
    sources: dict[str, str] = {}
    document = _kubelet_document(tree, state, path)
    if document is not None:
        _overlay(config, document, (), path, sources)
    if "config-dir" in flags:  # KEP-3983: *.conf drop-ins, in lexical order, each overriding the ones before
        directory = flags["config-dir"][-1].value
        names = tree.list_dir(directory)
        if isinstance(names, ReadProblem):
            state.problems.append(NodeProblem("kubelet", directory, names.message))
        else:
            for name in names:
                if name.endswith(".conf"):
                    drop_in = _kubelet_document(tree, state, f"{directory}/{name}")
                    if drop_in is not None:
                        _overlay(config, drop_in, (), f"{directory}/{name}", sources)
    state.kubelet_config = config
    state.kubelet_config_sources = sources


def _kubelet_document(tree: NodeTree, state: NodeState, path: str) -> dict[str, Any] | None:
    found = tree.read(path)
    if isinstance(found, ReadProblem):
        state.problems.append(NodeProblem("kubelet", path, found.message))
        return None
    documents = load_yaml(found.text)
    if isinstance(documents, str):
        state.problems.append(NodeProblem("kubelet", path, documents))
        return None
    kinds = [doc for doc in documents if isinstance(doc, dict) and doc.get("kind") == "KubeletConfiguration"]
    if len(kinds) != 1:
        state.problems.append(NodeProblem("kubelet", path, "expected one KubeletConfiguration document"))
        return None
    return kinds[0]


def _overlay(into: dict[str, Any], layer: dict[str, Any], path: tuple[str, ...], source: str, sources: dict[str, str]) -> None:
    """Merge a configuration layer: mappings field by field, anything else replaced whole."""
    for key, value in layer.items():
        if not isinstance(key, str) or (not path and key in ("apiVersion", "kind")):
            continue
        dotted = ".".join((*path, key))
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _overlay(into[key], value, (*path, key), source, sources)
        else:
            into[key] = value
            sources[dotted] = source
            for other in [name for name in sources if name.startswith(dotted + ".")]:
                sources[other] = source
