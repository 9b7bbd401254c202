"""The correctness rules users hit in practice, one test each."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from kgen.plan import build_plan
from kgen.profile import ProfileLoader
from kgen.render import render_profile


def load(tmp_path: Path, text: str, version: str) -> ProfileLoader:
    (tmp_path / "p.yaml").write_text(text, encoding="utf-8")
    return ProfileLoader(tmp_path)


def plan_for(tmp_path: Path, text: str, version: str):  # type: ignore[no-untyped-def]
    loader = load(tmp_path, text, version)
    return build_plan(loader.load(str(tmp_path / "p.yaml"), version))


@pytest.mark.parametrize(
    ("version", "authn", "authz"),
    [
        ("1.31", "apiserver.config.k8s.io/v1beta1", "apiserver.config.k8s.io/v1beta1"),
        ("1.32", "apiserver.config.k8s.io/v1beta1", "apiserver.config.k8s.io/v1"),
        ("1.33", "apiserver.config.k8s.io/v1beta1", "apiserver.config.k8s.io/v1"),
        ("1.34", "apiserver.config.k8s.io/v1", "apiserver.config.k8s.io/v1"),
        ("1.37", "apiserver.config.k8s.io/v1", "apiserver.config.k8s.io/v1"),
    ],
)
def test_structured_config_api_versions_follow_the_kubernetes_version(
    tmp_path: Path, version: str, authn: str, authz: str
) -> None:
    # AuthenticationConfiguration v1 from 1.34, AuthorizationConfiguration v1 from 1.32 (kubernetes/apiserver types per tag).
    plan = plan_for(
        tmp_path,
        "name: p\nauthorization:\n  style: file\nauthentication:\n  jwt:\n  - issuer: https://idp.example.com\n    audiences: [k8s]\n",
        version,
    )
    kinds = {f.document["kind"]: f.document["apiVersion"] for f in plan.files}
    assert kinds["AuthenticationConfiguration"] == authn
    assert kinds["AuthorizationConfiguration"] == authz


def test_no_anonymous_auth_or_oidc_flags_beside_an_authentication_config(tmp_path: Path) -> None:
    text = "name: p\nanonymousAccess:\n  mode: none\nauthentication:\n  jwt:\n  - issuer: https://idp.example.com\n    audiences: [k8s]\n"
    plan = plan_for(tmp_path, text, "1.35")
    flags = {s.key for s in plan.flags("kube-apiserver")}
    assert "authentication-config" in flags
    assert "anonymous-auth" not in flags
    assert not any(name.startswith("oidc-") for name in flags)
    document = next(f.document for f in plan.files if f.document["kind"] == "AuthenticationConfiguration")
    assert document["anonymous"] == {"enabled": False}
    assert document["jwt"][0]["issuer"]["url"] == "https://idp.example.com"


def test_anonymous_none_without_a_config_file_uses_the_flag(tmp_path: Path) -> None:
    plan = plan_for(tmp_path, "name: p\nanonymousAccess:\n  mode: none\n", "1.35")
    assert plan.flag_value("kube-apiserver", "anonymous-auth") == "false"
    assert plan.flag_value("kube-apiserver", "authentication-config") is None


def test_health_only_anonymous_access_lists_exactly_the_health_endpoints(tmp_path: Path) -> None:
    plan = plan_for(tmp_path, "name: p\n", "1.35")
    document = next(f.document for f in plan.files if f.document["kind"] == "AuthenticationConfiguration")
    assert document["anonymous"] == {
        "enabled": True,
        "conditions": [{"path": "/healthz"}, {"path": "/readyz"}, {"path": "/livez"}],
    }
    assert plan.flag_value("kube-apiserver", "anonymous-auth") is None


def test_no_authorization_mode_or_webhook_flags_beside_an_authorization_config(tmp_path: Path) -> None:
    text = (
        "name: p\nauthorization:\n  webhook:\n    name: opa\n    kubeConfigFile: /etc/kubernetes/opa.kubeconfig\n"
        "    matchConditions: [\"request.resourceAttributes.namespace == 'apps'\"]\n"
    )
    plan = plan_for(tmp_path, text, "1.35")
    flags = {s.key for s in plan.flags("kube-apiserver")}
    assert "authorization-config" in flags
    assert "authorization-mode" not in flags
    assert not any(name.startswith("authorization-webhook") for name in flags)
    document = next(f.document for f in plan.files if f.document["kind"] == "AuthorizationConfiguration")
    assert [a["type"] for a in document["authorizers"]] == ["Node", "RBAC", "Webhook"]
    assert ("/etc/kubernetes", False) in plan.mounts  # the webhook's kubeconfig is mounted into the static pod


def test_kubeadm_mounts_every_referenced_file_read_only_and_joins_by_file_discovery() -> None:
    result = render_profile(ProfileLoader().load("cis", "1.35"), ["kubeadm"])
    files = {f.path: f.content for f in result.files}
    _init, cluster, *_ = [d for d in yaml.safe_load_all(files["cis/kubeadm/kubeadm-config.yaml"]) if d]
    args = {a["name"]: a["value"] for a in cluster["apiServer"]["extraArgs"]}
    volumes = cluster["apiServer"]["extraVolumes"]
    for flag in ("authentication-config", "admission-control-config-file", "audit-policy-file", "encryption-provider-config"):
        path = args[flag]
        mount = next(v for v in volumes if path.startswith(v["mountPath"] + "/"))
        assert mount["readOnly"] is True, flag
        assert f"cis/kubeadm/files{path}" in files or flag == "encryption-provider-config"
    assert "cis/kubeadm/scripts/install-encryption-config.sh" in files  # the key stays on the node
    audit_dir = args["audit-log-path"].rsplit("/", 1)[0]
    assert any(v["mountPath"] == audit_dir and v["readOnly"] is False for v in volumes)
    join = yaml.safe_load(files["cis/kubeadm/join-worker.yaml"])
    assert join["discovery"] == {"file": {"kubeConfigPath": "/etc/kubernetes/discovery.conf"}}
    assert "bootstrapToken" not in join["discovery"]


def test_extra_args_use_the_v1beta4_list_form() -> None:
    result = render_profile(ProfileLoader().load("baseline", "1.33"), ["kubeadm"])
    text = next(f.content for f in result.files if f.path.endswith("kubeadm-config.yaml"))
    cluster = [d for d in yaml.safe_load_all(text) if d][1]
    for section in ("apiServer", "controllerManager", "scheduler"):
        assert isinstance(cluster[section]["extraArgs"], list)
        assert all(set(arg) == {"name", "value"} for arg in cluster[section]["extraArgs"])


def test_no_secret_material_in_rendered_output() -> None:
    for profile in ("baseline", "cis", "strict"):
        result = render_profile(ProfileLoader().load(profile, "1.37"))
        for item in result.files:
            assert "PRIVATE KEY" not in item.content
            for line in item.content.splitlines():
                if line.strip().startswith("secret:"):
                    # the only secret value ever written is a shell variable the install script fills on the node
                    assert item.path.endswith(".sh"), item.path
                    assert line.strip() == 'secret: "${KEY_KGEN_ENCRYPTION_KEY_FROM_NODE}"', line


def test_configuration_inside_an_install_script_is_validated_too() -> None:
    from kgen import yamlout
    from kgen.errors import InternalError
    from kgen.render import self_check
    from kgen.targets.kubeadm import render

    plan = build_plan(ProfileLoader().load("cis", "1.35"))
    script = next(o for o in render(plan) if o.embedded)
    self_check(script, plan, "kubeadm")  # as rendered: passes
    _text, document, references = script.embedded[0]
    broken = {**document, "resourcez": document["resources"]}
    broken.pop("resources")
    broken_text = yamlout.dump(broken)
    for reference, placeholder in references.items():
        broken_text = broken_text.replace(placeholder, reference)
    tampered = script._replace(content=script.content + broken_text, embedded=((broken_text, broken, references),))
    with pytest.raises(InternalError, match="resourcez"):
        self_check(tampered, plan, "kubeadm")
