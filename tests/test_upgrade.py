"""kgen upgrade-check: the exit status for profiles that break across upgrades and ones that do not."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kgen.cli import app
from kgen.errors import EXIT_UPGRADE_BREAKS

PROFILES = {
    # an alpha gate rendered for 1.34 that 1.35 removed
    "userns-pss.yaml": """\
name: userns-pss
extends: strict
kubernetesVersion: "1.34"
features:
  allowAlpha: true
  gates:
    UserNamespacesPodSecurityStandards: true
""",
    # GA and locked on 1.36 (not rendered), removed in 1.37: the profile no longer renders
    "selectors.yaml": """\
name: selectors
extends: cis
kubernetesVersion: "1.36"
features:
  gates:
    AuthorizeWithSelectors: true
""",
    # rendered as false on 1.35 (beta, on by default); 1.36 locks it to true
    "userns-off.yaml": """\
name: userns-off
extends: cis
kubernetesVersion: "1.35"
features:
  gates:
    UserNamespacesSupport: false
""",
    # GenericWorkload on 1.36 renders scheduling.k8s.io/v1alpha2, which 1.37 no longer registers (#138572)
    "workload.yaml": """\
name: workload
extends: cis
kubernetesVersion: "1.36"
features:
  allowAlpha: true
  gates:
    GenericWorkload: true
""",
    # CoordinatedLeaderElection on 1.31 renders coordination.k8s.io/v1alpha1/leasecandidates; 1.32 has v1alpha2 instead
    "leader.yaml": """\
name: leader
extends: cis
kubernetesVersion: "1.31"
features:
  allowAlpha: true
  gates:
    CoordinatedLeaderElection: true
""",
    # pod certificates on 1.34 render certificates.k8s.io/v1alpha1/podcertificaterequests; 1.35 serves them as v1beta1
    "podcerts.yaml": """\
name: podcerts
extends: strict
kubernetesVersion: "1.34"
features:
  allowAlpha: true
