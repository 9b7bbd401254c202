"""kgen's command line: parse options, call the library, map errors to exit statuses.

Nothing below this module prints or exits. Heavy modules are imported inside the commands that
need them, so that `kgen --help` costs little more than starting Python. The annotations are
evaluated when this module is imported (no ``from __future__ import annotations``): Typer reads
every command's signature on each run, and resolving string annotations cost about 2.5 ms.
"""

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from kgen import __version__
from kgen.errors import EXIT_BUG, EXIT_PROBLEMS, KgenError, redact_secrets

_APP_SETTINGS: dict[str, Any] = {
    "name": "kgen",
    "help": "Kubernetes hardening as code: render version-correct, validated component configuration from a hardening profile.",
    "no_args_is_help": True,
    "add_completion": False,
    "pretty_exceptions_enable": False,
    "rich_markup_mode": None,
}
app = typer.Typer(**_APP_SETTINGS)

T = TypeVar("T")


def _checked_version(value: str | None) -> str | None:
    """-k is part of the command line: an unsupported version is a usage error (exit 2) in every command."""
    if value is None:
        return None
    from kgen.knowledge.versions import check_version

    try:
        return check_version(value)
    except KgenError as error:
        raise typer.BadParameter(error.problems[0].message) from None


VersionOption = Annotated[
    str | None,
    typer.Option(
        "-k",
        "--kubernetes-version",
        callback=_checked_version,
        help="Kubernetes minor version, e.g. 1.35 (default: the profile's, else the newest).",
    ),
]
TargetOption = Annotated[
    list[str] | None, typer.Option("-t", "--target", help="Target to render (repeatable); default: the profile's targets.")
]
FormatOption = Annotated[str, typer.Option("--format", help="Output format: text or json.")]


def _run(action: Callable[[], T]) -> T:
    """Run a command body; a user problem prints one line per problem and exits with its status.

    Anything else is a bug in kgen: its traceback is printed for the bug report, with everything
    that looks like secret material (a profile's token or key quoted in an exception) redacted,
    and kgen exits with EXIT_BUG.
    """
    try:
        return action()
    except KgenError as error:
        for line in error.lines():
            typer.echo(line, err=True)
        raise typer.Exit(error.exit_code) from None
    except (typer.Exit, typer.Abort):
        raise
    except Exception as bug:  # the last resort: report the bug without leaking secrets
        import traceback

        text = "".join(traceback.format_exception(bug))
        typer.echo(redact_secrets(text).rstrip("\n"), err=True)
        typer.echo(f"kgen: error: a bug in kgen ({type(bug).__name__}); please report it with the lines above", err=True)
        raise typer.Exit(EXIT_BUG) from None


def _echo(text: str) -> None:
    typer.echo(text, nl=not text.endswith("\n"))


def _version_callback(value: bool) -> None:
    if value:
        typer.echo(f"kgen {__version__}")
        raise typer.Exit(0)


@app.callback()
def main_options(
    version: Annotated[
        bool, typer.Option("--version", callback=_version_callback, is_eager=True, help="Print kgen's version.")
    ] = False,
) -> None:
    """Kubernetes hardening as code."""


@app.command()
def render(
    profiles: Annotated[list[str], typer.Argument(help="Profiles: a path or a bundled name (see `kgen profiles`).")],
    target: TargetOption = None,
    kubernetes_version: VersionOption = None,
    output: Annotated[
        str, typer.Option("-o", "--output", help="Output folder (one render at a time writes into it; others wait).")
    ] = "out",
    check: Annotated[
        bool, typer.Option("--check", help="Render in memory and compare with the output folder; exit 3 on drift.")
    ] = False,
    jobs: Annotated[int, typer.Option("-j", "--jobs", min=0, help="Worker processes for many profiles (0 = one per CPU).")] = 1,
) -> None:
    """Render profiles into OUTPUT/<profile>/<target>/."""

    def body() -> None:
        from kgen.fleet import render_many
        from kgen.output import check_output_dir, check_tree, raise_on_drift, write_tree

        check_output_dir(output)
        files, summaries = render_many(profiles, target, kubernetes_version, jobs)
        if check:
            raise_on_drift(output, check_tree(output, files))
            typer.echo(f"{len(files)} files up to date in {output}")
            return
        report = write_tree(output, files)
        for line in summaries:
            typer.echo(line)
        for leftover in report.cleaned:
            typer.echo(f"removed {output}/{leftover}, left by an interrupted render")
        typer.echo(
            f"wrote {len(report.written)} target folder(s), {len(report.unchanged)} unchanged, {len(files)} files in {output}"
        )

    _run(body)


