"""kgen explain: golden output for queries and the summary, matching rules, and no-match errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from golden_tree import compare
from typer.testing import CliRunner

from kgen.cli import app

GOLDEN = Path(__file__).resolve().parent / "golden" / "explain"

# name -> arguments after `kgen explain`
CASES: dict[str, list[str]] = {
    "strict-1.37-profiling.txt": ["strict", "--profiling", "-k", "1.37"],
    "strict-1.35-image-pull-policy.txt": ["strict", "imagePullCredentialsVerificationPolicy", "-k", "1.35"],
    "strict-1.37-user-namespaces-gate.txt": ["strict", "UserNamespacesSupport", "-k", "1.37"],
    "strict-1.34-image-volume-gate.txt": ["strict", "ImageVolume", "-k", "1.34"],
    "strict-1.36-authentication-config.txt": ["strict", "authentication-config", "-k", "1.36", "-t", "flags"],
    "cis-1.37-anonymous-auth.txt": ["cis", "--anonymous-auth", "-k", "1.37"],
    "strict-1.35-user-namespaces-knob.txt": ["strict", "userNamespaces", "-k", "1.35"],
    "cis-1.35-summary.txt": ["cis", "-k", "1.35"],
    "strict-1.34-profiling.json": ["strict", "profiling", "-k", "1.34", "--format", "json"],
}


@pytest.fixture(autouse=True)
def neutral_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Profile file names in the output are relative to the current folder: keep it fixed."""
    monkeypatch.chdir(tmp_path)


def explain(*arguments: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["explain", *arguments])
    return result.exit_code, result.stdout, result.stderr


def test_golden_output(update_golden: bool) -> None:
    actual = {}
    for name, arguments in CASES.items():
        status, out, err = explain(*arguments)
        assert status == 0, (name, err)
        actual[name] = out
    compare(actual, GOLDEN, update_golden)


def test_flag_query_names_component_target_files_and_profile_key() -> None:
    status, out, _ = explain("strict", "--profiling", "-k", "1.37")
    assert status == 0
    assert "3 rendered settings match '--profiling' (on kube-apiserver, kube-controller-manager, kube-scheduler)" in out
    assert "kubeadm/kubeadm-config.yaml apiServer.extraArgs profiling" in out
    assert "flags/kube-apiserver.args --profiling" in out
    assert "from:  apiServer.profiling (profiles/cis.yaml:" in out
    assert "refs:  CIS 1.2.15" in out


def test_gate_not_rendered_says_why() -> None:
    _, locked, _ = explain("strict", "UserNamespacesSupport", "-k", "1.37")
    assert "not rendered: feature gate UserNamespacesSupport" in locked
    assert "GA and locked to true since 1.36" in locked
    _, removed, _ = explain("strict", "AuthorizeWithSelectors", "-k", "1.37")
    assert "removed in Kubernetes 1.37" in removed
    _, alpha, _ = explain("strict", "KubeletEnsureSecretPulledImages", "-k", "1.34")
    assert "alpha in 1.34" in alpha
    _, unasked, _ = explain("baseline", "ImageVolume", "-k", "1.35")
    assert "the profile does not ask for it" in unasked


def test_rendered_gate_has_its_version_rule() -> None:
    status, out, _ = explain("strict", "ImageVolume", "-k", "1.34", "--format", "json")
    assert status == 0
    data = json.loads(out)
    gates = [s for s in data["settings"] if s["kind"] == "gate"]
    assert {g["component"] for g in gates} == {"kube-apiserver", "kubelet"}
    assert all(g["rule"] == "ImageVolume is beta, off by default in 1.34; set to true" for g in gates)
    assert all(g["profileKey"] == "features.imageVolumes.enabled" for g in gates)
    assert data["notRendered"] == []


def test_no_match_is_an_error_with_close_matches() -> None:
    status, out, err = explain("strict", "profilng", "-k", "1.37")
    assert status == 1
    assert out == ""
    assert "matches 'profilng'; close matches: profiling" in err


def test_summary_groups_by_component_then_features_notes_requirements() -> None:
    status, out, _ = explain("strict", "-k", "1.37")
    assert status == 0
    headings = [line for line in out.splitlines() if line and not line.startswith(" ") and "(" in line and "settings" in line]
    assert [h.split(" (")[0] for h in headings] == [
        "kube-apiserver",
        "kube-controller-manager",
        "kube-scheduler",
        "etcd",
        "kubelet",
        "kube-proxy",
        "cluster",
    ]
    assert out.index("\nFeatures\n") < out.index("\nNotes\n") < out.index("\nRequirements\n")


def test_unknown_format_is_a_usage_error() -> None:
    status, _, err = explain("strict", "--format", "yaml")
    assert status == 2
    assert "--format 'yaml'" in err