""",
}


@pytest.fixture(autouse=True)
def profiles(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for name, text in PROFILES.items():
        Path(name).write_text(text, encoding="utf-8")


def check(*arguments: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["upgrade-check", *arguments])
    return result.exit_code, result.stdout, result.stderr


def findings(*arguments: str) -> tuple[int, dict[str, object]]:
    status, out, _ = check(*arguments, "--format", "json")
    return status, json.loads(out)


def test_removed_gate_rendered_for_the_old_version_breaks() -> None:
    status, data = findings("userns-pss.yaml", "--to", "1.35")
    assert status == EXIT_UPGRADE_BREAKS
    assert data["breaks"] is True
    gate = [f for f in data["findings"] if f["topic"] == "gate" and f["breaks"]]  # type: ignore[index,union-attr]
    assert [f["subject"] for f in gate] == ["UserNamespacesPodSecurityStandards"]
    assert "removed in 1.35" in gate[0]["message"]


def test_explicit_gate_removed_in_the_new_version_breaks() -> None:
    status, out, _ = check("selectors.yaml", "--to", "1.37")
    assert status == EXIT_UPGRADE_BREAKS
    assert "result: BREAKS" in out
    assert "the profile cannot be rendered for 1.37" in out
    assert "AuthorizeWithSelectors was removed in Kubernetes 1.37" in out


def test_same_profile_one_release_earlier_is_fine() -> None:
    status, out, _ = check("selectors.yaml", "--to", "1.36", "--from", "1.35")
    assert status == 0
    assert "result: ok" in out


def test_gate_locked_against_its_rendered_value_breaks() -> None:
    status, data = findings("userns-off.yaml", "--to", "1.36")
    assert status == EXIT_UPGRADE_BREAKS
    messages = [f["message"] for f in data["findings"] if f["breaks"]]  # type: ignore[index,union-attr]
    assert any("UserNamespacesSupport=false" in m and "1.36 locks it to true" in m for m in messages)


def test_bundled_profile_upgrade_reports_changes_without_breaking() -> None:
    status, data = findings("strict", "--from", "1.34", "--to", "1.36")
    assert status == 0
    assert data["breaks"] is False
    assert "ImageVolume: beta in 1.34, ga in 1.36" in data["gateChanges"]  # type: ignore[operator]
    features = {f["knob"]: (f["old"], f["new"]) for f in data["features"]}  # type: ignore[union-attr,index]
    assert features["podCertificates"] == ("unavailable", "rendered")
    no_longer = [f for f in data["findings"] if f["subject"] == "ImageVolume"]  # type: ignore[index,union-attr]
    assert no_longer and not no_longer[0]["breaks"] and "kgen no longer renders it" in no_longer[0]["message"]
    settings = {(s["change"], s["component"], s["key"]) for s in data["settings"]}  # type: ignore[union-attr,index]
    assert ("removed", "kubelet", "ImageVolume") in settings
    assert ("added", "kubelet", "imagePullCredentialsVerificationPolicy") in settings


def test_apiversion_changes_are_reported() -> None:
    status, data = findings("cis", "--from", "1.33", "--to", "1.34")
    assert status == 0
    api = [f for f in data["findings"] if f["topic"] == "apiVersion"]  # type: ignore[index,union-attr]
    assert [f["subject"] for f in api] == ["AuthenticationConfiguration"]
    assert "kgen writes apiserver.config.k8s.io/v1 for 1.34 instead of apiserver.config.k8s.io/v1beta1" in api[0]["message"]
    assert "apiserver.config.k8s.io/v1beta1 is still read (deprecated)" in api[0]["message"]
    assert api[0]["breaks"] is False


def _runtime_config(data: dict[str, object]) -> list[dict[str, object]]:
    return [f for f in data["findings"] if f["topic"] == "runtime-config"]  # type: ignore[index,union-attr,attr-defined]


def test_runtime_config_group_version_no_longer_registered_breaks() -> None:
    status, data = findings("workload.yaml", "--to", "1.37")
    assert status == EXIT_UPGRADE_BREAKS
    found = _runtime_config(data)
    assert [(f["subject"], f["breaks"]) for f in found] == [("scheduling.k8s.io/v1alpha2", True)]
    assert "scheduling.k8s.io/v1alpha2 is not registered in Kubernetes 1.37" in str(found[0]["message"])
    assert "kube-apiserver 1.37 refuses to start" in str(found[0]["message"])


def test_runtime_config_resource_entry_for_a_dropped_version_breaks() -> None:
    status, out, _ = check("leader.yaml", "--to", "1.32")
    assert status == EXIT_UPGRADE_BREAKS
    assert "! --runtime-config coordination.k8s.io/v1alpha1/leasecandidates=true is rendered for 1.31" in out
    assert "it registers v1, v1alpha2, v1beta1" in out


def test_runtime_config_resource_no_longer_served_is_a_warning() -> None:
    status, data = findings("podcerts.yaml", "--to", "1.35")
    assert status == 0
    found = _runtime_config(data)
    assert [(f["subject"], f["breaks"]) for f in found] == [("certificates.k8s.io/v1alpha1/podcertificaterequests", False)]
    assert "kube-apiserver 1.35 starts, but the API is no longer there" in str(found[0]["message"])


def test_runtime_config_still_registered_is_not_reported() -> None:
    # certificates.k8s.io/v1beta1 serves both pod certificate APIs in 1.35 and 1.36
    status, data = findings("podcerts.yaml", "--from", "1.35", "--to", "1.36")
    assert status == 0
    assert {f["key"] for f in data["settings"] if f["kind"] == "runtime-config"} == set()  # type: ignore[union-attr,index]
    assert _runtime_config(data) == []


def test_one_alpha_version_per_release_breaks_every_upgrade() -> None:
    # scheduling.k8s.io v1alpha1 (1.35) -> v1alpha2 (1.36): each release drops the previous group version
    status, data = findings("workload.yaml", "--from", "1.35", "--to", "1.36")
    assert status == EXIT_UPGRADE_BREAKS
    assert [f["subject"] for f in _runtime_config(data) if f["breaks"]] == ["scheduling.k8s.io/v1alpha1"]


def test_api_version_the_new_release_no_longer_reads_breaks(monkeypatch: pytest.MonkeyPatch) -> None:
    # kgen's own output never uses an apiVersion a later release drops (test_knowledge_api_versions checks that),
    # so the break is shown with kubeadm's v1beta3 removal applied to the kubeadm documents of a real plan
    from kgen import knowledge, upgrade
    from kgen.plan import build_plan
    from kgen.profile import ProfileLoader

    plan = build_plan(ProfileLoader().load("cis", "1.36"))
    monkeypatch.setattr(
        upgrade,
        "rendered_api_versions",
        lambda _plan: [
            ("ClusterConfiguration", "kubeadm.k8s.io/v1beta3"),
            ("KubeletConfiguration", "kubelet.config.k8s.io/v1beta1"),
        ],
    )
    found = upgrade._api_findings(plan, "1.37")
    assert [(f.subject, f.breaks) for f in found] == [("ClusterConfiguration", True)]
    assert found[0].message == (
        "ClusterConfiguration is rendered as kubeadm.k8s.io/v1beta3 for 1.36; 1.37 no longer reads it: write kubeadm.k8s.io/v1beta4"
    )
    assert knowledge.api_version_served("ClusterConfiguration", "kubeadm.k8s.io/v1beta3", "1.36")


def test_downgrade_is_a_usage_error() -> None:
    status, _, err = check("strict", "--from", "1.36", "--to", "1.35")
    assert status == 2
    assert "older than --from" in err


def test_text_and_json_agree_on_the_verdict() -> None:
    text_status, _, _ = check("userns-pss.yaml", "--to", "1.35")
    json_status, _ = findings("userns-pss.yaml", "--to", "1.35")
    assert text_status == json_status == EXIT_UPGRADE_BREAKS
