"""The planner takes config field names from the feature data and table rows from settings.json, not from code.

features.yaml records, per security feature, the config field each knob renders as; settings.yaml
the rows that map one profile key to one flag. A rule module that spelled such a name again would
keep rendering it after the data changed: these tests change the data and watch the plan follow.
"""

from __future__ import annotations

import ast
import copy
from pathlib import Path
from typing import Any

import pytest

from kgen.plan import COMPONENT_CONFIG_KINDS, build_plan, feature_fields, features_table, settings_table
from kgen.plan import tables as plan_tables
from kgen.plan.build import RULES
from kgen.profile import ProfileLoader

PLAN_DIR = Path(__file__).resolve().parent.parent / "kgen" / "plan"


def strict_plan(version: str = "1.37") -> Any:
    return build_plan(ProfileLoader().load("strict", version))


def with_features(monkeypatch: pytest.MonkeyPatch, table: dict[str, Any]) -> None:
    """Every reader of the features table (through plan.tables) sees ``table`` instead."""
    original = plan_tables._data
    monkeypatch.setattr(plan_tables, "_data", lambda name: table if name == "features" else original(name))


def with_feature_field(monkeypatch: pytest.MonkeyPatch, feature: str, knob: str, written: str) -> None:
    table = copy.deepcopy(features_table())
    table[feature]["fields"][knob] = written
    with_features(monkeypatch, table)


def test_every_feature_field_is_a_config_kind_kgen_writes() -> None:
    fields = [field for feature in features_table() for field in feature_fields(feature).values()]
    assert {field.origin for field in fields} >= {
        "features.userNamespaces.idsPerPod",
        "features.imagePullCredentialVerification.policy",
        "features.imagePullCredentialVerification.allowlist",
    }
    for field in fields:
        assert field.kind in COMPONENT_CONFIG_KINDS.values(), field
        assert COMPONENT_CONFIG_KINDS[field.component] == field.kind


def test_the_plan_renders_the_user_namespaces_field_the_data_names(monkeypatch: pytest.MonkeyPatch) -> None:
    assert ("kubelet", "userNamespaces.idsPerPod") in {(s.component, s.key) for s in strict_plan().settings}
    with_feature_field(monkeypatch, "userNamespaces", "idsPerPod", "KubeletConfiguration userNamespaces.renamedIds")
    keys = {(s.component, s.key): s.reason.origin for s in strict_plan().settings}
    assert keys[("kubelet", "userNamespaces.renamedIds")] == "features.userNamespaces.idsPerPod"
    assert ("kubelet", "userNamespaces.idsPerPod") not in keys


def test_the_plan_renders_the_pull_policy_field_the_data_names(monkeypatch: pytest.MonkeyPatch) -> None:
    assert ("kubelet", "imagePullCredentialsVerificationPolicy") in {(s.component, s.key) for s in strict_plan().settings}
    with_feature_field(monkeypatch, "imagePullCredentialVerification", "policy", "KubeletConfiguration renamedPolicy")
    keys = {(s.component, s.key) for s in strict_plan().settings}
    assert ("kubelet", "renamedPolicy") in keys
    assert ("kubelet", "imagePullCredentialsVerificationPolicy") not in keys


def test_a_pull_policy_field_the_version_lacks_is_noted_by_the_name_the_data_gives(monkeypatch: pytest.MonkeyPatch) -> None:
    # The policy is usable in 1.35 (its gate is beta and on); tlsCurvePreferences exists from 1.36 only.
    with_feature_field(monkeypatch, "imagePullCredentialVerification", "policy", "KubeletConfiguration tlsCurvePreferences")
    plan = strict_plan("1.35")
    assert "tlsCurvePreferences exists from 1.36" in [note.text for note in plan.notes]
    assert not any(s.key in ("tlsCurvePreferences", "imagePullCredentialsVerificationPolicy") for s in plan.settings)


def test_no_rule_module_spells_a_field_the_feature_data_records() -> None:
    recorded = {field.path for feature in features_table() for field in feature_fields(feature).values()}
    spelled = {
        (path.name, node.value)
        for path in sorted(PLAN_DIR.glob("*.py"))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in recorded
    }
    assert spelled == set()


def test_rows_naming_a_rule_name_one_that_applies_them() -> None:
    rules = {rule.__name__ for rule in RULES}
    named = {entry["rule"] for entries in settings_table().values() for entry in entries if "rule" in entry}
    assert named == {"audit"} and named <= rules


