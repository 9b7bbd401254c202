"""The kgen command postpones garbage collection while it starts, and resumes it for a fleet."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _run(code: str, cwd: Path) -> str:
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=cwd, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_the_console_entry_postpones_collection_before_importing_the_command_line(tmp_path: Path) -> None:
    printed = _run(
        """
        import gc, sys
        import kgen.cli
        kgen.cli.main = lambda: print(gc.isenabled(), "typer" in sys.modules)
        from kgen.__main__ import main
        main()
        """,
        tmp_path,
    )
    assert printed == "False True"


def test_a_fleet_resumes_collection_after_its_first_profile(tmp_path: Path) -> None:
    printed = _run(
        """
        import gc
        from kgen import fleet
        from kgen.startup import postpone_collection
        seen = []
        chunk = fleet._render_chunk
        def watched(args):
            seen.append((len(args[0]), gc.isenabled()))
            return chunk(args)
        fleet._render_chunk = watched
        postpone_collection()
        files, _ = fleet.render_many(["baseline", "cis", "strict"], ["flags"], None, 1)
        print(seen, gc.isenabled(), gc.get_freeze_count() > 0, len(files) > 0)
        """,
        tmp_path,
    )
    assert printed == "[(1, False), (2, True)] True True True"


def test_one_profile_keeps_collection_postponed_to_the_end(tmp_path: Path) -> None:
    printed = _run(
        """
        import gc
        from kgen import fleet
        from kgen.startup import postpone_collection
        postpone_collection()
        fleet.render_many(["cis"], ["flags"], None, 1)
        print(gc.isenabled())
        """,
        tmp_path,
    )
    assert printed == "False"


def test_a_library_caller_keeps_its_own_collector_settings(tmp_path: Path) -> None:
    printed = _run(
        """
        import gc
        from kgen import fleet
        fleet.render_many(["baseline", "cis"], ["flags"], None, 1)
        enabled_after_render = gc.isenabled()
        frozen = gc.get_freeze_count()
        gc.disable()
        fleet.render_many(["baseline", "cis"], ["flags"], None, 1)
        print(enabled_after_render, frozen, gc.isenabled())
        """,
        tmp_path,
    )
    assert printed == "True 0 False"


def test_validate_resumes_collection_from_its_second_profile(tmp_path: Path) -> None:
    printed = _run(
        """
        import gc
        from typer.testing import CliRunner
        from kgen import cli, render
        from kgen.startup import postpone_collection
        seen = []
        original = render.render_profile
        def watched(profile, targets=None):
            seen.append(gc.isenabled())
            return original(profile, targets)
        render.render_profile = watched
        postpone_collection()
        result = CliRunner().invoke(cli.app, ["validate", "baseline", "cis"])
        print(result.exit_code, seen)
        """,
        tmp_path,
    )
    assert printed == "0 [False, True]"


def test_a_command_line_naming_its_command_builds_only_that_command() -> None:
    from kgen import cli

    names = [cli.command_name(info) for info in cli.app.registered_commands]
    assert len(names) >= 12 and len(set(names)) == len(names)
    for name in names:
        one = cli.app_for([name, "x"])
        assert [cli.command_name(info) for info in one.registered_commands] == [name]
        assert one.registered_callback is cli.app.registered_callback
    for arguments in ([], ["--help"], ["--version"], ["rendr", "cis"], ["-t", "render"]):
        assert cli.app_for(arguments) is cli.app


def test_the_one_command_app_answers_exactly_as_the_whole_app(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from kgen import cli

    runner = CliRunner()
    lines = [
        *([cli.command_name(info), *extra] for info in cli.app.registered_commands for extra in ([], ["--help"], ["--bogus"])),
        ["validate", "cis", "baseline"],
        ["validate", "no-such-profile"],
        ["render", "cis", "-t", "flags", "-k", "1.99", "-o", str(tmp_path / "a")],
        ["gates", "-k", "1.34", "--format", "json"],
    ]
    for arguments in lines:
        whole = runner.invoke(cli.app, arguments)
        one = runner.invoke(cli.app_for(arguments), arguments)
        assert (one.exit_code, one.output) == (whole.exit_code, whole.output), arguments


def test_shell_completion_runs_through_the_console_script_with_the_whole_app(tmp_path: Path) -> None:
    kgen = Path(sys.executable).parent / "kgen"
    env = {"PATH": str(kgen.parent), "_KGEN_COMPLETE": "complete_bash", "COMP_CWORD": "1"}
    commands = subprocess.run(
        [str(kgen)],
        env={
            **env,
            "COMP_WORDS": "kgen ",
        },
        capture_output=True,
        text=True,
        check=True,
    )
    assert {"render", "validate", "verify", "import"} <= set(commands.stdout.split())
    options = subprocess.run(
        [str(kgen)], env={**env, "COMP_WORDS": "kgen render --ta", "COMP_CWORD": "2"}, capture_output=True, text=True, check=True
    )
    assert options.stdout.split() == ["--target"]
