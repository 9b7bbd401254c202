"""kgen diff: goldens, one changed key changes exactly its settings, git revisions, formats."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from golden_tree import compare
from typer.testing import CliRunner

from kgen.cli import app

GOLDEN = Path(__file__).resolve().parent / "golden" / "diff"

PROFILE = """\
name: team
extends: cis
kubernetesVersion: "1.35"
apiServer:
  profiling: {profiling}
kubelet:
  podPidsLimit: {pids}
"""


@pytest.fixture(autouse=True)
def neutral_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def write(path: str, profiling: str = "false", pids: int = 4096) -> str:
    Path(path).write_text(PROFILE.format(profiling=profiling, pids=pids), encoding="utf-8")
    return path


def diff(*arguments: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["diff", *arguments])
    return result.exit_code, result.stdout, result.stderr


def test_golden_output(update_golden: bool) -> None:
    write("old.yaml")
    write("new.yaml", profiling="true", pids=2048)
    cases = {
        "strict-1.34-to-1.36.txt": ["strict", "-k", "1.34", "--to-version", "1.36"],
        "strict-1.34-to-1.36.md": ["strict", "-k", "1.34", "--to-version", "1.36", "--format", "markdown"],
        "cis-to-strict-1.37.md": ["cis", "strict", "-k", "1.37", "--format", "markdown"],
        "profiling-and-pids.txt": ["old.yaml", "new.yaml"],
        "profiling-and-pids.json": ["old.yaml", "new.yaml", "--format", "json"],
    }
    actual = {}
    for name, arguments in cases.items():
        status, out, err = diff(*arguments)
        assert status == 0, (name, err)
        actual[name] = out
    compare(actual, GOLDEN, update_golden)


def test_one_profile_key_changes_exactly_its_settings() -> None:
    write("old.yaml")
    write("new.yaml", profiling="true")
    status, out, _ = diff("old.yaml", "new.yaml", "--format", "json")
    assert status == 0
    data = json.loads(out)
    assert [(s["change"], s["component"], s["kind"], s["key"]) for s in data["settings"]] == [
        ("changed", "kube-apiserver", "flag", "profiling")
    ]
    change = data["settings"][0]
    assert (change["old"]["value"], change["new"]["value"]) == ("false", "true")
    assert change["new"]["profileKey"] == "apiServer.profiling"
    assert change["new"]["location"] == "new.yaml:5:3"
    assert change["new"]["refs"] == ["CIS 1.2.15"]
    assert data["features"] == [] and data["requirements"] == {"added": [], "removed": []}
    assert data["summary"] == "1 setting changed on kube-apiserver"


def test_same_profile_has_no_differences() -> None:
    write("old.yaml")
    status, out, _ = diff("old.yaml", "old.yaml")
    assert status == 0
    assert "summary: no differences in what is rendered" in out


def test_markdown_starts_with_the_summary_and_folds_details() -> None:
    write("old.yaml")
    write("new.yaml", profiling="true", pids=2048)
    _, out, _ = diff("old.yaml", "new.yaml", "--format", "markdown")
    lines = out.splitlines()
    assert lines[0] == "**kgen diff**: 1 setting changed on kube-apiserver, 1 setting changed on kubelet"
    assert out.count("<details>") == out.count("</details>") == 2
    assert "| ~ | `--profiling` | false | true |" in out


def test_versions_compare_features_and_node_documents() -> None:
    status, out, _ = diff("strict", "-k", "1.34", "--to-version", "1.36", "--format", "json")
    assert status == 0
    data = json.loads(out)
    features = {f["knob"]: (f["old"], f["new"]) for f in data["features"]}
    assert features["imageVolumes"] == ("rendered", "on-by-default")
    removed = {(s["component"], s["key"]) for s in data["settings"] if s["change"] == "removed"}
    assert ("kube-apiserver", "ImageVolume") in removed and ("kubelet", "ImageVolume") in removed
    assert "pod-certificate-signer" in data["requirements"]["added"]
    _, across, _ = diff("cis", "-k", "1.33", "--to-version", "1.34", "--format", "json")
    document = [s for s in json.loads(across)["settings"] if s["kind"] == "file"]
    assert document, "AuthenticationConfiguration changes apiVersion between 1.33 and 1.34"
    paths = {d["path"]: (d["old"], d["new"]) for d in document[0]["documentChanges"]}
    assert paths["apiVersion"] == ("apiserver.config.k8s.io/v1beta1", "apiserver.config.k8s.io/v1")


def test_output_is_deterministic() -> None:
    assert diff("cis", "strict", "--format", "markdown") == diff("cis", "strict", "--format", "markdown")


def test_new_profile_or_version_is_required() -> None:
    status, _, err = diff("strict")
    assert status == 2
    assert "--to-version" in err


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_git_revision_profile_with_relative_extends(tmp_path: Path) -> None:
    def git(*arguments: str) -> None:
        subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", *arguments], check=True, capture_output=True
        )

    git("init", "-q")
    Path("profiles").mkdir()
    Path("profiles/base.yaml").write_text("name: base\nextends: cis\napiServer:\n  profiling: false\n", encoding="utf-8")
    Path("profiles/team.yaml").write_text("name: team\nextends: base.yaml\n", encoding="utf-8")
    Path("profiles/moved.yaml").write_text("name: moved\nextends: newbase.yaml\n", encoding="utf-8")
    git("add", ".")
    git("commit", "-q", "-m", "profiles")
    Path("profiles/base.yaml").write_text("name: base\nextends: cis\napiServer:\n  profiling: true\n", encoding="utf-8")
    Path("profiles/newbase.yaml").write_text("name: newbase\nextends: cis\n", encoding="utf-8")

    status, out, err = diff("HEAD:profiles/team.yaml", "profiles/team.yaml", "--format", "json")
    assert status == 0, err
    data = json.loads(out)
    assert data["old"]["chain"][:2] == ["HEAD:profiles/team.yaml", "HEAD:profiles/base.yaml"]
    assert [(s["key"], s["old"]["value"], s["new"]["value"]) for s in data["settings"]] == [("profiling", "false", "true")]

    status, out, err = diff("HEAD:profiles/moved.yaml", "profiles/moved.yaml")
    assert status == 0, err
    assert "parent profile(s) profiles/newbase.yaml not in that revision; read from the working tree" in out

    status, _, err = diff("nope:profiles/team.yaml", "profiles/team.yaml")
    assert status == 1
    assert "'nope' is not a git revision" in err
