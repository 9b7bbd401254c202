"""Profile values are checked as strictly as the components read them, and knobs a version cannot honour fail."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kgen.errors import KgenError
from kgen.honoured import OPT_IN_BY_STAGE
from kgen.knowledge._data import load
from kgen.knowledge.versions import SUPPORTED_VERSIONS
from kgen.plan import build_plan, feature_fields, features_table
from kgen.profile import ProfileLoader, _profile_validator, quick_normalised
from kgen.profile_schema import CIS_CIPHER_SUITES, NODE_PATH_PATTERN, PROFILE_SCHEMA, REGISTRY_PATTERN
from kgen.profile_values import control_character_findings, string_field_paths
from kgen.render import render_profile


def _lists_in(path: tuple[str, ...]) -> list[int]:
    """Positions in ``path`` whose key holds a list of mappings (jwt issuers, eventRateLimit limits)."""
    positions = []
    rules: Any = PROFILE_SCHEMA
    for position, part in enumerate(path[:-1]):
        rule = rules[part]
        if rule.get("type") == "list":
            positions.append(position)
            rules = rule["schema"]["schema"]
        else:
            rules = rule.get("schema", {})
    return positions


def _with_lists(path: tuple[str, ...], is_item: bool, value: str) -> tuple[dict[str, Any], tuple[str | int, ...]]:
    lists = _lists_in(path)
    node: Any = [value] if is_item else value
    shown: list[str | int] = [*path, 0] if is_item else list(path)
    for position in reversed(range(len(path))):
        node = {path[position]: node}
        if position - 1 in lists:
            node = [node]
    for position in reversed(lists):
        shown.insert(position + 1, 0)
    return node, tuple(shown)


STRING_FIELDS = list(string_field_paths(PROFILE_SCHEMA))


def test_the_schema_walk_finds_every_kind_of_string_field() -> None:
    paths = {".".join(path) for path, _, _ in STRING_FIELDS}
    assert {"name", "cluster.pkiDir", "tls.cipherSuites", "authentication.jwt.audiences", "authentication.jwt.issuer"} <= paths
    assert len(paths) > 40


@pytest.mark.parametrize(
    ("path", "is_item", "multiline"), STRING_FIELDS, ids=lambda v: ".".join(v) if isinstance(v, tuple) else ""
)
@pytest.mark.parametrize("character", ["\n", "\r", "\x00", "\x1b", "\x7f", "\x85", "\u2028"])
def test_every_string_field_refuses_control_characters(
    path: tuple[str, ...], is_item: bool, multiline: bool, character: str
) -> None:
    data, shown = _with_lists(path, is_item, "value" + character)
    findings = list(control_character_findings(data, PROFILE_SCHEMA))
    if multiline and character == "\n":
        assert findings == []
    else:
        assert [(f.path, f.rule) for f in findings] == [(shown, "control-characters")]


def test_only_pem_and_cel_fields_may_span_lines() -> None:
    multiline = {".".join(path) for path, _, is_multiline in STRING_FIELDS if is_multiline}
    assert multiline == {"authentication.jwt.certificateAuthority", "authorization.webhook.matchConditions"}


@pytest.mark.parametrize(
    ("pattern", "good"), [(NODE_PATH_PATTERN, "/etc/kubernetes/pki"), (REGISTRY_PATTERN, "registry.example.com/a/*")]
)
def test_patterns_match_the_whole_value(pattern: str, good: str) -> None:
    import cerberus

    from kgen.profile import _validator_class

    validator = _validator_class()({"v": {"type": "string", "regex": pattern}})
    assert validator.validate({"v": good})
    assert not validator.validate({"v": good + "\n"})
    # cerberus alone lets the trailing newline through: the reason for the subclass
    assert cerberus.Validator({"v": {"type": "string", "regex": pattern}}).validate({"v": good + "\n"})


def test_the_quick_check_does_not_vouch_for_a_trailing_newline() -> None:
    assert quick_normalised({"name": "x", "cluster": {"pkiDir": "/etc/kubernetes/pki"}}) is not None
    assert quick_normalised({"name": "x", "cluster": {"pkiDir": "/etc/kubernetes/pki\n"}}) is None
    assert not _profile_validator().validate({"name": "x", "cluster": {"pkiDir": "/etc/kubernetes/pki\n"}})


def _load(tmp_path: Path, text: str, version: str | None = None) -> Any:
    (tmp_path / "p.yaml").write_text(text, encoding="utf-8")
    return ProfileLoader(tmp_path).load("p.yaml", version)


def _problems(tmp_path: Path, text: str, version: str | None = None) -> list[str]:
    with pytest.raises(KgenError) as caught:
        render_profile(_load(tmp_path, text, version))
    return caught.value.lines()


def test_a_multi_line_pem_certificate_is_accepted(tmp_path: Path) -> None:
    pem = "-----BEGIN CERTIFICATE-----\\nMIIB\\n-----END CERTIFICATE-----\\n"
    profile = _load(
        tmp_path,
        f'name: p\nauthentication:\n  jwt:\n    - issuer: https://i.example.com\n      audiences: [a]\n      certificateAuthority: "{pem}"\n',
    )
    assert profile.data["authentication"]["jwt"][0]["certificateAuthority"].count("\n") == 3


def test_the_schema_default_ciphers_are_known_and_secure() -> None:
    suites = load("tls-cipher-suites.json")["table"]["suites"]
    assert all(name in suites and not suites[name]["insecure"] for name in CIS_CIPHER_SUITES)


def test_an_insecure_cipher_warns_in_a_plain_profile_and_fails_under_cis_and_strict(tmp_path: Path) -> None:
    ciphers = "tls:\n  cipherSuites: [TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, TLS_ECDHE_RSA_WITH_RC4_128_SHA]\n"
    profile = _load(tmp_path, "name: p\n" + ciphers)
    assert [w.format() for w in profile.warnings] == [
        "p.yaml:3:57: warning: tls.cipherSuites.1: TLS_ECDHE_RSA_WITH_RC4_128_SHA is insecure "
        "(Go's crypto/tls lists it in InsecureCipherSuites) [tls]"
    ]
    assert any("TLS_ECDHE_RSA_WITH_RC4_128_SHA" in note.text for note in render_profile(profile).plan.notes)
    refusing = load("tls-cipher-suites.json")["table"]["refuseInsecureUnder"]
    assert refusing == ["cis", "strict"]
    for parent in refusing:
        with pytest.raises(KgenError) as caught:
            _load(tmp_path, f"name: p\nextends: {parent}\n" + ciphers)
        assert caught.value.lines() == [
            "p.yaml:4:57: error: tls.cipherSuites.1: TLS_ECDHE_RSA_WITH_RC4_128_SHA is insecure "
            "(Go's crypto/tls lists it in InsecureCipherSuites); a profile extending 'cis' may not use it [tls]"
        ]


def test_a_second_event_rate_limit_of_one_type_is_refused(tmp_path: Path) -> None:
    text = (
        "name: p\nadmission:\n  eventRateLimit:\n    limits:\n"
        "      - {type: Server, qps: 1, burst: 1}\n      - {type: Server, qps: 2, burst: 2}\n"
    )
    with pytest.raises(KgenError) as caught:
        _load(tmp_path, text)
    assert caught.value.lines() == [
        "p.yaml:6:10: error: admission.eventRateLimit.limits.1.type: a second limit of type Server; "
        "kube-apiserver allows one per type [admission]"
    ]


def test_release_follows_the_command_line_version(tmp_path: Path) -> None:
    text = 'name: p\nkubernetesVersion: "1.35"\ncluster:\n  release: v1.35.2\n'
    assert _load(tmp_path, text).version == "1.35"
    with pytest.raises(KgenError) as caught:
        _load(tmp_path, text, "1.36")
    assert (
        "cluster.release: v1.35.2 is a Kubernetes 1.35 release, but the profile renders for 1.36 [version]"
        in caught.value.lines()[0]
    )


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        (
            "audit:\n  logPath: /etc/kubernetes/pki/audit.log\n",
            "audit.logPath: the writable audit log volume would mount /etc/kubernetes/pki",
        ),
        (
            "cluster:\n  configDir: /etc/ssl/certs\n",
            "cluster.configDir: the read-only volume of kgen's files would mount /etc/ssl/certs",
        ),
        ("cluster:\n  pkiDir: /usr/share/ca-certificates\n", "cluster.pkiDir: kubeadm's certificate volume would mount"),
        (
            "authorization:\n  webhook:\n    name: w\n    kubeConfigFile: /var/log/kubernetes/audit/w.conf\n",
            "audit.logPath: the writable audit log volume would mount /var/log/kubernetes/audit",
        ),
    ],
)
def test_two_volumes_on_one_mount_path_are_refused(tmp_path: Path, setting: str, message: str) -> None:
    with pytest.raises(KgenError) as caught:
        _load(tmp_path, "name: p\n" + setting)
    assert message in caught.value.lines()[0]


def test_a_webhook_kubeconfig_in_the_config_dir_shares_its_volume(tmp_path: Path) -> None:
    text = "name: p\nauthorization:\n  webhook:\n    name: w\n    kubeConfigFile: /etc/kubernetes/hardening/w.conf\n"
    assert _load(tmp_path, text).warnings == ()


@pytest.mark.parametrize(
    ("setting", "fails"),
    [
        ('cluster:\n  podSubnet: "10.244.0.0/16,fd00:10:244::/56"\n', False),
        ('cluster:\n  podSubnet: "10.244.0.0/16,10.245.0.0/16"\n', True),
        ('cluster:\n  serviceSubnet: "300.96.0.0/12"\n', True),
        ('cluster:\n  controlPlaneEndpoint: "[fd00::1]:6443"\n', False),
        ('cluster:\n  controlPlaneEndpoint: "[fd00::1]:0"\n', True),
        ('scheduler:\n  bindAddress: "::1"\n', False),
        ('scheduler:\n  bindAddress: "1.2.3"\n', True),
        ('kubeProxy:\n  metricsBindAddress: "[::1]:10249"\n', False),
        ("authentication:\n  serviceAccounts:\n    issuer: https://k.example.com:99999/x\n", True),
        ('features:\n  imageVolumes:\n    allowedRegistries: ["r.example.com:70000/a"]\n', True),
    ],
)
def test_ports_addresses_and_cidrs(tmp_path: Path, setting: str, fails: bool) -> None:
    if fails:
        with pytest.raises(KgenError) as caught:
            _load(tmp_path, "name: p\n" + setting)
        assert all(line.endswith("[network]") for line in caught.value.lines()), caught.value.lines()
    else:
        _load(tmp_path, "name: p\n" + setting)


# --- item: a knob the user set that the version cannot honour ------------------------------------


def _knob_paths() -> dict[str, str]:
    """Every feature knob a profile can set, by feature, as the plan names them."""
    profile = ProfileLoader().load("strict")
    return {
        status.knob: status.origin
        for status in build_plan(profile).features
        if not features_table()[status.knob].get("automatic")
    }


def _profile_setting(path: str) -> str:
    parts = path.split(".")
    value = "AlwaysVerify" if parts[-1] == "policy" else "true"
    text = ""
    for depth, part in enumerate(parts[:-1]):
        text += "  " * depth + part + ":\n"
    if parts[:2] == ["features", "userNamespaces"] and parts[-1] == "hostNetwork":
        text += "    enabled: true\n"
    return text + "  " * (len(parts) - 1) + f"{parts[-1]}: {value}\n"


@pytest.mark.parametrize("version", SUPPORTED_VERSIONS)
def test_every_feature_knob_the_user_sets_fails_where_the_version_cannot_honour_it(tmp_path: Path, version: str) -> None:
    refused = 0
    for knob, path in _knob_paths().items():
        text = f'name: p\nkubernetesVersion: "{version}"\n' + _profile_setting(path)
        profile = _load(tmp_path, text)
        unavailable = {
            s.origin
            for s in build_plan(profile).features
            if s.wanted and s.state == "unavailable" and profile.user_origin(s.origin) is not None
        }
        if unavailable:
            lines = _problems(tmp_path, text)
            assert all(line.endswith("[feature-version]") for line in lines), (knob, lines)
            assert {line.split(": error: ")[1].split(": ")[0] for line in lines} == unavailable, (knob, lines)
            refused += 1
        else:
            render_profile(profile)
    assert refused, "hostNetwork user namespaces are alpha in every supported version: at least that knob is refused"


@pytest.mark.parametrize(
    ("version", "expected"),
    [
        ("1.33", "first on without opting in: Kubernetes 1.35; to use it in 1.33, set features.allowAlpha: true"),
        ("1.34", "first on without opting in: Kubernetes 1.35; to use it in 1.34, set features.allowAlpha: true"),
        ("1.31", "does not exist in 1.31; first on without opting in: Kubernetes 1.35; no opt-in makes it available in 1.31"),
        ("1.35", None),
        ("1.37", None),
    ],
)
def test_image_pull_verification_set_by_the_user(tmp_path: Path, version: str, expected: str | None) -> None:
    text = "name: p\nfeatures:\n  imagePullCredentialVerification:\n    policy: AlwaysVerify\n"
    if expected is None:
        plan = render_profile(_load(tmp_path, text, version)).plan
        assert any(s.key == "imagePullCredentialsVerificationPolicy" for s in plan.settings)
        return
    lines = _problems(tmp_path, text, version)
    assert len(lines) == 1
    assert lines[0].startswith("p.yaml:4:5: error: features.imagePullCredentialVerification.policy: ")
    assert expected in lines[0]


def test_the_suggested_opt_in_makes_the_feature_render(tmp_path: Path) -> None:
    text = "name: p\nfeatures:\n  imagePullCredentialVerification:\n    policy: AlwaysVerify\n"
    opt_in = OPT_IN_BY_STAGE["alpha"].split(".")[1]
    plan = render_profile(_load(tmp_path, text.replace("features:\n", f"features:\n  {opt_in}: true\n"), "1.33")).plan
    assert any(s.key == "imagePullCredentialsVerificationPolicy" for s in plan.settings)


def test_an_inherited_knob_keeps_its_report_line(tmp_path: Path) -> None:
    result = render_profile(_load(tmp_path, "name: p\nextends: strict\n", "1.33"))
    statuses = {s.knob: s.state for s in result.plan.features}
    assert statuses["imagePullCredentialVerification"] == "unavailable"
    assert any("Image pull credential verification" in note.text for note in result.plan.notes)


@pytest.mark.parametrize(("version", "fails"), [("1.31", True), ("1.32", False)])
def test_anonymous_paths_set_by_the_user_need_a_version_that_limits_them(tmp_path: Path, version: str, fails: bool) -> None:
    text = "name: p\nanonymousAccess:\n  mode: paths\n  paths: [/version]\n"
    if fails:
        lines = _problems(tmp_path, text, version)
        assert lines == [
            "p.yaml:3:3: error: anonymousAccess.mode: Anonymous requests limited to listed endpoints (KEP-4633) cannot be "
            "honoured in Kubernetes 1.31: AnonymousAuthConfigurableEndpoints is alpha, off by default in 1.31; first on "
            "without opting in: Kubernetes 1.32; to use it in 1.31, set features.allowAlpha: true (not for production clusters) "
            "[feature-version]"
        ]
    else:
        render_profile(_load(tmp_path, text, version))


def test_every_feature_field_in_the_table_is_a_known_config_field() -> None:
    fields = [field for knob in features_table() for field in feature_fields(knob).values()]
    assert fields
    for field in fields:
        assert any(field.exists_in(version) for version in SUPPORTED_VERSIONS), field


@pytest.mark.parametrize(("version", "fails"), [("1.32", True), ("1.33", False)])
def test_a_knob_whose_config_field_the_version_lacks_is_refused(tmp_path: Path, version: str, fails: bool) -> None:
    text = (
        f'name: p\nkubernetesVersion: "{version}"\nfeatures:\n  allowBetaOffByDefault: true\n'
        "  userNamespaces:\n    enabled: true\n    idsPerPod: 131072\n"
    )
    if fails:
        assert _problems(tmp_path, text) == [
            "p.yaml:7:5: error: features.userNamespaces.idsPerPod: KubeletConfiguration has no field userNamespaces.idsPerPod "
            "in Kubernetes 1.32 (it exists from 1.33): the value cannot be rendered [feature-version]"
        ]
    else:
        plan = render_profile(_load(tmp_path, text)).plan
        assert any(s.key == "userNamespaces.idsPerPod" and s.value == 131072 for s in plan.settings)


@pytest.mark.parametrize("command", ["render", "validate"])
def test_render_and_validate_print_the_warning_and_succeed(tmp_path: Path, command: str) -> None:
    import os

    from typer.testing import CliRunner

    from kgen.cli import app

    (tmp_path / "p.yaml").write_text("name: p\ntls:\n  cipherSuites: [TLS_RSA_WITH_AES_128_CBC_SHA]\n", encoding="utf-8")
    args = [command, "p.yaml", *(["-t", "flags", "-o", str(tmp_path / "out")] if command == "render" else [])]
    old = Path.cwd()
    os.chdir(tmp_path)
    try:
        result = CliRunner().invoke(app, args)
    finally:
        os.chdir(old)
    assert result.exit_code == 0, result.output
    assert "p.yaml:3:18: warning: tls.cipherSuites.0: TLS_RSA_WITH_AES_128_CBC_SHA is insecure" in result.output


def test_the_control_character_range_is_unicodes_cc_category() -> None:
    import unicodedata

    from kgen.profile_values import _is_control

    assert [i for i in range(0x110000) if _is_control(chr(i)) != (unicodedata.category(chr(i)) == "Cc")] == []