@app.command()
def validate(
    profiles: Annotated[list[str], typer.Argument(help="Profiles to check: a path or a bundled name.")],
    kubernetes_version: VersionOption = None,
) -> None:
    """Check profiles (schema, extends, version rules) and render them in memory; write nothing."""

    def body() -> None:
        from kgen.profile import ProfileLoader
        from kgen.render import render_profile

        loader = ProfileLoader()
        problems: list[str] = []
        for number, reference in enumerate(profiles):
            if number == 1:
                from kgen.startup import resume_collection

                resume_collection()
            try:
                profile = loader.load(reference, kubernetes_version)
                for warning in profile.warnings:
                    typer.echo(warning.format(), err=True)
                result = render_profile(profile)
                typer.echo(f"{reference}: ok (profile {profile.name!r}, Kubernetes {profile.version}, {len(result.files)} files)")
            except KgenError as error:
                problems.extend(error.lines())
        if problems:
            for line in problems:
                typer.echo(line, err=True)
            raise typer.Exit(EXIT_PROBLEMS)

    _run(body)


@app.command("profiles")
def list_profiles() -> None:
    """List the bundled profiles."""

    def body() -> None:
        from kgen.resources import bundled_profiles
        from kgen.yamlload import parse_mapping

        for name, path in bundled_profiles().items():
            data = parse_mapping(path.read_bytes(), str(path), "profile").data
            description = " ".join(str(data.get("description", "")).split())
            first = description.split(". ")[0].split(": ")[0].rstrip(".")
            typer.echo(f"{name:10} {first}")

    _run(body)


@app.command()
def gates(
    kubernetes_version: VersionOption = None,
    component: Annotated[str | None, typer.Option("--component", help="Only gates that matter to this component.")] = None,
    stage: Annotated[str | None, typer.Option("--stage", help="alpha, beta, ga or deprecated.")] = None,
    output_format: Annotated[str, typer.Option("--format", help="table or json.")] = "table",
) -> None:
    """The feature gates that exist in a Kubernetes version."""

    def body() -> None:
        from kgen.reports import gates_report

        _echo(gates_report(kubernetes_version, component, stage, output_format))

    _run(body)


@app.command("upgrade-check")
def upgrade_check(
    profile: Annotated[str, typer.Argument(help="Profile: a path or a bundled name.")],
    to: Annotated[str, typer.Option("--to", help="Kubernetes version to upgrade to.")],
    from_version: Annotated[str | None, typer.Option("--from", help="Version upgraded from (default: the profile's).")] = None,
    output_format: FormatOption = "text",
) -> None:
    """What changes for a profile between two versions; exit 4 if the old config would break the new version."""

    def body() -> None:
        from kgen.upgrade import upgrade_report

        text, breaks = upgrade_report(profile, from_version, to, output_format)
        _echo(text)
        if breaks:
            raise typer.Exit(4)

    _run(body)


@app.command(context_settings={"ignore_unknown_options": True})
def explain(
    profile: Annotated[str, typer.Argument(help="Profile: a path or a bundled name.")],
    query: Annotated[str | None, typer.Argument(help="A flag, field, gate or file to explain, e.g. --profiling.")] = None,
    target: TargetOption = None,
    kubernetes_version: VersionOption = None,
    output_format: FormatOption = "text",
) -> None:
    """Why each setting is rendered: profile key, references and version rules."""

    def body() -> None:
        from kgen.explain import explain_report

        _echo(explain_report(profile, query, target, kubernetes_version, output_format))

    _run(body)


@app.command()
def diff(
    old: Annotated[str, typer.Argument(help="Old profile: a path, a bundled name, or REV:PATH in git.")],
    new: Annotated[str | None, typer.Argument(help="New profile (default: OLD itself, with --to-version).")] = None,
    target: TargetOption = None,
    kubernetes_version: VersionOption = None,
    to_version: Annotated[
        str | None, typer.Option("--to-version", help="Compare the profile rendered for -k and for this version.")
    ] = None,
    output_format: Annotated[str, typer.Option("--format", help="text, markdown or json.")] = "text",
) -> None:
    """A semantic diff of what two profiles (or two versions) render, per component and setting."""

    def body() -> None:
        from kgen.diff import diff_report

        _echo(diff_report(old, new, target, kubernetes_version, to_version, output_format))

    _run(body)


@app.command("check-config")
def check_config(
    paths: Annotated[
        list[str], typer.Argument(help="Configuration files or folders (kubeadm, kubelet, apiserver configs, .args files).")
    ],
    kubernetes_version: VersionOption = None,
    output_format: FormatOption = "text",
) -> None:
    """Strictly validate configuration you already have against the upstream types and version rules."""

    def body() -> None:
        from kgen.checkconfig import check_config_report

        text, failed = check_config_report(paths, kubernetes_version, output_format)
        _echo(text)
        if failed:
            raise typer.Exit(EXIT_PROBLEMS)

    _run(body)


@app.command()
def schema(
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write the schema to this file instead of printing it.")
    ] = None,
) -> None:
    """Print the JSON Schema (draft 2020-12) of the profile format, for editors and other tools."""

    def body() -> None:
        from kgen.profile_jsonschema import shipped_schema_text
        from kgen.starter import write_new_file

        text = shipped_schema_text()
        if output is None:
            _echo(text)
            return
        if str(output.parent):
            output.parent.mkdir(parents=True, exist_ok=True)
        write_new_file(output, text, force=True)
        typer.echo(f"wrote {output}", err=True)

    _run(body)


