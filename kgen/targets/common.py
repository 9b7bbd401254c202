"""Pieces every target shares: output files, the header, node files, reports."""

import os
import shlex
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, NamedTuple

import jinja2

from kgen import __version__, yamlout
from kgen.errors import printable
from kgen.plan import NodeFile, Plan
from kgen.resources import bundled_dir
from kgen.target_registry import REGISTRY

# Where cluster_objects_output writes the cluster objects to apply, in every target that writes them.
CLUSTER_OBJECTS_PATH = "manifests/cluster-policies.yaml"

if TYPE_CHECKING:  # a Protocol costs a few tenths of a millisecond to define at every start
    from typing import Protocol

    class PlacedRecord(Protocol):
        """What a target's ``places`` hook reads of a setting kgen explain asks about (kgen.provenance.Record)."""

        @property
        def component(self) -> str: ...

        @property
        def kind(self) -> str: ...  # flag | field | gate | runtime-config | file | cluster-object

        @property
        def key(self) -> str: ...


class OutputFile(NamedTuple):
    """One rendered file, relative to the target's output folder."""

    path: str
    content: str
    documents: tuple[Any, ...] = ()  # the data each YAML document must parse back to
    executable: bool = False
    # YAML embedded in a non-YAML file (an install script): (text as embedded, the data it stands for,
    # shell reference -> the placeholder it replaced). The self-check validates these too.
    embedded: tuple[tuple[str, Any, Mapping[str, str]], ...] = ()
    # The installer's own schema (a file under kgen/data/schemas) every YAML document must satisfy, and
    # configuration documents carried inside values (as data or as YAML text): the self-check validates both.
    schema: str = ""
    nested: tuple[Any, ...] = ()


def _bytecode_cache() -> jinja2.BytecodeCache | None:
    """Compiled templates kept in the user's cache folder, so a cold run does not recompile them.

    Jinja keys each entry by the template's name and source checksum, so a changed template is
    recompiled; the cache changes how fast kgen starts, never what it renders. It is skipped when
    the folder cannot be created or KGEN_NO_CACHE is set.
    """
    if os.environ.get("KGEN_NO_CACHE"):
        return None
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path("~/.cache").expanduser())
    folder = base / "kgen" / f"templates-{__version__}"
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError:
        return None
    if not os.access(folder, os.W_OK):
        return None
    return jinja2.FileSystemBytecodeCache(str(folder))


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        bytecode_cache=_bytecode_cache(),
        loader=jinja2.FileSystemLoader(str(bundled_dir("templates"))),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
    )
    env.filters["yaml"] = lambda data, comments=None: yamlout.dump(data, comments)
    env.filters["scalar"] = yamlout.scalar
    env.filters["shell_quote"] = shlex.quote
    return env


def render_template(name: str, **context: Any) -> str:
    return environment().get_template(name).render(**context)


def header_lines(plan: Plan, target: str, what: str = "") -> list[str]:
    """The opening comment of every file: profile, Kubernetes version, kgen version; no timestamp."""
    lines = [
        f"Rendered by kgen {__version__} from profile {plan.profile.name!r} for Kubernetes {plan.version} (target {target}).",
        "Do not edit: change the profile and run `kgen render`. Why each value is here: "
        f"`kgen explain {plan.profile.name} -k {plan.version}`.",
    ]
    if what:
        lines.append(what)
    # A comment line ends at a line break: a profile string carrying one must not end the comment.
    return [printable(line) for line in lines]


def yaml_file(
    path: str,
    plan: Plan,
    target: str,
    documents: list[dict[str, Any]],
    comments: list[dict[tuple[str | int, ...], str] | None] | None = None,
    what: str = "",
    schema: str = "",
    nested: tuple[Any, ...] = (),
) -> OutputFile:
    content = render_template(
        "common/documents.yaml.j2",
        header=header_lines(plan, target, what),
        documents=list(zip(documents, comments or [None] * len(documents), strict=True)),
    )
    return OutputFile(path, content, tuple(documents), schema=schema, nested=nested)


