"""The repository's GitHub Action is a valid composite action that uses every input it declares."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

ACTION = Path(__file__).resolve().parent.parent / "action.yml"


def action() -> dict[str, Any]:
    data = yaml.safe_load(ACTION.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_action_is_a_composite_action_with_described_inputs() -> None:
    data = action()
    assert data["name"] and data["description"]
    assert data["runs"]["using"] == "composite"
    for name, spec in data["inputs"].items():
        assert spec.get("description"), name
        assert spec.get("required") is True or "default" in spec, name
    for step in data["runs"]["steps"]:
        assert ("uses" in step) != ("run" in step), step
        if "run" in step:
            assert step["shell"] == "bash", step  # composite run steps must name their shell


def test_every_declared_input_is_used_and_every_used_input_is_declared() -> None:
    data = action()
    text = yaml.safe_dump(data["runs"])
    used = set(re.findall(r"inputs\.([A-Za-z0-9_-]+)", text))
    assert used == set(data["inputs"])


def test_no_input_is_pasted_into_a_script() -> None:
    """Expressions in `run:` are pasted into the script before bash parses it: inputs go through env."""
    for step in action()["runs"]["steps"]:
        assert "${{" not in step.get("run", ""), step["run"]


def test_it_installs_kgen_from_the_action_itself_and_runs_the_check() -> None:
    scripts = "\n".join(step.get("run", "") for step in action()["runs"]["steps"])
    assert '"$GITHUB_ACTION_PATH"' in scripts
    assert "--check" in scripts
    assert "--format markdown" in scripts
    assert "GITHUB_STEP_SUMMARY" in scripts


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_every_script_parses_as_bash() -> None:
    for step in action()["runs"]["steps"]:
        if "run" in step:
            result = subprocess.run(["bash", "-n"], input=step["run"], text=True, capture_output=True, check=False)
            assert result.returncode == 0, result.stderr