@pytest.mark.parametrize("enabled", [True, False])
def test_audit_rows_follow_audit_enabled(tmp_path: Path, enabled: bool) -> None:
    profile = tmp_path / "p.yaml"
    profile.write_text(f"name: p\nextends: cis\naudit:\n  enabled: {'true' if enabled else 'false'}\n", encoding="utf-8")
    plan = build_plan(ProfileLoader().load(str(profile), "1.37"))
    audit_rows = [e["flag"] for e in settings_table()["kube-apiserver"] if e.get("rule") == "audit"]
    flags = {s.key: s for s in plan.flags("kube-apiserver")}
    assert audit_rows == ["audit-log-path", "audit-log-maxage", "audit-log-maxbackup", "audit-log-maxsize"]
    assert all((row in flags) is enabled for row in audit_rows)
    if enabled:
        assert flags["audit-log-maxage"].reason.origin == "audit.maxAge"
        assert flags["audit-log-maxage"].reason.refs == ("CIS 1.2.17",)
        # After the policy file, as the audit rule decided them before they were data.
        keys = [s.key for s in plan.settings if s.component == "kube-apiserver"]
        assert keys.index("audit-policy-file") + 1 == keys.index("audit-log-path")


def test_every_feature_of_the_table_gets_a_status() -> None:
    knobs = [status.knob for status in strict_plan().features]
    assert sorted(knobs) == sorted(features_table())


def test_the_features_that_are_only_their_gates_are_the_ones_the_data_marks(monkeypatch: pytest.MonkeyPatch) -> None:
    marked = [knob for knob, spec in features_table().items() if spec.get("rule") == "security_features"]
    assert "sidecarContainers" in marked and "userNamespaces" not in marked
    table = copy.deepcopy(features_table())
    del table["sidecarContainers"]["rule"]
    with_features(monkeypatch, table)
    assert "sidecarContainers" not in [status.knob for status in strict_plan().features]


def with_admission_plugins(monkeypatch: pytest.MonkeyPatch, table: dict[str, Any]) -> None:
    original = plan_tables._data
    monkeypatch.setattr(plan_tables, "_data", lambda name: table if name == "admission-plugins" else original(name))


def admission_plugins_setting(profile: str = "strict") -> Any:
    plan = build_plan(ProfileLoader().load(profile, "1.37"))
    return next(s for s in plan.settings if s.component == "kube-apiserver" and s.key == "enable-admission-plugins")


def test_the_admission_plugins_are_the_ones_the_data_lists_in_its_order(monkeypatch: pytest.MonkeyPatch) -> None:
    setting = admission_plugins_setting("cis")
    assert setting.value == "NodeRestriction,PodSecurity,EventRateLimit,DenyServiceExternalIPs"
    assert setting.reason.refs == ("CIS 1.2.14", "CIS 1.2.9", "CIS 1.2.3", "CVE-2020-8554")
    table = copy.deepcopy(plan_tables.admission_plugins_table())
    plugins = table["plugins"]
    plugins.reverse()
    pull = next(entry for entry in plugins if entry["plugin"] == "AlwaysPullImages")
    pull["when"] = "admission.denyServiceExternalIPs"  # on in cis, where admission.alwaysPullImages is off
    plugins.append({"plugin": "ServiceAccount", "when": "always", "refs": ["CIS 1.2.12", "CIS 1.2.14"]})
    table["why"] = "the plugins the data names"
    with_admission_plugins(monkeypatch, table)
    setting = admission_plugins_setting("cis")
    expected = [
        "DenyServiceExternalIPs",
        "AlwaysPullImages",
        "EventRateLimit",
        "PodSecurity",
        "NodeRestriction",
        "ServiceAccount",
    ]
    assert setting.value == ",".join(expected)
    assert setting.reason.refs == ("CIS 1.2.3", "CVE-2020-8554", "CIS 1.2.11", "CIS 1.2.9", "CIS 1.2.14", "CIS 1.2.12")
    assert setting.reason.why == "the plugins the data names"


def test_no_rule_module_spells_an_admission_plugin_the_flag_lists() -> None:
    listed = {entry["plugin"] for entry in plan_tables.admission_plugins_table()["plugins"]}
    # PodSecurity and EventRateLimit also name the configuration blocks of the AdmissionConfiguration document.
    spelled = {
        (path.name, node.value)
        for path in sorted(PLAN_DIR.glob("*.py"))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and node.value in listed - {"PodSecurity", "EventRateLimit"}
    }
    assert spelled == set()