@app.command()
def init(
    extends: Annotated[str, typer.Option("--extends", help="Bundled profile to start from (see `kgen profiles`).")] = "cis",
    kubernetes_version: VersionOption = None,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Profile file to write (default: print it).")] = None,
    name: Annotated[
        str | None, typer.Option("--name", help="Profile name (default: the file's name, else 'my-cluster').")
    ] = None,
    schema_reference: Annotated[
        str, typer.Option("--schema", help="Where the modeline points editors for the JSON Schema (`kgen schema -o ...`).")
    ] = ".kgen/profile.schema.json",
    force: Annotated[bool, typer.Option("--force", help="Replace the output file if it exists.")] = False,
) -> None:
    """Write a starter profile: the editor modeline, extends, version and the common knobs commented out."""

    def body() -> None:
        from kgen.knowledge.versions import DEFAULT_VERSION
        from kgen.starter import default_name, starter_profile, write_new_file

        text = starter_profile(name or default_name(output), extends, kubernetes_version or DEFAULT_VERSION, schema_reference)
        if output is None:
            _echo(text)
            return
        write_new_file(output, text, force=force)
        typer.echo(f"wrote {output}; check it with `kgen validate {output}`", err=True)

    _run(body)


@app.command()
def verify(
    profile: Annotated[str, typer.Argument(help="Profile: a path or a bundled name.")],
    root: Annotated[str, typer.Option("--root", help="The node's root folder: / on the node, or a copy of its files.")] = "/",
    kubernetes_version: VersionOption = None,
    output_format: Annotated[str, typer.Option("--format", help="text, json, markdown, sarif or junit.")] = "text",
    show_ok: Annotated[bool, typer.Option("--show-ok", help="Text format: list matching settings too.")] = False,
) -> None:
    """Compare a node's real configuration with what the profile renders; exit 5 when it drifts."""

    def body() -> None:
        from kgen.errors import EXIT_NODE_DRIFT
        from kgen.reports import check_format
        from kgen.verify import verify_node
        from kgen.verify_report import FORMATS, render_result

        chosen = check_format(output_format, FORMATS)
        result = verify_node(profile, root, kubernetes_version)
        _echo(render_result(result, chosen, show_ok))
        if result.drifted:
            raise typer.Exit(EXIT_NODE_DRIFT)

    _run(body)


@app.command("import")
def import_command(
    files: Annotated[
        list[Path] | None, typer.Argument(help="kubeadm configuration, static Pod manifests, KubeletConfiguration files.")
    ] = None,
    root: Annotated[str | None, typer.Option("--root", help="Read a node below this folder instead of files.")] = None,
    extends: Annotated[str | None, typer.Option("--extends", help="Bundled profile to extend (default: the closest).")] = None,
    kubernetes_version: VersionOption = None,
    output: Annotated[Path, typer.Option("-o", "--output", help="Profile file to write.")] = Path("imported.yaml"),
    force: Annotated[bool, typer.Option("--force", help="Replace the output file if it exists.")] = False,
) -> None:
    """Write the smallest profile that reproduces an existing cluster's configuration."""

    def body() -> None:
        from kgen.importer import import_report

        text = import_report(root, list(files or []), extends, kubernetes_version, output, force)
        _echo(text)

    _run(body)


def command_name(info: Any) -> str:
    """The name a registered command answers to (Typer's rule: the function's name, ``_`` as ``-``)."""
    name: str = info.name or info.callback.__name__.lower().replace("_", "-")
    return name


def app_for(arguments: list[str]) -> typer.Typer:
    """The app to run for a command line: for ``kgen COMMAND ...``, one holding only COMMAND.

    Typer builds a click command from every registered command's signature on each run, about
    4 ms for all of kgen's; a command line that names its command first needs only that one.
    The one-command app keeps the top-level callback, so it is still a group and parses, helps
    and fails exactly as the whole app does for that command. Anything else (no command, an
    option or an unknown name first) runs the whole app, which lists or suggests the commands.
    """
    chosen = [info for info in app.registered_commands if arguments and command_name(info) == arguments[0]]
    if len(chosen) != 1:
        return app
    one = typer.Typer(**_APP_SETTINGS)
    one.registered_callback = app.registered_callback
    one.registered_commands = chosen
    return one


def main() -> Any:
    """Console entry point."""
    import os

    if "_KGEN_COMPLETE" in os.environ:
        # Shell completion (docs/shell-completion.md): loaded only when the shell asks, to keep start-up light.
        from typer import completion

        completion.completion_init()  # type: ignore[attr-defined]
        return app(prog_name="kgen")
    return app_for(sys.argv[1:])(prog_name="kgen")


if __name__ == "__main__":
    sys.exit(main())
