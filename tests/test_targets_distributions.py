"""Targets rke2 and k3s: config.yaml keys are the distributions' own, nothing fights them, nothing is dropped."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import FactsChange
from typer.testing import CliRunner

from kgen.cli import app
from kgen.errors import InternalError, KgenError
from kgen.plan import Plan, build_plan
from kgen.profile import ProfileLoader
from kgen.render import _loader, render_profile
from kgen.targets import not_controllable, rancher
from kgen.targets.managed import describe

PROFILES = ("baseline", "cis", "strict")
VERSIONS = ("1.31", "1.32", "1.33", "1.34", "1.35", "1.36", "1.37")
TARGETS = ("rke2", "k3s")
CASES = [(p, v, t) for p in PROFILES for v in VERSIONS for t in TARGETS]


def plan_for(reference: str, version: str) -> Plan:
    return build_plan(ProfileLoader().load(reference, version))


def custom(tmp_path: Path, body: str) -> str:
    path = tmp_path / "custom.yaml"
    path.write_text(body, encoding="utf-8")
    return str(path)


def rendered(reference: str, version: str, target: str) -> dict[str, str]:
    result = render_profile(ProfileLoader().load(reference, version), [target])
    name = result.profile.name
    return {item.path.removeprefix(f"{name}/{target}/"): item.content for item in result.files}


def config(files: dict[str, str], role: str) -> dict[str, Any]:
    documents = [d for d in yaml.load_all(files[f"{role}/config.yaml"], Loader=_loader()) if d is not None]
    assert len(documents) == 1
    document: dict[str, Any] = documents[0]
    return document


def arguments(document: dict[str, Any], key: str) -> dict[str, str]:
    return dict(item.split("=", 1) for item in document.get(key, []))


@pytest.mark.parametrize(("profile", "version", "target"), CASES)
def test_every_key_is_a_flag_of_the_role_and_every_named_file_is_delivered(profile: str, version: str, target: str) -> None:
    files = rendered(profile, version, target)
    data = rancher.facts()[target]
    managed = rancher.facts()["shared"]["managedFlags"]
    delivered = {"/" + path.removeprefix("files/") for path in files if path.startswith("files/")}
    for role in ("server", "agent"):
        document = config(files, role)
        flags = data["flags"][role]
        for key, value in document.items():
            assert key in flags and not flags[key]["hidden"], f"{target} {role}: {key}"
            if flags[key]["type"] == "stringSlice":
                assert isinstance(value, list) and all(isinstance(item, str) for item in value)
        for spec_component, spec in rancher.facts()["shared"]["argKeys"].items():
            for name, value in arguments(document, spec["key"]).items():
                if not (spec_component == "kubelet" and name == "config"):
                    assert name not in managed.get(spec_component, {}), f"{target} renders --{name}, which it sets itself"
                if value.startswith(("/etc/kubernetes/hardening/", "/etc/rancher/")):
                    assert value in delivered, f"{value} is named but not delivered"
        for key in ("pod-security-admission-config-file", "audit-policy-file"):
            if key in document:
                assert document[key] in delivered
    server_args = arguments(config(files, "server"), "kube-apiserver-arg")
    if "authentication-config" in server_args:
        assert "anonymous-auth" not in server_args
    if "authorization-config" in server_args:
        assert "authorization-mode" not in server_args


@pytest.mark.parametrize(("profile", "version", "target"), [(p, "1.37", t) for p in PROFILES for t in TARGETS])
def test_every_setting_is_rendered_or_listed(profile: str, version: str, target: str) -> None:
    """Nothing is dropped silently: each setting is in config.yaml, the kubelet file, or the not-controllable list."""
    plan = plan_for(profile, version)
    files = rendered(profile, version, target)
    server = config(files, "server")
    text = "\n".join(files.values())
    listed = {entry["setting"] for entry in not_controllable(plan, target)}
    kubelet_file = next((c for p, c in files.items() if p.endswith("/kubelet-config.yaml")), "")
    for setting in plan.settings:
        if setting.is_flag:
            spec = rancher.facts()["shared"]["argKeys"][setting.component]
            in_args = f"{setting.key}={setting.value}" in server.get(spec["key"], [])
            first_class = setting.value in server.values()
            own = f"--{setting.key}={setting.value} is set by RKE2" in text or (
                target == "rke2" and setting.key.startswith("audit-log-max")
            )
            assert in_args or first_class or own or describe(setting) in listed, describe(setting)
        elif setting.component == "kubelet":
            leaf = setting.key.split(".")[-1]
            assert leaf in kubelet_file or describe(setting) in listed or setting.key == "protectKernelDefaults", describe(
                setting
            )


def test_rke2_cis_uses_first_class_keys_and_its_profile() -> None:
    server = config(rendered("cis", "1.37", "rke2"), "server")
    assert server["profile"] == "cis"
    assert server["pod-security-admission-config-file"] == "/etc/kubernetes/hardening/admission-config.yaml"
    assert server["audit-policy-file"] == "/etc/kubernetes/hardening/audit-policy.yaml"
    assert server["protect-kernel-defaults"] is True
    assert server["secrets-encryption-provider"] == "secretbox"
    args = arguments(server, "kube-apiserver-arg")
    for raw in ("admission-control-config-file", "audit-policy-file", "encryption-provider-config", "client-ca-file"):
        assert raw not in args
    # profile: cis prepends the same value; RKE2 prepends the same audit rotation whenever it has a policy
    assert "service-account-extend-token-expiration" not in args
    assert "audit-log-maxage" not in args
    assert args["audit-log-path"] == "/var/log/kubernetes/audit/audit.log"
    assert "secrets-encryption" not in server  # hidden in RKE2: it forces it on


def test_baseline_leaves_rke2_profile_off_because_it_keeps_kernel_defaults_unprotected() -> None:
    files = rendered("baseline", "1.37", "rke2")
    assert "profile" not in config(files, "server")
    assert config(files, "server")["protect-kernel-defaults"] is False


def test_k3s_has_no_rke2_only_keys() -> None:
    files = rendered("cis", "1.37", "k3s")
    server = config(files, "server")
    for key in ("profile", "pod-security-admission-config-file", "audit-policy-file"):
        assert key not in server
    args = arguments(server, "kube-apiserver-arg")
    assert args["admission-control-config-file"] == "/etc/kubernetes/hardening/admission-config.yaml"
    assert args["audit-log-maxage"] == "30"
    assert server["secrets-encryption"] is True


def test_agent_gets_only_node_keys() -> None:
    agent = config(rendered("strict", "1.37", "rke2"), "agent")
    assert set(agent) == {"profile", "protect-kernel-defaults", "kube-proxy-arg", "kubelet-arg"}
    assert agent["kubelet-arg"] == ["config=/etc/rancher/rke2/kubelet-config.yaml"]


def test_kubelet_file_leaves_out_what_the_distribution_manages() -> None:
    files = rendered("cis", "1.37", "k3s")
    kubelet = next(d for d in yaml.load_all(files["files/etc/rancher/k3s/kubelet-config.yaml"], Loader=_loader()) if d)
    assert kubelet["kind"] == "KubeletConfiguration"
    for field in ("serverTLSBootstrap", "rotateCertificates", "protectKernelDefaults"):
        assert field not in kubelet
    assert "x509" not in kubelet["authentication"]


def test_before_132_kubelet_fields_are_reported_not_dropped() -> None:
    plan = plan_for("cis", "1.31")
    items = not_controllable(plan, "rke2")
    assert any(entry["setting"] == "kubelet seccompDefault: true" and "v1.32" in entry["platform"] for entry in items)
    files = rendered("cis", "1.31", "rke2")
    assert not any(path.endswith("kubelet-config.yaml") for path in files)
    assert "kubelet-arg" not in config(files, "server")


def test_kms_is_reported_and_nothing_fights_the_distribution(tmp_path: Path) -> None:
    reference = custom(tmp_path, "name: kms\nextends: cis\nencryption:\n  provider: kms\n")
    plan = plan_for(reference, "1.37")
    for target in TARGETS:
        items = not_controllable(plan, target)
        assert any(entry["origin"] == "encryption.provider" and "kms" in entry["setting"] for entry in items)
        files = rendered(reference, "1.37", target)
        assert "secrets-encryption-provider" not in config(files, "server")
        assert not any("encryption" in path for path in files)
        assert f"{len(items)} setting(s) of the profile cannot be set here." in files["REPORT.md"]


def test_rke2_cis_profile_refuses_unprotected_kernel_defaults(tmp_path: Path) -> None:
    reference = custom(
        tmp_path, "name: clash\nextends: baseline\nrke2:\n  profile: cis\nkubelet:\n  protectKernelDefaults: false\n"
    )
    with pytest.raises(KgenError) as caught:
        render_profile(ProfileLoader().load(reference, "1.37"), ["rke2"])
    text = caught.value.problems[0].format()
    assert text.startswith(f"{reference}:4:3: error: ") and "rke2.profile:" in text and "protectKernelDefaults" in text


def test_self_check_rejects_a_key_the_distribution_does_not_have() -> None:
    plan = plan_for("cis", "1.37")
    with pytest.raises(InternalError, match="not a flag of `k3s server`"):
        rancher.check_config("k3s", "server", {"pod-security-admission-config-file": "/x"}, plan, set())
    with pytest.raises(InternalError, match="set by RKE2 itself"):
        rancher.check_config("rke2", "server", {"kube-apiserver-arg": ["anonymous-auth=false"]}, plan, set())
    with pytest.raises(InternalError, match="does not deliver"):
        rancher.check_config("rke2", "server", {"audit-policy-file": "/etc/rancher/rke2/missing.yaml"}, plan, set())
    with pytest.raises(InternalError, match="NoSuchGate"):
        rancher.check_config("k3s", "server", {"kube-apiserver-arg": ["feature-gates=NoSuchGate=true"]}, plan, set())
    with pytest.raises(InternalError, match="--no-such-flag is not a kube-scheduler flag"):
        rancher.check_config("rke2", "server", {"kube-scheduler-arg": ["no-such-flag=1"]}, plan, set())
    with pytest.raises(InternalError, match="must be a bool"):
        rancher.check_config("rke2", "agent", {"protect-kernel-defaults": "true"}, plan, set())


def test_release_line_and_oldest_patch_are_reported() -> None:
    report = rendered("cis", "1.33", "rke2")["REPORT.md"]
    assert "release line v1.33.x+rke2rN" in report
    assert "needs RKE2 v1.33.1+rke2r1 or newer" in report
    assert "needs" not in rendered("cis", "1.37", "k3s")["REPORT.md"].split("## Notes")[1].split("##")[0].split("release line")[1]


def test_cli_prints_the_not_controllable_count(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["render", "cis", "-t", "rke2", "-t", "k3s", "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    plan = plan_for("cis", "1.37")
    counts = (
        f"settings not controllable: {len(not_controllable(plan, 'k3s'))} on k3s, {len(not_controllable(plan, 'rke2'))} on rke2"
    )
    assert counts in result.output


def _notes(plan: Plan, target: str) -> str:
    return "\n".join(note.text for note in rancher.layout(plan, target).report_plan.notes)


def test_rke2_cis_profile_states_what_the_data_says_it_does(change_facts: FactsChange) -> None:
    profile = rancher.facts()["rke2"]["cisProfile"]
    notes = _notes(plan_for("cis", "1.37"), "rke2")
    for fact in (*profile["ownFiles"], *profile["podSecurityExemptions"], profile["forcedKubeletField"]["key"]):
        assert fact in notes, fact

    def change(data: dict[str, Any]) -> None:
        cis = data["rke2"]["cisProfile"]
        cis["ownFiles"] = ["kgen-file-one", "kgen-file-two"]
        cis["podSecurityExemptions"] = ["kgen-namespace"]
        cis["summary"] = "kgen summary"

    change_facts(rancher, change)
    plan = plan_for("cis", "1.37")
    notes = _notes(plan, "rke2")
    assert "RKE2 writes neither kgen-file-one nor kgen-file-two," in notes
    assert "RKE2's own file also exempts kgen-namespace from Pod Security" in notes
    assert rancher.layout(plan, "rke2").server.comments[("profile",)] == (
        "from rke2.profile; RKE2's CIS mode: kgen summary (see REPORT.md)"
    )


def test_rke2_cis_refusal_names_the_field_the_data_says_it_forces(tmp_path: Path, change_facts: FactsChange) -> None:
    reference = custom(tmp_path, "name: clash\nextends: cis\nrke2:\n  profile: cis\nkubelet:\n  seccompDefault: false\n")
    render_profile(ProfileLoader().load(reference, "1.37"), ["rke2"])  # kernel defaults protected: no clash

    def change(data: dict[str, Any]) -> None:
        data["rke2"]["cisProfile"]["forcedKubeletField"] = {"field": "seccompDefault", "key": "kgen-seccomp-key"}

    change_facts(rancher, change)
    with pytest.raises(KgenError) as caught:
        render_profile(ProfileLoader().load(reference, "1.37"), ["rke2"])
    assert "RKE2's profile: cis forces kgen-seccomp-key and refuses false: set kubelet.seccompDefault: true" in (
        caught.value.problems[0].message
    )


@pytest.mark.parametrize("target", TARGETS)
def test_encryption_and_kubelet_file_notes_come_from_the_data(target: str, tmp_path: Path, change_facts: FactsChange) -> None:
    shared = rancher.facts()["shared"]
    own = rancher.facts()[target]
    kubelet_file = rendered("cis", "1.37", target)[f"files{own['configPath'].rsplit('/', 1)[0]}/kubelet-config.yaml"]
    assert f"copies it to {shared['kubeletConfigFile']['copiedTo']}, after its own {own['kubeletDefaultsFile']}" in kubelet_file
    credentials = shared["secretsEncryption"]["credentialsDir"].replace("{dataDir}", own["dataDir"])
    assert f"keeps the encryption key and configuration under {credentials}:" in _notes(plan_for("cis", "1.37"), target)

    def change(data: dict[str, Any]) -> None:
        data["shared"]["kubeletConfigFile"]["copiedTo"] = "kgen.d/cli.conf"
        data[target]["kubeletDefaultsFile"] = "kgen-defaults.conf"
        data["shared"]["secretsEncryption"]["credentialsDir"] = "{dataDir}/kgen-cred"
        data["shared"]["secretsEncryption"]["providers"] = ["secretbox", "aescbc"]
        data[target]["encryptionForced"] = True

    change_facts(rancher, change)
    kubelet_file = rendered("cis", "1.37", target)[f"files{own['configPath'].rsplit('/', 1)[0]}/kubelet-config.yaml"]
    assert "copies it to kgen.d/cli.conf, after its own kgen-defaults.conf" in kubelet_file
    assert f"under {own['dataDir']}/kgen-cred:" in _notes(plan_for("cis", "1.37"), target)
    plain = custom(tmp_path, "name: plain\nextends: cis\nencryption:\n  enabled: false\n")
    assert "whatever the profile says (secretbox by default)" in _notes(plan_for(plain, "1.37"), target)
