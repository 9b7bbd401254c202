"""`kgen import`: the smallest profile that reproduces an existing cluster's configuration.

What was found (a node below a root, or kubeadm configuration files, static Pod manifests and
KubeletConfiguration files) is compared with what candidate profiles render, using the same
comparison as ``kgen verify``. The closest bundled profile becomes the parent; then, one knob at a
time, each finding's profile key (every setting knows the knob it comes from) is tried at the
values the profile format allows and at the value found, and a change is kept when it leaves
fewer findings. What no knob can reproduce is written at the end of the profile as comments and
reported, never dropped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from kgen import yamlout
from kgen.errors import KgenError, Problem, UsageError
from kgen.nodefs import NodeTree, load_yaml
from kgen.nodestate import ComponentState, NodeState, parse_args
from kgen.plan.model import put_nested
from kgen.profile import ProfileLoader
from kgen.profile_schema import rule_at
from kgen.targets import kubeadm_extra_args, kubeadm_kubelet_extra_args
from kgen.verify import Finding, VerifyResult, verify

if TYPE_CHECKING:
    from kgen.profile import Profile

PARENTS = ("baseline", "cis", "strict")
MAX_ROUNDS = 4
_RELEASE = re.compile(r"(?:stable-)?v?(1\.[0-9]{1,2})(\.[0-9]+)?")


class Found(NamedTuple):
    state: NodeState
    tree: NodeTree | None  # None when only configuration files were given: node files cannot be compared
    version: str | None  # the Kubernetes minor the inputs name, if any


class ImportResult(NamedTuple):
    text: str  # the profile file
    parent: str
    version: str
    overrides: dict[str, Any]
    unexpressed: list[Finding]
    parent_scores: dict[str, tuple[int, int]]  # parent -> (findings, -settings found as rendered)


# ---- reading what exists ----------------------------------------------------------------------


def found_on_node(root: Path) -> Found:
    from kgen.nodestate import read_node

    tree = NodeTree(root)
    state = read_node(tree)
    return Found(state, tree, _version_from_images(tree))


def _version_from_images(tree: NodeTree) -> str | None:
    text = tree.read("/etc/kubernetes/manifests/kube-apiserver.yaml")
    if not hasattr(text, "text"):
        return None
    match = re.search(r"image:\s*\S*kube-apiserver:(v[0-9.]+)", getattr(text, "text", ""))
    return _minor(match.group(1)) if match else None


def _version_from_image(pod: dict[str, Any]) -> str | None:
    containers = pod["spec"]["containers"]  # container_words checked that this is a non-empty list
    image = str(containers[0].get("image", "")) if isinstance(containers[0], dict) else ""
    return _minor(image.rpartition(":")[2]) if ":" in image else None


def _minor(release: str) -> str | None:
    match = _RELEASE.fullmatch(release.strip())
    return match.group(1) if match else None


def found_in_files(paths: list[Path]) -> Found:
    """kubeadm configuration (v1beta3 or v1beta4), static Pod manifests and KubeletConfiguration files."""
    from kgen.nodestate import container_words
    from kgen.yamlload import read_file

    state = NodeState()
    version: str | None = None
    kubelet_flags: dict[str, list[Any]] = {}
    problems: list[Problem] = []
    kubelet_place, kubelet_kinds = kubeadm_kubelet_extra_args()
    for path in paths:
        text = read_file(path, str(path)).decode("utf-8", errors="replace") if path.is_file() else None
        if text is None:
            message = "is a directory; to read a node below it, use --root" if path.is_dir() else "not a readable regular file"
            problems.append(Problem(message, str(path), rule="import"))
            continue
        documents = load_yaml(text)
        if isinstance(documents, str):
            problems.append(Problem(documents, str(path), rule="import"))
            continue
        recognised = False
        for document in documents:
            if not isinstance(document, dict):
                continue
            kind = document.get("kind")
            if kind == "ClusterConfiguration":
                recognised = True
                version = version or _minor(str(document.get("kubernetesVersion", "")))
                for component, place in kubeadm_extra_args().items():  # the places the kubeadm target writes
                    node: Any = document
                    for key in place:
                        node = node.get(key) if isinstance(node, dict) else None
                    args = _extra_args(node)
                    if args:
                        flags = parse_args([f"--{name}={value}" for name, value in args], str(path), component)
                        state.components[component] = ComponentState(component, str(path), flags)
            elif kind in kubelet_kinds:
                recognised = True
                node = document
                for key in kubelet_place:
                    node = node.get(key) if isinstance(node, dict) else None
                args = _extra_args(node)
                for name, values in parse_args([f"--{n}={v}" for n, v in args], str(path), "kubelet").items():
                    kubelet_flags.setdefault(name, []).extend(values)
            elif kind == "KubeletConfiguration":
                recognised = True
                config = {k: v for k, v in document.items() if k not in ("apiVersion", "kind")}
                state.kubelet_config = config
                state.kubelet_config_sources = dict.fromkeys(config, str(path))
            elif kind == "Pod":
                recognised = True
                pod_name = str((document.get("metadata") or {}).get("name", ""))
                pod_component = next((c for c in kubeadm_extra_args() if pod_name.startswith(c)), None)
                if pod_component is None:
                    problems.append(Problem("not a control-plane static Pod kgen knows", str(path), rule="import"))
                    continue
                words = container_words([document], pod_component)
                if isinstance(words, str):
                    problems.append(Problem(words, str(path), rule="import"))
                    continue
                state.components[pod_component] = ComponentState(
                    pod_component, str(path), parse_args(words, str(path), pod_component)
                )
                version = version or _version_from_image(document)
        if not recognised:
            problems.append(Problem("holds no kubeadm, kubelet or static Pod document", str(path), rule="import"))
    if problems:
        raise KgenError(problems=problems)
    if state.kubelet_config is not None or kubelet_flags:
        # kubeadm's kubelet drop-in gives these on every kubeadm node; the configuration files do not say them.
        from kgen.nodestate import FlagValue, node_checks

        dropin = node_checks()["kubelet"]["kubeadmDropInFlags"]
        for flag_name, value in dropin.items():
            kubelet_flags.setdefault(flag_name, [FlagValue(value, "kubeadm's kubelet drop-in (10-kubeadm.conf)")])
        state.components["kubelet"] = ComponentState("kubelet", "", kubelet_flags)
        state.kubelet_config = state.kubelet_config or {}
    return Found(state, None, version)


def _extra_args(value: Any) -> list[tuple[str, str]]:
    """kubeadm extraArgs in v1beta3's map form or v1beta4's list form."""
    if isinstance(value, dict):
        return [(str(k), str(v)) for k, v in value.items()]
    if isinstance(value, list):
        return [(str(item.get("name")), str(item.get("value", ""))) for item in value if isinstance(item, dict)]
    return []


# ---- searching for the profile ----------------------------------------------------------------


class _Search:
    """Candidate profiles, loaded from memory: import writes nothing but the profile it was asked for."""

    def __init__(self, found: Found, version: str) -> None:
        self.found = found
        self.version = version
        self.loader = _MemoryLoader()

    def profile(self, parent: str, overrides: dict[str, Any]) -> Profile | None:
        """The candidate profile, or None when the profile format refuses it."""
        document = {"name": "imported", "extends": parent, "kubernetesVersion": self.version, **_nested(overrides)}
        try:
            return self.loader.load(self.loader.add(yamlout.dump(document)))
        except KgenError:
            return None

    def result(self, parent: str, overrides: dict[str, Any]) -> VerifyResult | None:
        from kgen.plan import build_plan

        profile = self.profile(parent, overrides)
        if profile is None:
            return None
        try:
            plan = build_plan(profile)
        except KgenError:
            return None
        tree = self.found.tree or NodeTree(_MemoryLoader.FOLDER)  # not read: check_files is off without a node
        return verify(plan, tree, self.found.state, check_files=self.found.tree is not None)


def _problems(result: VerifyResult) -> int:
    return sum(1 for finding in result.findings if finding.status not in ("ok", "unreadable"))


class _MemoryLoader(ProfileLoader):
    """A ProfileLoader whose candidate documents live in memory under a folder that does not exist."""

    FOLDER = Path("/nonexistent/kgen-import-candidates")

    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def add(self, text: str) -> str:
        from kgen.yamlload import parse_mapping

        self.count += 1
        path = self.FOLDER / f"candidate-{self.count}.yaml"
        self._documents[path] = parse_mapping(text, path.name, what="profile")
        return str(path)

    def locate(self, reference: str, *, relative_to: Path | None = None, allowed: list[Path] | None = None) -> Path:
        if Path(reference) in self._documents:
            return Path(reference)
        return super().locate(reference, relative_to=relative_to, allowed=allowed)


def _score(result: VerifyResult) -> tuple[int, int]:
    """Lower is closer: fewer findings first, then more settings found as rendered.

    Verify is silent about hardening a node has beyond what a profile sets, so a strict node shows no
    findings against cis either; the second term makes strict, which reproduces more of it, win.
    """
    return _problems(result), -result.count("ok")


def _nested(flat: dict[str, Any]) -> dict[str, Any]:
    tree: dict[str, Any] = {}
    for dotted, value in sorted(flat.items()):
        put_nested(tree, dotted.split("."), value)
    return tree


def _knobs(origin: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """The scalar knobs behind a setting's profile key (the key itself, or a section's scalars)."""
    for part in [p.strip() for p in re.split(r"[,+]| and ", origin) if p.strip()]:
        rule = rule_at(part)
        if rule is None:
            continue
        if rule.get("type") == "dict" and isinstance(rule.get("schema"), dict):
            for key, child in rule["schema"].items():
                if child.get("type") in ("boolean", "string", "integer"):
                    yield f"{part}.{key}", child
        elif rule.get("type") in ("boolean", "string", "integer"):
            yield part, rule


def _candidates(rule: dict[str, Any], finding: Finding) -> list[Any]:
    kind = rule.get("type")
    values: list[Any] = []
    if kind == "boolean":
        values = [True, False]
    elif "allowed" in rule:
        values = list(rule["allowed"])
    found = finding.found.split(" (")[0].strip()
    if kind == "integer" and re.fullmatch(r"-?[0-9]+", found):
        values.append(int(found))
    elif kind == "string" and found and "allowed" not in rule:
        values.append(found)
    return values


def import_profile(found: Found, name: str, parent: str | None, version: str | None) -> ImportResult:
    from kgen.knowledge import DEFAULT_VERSION, check_version

    chosen_version = check_version(version or found.version or DEFAULT_VERSION)
    search = _Search(found, chosen_version)
    scores: dict[str, tuple[int, int]] = {}
    for candidate in [parent] if parent else PARENTS:
        result = search.result(candidate, {})
        if result is None:
            raise KgenError(problems=[Problem(f"profile {candidate!r} does not load for {chosen_version}", "--extends")])
        scores[candidate] = _score(result)
    best_parent = min(scores, key=lambda p: (scores[p], PARENTS.index(p) if p in PARENTS else 0))
    overrides: dict[str, Any] = {}
    best = search.result(best_parent, overrides)
    assert best is not None
    for _ in range(MAX_ROUNDS):
        improved = False
        for finding in [f for f in best.findings if f.status not in ("ok", "unreadable") and f.origin]:
            for knob, rule in _knobs(finding.origin):
                for value in _candidates(rule, finding):
                    if overrides.get(knob, _missing) == value:
                        continue
                    trial = {**overrides, knob: value}
                    result = search.result(best_parent, trial)
                    if result is not None and _score(result) < _score(best):
                        overrides, best, improved = trial, result, True
        if not improved:
            break
    overrides = _without_redundant(search, best_parent, overrides, best)
    final = search.result(best_parent, overrides)
    assert final is not None
    unexpressed = [f for f in final.findings if f.status not in ("ok",)]
    text = _profile_text(name, best_parent, chosen_version, overrides, unexpressed, found)
    return ImportResult(text, best_parent, chosen_version, overrides, unexpressed, scores)


_missing = object()


def _without_redundant(search: _Search, parent: str, overrides: dict[str, Any], best: VerifyResult) -> dict[str, Any]:
    """Drop each override whose removal leaves the findings as few: the smallest profile wins."""
    kept = dict(overrides)
    for knob in sorted(overrides):
        trial = {k: v for k, v in kept.items() if k != knob}
        result = search.result(parent, trial)
        if result is not None and _score(result) <= _score(best):
            kept = trial
    return kept


def _profile_text(
    name: str, parent: str, version: str, overrides: dict[str, Any], unexpressed: list[Finding], found: Found
) -> str:
    from kgen.targets.common import render_template

    document = {"name": name, "extends": parent, "kubernetesVersion": version, **_nested(overrides)}
    lines = []
    for finding in unexpressed:
        text = f"{finding.component} {finding.setting}: {finding.status}"
        if finding.status in ("drift", "extra"):
            text += f"; found {finding.found}, {parent} renders {finding.expected}"
        elif finding.status == "missing":
            text += f"; {parent} renders {finding.expected}, not found"
        else:
            text += f"; {finding.found}"
        lines.append(" ".join(text.split()))
    return render_template(
        "import/profile.yaml.j2",
        body=yamlout.dump(document),
        unexpressed=lines,
        compared_files=found.tree is not None,
    )


def import_report(root: str | None, files: list[Path], parent: str | None, version: str | None, output: Path, force: bool) -> str:
    """Import, write the profile (refusing to overwrite unless ``force``), and say what was not expressed."""
    from kgen.profile_schema import NAME_PATTERN
    from kgen.starter import write_new_file

    if (root is None) == (not files):
        raise UsageError(problems=[Problem("give either --root DIR or configuration FILE arguments", "import", rule="usage")])
    if root is not None:
        if not root or not Path(root).is_dir():
            raise KgenError(problems=[Problem("not a directory", root or "--root", rule="usage")])
        found = found_on_node(Path(root))
    else:
        found = found_in_files(files)
    stem = output.stem.lower()
    name = stem if re.fullmatch(NAME_PATTERN.removesuffix("$"), stem) and len(stem) <= 63 else "imported"
    result = import_profile(found, name, parent, version)
    write_new_file(output, result.text, force=force)
    tied = [p for p, n in result.parent_scores.items() if n == result.parent_scores[result.parent] and p != result.parent]
    lines = [
        f"wrote {output}: extends {result.parent} (findings against each bundled profile: "
        + ", ".join(f"{p} {n}" for p, (n, _) in result.parent_scores.items())
        + f"), {len(result.overrides)} setting(s) of its own, Kubernetes {result.version}",
    ]
    if tied:
        lines.append(f"note: {', '.join(tied)} fit(s) as well; the first in the list was taken (choose with --extends)")
    if version is None and found.version is None:
        lines.append(f"note: the inputs name no Kubernetes version; {result.version} was assumed (choose with -k)")
    if result.unexpressed:
        lines.append(f"not expressible in a profile ({len(result.unexpressed)}), listed at the end of {output}:")
        lines.extend(f"  {finding.component} {finding.setting}: {finding.status}" for finding in result.unexpressed)
    return "\n".join(lines)
