"""`kgen init` writes a starter profile that validates, renders and matches the JSON Schema."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml
from typer.testing import CliRunner

from kgen.cli import app
from kgen.profile_jsonschema import profile_json_schema
from kgen.profile_schema import rule_at
from kgen.starter import COMMON_KNOBS


def run(args: list[str]) -> tuple[int, str]:
    result = CliRunner().invoke(app, args)
    return result.exit_code, result.output


@pytest.mark.parametrize(("parent", "version"), [("baseline", "1.31"), ("cis", "1.34"), ("strict", "1.37")])
def test_starter_validates_renders_and_matches_the_schema(tmp_path: Path, parent: str, version: str) -> None:
    profile = tmp_path / "team-a.yaml"
    code, output = run(["init", "--extends", parent, "-k", version, "-o", str(profile)])
    assert code == 0, output
    text = profile.read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=.kgen/profile.schema.json\n")
    document = yaml.safe_load(text)
    assert document == {"name": "team-a", "extends": parent, "kubernetesVersion": version}
    jsonschema.Draft202012Validator(profile_json_schema()).validate(document)
    code, output = run(["render", str(profile), "-t", "flags", "-o", str(tmp_path / "out")])
    assert code == 0, output
    assert (tmp_path / "out" / "team-a" / "flags" / "kube-apiserver.args").is_file()


def test_every_commented_knob_becomes_valid_when_uncommented(tmp_path: Path) -> None:
    """Uncommenting the whole file gives the parent's own values back: a valid profile that renders the same."""
    code, text = run(["init", "--extends", "strict", "-k", "1.36", "--name", "uncommented"])
    assert code == 0
    lines = []
    for line in text.splitlines():
        if line.startswith("# ") and not line.startswith(("# yaml-language-server", "# A kgen", "# The values", "# its meaning")):
            body = line[2:]
            if body[:1] == " " or ":" in body.split("#")[0]:
                lines.append(body)
                continue
        lines.append(line)
    uncommented = tmp_path / "uncommented.yaml"
    uncommented.write_text("\n".join(lines) + "\n", encoding="utf-8")
    data = yaml.safe_load(uncommented.read_text(encoding="utf-8"))
    for knob in COMMON_KNOBS:
        node = data
        for part in knob.split("."):
            node = node[part]
    code, output = run(["diff", "strict", str(uncommented), "-k", "1.36", "-t", "flags"])
    assert code == 0, output
    assert "summary: no differences in what is rendered" in output, output


def test_refuses_to_overwrite_unless_forced(tmp_path: Path) -> None:
    profile = tmp_path / "p.yaml"
    profile.write_text("mine\n", encoding="utf-8")
    code, output = run(["init", "-o", str(profile)])
    assert code == 1
    assert "file exists; pass --force to replace it" in output
    assert profile.read_text(encoding="utf-8") == "mine\n"
    code, output = run(["init", "-o", str(profile), "--force"])
    assert code == 0, output
    assert yaml.safe_load(profile.read_text(encoding="utf-8"))["name"] == "p"


def test_refuses_a_symlink_and_a_missing_folder(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere.yaml"
    target.write_text("keep\n", encoding="utf-8")
    link = tmp_path / "link.yaml"
    link.symlink_to(target)
    code, output = run(["init", "-o", str(link), "--force"])
    assert code == 1 and "not a regular file" in output
    assert target.read_text(encoding="utf-8") == "keep\n"
    code, output = run(["init", "-o", str(tmp_path / "missing" / "p.yaml")])
    assert code == 1 and "folder does not exist" in output


def test_bad_options_are_usage_errors() -> None:
    code, output = run(["init", "--extends", "nope"])
    assert code == 2 and "no bundled profile 'nope'" in output
    code, output = run(["init", "--name", "Bad_Name"])
    assert code == 2 and "--name" in output
    code, output = run(["init", "-k", "1.20"])
    assert code == 2


def test_a_file_name_that_is_no_profile_name_gives_a_placeholder(tmp_path: Path) -> None:
    code, _ = run(["init", "-o", str(tmp_path / "Prod_EU.yaml")])
    assert code == 0
    assert yaml.safe_load((tmp_path / "Prod_EU.yaml").read_text(encoding="utf-8"))["name"] == "my-cluster"


def test_common_knobs_exist_in_the_schema() -> None:
    for knob in COMMON_KNOBS:
        assert rule_at(knob) is not None, knob


def test_python_dash_m_kgen_is_the_cli() -> None:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    result = subprocess.run([sys.executable, "-m", "kgen", "--version"], capture_output=True, text=True, env=env, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("kgen ")
    result = subprocess.run(
        [sys.executable, "-m", "kgen", "validate", "cis"], capture_output=True, text=True, env=env, check=False
    )
    assert result.returncode == 0 and "cis: ok" in result.stdout
