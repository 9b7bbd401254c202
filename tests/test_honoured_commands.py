"""Every command that acts on a profile refuses a knob the version cannot honour, as render does.

render, validate, explain, diff, upgrade-check and verify all plan the profile; a knob the user set
that the chosen version cannot honour must fail each of them with the same located problem (exit 1),
not be explained, compared or checked as if it were rendered.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from kgen import cli
from kgen.errors import EXIT_PROBLEMS, EXIT_UPGRADE_BREAKS

PROFILE = """\
extends: cis
name: pulls
kubernetesVersion: "1.33"
features:
  imagePullCredentialVerification:
    policy: AlwaysVerify
"""
EXPECTED = (
    "pulls.yaml:6:5: error: features.imagePullCredentialVerification.policy: Image pull credential "
    "verification (KEP-2535) cannot be honoured in Kubernetes 1.33"
)


@pytest.mark.parametrize(
    "arguments",
    [
        ["render", "pulls.yaml", "-t", "kubeadm", "-o", "out"],
        ["validate", "pulls.yaml"],
        ["explain", "pulls.yaml", "--profiling"],
        ["diff", "cis", "pulls.yaml", "-k", "1.33"],
        ["upgrade-check", "pulls.yaml", "--to", "1.34"],
        ["verify", "pulls.yaml", "--root", "node"],
    ],
    ids=lambda arguments: arguments[0],
)
def test_a_knob_the_version_cannot_honour_fails_every_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, arguments: list[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pulls.yaml").write_text(PROFILE, encoding="utf-8")
    (tmp_path / "node").mkdir()
    result = CliRunner().invoke(cli.app, arguments)
    assert result.exit_code == EXIT_PROBLEMS, result.output
    assert EXPECTED in result.output
    assert "first on without opting in: Kubernetes 1.35" in result.output
    assert not (tmp_path / "out").exists()


def test_upgrade_check_to_a_version_that_cannot_honour_a_knob_reports_a_breaking_finding(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No feature kgen knows goes from honoured to not honoured in a later release today, so the
    # newer release's refusal is stood in for: the wiring from it to the finding is what is tested.
    from kgen import honoured
    from kgen.errors import Problem

    real = honoured.unhonoured_problems

    def refused_in_1_35(plan: Any) -> list[Problem]:
        if plan.version == "1.35":
            return [Problem("the feature is gone in 1.35", "features.example", rule="feature-version")]
        return real(plan)

    monkeypatch.setattr(honoured, "unhonoured_problems", refused_in_1_35)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli.app, ["upgrade-check", "cis", "--from", "1.34", "--to", "1.35"])
    assert result.exit_code == EXIT_UPGRADE_BREAKS, result.output
    assert "the profile cannot be rendered for 1.35" in result.output
    assert "the feature is gone in 1.35" in result.output
