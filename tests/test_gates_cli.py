"""kgen gates: the JSON keys and values for known gates per version, the table, and option checks."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from kgen.cli import app

KEYS = {"name", "stage", "default", "locked", "components", "kep", "removedIn"}


def run(*arguments: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["gates", *arguments])
    return result.exit_code, result.stdout, result.stderr


def gates_json(version: str, *extra: str) -> dict[str, dict[str, object]]:
    status, out, _ = run("-k", version, "--format", "json", *extra)
    assert status == 0
    rows = json.loads(out)
    assert all(set(row) == KEYS for row in rows)
    return {row["name"]: row for row in rows}


def test_json_rows_for_known_gates() -> None:
    on_134 = gates_json("1.34")
    assert on_134["UserNamespacesSupport"] == {
        "name": "UserNamespacesSupport",
        "stage": "beta",
        "default": True,
        "locked": False,
        "components": ["kube-apiserver", "kubelet"],
        "kep": 127,
        "removedIn": None,
    }
    assert on_134["UserNamespacesPodSecurityStandards"]["stage"] == "alpha"
    assert on_134["UserNamespacesPodSecurityStandards"]["removedIn"] == "1.35"
    assert on_134["AuthorizeWithSelectors"]["locked"] is True
    on_136 = gates_json("1.36")
    assert on_136["UserNamespacesSupport"]["stage"] == "ga"
    assert on_136["UserNamespacesSupport"]["locked"] is True
    assert on_136["AuthorizeWithSelectors"]["removedIn"] == "1.37"
    assert "UserNamespacesPodSecurityStandards" not in on_136


def test_removed_gates_are_not_listed_from_their_removal() -> None:
    assert "AuthorizeWithSelectors" not in gates_json("1.37")


def test_json_is_sorted_and_deterministic() -> None:
    first = run("-k", "1.35", "--format", "json")
    assert first == run("-k", "1.35", "--format", "json")
    names = [row["name"] for row in json.loads(first[1])]
    assert names == sorted(names)


def test_stage_and_component_filters() -> None:
    beta = gates_json("1.35", "--stage", "beta")
    assert beta and all(row["stage"] == "beta" for row in beta.values())
    kubelet = gates_json("1.35", "--component", "kubelet")
    assert kubelet and all("kubelet" in row["components"] for row in kubelet.values())  # type: ignore[operator]
    assert "UserNamespacesSupport" in kubelet


def test_table_is_aligned_with_a_count() -> None:
    status, out, _ = run("-k", "1.35", "--stage", "ga")
    assert status == 0
    lines = out.splitlines()
    assert lines[0].split() == ["GATE", "STAGE", "DEFAULT", "LOCKED", "KEP", "COMPONENTS"]
    stage_column = lines[0].index("STAGE")
    assert all(line[stage_column:].startswith("ga ") for line in lines[1:-2])
    assert lines[-1].startswith(f"{len(lines) - 3} gates in Kubernetes 1.35, stage ga")


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (("--stage", "gamma"), "--stage 'gamma' is not one of: alpha, beta, ga, deprecated"),
        (("--component", "kubelett"), "did you mean 'kubelet'?"),
        (("--format", "yaml"), "--format 'yaml' is not one of: table, json"),
    ],
)
def test_bad_options_are_usage_errors(arguments: tuple[str, ...], message: str) -> None:
    status, out, err = run(*arguments)
    assert status == 2
    assert message in err
    assert out == ""


def test_unknown_version_is_a_usage_error() -> None:
    status, _, err = run("-k", "1.20")
    assert status == 2
    assert "not supported" in err
