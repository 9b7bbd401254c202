"""`kgen init`: a starter profile that extends a bundled one and shows the knobs people change first.

The knobs are shown commented out, each with the value the parent profile gives it (what the new
profile gets while the line stays a comment) and the first sentence of its description from the
profile schema. The file validates and renders as written.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, NamedTuple

from kgen import yamlout
from kgen.errors import KgenError, Problem, UsageError
from kgen.plan.model import put_nested
from kgen.profile_schema import rule_at

# The knobs a team sets first when it adopts a bundled profile, in the order the reference lists them.
COMMON_KNOBS = (
    "cluster.controlPlaneEndpoint",
    "cluster.podSubnet",
    "cluster.serviceSubnet",
    "anonymousAccess.mode",
    "authentication.jwt",
    "admission.podSecurity.enforce",
    "admission.podSecurity.exemptNamespaces",
    "audit.policy",
    "audit.maxAge",
    "encryption.provider",
    "tls.minVersion",
    "kubelet.readOnlyPort",
    "features.allowAlpha",
    "features.userNamespaces.enabled",
    "features.imagePullCredentialVerification.policy",
    "features.imagePullCredentialVerification.allowlist",
    "features.gates",
)
DEFAULT_SCHEMA_REFERENCE = ".kgen/profile.schema.json"


class Section(NamedTuple):
    doc: str
    lines: list[str]  # commented YAML lines of the section, without the leading "# "


def _first_sentence(rule: dict[str, Any]) -> str:
    doc = " ".join(str(rule.get("meta", {}).get("doc", "")).split())
    return doc.split(". ")[0].rstrip(".")


def _one_line(rule: dict[str, Any]) -> str:
    """The comment beside a knob: its choices, if it has a fixed set, and its description's first sentence."""
    choices = " | ".join(str(choice) for choice in rule.get("allowed", []))
    sentence = _first_sentence(rule)
    if choices and sentence and not sentence.startswith(tuple(f"{c}:" for c in rule["allowed"])):
        return f"{choices}; {sentence}"
    return sentence or choices


def _value(data: dict[str, Any], dotted: str) -> Any:
    value: Any = data
    for part in dotted.split("."):
        value = value[part]
    return value


def _sections(parent: dict[str, Any]) -> list[Section]:
    """Each top-level section with its common knobs, as commented YAML with one-line descriptions."""
    grouped: dict[str, tuple[dict[str, Any], dict[yamlout.Path, str]]] = {}
    for dotted in COMMON_KNOBS:
        rule = rule_at(dotted)
        if rule is None:  # a knob renamed in the schema: tests/test_starter.py catches it
            raise KeyError(dotted)
        top, *rest = dotted.split(".")
        tree, comments = grouped.setdefault(top, ({}, {}))
        put_nested(tree, rest, _value(parent, dotted))
        comments[tuple(rest)] = _one_line(rule)
    sections = []
    for top, (tree, comments) in grouped.items():
        text = yamlout.dump({top: tree}, {(top, *path): note for path, note in comments.items()})
        sections.append(Section(_first_sentence(rule_at(top) or {}), text.splitlines()))
    return sections


def default_name(output: Path | None) -> str:
    """The output file's name when it is a valid profile name, else a neutral placeholder."""
    import re

    from kgen.profile_schema import NAME_PATTERN

    stem = output.stem.lower() if output is not None else ""
    return stem if stem and len(stem) <= 63 and re.fullmatch(NAME_PATTERN.removesuffix("$"), stem) else "my-cluster"


def starter_profile(name: str, extends: str, version: str, schema_reference: str = DEFAULT_SCHEMA_REFERENCE) -> str:
    """The text of a starter profile named ``name`` that extends the bundled profile ``extends``."""
    import re

    from kgen.profile import ProfileLoader
    from kgen.profile_schema import NAME_PATTERN
    from kgen.resources import bundled_profiles
    from kgen.targets.common import render_template

    bundled = bundled_profiles()
    if extends not in bundled:
        raise UsageError(problems=[Problem(f"no bundled profile {extends!r} (bundled: {', '.join(bundled)})", "--extends")])
    if not re.fullmatch(NAME_PATTERN.removesuffix("$"), name) or len(name) > 63:
        raise UsageError(problems=[Problem("must be lower-case letters, digits and '-', at most 63 characters", "--name")])
    parent = ProfileLoader().load(extends, version)
    header = {"name": name, "extends": extends, "kubernetesVersion": version}
    return render_template(
        "init/profile.yaml.j2",
        schema_reference=schema_reference,
        extends=extends,
        header=yamlout.dump(header),
        sections=_sections(parent.data),
    )


def write_new_file(path: Path, text: str, *, force: bool) -> None:
    """Write ``text`` to ``path`` atomically; refuse to replace an existing file unless ``force``."""
    import os
    import tempfile

    if path.is_symlink() or (path.exists() and not path.is_file()):
        raise KgenError(problems=[Problem("exists and is not a regular file", str(path), rule="output")])
    if path.exists() and not force:
        raise KgenError(problems=[Problem("file exists; pass --force to replace it", str(path), rule="output")])
    directory = path.parent if str(path.parent) else Path()
    if not directory.is_dir():
        raise KgenError(problems=[Problem("folder does not exist", str(directory), rule="output")])
    handle, temporary = tempfile.mkstemp(prefix=".kgen-new-", dir=directory)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