def node_file_output(node_file: NodeFile, plan: Plan, target: str, prefix: str = "files") -> list[OutputFile]:
    """A node file at its node path under ``prefix``; one holding a secret becomes an install script."""
    comments = dict(node_file.comments)
    comments.setdefault(("kind",), node_file.reason.short())
    if not node_file.secret_placeholders:
        return [
            yaml_file(
                f"{prefix}{node_file.node_path}",
                plan,
                target,
                [node_file.document],
                [comments],
                what=f"Node path: {node_file.node_path}",
            )
        ]
    document_text = yamlout.dump(node_file.document, comments)
    key_files = dict(node_file.secret_placeholders)
    references = {f'"${{{_shell_var(placeholder)}}}"': yamlout.scalar(placeholder) for placeholder in key_files}
    for reference, placeholder_text in references.items():
        document_text = document_text.replace(placeholder_text, reference)
    script = render_template(
        "common/install-secret-file.sh.j2",
        header=header_lines(plan, target, f"Writes {node_file.node_path} on a control-plane node from the key kept there."),
        node_path=node_file.node_path,
        key_files=[(_shell_var(p), f) for p, f in key_files.items()],
        document=document_text,
    )
    return [
        OutputFile(
            install_script_path(node_file.node_path),
            script,
            (),
            executable=True,
            embedded=((document_text, node_file.document, MappingProxyType(references)),),
        )
    ]


def install_script_path(node_path: str) -> str:
    """The script that writes a node file holding a secret on the node, relative to the target's folder."""
    name = node_path.rsplit("/", 1)[-1].removesuffix(".yaml")
    return f"scripts/install-{name}.sh"


def install_script_places(plan: Plan, record: "PlacedRecord", target: str) -> list[str]:
    """Where kgen explain finds a node file holding a secret: the script that writes it; [] for any other record."""
    if record.kind != "file":
        return []
    node_file = next((f for f in plan.files if f.node_path == record.key), None)
    if node_file is None or not node_file.secret_placeholders:
        return []
    return [f"{target}/{install_script_path(record.key)} (writes {record.key})"]


def node_file_and_object_places(plan: Plan, record: "PlacedRecord", target: str) -> list[str] | None:
    """Where a target that writes node files under files/ and cluster objects to CLUSTER_OBJECTS_PATH
    puts a node file or a cluster object; None for any other record."""
    if record.kind == "file":
        return install_script_places(plan, record, target) or [f"{target}/files{record.key}"]
    if record.kind == "cluster-object":
        return [f"{target}/{CLUSTER_OBJECTS_PATH} {record.key}"]
    return None


def _shell_var(placeholder: str) -> str:
    return "KEY_" + "".join(c if c.isalnum() else "_" for c in placeholder).upper()


def cluster_objects_output(plan: Plan, target: str) -> list[OutputFile]:
    if not plan.cluster_objects:
        return []
    documents = [obj.document for obj in plan.cluster_objects]
    comments: list[dict[tuple[str | int, ...], str] | None] = [{("kind",): obj.reason.short()} for obj in plan.cluster_objects]
    return [
        yaml_file(
            CLUSTER_OBJECTS_PATH,
            plan,
            target,
            documents,
            comments,
            what="Apply to the running cluster: kubectl apply -f cluster-policies.yaml",
        )
    ]


def report_output(
    plan: Plan,
    target: str,
    not_controllable: list[dict[str, str]] | None = None,
    reasons: list[dict[str, str]] | None = None,
    distribution: Mapping[str, Any] | None = None,
) -> OutputFile:
    """REPORT.md; ``reasons`` lists rendered values whose file format has no room for a comment.

    The feature table and the CIS summary follow what this target's files carry, not the plan alone.
    ``distribution`` says what an installer that runs the components itself (Talos, kops) already sets.
    """
    from kgen.compliance import compliance_summary
    from kgen.plan import requirements_table
    from kgen.targets.coverage import coverage, target_features
    from kgen.targets.managed import platform_defaults_line, platform_exposed

    table = requirements_table()
    covered = coverage(plan, target)
    content = render_template(
        "common/REPORT.md.j2",
        header=header_lines(plan, target),
        plan=plan,
        target=target,
        features=target_features(plan, target, covered),
        exposed=platform_exposed(plan, target),
        requirements=[(rid, table[rid]) for rid in plan.requirements if target in table[rid].get("targets", [target])],
        not_controllable=not_controllable,
        reasons=reasons,
        distribution=distribution,
        compliance=None if REGISTRY[target].managed else compliance_summary(plan, target, covered),
        platform_defaults=platform_defaults_line(target),
    )
    return OutputFile("REPORT.md", content.rstrip("\n") + "\n")
