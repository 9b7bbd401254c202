"""Targets talos and kops: reserved flags never rendered, nothing dropped silently, files delivered, documents valid."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import FactsChange

from kgen.errors import InternalError
from kgen.plan import Plan, build_plan
from kgen.profile import ProfileLoader
from kgen.render import render_profile
from kgen.schemacheck import validate_against
from kgen.targets import kops, not_controllable, talos
from kgen.targets.managed import describe

PROFILES = ("baseline", "cis", "strict")
VERSIONS = ("1.31", "1.33", "1.35", "1.36", "1.37")


def _plan(profile: str, version: str) -> Plan:
    return build_plan(ProfileLoader().load(profile, version))


def _documents(profile: str, target: str, version: str, name: str) -> list[Any]:
    result = render_profile(ProfileLoader().load(profile, version), [target])
    (found,) = [f for f in result.files if f.path == f"{profile}/{target}/{name}"]
    return [d for d in yaml.safe_load_all(found.content) if d is not None]


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("profile", PROFILES)
def test_talos_never_renders_a_flag_or_kubelet_field_talos_reserves(profile: str, version: str) -> None:
    release = talos.release_for(version)
    policy = talos.facts()["policies"][release["policies"]]
    (patch,) = _documents(profile, "talos", version, "controlplane-patch.yaml")
    sections = {
        "kube-apiserver": patch.get("cluster", {}).get("apiServer", {}),
        "kube-controller-manager": patch.get("cluster", {}).get("controllerManager", {}),
        "kube-scheduler": patch.get("cluster", {}).get("scheduler", {}),
        "kubelet": patch.get("machine", {}).get("kubelet", {}),
    }
    rendered_flags = 0
    for component, section in sections.items():
        args = set(section.get("extraArgs", {}))
        rendered_flags += len(args)
        assert not args & set(policy[component]["denied"]), component
    assert rendered_flags > 0
    extra_config = set(sections["kubelet"].get("extraConfig", {}))
    assert not extra_config & set(policy["kubelet"]["extraConfigProtectedFields"])


def test_talos_release_follows_the_support_matrix() -> None:
    assert talos.release_for("1.31")["release"] == "1.13"
    assert talos.release_for("1.36")["release"] == "1.13"
    assert talos.release_for("1.37")["release"] == "1.14"
    # 1.14 denies tls-min-version in extraArgs, 1.13 does not: the policy set follows the release
    assert "tls-min-version" in talos.facts()["policies"][talos.release_for("1.37")["policies"]]["kube-apiserver"]["denied"]
    assert "tls-min-version" not in talos.facts()["policies"][talos.release_for("1.33")["policies"]]["kube-apiserver"]["denied"]


@pytest.mark.parametrize("target", ["talos", "kops"])
@pytest.mark.parametrize("version", ["1.31", "1.37"])
@pytest.mark.parametrize("profile", PROFILES)
def test_every_setting_is_rendered_done_by_the_distribution_or_reported(profile: str, version: str, target: str) -> None:
    plan = _plan(profile, version)
    layout: talos.Layout | kops.Layout = talos.Layout(plan) if target == "talos" else kops.Layout(plan)
    accounted = {describe(s) for s in layout.effective}
    accounted |= {done.setting for done in layout.done}
    accounted |= {entry["setting"] for entry in layout.not_controllable}
    missing = [describe(s) for s in plan.settings if describe(s) not in accounted]
    assert missing == []
    # each file is accounted for too, by what replaces it or by a report line naming it
    reported = " ".join([*(d.setting for d in layout.done), *(e["setting"] for e in layout.not_controllable)])
    delivered = {f.document.get("kind") for f in layout.effective_files}
    for node_file in plan.files:
        assert node_file.document["kind"] in delivered or node_file.node_path in reported


def test_kops_renders_typed_fields_only_and_reports_the_rest() -> None:
    plan = _plan("cis", "1.37")
    (document,) = _documents("cis", "kops", "1.37", "cluster-spec.yaml")
    flags = kops.facts()["flags"]
    fields = {section: {entry["field"] for entry in by_flag.values()} for section, by_flag in flags.items()}
    for section in ("kubeAPIServer", "kubeControllerManager", "kubeScheduler"):
        assert set(document["spec"][section]) <= fields[section], section
    reported = {entry["setting"] for entry in not_controllable(plan, "kops")}
    # kube-scheduler has no --bind-address field in kops: reported, not guessed
    assert "kube-scheduler --bind-address" in reported
    assert "bindAddress" not in document["spec"]["kubeScheduler"]


@pytest.mark.parametrize("profile", PROFILES)
def test_kops_delivers_every_file_a_field_points_at(profile: str) -> None:
    (document,) = _documents(profile, "kops", "1.37", "cluster-spec.yaml")
    spec = document["spec"]
    assets = {asset["path"]: asset for asset in spec.get("fileAssets", [])}
    file_fields = {k: v for k, v in spec["kubeAPIServer"].items() if k.endswith("File") and isinstance(v, str)}
    assert file_fields
    for field, path in file_fields.items():
        assert path in assets, field
        assert path.startswith(kops.facts()["nodeFileDir"] + "/")
        assert assets[path]["roles"] == ["ControlPlane"]
        assert yaml.safe_load(assets[path]["content"])["kind"]


def test_talos_delivers_jwt_authentication_through_machine_files(tmp_path: Path) -> None:
    profile = tmp_path / "idp.yaml"
    profile.write_text(
        "name: idp\nextends: cis\nauthentication:\n  jwt:\n  - issuer: https://idp.example.com\n    audiences: [k8s]\n",
        encoding="utf-8",
    )
    result = render_profile(ProfileLoader(tmp_path).load(str(profile), "1.35"), ["talos"])
    (found,) = [f for f in result.files if f.path.endswith("controlplane-patch.yaml")]
    patch = yaml.safe_load(found.content.split("---\n", 1)[1])
    path = patch["cluster"]["apiServer"]["extraArgs"]["authentication-config"]
    (delivered,) = [f for f in patch["machine"]["files"] if f["path"] == path]
    assert path.startswith("/var/")  # Talos creates files only under /var
    assert any(v["hostPath"] == path.rsplit("/", 1)[0] for v in patch["cluster"]["apiServer"]["extraVolumes"])
    content = yaml.safe_load(delivered["content"])
    assert content["jwt"][0]["issuer"]["url"] == "https://idp.example.com"
    assert "anonymous" not in content  # Talos sets --anonymous-auth=false, which excludes an anonymous section


def test_installer_schemas_reject_fields_the_installers_do_not_define() -> None:
    talos_schema = talos.facts()["schemas"]["v1.13.9"]["file"]
    assert validate_against({"cluster": {"apiServer": {"extraArgs": {"profiling": "false"}}}}, talos_schema) == []
    problems = validate_against({"cluster": {"apiServer": {"extraArgz": {}}}}, talos_schema)
    assert [p.path for p in problems] == ["cluster.apiServer.extraArgz"]
    kops_schema = kops.facts()["schema"]["file"]
    base = {"apiVersion": "kops.k8s.io/v1alpha2", "kind": "Cluster", "metadata": {"name": "x"}}
    assert validate_against({**base, "spec": {"kubelet": {"anonymousAuth": False}}}, kops_schema) == []
    problems = validate_against({**base, "spec": {"kubelet": {"anonymousAuth": "no", "extraArgs": {}}}}, kops_schema)
    assert sorted(p.path for p in problems) == ["spec.kubelet.anonymousAuth", "spec.kubelet.extraArgs"]


def test_self_check_refuses_a_patch_outside_the_talos_schema(monkeypatch: pytest.MonkeyPatch) -> None:
    # a Layout that writes a field Talos does not define: the self-check must stop the render
    def broken_put(self: talos.Layout, path: tuple[str, ...], value: Any, comment: str, **_: Any) -> None:
        node = self.control_plane.setdefault("cluster", {}).setdefault("apiServer", {})
        node["extraArgz"] = {path[-1]: str(value)}

    monkeypatch.setattr(talos.Layout, "put", broken_put)
    with pytest.raises(InternalError, match="extraArgz"):
        render_profile(ProfileLoader().load("baseline", "1.35"), ["talos"])


def test_cli_counts_what_talos_and_kops_cannot_take(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from kgen.cli import app

    result = CliRunner().invoke(app, ["render", "cis", "-k", "1.37", "-t", "talos", "-t", "kops", "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    plan = _plan("cis", "1.37")
    counts = {target: len(not_controllable(plan, target)) for target in ("kops", "talos")}
    assert all(counts.values())
    assert f"settings not controllable: {counts['kops']} on kops, {counts['talos']} on talos" in result.output
    report = (tmp_path / "cis" / "talos" / "REPORT.md").read_text(encoding="utf-8")
    assert f"{counts['talos']} setting(s) of the profile cannot be set here." in report
    assert "What Talos does itself" in report


def test_explain_says_where_each_setting_lands_or_why_not() -> None:
    from kgen.provenance import load_plan, places, records

    plan, _ = load_plan("cis", "1.37", ["talos", "kops"])
    by_key = {(r.component, r.key): r for r in records(plan) if r.kind == "flag"}
    apiserver = by_key[("kube-apiserver", "profiling")]
    scheduler = by_key[("kube-scheduler", "bind-address")]
    assert places(plan, apiserver, "talos") == ["talos: not rendered, Talos already sets it (same as the profile; see REPORT.md)"]
    assert places(plan, apiserver, "kops") == ["kops/cluster-spec.yaml spec.kubeAPIServer.enableProfiling"]
    assert places(plan, scheduler, "talos") == ["talos/controlplane-patch.yaml cluster.scheduler.extraArgs.bind-address"]
    assert places(plan, scheduler, "kops") == ["kops: not controllable on kops (see REPORT.md)"]


@pytest.mark.parametrize("version", ["1.33", "1.37"])
@pytest.mark.parametrize("profile", PROFILES)
def test_talos_never_weakens_a_value_talos_hardens(profile: str, version: str) -> None:
    facts = talos.facts()
    patches = [_documents(profile, "talos", version, "controlplane-patch.yaml")[0]]
    patches += _documents(profile, "talos", version, "worker-patch.yaml")
    hardened_flags = [name for name, entry in facts["apiServerFlags"].items() if entry.get("hardened")]
    hardened_fields = [name for name, entry in facts["kubeletConfig"].items() if entry.get("hardened")]
    typed = [entry["field"] for entry in facts["kubeletTypedFields"].values() if entry.get("hardened")]
    assert hardened_flags and hardened_fields and typed
    for patch in patches:
        args = patch.get("cluster", {}).get("apiServer", {}).get("extraArgs", {})
        kubelet = patch.get("machine", {}).get("kubelet", {})
        extra = kubelet.get("extraConfig", {})
        assert not set(hardened_flags) & set(args)
        for field in hardened_fields:
            node: Any = extra
            for part in field.split("."):
                node = node.get(part, {}) if isinstance(node, dict) else {}
            assert node == {}, field
        for field in typed:
            assert kubelet.get(field, True) is True, field


def test_talos_counts_its_own_anonymous_auth_off_where_kgen_renders_no_authentication_file() -> None:
    """At 1.31 kgen renders no AuthenticationConfiguration, but Talos still runs kube-apiserver with
    --anonymous-auth=false: the CIS summary must count 1.2.1 as met and say why."""
    result = render_profile(ProfileLoader().load("cis", "1.31"), ["talos"])
    report = next(f.content for f in result.files if f.path.endswith("REPORT.md"))
    assert "1.2.1 no anonymous requests: nothing in these files limits anonymous access" not in report
    assert "| kube-apiserver --anonymous-auth | `anonymousAccess.mode` |" in report
    effective = talos.coverage(result.plan).settings
    assert any(s.component == "kube-apiserver" and s.key == "anonymous-auth" and s.value == "false" for s in effective)


def test_talos_puts_each_components_flags_where_the_data_says(change_facts: FactsChange) -> None:
    plan = _plan("cis", "1.35")
    committed = talos.Layout(plan).control_plane
    assert set(talos.facts()["extraArgs"]) == {"kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubelet"}
    assert committed["cluster"]["scheduler"]["extraArgs"]

    def move(data: dict[str, Any]) -> None:
        data["extraArgs"]["kube-scheduler"] = ["cluster", "scheduler", "kgenMovedArgs"]

    change_facts(talos, move)
    moved = talos.Layout(plan).control_plane
    assert moved["cluster"]["scheduler"]["kgenMovedArgs"] == committed["cluster"]["scheduler"]["extraArgs"]
    assert "extraArgs" not in moved["cluster"]["scheduler"]


def test_talos_leaves_the_flag_naming_a_file_it_handles_to_the_file(change_facts: FactsChange) -> None:
    plan = _plan("cis", "1.35")
    assert talos.facts()["fileFlags"]["Policy"] == "audit-policy-file"
    assert "kube-apiserver --audit-policy-file" not in {done.setting for done in talos.Layout(plan).done}

    def forget(data: dict[str, Any]) -> None:
        del data["fileFlags"]["Policy"]

    change_facts(talos, forget)
    # without the data's link from the audit Policy file to its flag, the flag is judged on its own
    assert "kube-apiserver --audit-policy-file" in {done.setting for done in talos.Layout(plan).done}


def test_kops_states_its_certificate_and_asset_folders_from_the_data(change_facts: FactsChange) -> None:
    plan = _plan("cis", "1.35")
    srv = kops.facts()["srvKubernetes"]
    assert (srv["path"], srv["containerOS"]) == ("/srv/kubernetes", "/etc/srv/kubernetes")
    assert kops.facts()["nodeFileDir"] == srv["path"] + "/kube-apiserver"
    notes = " ".join(kops.Layout(plan).distribution()["notes"])
    assert f"fileAssets land in {kops.facts()['nodeFileDir']}," in notes
    assert f"({srv['containerOS']} on COS images)" in notes

    def move(data: dict[str, Any]) -> None:
        data["srvKubernetes"] = {"path": "/kgen/srv", "containerOS": "/kgen/cos"}
        data["nodeFileDir"] = "/kgen/srv/kube-apiserver"

    change_facts(kops, move)
    layout = kops.Layout(plan)
    notes = " ".join(layout.distribution()["notes"])
    assert "fileAssets land in /kgen/srv/kube-apiserver," in notes and "(/kgen/cos on COS images)" in notes
    pki = [entry["platform"] for entry in layout.not_controllable if "certificates under" in entry["platform"]]
    assert pki and all(text.startswith("kops issues its own certificates under /kgen/srv;") for text in pki)


@pytest.mark.parametrize("target", [talos, kops])
def test_talos_and_kops_share_the_layout_helpers(target: Any) -> None:
    from kgen.targets.layouts import LayoutBase

    plan = _plan("cis", "1.35")
    layout = target.Layout(plan)
    assert isinstance(layout, LayoutBase)
    for helper in ("refuse", "is_pki", "flags_of", "refuse_components"):
        assert helper not in vars(target.Layout), helper  # the shared one, not a copy
    pki_dir = plan.profile.data["cluster"]["pkiDir"].rstrip("/")
    assert layout.is_pki(f"{pki_dir}/apiserver.crt") and not layout.is_pki(f"{pki_dir}x/apiserver.crt")
    refused = {entry["setting"] for entry in layout.not_controllable}
    components = target.facts()["components"]
    assert {describe(s) for s in plan.settings if s.component in components} <= refused
