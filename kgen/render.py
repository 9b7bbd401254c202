"""The render pipeline: profile -> plan -> target files -> self-check.

Nothing leaves this module unchecked: every YAML document is parsed back and compared with the
data it was rendered from, every configuration document is validated against the schema derived
from its upstream Go type, and every flag is checked against the component's flag list for the
version. A failure here is a bug in kgen, reported with the file, the document and the path.
"""

import functools
from collections.abc import Mapping
from typing import Any, NamedTuple

from kgen import knowledge
from kgen.errors import InternalError, KgenError, Problem
from kgen.honoured import honoured_plan
from kgen.plan import Note, Plan
from kgen.profile import Profile
from kgen.targets import TARGETS, renderer
from kgen.targets.common import OutputFile
from kgen.validation import gate_problems, validate_config_document


class RenderedFile(NamedTuple):
    """A file ready to write, relative to the output root."""

    path: str
    content: str
    executable: bool = False


class RenderResult(NamedTuple):
    profile: Profile
    plan: Plan
    files: list[RenderedFile]


def check_targets(targets: list[str]) -> list[str]:
    unknown = [t for t in targets if t not in TARGETS]
    if unknown:
        import difflib

        problems = []
        for name in unknown:
            close = difflib.get_close_matches(name, TARGETS, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            problems.append(Problem(f"unknown target {name!r}{hint} (targets: {', '.join(TARGETS)})"))
        raise KgenError(problems=problems)
    return list(dict.fromkeys(targets))


def render_profile(profile: Profile, targets: list[str] | None = None) -> RenderResult:
    chosen = check_targets(targets or list(profile.data["targets"]))
    plan = honoured_plan(profile)
    plan.notes.extend(Note(warning.message, warning.path) for warning in profile.warnings)
    files: list[RenderedFile] = []
    for target in chosen:
        for output in renderer(target)(plan):
            self_check(output, plan, target)
            files.append(RenderedFile(f"{profile.name}/{target}/{output.path}", output.content, output.executable))
    return RenderResult(profile, plan, files)


# --- self-check ------------------------------------------------------------------------------------


@functools.cache
def _loader() -> Any:
    import yaml

    base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class Loader(base):  # type: ignore[misc]
        pass

    Loader.add_constructor("!unsafe", lambda loader, node: loader.construct_scalar(node))
    return Loader


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, str):
        return str(value)
    return value


def self_check(output: OutputFile, plan: Plan, target: str) -> None:
    """Parse back and validate one output file; raise InternalError naming what is wrong."""
    for text, document, references in output.embedded:
        _check_embedded(output, target, plan, text, document, references)
    if not output.documents:
        if output.path.endswith(".args"):
            _check_flags(output, plan, target)
        return
    body = _without_leading_comments(output.content)
    parsed = _parsed(body)
    expected = [_plain(doc) for doc in output.documents]
    if parsed != expected:
        raise InternalError(f"{target}/{output.path}: rendered YAML does not parse back to the data it was rendered from")
    _validated(body, plan.version, f"{target}/{output.path}")
    if output.schema or output.nested:
        _check_installer(output, parsed, plan.version, f"{target}/{output.path}")


def _check_embedded(output: OutputFile, target: str, plan: Plan, text: str, document: Any, references: Mapping[str, str]) -> None:
    """YAML inside an install script: present as rendered, parses back to its data, and valid."""
    name = f"{target}/{output.path}"
    if text not in output.content:
        raise InternalError(f"{name}: the embedded configuration is not in the file as rendered")
    from kgen.targets.embedded import check_heredoc

    check_heredoc(name, text, references)
    for reference, placeholder in references.items():
        text = text.replace(reference, placeholder)
    if _parsed(text) != [_plain(document)]:
        raise InternalError(f"{name}: the embedded YAML does not parse back to the data it was rendered from")
    _validated(text, plan.version, name)


def _without_leading_comments(content: str) -> str:
    """The text after the opening comment lines (the per-profile header), which YAML ignores."""
    start = 0
    while content.startswith("#", start):
        end = content.find("\n", start)
        if end < 0:
            return ""
        start = end + 1
    return content[start:]


# A fleet renders the same text many times (same base profile and version; the names differ only
# in the header), and parsing and validating are pure functions of the text and the version, so
# each distinct text is checked once per process. A failure raises and is not cached.
@functools.lru_cache(maxsize=512)
def _parsed(body: str) -> list[Any]:
    import yaml

    return [doc for doc in yaml.load_all(body, Loader=_loader()) if doc is not None]


@functools.lru_cache(maxsize=512)
def _validated(body: str, version: str, file: str) -> None:
    problems = []
    for index, document in enumerate(_parsed(body)):
        problems.extend(validate_config_document(document, version, file, index))
    if problems:
        raise InternalError("rendered output fails its own validation:\n" + "\n".join(p.format() for p in problems))


def _check_installer(output: OutputFile, parsed: list[Any], version: str, file: str) -> None:
    """Documents against the installer's own schema; configuration documents carried inside their values."""
    from kgen.schemacheck import validate_against

    problems: list[Problem] = []
    if output.schema:
        for index, document in enumerate(parsed):
            for found in validate_against(document, output.schema):
                problems.append(Problem(f"document {index + 1}: {found.message}", file, path=found.path, rule="schema"))
    for index, nested in enumerate(output.nested):
        document = _parsed(nested)[0] if isinstance(nested, str) else nested
        problems.extend(validate_config_document(document, version, file, index))
    if problems:
        raise InternalError("rendered output fails its own validation:\n" + "\n".join(p.format() for p in problems))


def _check_flags(output: OutputFile, plan: Plan, target: str) -> None:
    from kgen.knowledge.flags import flag_components

    component = output.path.removesuffix(".args")
    if component not in flag_components():
        return  # no flag list for this component: nothing to check against
    problems = []
    for line in output.content.splitlines():
        if not line.startswith("--"):
            continue
        name, _, value = line[2:].partition("=")
        if not knowledge.flag_exists(component, name, plan.version):
            problems.append(
                Problem(
                    f"--{name} is not a {component} flag in Kubernetes {plan.version}", f"{target}/{output.path}", rule="flags"
                )
            )
        if name == "feature-gates":
            gates = dict(item.split("=", 1) for item in value.split(","))
            problems.extend(
                gate_problems(
                    {k: v == "true" for k, v in gates.items()}, plan.version, f"{target}/{output.path}", "--feature-gates"
                )
            )
    if problems:
        raise InternalError("rendered output fails its own validation:\n" + "\n".join(p.format() for p in problems))
