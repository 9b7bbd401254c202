"""Bad profiles fail with the right message: golden error output, no traceback, nothing written."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kgen.cli import app

CASES = Path(__file__).parent / "cases" / "errors"
GOLDEN = Path(__file__).parent / "golden" / "errors"
NAMES = sorted(p.stem for p in CASES.glob("*.yaml") if p.stem != "cycle-b")


def run(args: list[str], cwd: Path) -> tuple[int, str]:
    old = Path.cwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(app, args)
    finally:
        os.chdir(old)
    return result.exit_code, result.output


@pytest.mark.parametrize("name", NAMES)
def test_bad_profile_error_matches_golden(name: str, update_golden: bool, tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, output = run(["render", f"{name}.yaml", "-o", str(out)], CASES)
    assert code == 1, output
    assert "Traceback" not in output
    assert not out.exists(), "a failed render must write nothing"
    golden = GOLDEN / f"{name}.txt"
    if update_golden:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(output, encoding="utf-8")
    assert output == golden.read_text(encoding="utf-8")


def test_every_problem_is_reported_at_once() -> None:
    code, output = run(["validate", "wrong-types.yaml"], CASES)
    assert code == 1
    lines = [line for line in output.splitlines() if ": error: " in line]
    assert len(lines) == 5, output
    assert all(line.startswith("wrong-types.yaml:") for line in lines)


def test_unknown_key_suggests_the_nearest_known_key() -> None:
    code, output = run(["validate", "unknown-key.yaml"], CASES)
    assert code == 1
    assert "unknown key 'readOnlyPorts'; did you mean 'readOnlyPort'?" in output
    assert "unknown key 'apiserver'; did you mean 'apiServer'?" in output
    assert "unknown-key.yaml:3:3: error: kubelet.readOnlyPorts:" in output


def test_secret_material_is_refused_without_echoing_it() -> None:
    code, output = run(["validate", "inline-secret.yaml"], CASES)
    assert code == 1
    assert "reference them by node path" in output
    assert "c2VjcmV0" not in output


@pytest.mark.parametrize("command", ["render", "validate", "explain", "diff", "gates", "check-config"])
def test_unsupported_version_on_the_command_line_is_a_usage_error_everywhere(command: str, tmp_path: Path) -> None:
    args = {"gates": ["gates"], "check-config": ["check-config", "."], "render": ["render", "cis", "-o", str(tmp_path / "o")]}
    for version in ("1.29", ""):
        code, output = run([*args.get(command, [command, "cis"]), "-k", version], tmp_path)
        assert code == 2, output
        assert "supported: 1.31, 1.32, 1.33, 1.34, 1.35, 1.36, 1.37" in output
        assert "Traceback" not in output
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("name", NAMES)
def test_validate_reports_the_same_problems_as_render(name: str) -> None:
    code, output = run(["validate", f"{name}.yaml"], CASES)
    assert code == 1, output
    errors = [line for line in output.splitlines() if ": error: " in line]
    golden = [line for line in (GOLDEN / f"{name}.txt").read_text(encoding="utf-8").splitlines() if ": error: " in line]
    assert errors == golden
