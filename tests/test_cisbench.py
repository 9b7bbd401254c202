"""The kube-bench style evaluator (tests/cisbench.py) against hand-written render directories."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import cisbench
import pytest

CIS_JSON = Path(__file__).resolve().parents[1] / "kgen" / "data" / "cis.json"

KUBELET_CONFIG = "/var/lib/kubelet/config.yaml"
PROXY_CONFIG = "/var/lib/kube-proxy/config.conf"
ENCRYPTION_CONFIG = "/etc/kubernetes/encryption/config.yaml"

HARDENED_ARGS: dict[str, list[str]] = {
    "kube-apiserver": [
        "--advertise-address=10.0.0.10",
        "--anonymous-auth=false",
        "--authorization-mode=Node,RBAC",
        "--enable-admission-plugins=NodeRestriction,EventRateLimit,AlwaysPullImages,DenyServiceExternalIPs",
        "--admission-control-config-file=/etc/kubernetes/admission/config.yaml",
        "--profiling=false",
        "--audit-log-path=/var/log/kubernetes/audit/audit.log",
        "--audit-log-maxage=30",
        "--audit-log-maxbackup=10",
        "--audit-log-maxsize=100",
        "--audit-policy-file=/etc/kubernetes/audit/policy.yaml",
        "--request-timeout=60s",
        "--service-account-lookup=true",
        "--service-account-key-file=/etc/kubernetes/pki/sa.pub",
        "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
        "--service-account-signing-key-file=/etc/kubernetes/pki/sa.key",
        "--service-account-extend-token-expiration=false",
        "--etcd-servers=https://127.0.0.1:2379",
        "--etcd-cafile=/etc/kubernetes/pki/etcd/ca.crt",
        "--etcd-certfile=/etc/kubernetes/pki/apiserver-etcd-client.crt",
        "--etcd-keyfile=/etc/kubernetes/pki/apiserver-etcd-client.key",
        "--tls-cert-file=/etc/kubernetes/pki/apiserver.crt",
        "--tls-private-key-file=/etc/kubernetes/pki/apiserver.key",
        "--client-ca-file=/etc/kubernetes/pki/ca.crt",
        "--kubelet-client-certificate=/etc/kubernetes/pki/apiserver-kubelet-client.crt",
        "--kubelet-client-key=/etc/kubernetes/pki/apiserver-kubelet-client.key",
        "--kubelet-certificate-authority=/etc/kubernetes/pki/ca.crt",
        f"--encryption-provider-config={ENCRYPTION_CONFIG}",
        "--tls-cipher-suites=TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    ],
    "kube-controller-manager": [
        "--terminated-pod-gc-threshold=10",
        "--profiling=false",
        "--use-service-account-credentials=true",
        "--service-account-private-key-file=/etc/kubernetes/pki/sa.key",
        "--root-ca-file=/etc/kubernetes/pki/ca.crt",
        "--bind-address=127.0.0.1",
    ],
    "kube-scheduler": ["--profiling=false", "--bind-address=127.0.0.1"],
    "etcd": [
        "--cert-file=/etc/kubernetes/pki/etcd/server.crt",
        "--key-file=/etc/kubernetes/pki/etcd/server.key",
        "--client-cert-auth=true",
        "--peer-cert-file=/etc/kubernetes/pki/etcd/peer.crt",
        "--peer-key-file=/etc/kubernetes/pki/etcd/peer.key",
        "--peer-client-cert-auth=true",
        "--trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt",
        "--peer-trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt",
        "--data-dir=/var/lib/etcd",
    ],
    "kubelet": [
        f"--config={KUBELET_CONFIG}",
        "--kubeconfig=/etc/kubernetes/kubelet.conf",
    ],
    "kube-proxy": [f"--config={PROXY_CONFIG}"],
}

HARDENED_KUBELET_CONFIG = """\
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
authentication:
  anonymous:
    enabled: false
  webhook:
    enabled: true
  x509:
    clientCAFile: /etc/kubernetes/pki/ca.crt
authorization:
  mode: Webhook
readOnlyPort: 0
streamingConnectionIdleTimeout: 5m0s
makeIPTablesUtilChains: true
eventRecordQPS: 50
tlsCertFile: /var/lib/kubelet/pki/kubelet.crt
tlsPrivateKeyFile: /var/lib/kubelet/pki/kubelet.key
rotateCertificates: true
tlsCipherSuites:
  - TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
  - TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384
podPidsLimit: 4096
seccompDefault: true
"""

HARDENED_PROXY_CONFIG = """\
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
metricsBindAddress: 127.0.0.1:10249
"""

HARDENED_ENCRYPTION_CONFIG = """\
apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
  - resources:
      - secrets
    providers:
      - kms:
          apiVersion: v2
          name: vault
          endpoint: unix:///var/run/kms/socket.sock
      - identity: {}
"""


def write_render(
    root: Path,
    args: dict[str, list[str]] | None = None,
    files: dict[str, str] | None = None,
) -> Path:
    """A render directory laid out like kgen's `flags` target."""
    root.mkdir(parents=True, exist_ok=True)
    for component, lines in (HARDENED_ARGS if args is None else args).items():
        body = "".join(f"{line}\n" for line in lines)
        (root / f"{component}.args").write_text(f"# {component} flags\n{body}", encoding="utf-8")
    node_files = (
        {
            KUBELET_CONFIG: HARDENED_KUBELET_CONFIG,
            PROXY_CONFIG: HARDENED_PROXY_CONFIG,
            ENCRYPTION_CONFIG: HARDENED_ENCRYPTION_CONFIG,
        }
        if files is None
        else files
    )
    for node_path, content in node_files.items():
        target = root / "files" / node_path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content, encoding="utf-8")
    return root


def with_args(component: str, change: Callable[[list[str]], list[str]]) -> dict[str, list[str]]:
    args = {name: list(lines) for name, lines in HARDENED_ARGS.items()}
    args[component] = change(args[component])
    return args


def without(prefix: str) -> Callable[[list[str]], list[str]]:
    return lambda lines: [line for line in lines if not line.startswith(prefix)]


def replacing(prefix: str, new: str) -> Callable[[list[str]], list[str]]:
    return lambda lines: [new if line.startswith(prefix) else line for line in lines]


def adding(new: str) -> Callable[[list[str]], list[str]]:
    return lambda lines: [*lines, new]


def kubelet_config(replace: str, by: str) -> dict[str, str]:
    assert replace in HARDENED_KUBELET_CONFIG
    return {
        KUBELET_CONFIG: HARDENED_KUBELET_CONFIG.replace(replace, by),
        PROXY_CONFIG: HARDENED_PROXY_CONFIG,
        ENCRYPTION_CONFIG: HARDENED_ENCRYPTION_CONFIG,
    }


def verdicts(render_dir: Path, benchmark: str = "cis-1.12") -> dict[str, cisbench.CheckResult]:
    return cisbench.by_id(cisbench.evaluate(render_dir, benchmark))


def config_checkable_ids(benchmark: str, *, scored: bool) -> set[str]:
    data = json.loads(CIS_JSON.read_text(encoding="utf-8"))
    return {
        control["id"]
        for control in data["controls"]
        if benchmark in control["benchmarks"] and not control["needsNode"] and control["scored"] == scored
    }


# --- the hardened render ---------------------------------------------------------------------------


@pytest.mark.parametrize("benchmark", ["cis-1.10", "cis-1.11", "cis-1.12"])
def test_hardened_render_passes_every_scored_config_control(tmp_path: Path, benchmark: str) -> None:
    results = verdicts(write_render(tmp_path / "hardened"), benchmark)
    wanted = config_checkable_ids(benchmark, scored=True)
    assert len(wanted) == {"cis-1.10": 41, "cis-1.11": 42, "cis-1.12": 42}[benchmark]
    not_passing = {i: (results[i].status, results[i].reason) for i in wanted if results[i].status != "PASS"}
    assert not_passing == {}


def test_hardened_render_passes_the_unscored_config_controls_too(tmp_path: Path) -> None:
    results = verdicts(write_render(tmp_path / "hardened"))
    unscored = config_checkable_ids("cis-1.12", scored=False)
    assert {i: results[i].status for i in unscored} == dict.fromkeys(unscored, "PASS")


def test_no_check_fails_on_the_hardened_render(tmp_path: Path) -> None:
    results = cisbench.evaluate(write_render(tmp_path / "hardened"))
    assert [r.id for r in results if r.status == "FAIL"] == []
    counts = cisbench.summary(results)
    assert sum(counts.values()) == len(results) == 131
    # 61 config checks pass; 1.2.20 and 27 other manual checks warn; stat and kubectl checks are INFO.
    assert counts == {"PASS": 61, "FAIL": 0, "WARN": 28, "INFO": 42}


def test_what_is_not_evaluated_is_reported_as_kube_bench_would(tmp_path: Path) -> None:
    results = verdicts(write_render(tmp_path / "hardened"))
    assert results["1.2.20"].status == "WARN"
    assert results["1.2.20"].reason == "Test marked as a manual test"
    assert results["3.1.1"].status == "WARN"
    assert (results["1.1.1"].status, results["1.1.1"].reason) == (
        "INFO",
        "not evaluated: needs file mode and owner on a node",
    )
    assert results["4.1.9"].status == "INFO"
    assert results["5.1.1"].reason == "not evaluated: needs a live cluster"


# --- kube-apiserver ------------------------------------------------------------------------------


def test_missing_profiling_flag_fails_1_2_15(tmp_path: Path) -> None:
    results = verdicts(write_render(tmp_path, with_args("kube-apiserver", without("--profiling"))))
    assert results["1.2.15"].status == "FAIL"
    assert results["1.2.15"].reason == "'--profiling' is present"


def test_profiling_true_fails_1_2_15(tmp_path: Path) -> None:
    args = with_args("kube-apiserver", replacing("--profiling", "--profiling=true"))
    result = verdicts(write_render(tmp_path, args))["1.2.15"]
    assert (result.status, result.actual) == ("FAIL", "true")


def test_absent_anonymous_auth_is_a_warning_for_unscored_1_2_1(tmp_path: Path) -> None:
    results = verdicts(write_render(tmp_path, with_args("kube-apiserver", without("--anonymous-auth"))))
    assert results["1.2.1"].status == "WARN"
    assert results["1.2.1"].scored is False


def test_authorization_config_instead_of_mode_fails_1_2_6_to_1_2_8(tmp_path: Path) -> None:
    args = with_args(
        "kube-apiserver",
        replacing("--authorization-mode", "--authorization-config=/etc/kubernetes/authz/config.yaml"),
    )
    results = verdicts(write_render(tmp_path, args))
    assert {i: results[i].status for i in ("1.2.6", "1.2.7", "1.2.8")} == dict.fromkeys(("1.2.6", "1.2.7", "1.2.8"), "FAIL")
    assert [r.id for r in results.values() if r.status == "FAIL"] == ["1.2.6", "1.2.7", "1.2.8"]


def test_always_allow_fails_1_2_6_only(tmp_path: Path) -> None:
    args = with_args("kube-apiserver", replacing("--authorization-mode", "--authorization-mode=AlwaysAllow,Node,RBAC"))
    results = verdicts(write_render(tmp_path, args))
    assert (results["1.2.6"].status, results["1.2.7"].status, results["1.2.8"].status) == (
        "FAIL",
        "PASS",
        "PASS",
    )


def test_token_auth_file_fails_1_2_2(tmp_path: Path) -> None:
    args = with_args("kube-apiserver", adding("--token-auth-file=/etc/kubernetes/tokens.csv"))
    assert verdicts(write_render(tmp_path, args))["1.2.2"].status == "FAIL"


def test_admission_plugins(tmp_path: Path) -> None:
    args = with_args(
        "kube-apiserver",
        replacing("--enable-admission-plugins", "--enable-admission-plugins=AlwaysAdmit"),
    )
    args["kube-apiserver"].append("--disable-admission-plugins=ServiceAccount")
    results = verdicts(write_render(tmp_path, args))
    assert results["1.2.10"].status == "FAIL"  # AlwaysAdmit enabled
    assert results["1.2.12"].status == "FAIL"  # ServiceAccount disabled
    assert results["1.2.13"].status == "PASS"  # NamespaceLifecycle still on
    assert results["1.2.14"].status == "FAIL"  # NodeRestriction gone
    assert results["1.2.9"].status == "WARN"  # EventRateLimit gone, unscored


def test_absent_admission_flags_pass_where_absent_is_allowed(tmp_path: Path) -> None:
    results = verdicts(write_render(tmp_path, with_args("kube-apiserver", without("--enable-admission-plugins"))))
    assert results["1.2.10"].status == "PASS"
    assert results["1.2.12"].status == "PASS"
    assert results["1.2.14"].status == "FAIL"


@pytest.mark.parametrize(
    ("flag", "too_low", "control"),
    [
        ("--audit-log-maxage", "29", "1.2.17"),
        ("--audit-log-maxbackup", "9", "1.2.18"),
        ("--audit-log-maxsize", "99", "1.2.19"),
    ],
)
def test_audit_log_limits_are_numeric_lower_bounds(tmp_path: Path, flag: str, too_low: str, control: str) -> None:
    low = verdicts(write_render(tmp_path / "low", with_args("kube-apiserver", replacing(flag, f"{flag}={too_low}"))))
    assert low[control].status == "FAIL"
    text = verdicts(write_render(tmp_path / "text", with_args("kube-apiserver", replacing(flag, f"{flag}=30d"))))
    assert text[control].status == "FAIL"
    assert text[control].reason.startswith("Invalid Number(s) used for comparison")


def test_service_account_lookup_absent_passes_false_fails(tmp_path: Path) -> None:
    absent = verdicts(write_render(tmp_path / "a", with_args("kube-apiserver", without("--service-account-lookup"))))
    assert absent["1.2.21"].status == "PASS"
    off = verdicts(
        write_render(
            tmp_path / "b",
            with_args("kube-apiserver", replacing("--service-account-lookup", "--service-account-lookup=false")),
        )
    )
    assert off["1.2.21"].status == "FAIL"


def test_extend_token_expiration_must_be_explicit_from_cis_1_11(tmp_path: Path) -> None:
    render = write_render(tmp_path, with_args("kube-apiserver", without("--service-account-extend-token-expiration")))
    assert verdicts(render, "cis-1.12")["1.2.30"].status == "FAIL"
    assert verdicts(render, "cis-1.11")["1.2.30"].status == "FAIL"
    assert "1.2.30" not in verdicts(render, "cis-1.10")


def test_encryption_provider_config(tmp_path: Path) -> None:
    files = {
        KUBELET_CONFIG: HARDENED_KUBELET_CONFIG,
        PROXY_CONFIG: HARDENED_PROXY_CONFIG,
        ENCRYPTION_CONFIG: HARDENED_ENCRYPTION_CONFIG.replace("      - kms:", "      - identity: {}\n      - kms:"),
    }
    identity_first = verdicts(write_render(tmp_path / "identity", files=files))
    assert identity_first["1.2.28"].status == "WARN"
    assert identity_first["1.2.28"].actual == "identity"
    no_flag = verdicts(write_render(tmp_path / "none", with_args("kube-apiserver", without("--encryption-provider"))))
    assert no_flag["1.2.27"].status == "WARN"
    assert no_flag["1.2.28"].status == "WARN"


def test_cipher_lists_differ_between_benchmarks(tmp_path: Path) -> None:
    cbc = "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"
    args = with_args("kube-apiserver", replacing("--tls-cipher-suites", f"--tls-cipher-suites={cbc}"))
    render = write_render(tmp_path, args)
    assert verdicts(render, "cis-1.11")["1.2.29"].status == "PASS"
    assert verdicts(render, "cis-1.12")["1.2.29"].status == "WARN"


# --- controller manager, scheduler, etcd -----------------------------------------------------------


def test_controller_manager(tmp_path: Path) -> None:
    args = with_args("kube-controller-manager", without("--use-service-account-credentials"))
    args["kube-controller-manager"].append("--feature-gates=RotateKubeletServerCertificate=false")
    args["kube-controller-manager"] = [
        "--bind-address=0.0.0.0" if a.startswith("--bind-address") else a for a in args["kube-controller-manager"]
    ]
    results = verdicts(write_render(tmp_path, args))
    assert results["1.3.3"].status == "FAIL"
    assert results["1.3.6"].status == "FAIL"
    assert results["1.3.7"].status == "FAIL"
    assert results["1.3.2"].status == "PASS"


def test_scheduler_bind_address_absent_passes(tmp_path: Path) -> None:
    results = verdicts(write_render(tmp_path, with_args("kube-scheduler", without("--bind-address"))))
    assert results["1.4.2"].status == "PASS"


def test_etcd_auto_tls(tmp_path: Path) -> None:
    on = verdicts(write_render(tmp_path / "on", with_args("etcd", adding("--auto-tls=true"))))
    assert on["2.3"].status == "FAIL"
    off = verdicts(write_render(tmp_path / "off", with_args("etcd", adding("--peer-auto-tls=false"))))
    assert off["2.6"].status == "PASS"


def test_etcd_settings_from_the_process_environment(tmp_path: Path) -> None:
    render = write_render(tmp_path, with_args("etcd", without("--client-cert-auth")))
    assert verdicts(render)["2.2"].status == "FAIL"
    (render / "etcd.env").write_text("ETCD_CLIENT_CERT_AUTH=true\n", encoding="utf-8")
    assert verdicts(render)["2.2"].status == "PASS"


def test_worker_only_render_skips_control_plane_targets(tmp_path: Path) -> None:
    args = {name: HARDENED_ARGS[name] for name in ("kubelet", "kube-proxy")}
    results = cisbench.evaluate(write_render(tmp_path, args))
    by = cisbench.by_id(results)
    assert by["1.2.15"].status == "INFO"
    assert by["1.2.15"].reason == "target master not run: master components are not all in the render"
    assert by["2.1"].status == "INFO"
    assert by["4.2.1"].status == "PASS"
    assert cisbench.summary(results)["FAIL"] == 0


# --- kubelet and kube-proxy ----------------------------------------------------------------------


def test_kubelet_settings_come_from_the_config_file(tmp_path: Path) -> None:
    files = kubelet_config("  anonymous:\n    enabled: false\n", "  anonymous:\n    enabled: true\n")
    results = verdicts(write_render(tmp_path, files=files))
    assert results["4.2.1"].status == "FAIL"
    assert results["4.2.1"].actual == "true"


def test_kubelet_anonymous_auth_left_to_the_default_fails_4_2_1(tmp_path: Path) -> None:
    files = kubelet_config("  anonymous:\n    enabled: false\n", "")
    assert verdicts(write_render(tmp_path, files=files))["4.2.1"].status == "FAIL"


def test_kubelet_flag_wins_over_the_config_file(tmp_path: Path) -> None:
    args = with_args("kubelet", adding("--anonymous-auth=true"))
    assert verdicts(write_render(tmp_path, args))["4.2.1"].status == "FAIL"


def test_kubelet_always_allow_fails_4_2_2(tmp_path: Path) -> None:
    files = kubelet_config("mode: Webhook", "mode: AlwaysAllow")
    assert verdicts(write_render(tmp_path, files=files))["4.2.2"].status == "FAIL"


def test_kubelet_read_only_port_and_rotation(tmp_path: Path) -> None:
    open_port = verdicts(write_render(tmp_path / "port", files=kubelet_config("readOnlyPort: 0", "readOnlyPort: 10255")))
    assert open_port["4.2.4"].status == "WARN"
    absent = verdicts(write_render(tmp_path / "absent", files=kubelet_config("readOnlyPort: 0\n", "")))
    assert absent["4.2.4"].status == "PASS"
    rotation = verdicts(
        write_render(tmp_path / "rot", files=kubelet_config("rotateCertificates: true", "rotateCertificates: false"))
    )
    assert rotation["4.2.10"].status == "FAIL"


def test_kubelet_cipher_list_is_read_from_a_yaml_list(tmp_path: Path) -> None:
    weak = kubelet_config(
        "  - TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384\n",
        "  - TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384\n  - TLS_RSA_WITH_AES_128_GCM_SHA256\n",
    )
    render = write_render(tmp_path, files=weak)
    assert verdicts(render, "cis-1.11")["4.2.12"].status == "PASS"
    assert verdicts(render, "cis-1.12")["4.2.12"].status == "WARN"


def test_kubelet_config_path_comes_from_the_config_flag(tmp_path: Path) -> None:
    moved = "/etc/kubernetes/kubelet/config.yaml"
    args = with_args("kubelet", replacing("--config", f"--config={moved}"))
    files = {
        moved: HARDENED_KUBELET_CONFIG,
        PROXY_CONFIG: HARDENED_PROXY_CONFIG,
        ENCRYPTION_CONFIG: HARDENED_ENCRYPTION_CONFIG,
    }
    assert verdicts(write_render(tmp_path / "moved", args, files))["4.2.1"].status == "PASS"
    missing = {PROXY_CONFIG: HARDENED_PROXY_CONFIG, ENCRYPTION_CONFIG: HARDENED_ENCRYPTION_CONFIG}
    assert verdicts(write_render(tmp_path / "missing", args, missing))["4.2.1"].status == "FAIL"


def test_kubelet_json_config_numbers(tmp_path: Path) -> None:
    config = {
        "authentication": {"anonymous": {"enabled": False}, "x509": {"clientCAFile": "/ca.crt"}},
        "authorization": {"mode": "Webhook"},
        "readOnlyPort": 0,
        "eventRecordQPS": -1,
    }
    args = with_args("kubelet", replacing("--config", "--config=/etc/kubernetes/kubelet/kubelet-config.json"))
    files = {"/etc/kubernetes/kubelet/kubelet-config.json": json.dumps(config)}
    results = verdicts(write_render(tmp_path, args, files))
    assert results["4.2.1"].status == "PASS"
    assert results["4.2.4"].status == "PASS"
    assert results["4.2.8"].status == "WARN"


def test_hostname_override_warns_4_2_7(tmp_path: Path) -> None:
    args = with_args("kubelet", adding("--hostname-override=node-1"))
    assert verdicts(write_render(tmp_path, args))["4.2.7"].status == "WARN"


def test_kube_proxy_metrics_bind_address(tmp_path: Path) -> None:
    exposed = {
        KUBELET_CONFIG: HARDENED_KUBELET_CONFIG,
        PROXY_CONFIG: HARDENED_PROXY_CONFIG.replace("127.0.0.1:10249", "0.0.0.0:10249"),
    }
    assert verdicts(write_render(tmp_path / "exposed", files=exposed))["4.3.1"].status == "FAIL"
    flagged = with_args("kube-proxy", adding("--metrics-bind-address=0.0.0.0:10249"))
    assert verdicts(write_render(tmp_path / "flag", flagged))["4.3.1"].status == "FAIL"
    unset = {KUBELET_CONFIG: HARDENED_KUBELET_CONFIG, PROXY_CONFIG: "kind: KubeProxyConfiguration\n"}
    assert verdicts(write_render(tmp_path / "unset", files=unset))["4.3.1"].status == "PASS"


# --- managed benchmarks, mapping, semantics ------------------------------------------------------


def test_eks_benchmark_scores_the_kubelet(tmp_path: Path) -> None:
    args = {"kubelet": HARDENED_ARGS["kubelet"]}
    generic = cisbench.evaluate(write_render(tmp_path / "generic", args), "eks-1.8.0")
    # Unlike CIS 1.12 (absent passes), EKS 1.8.0 3.2.9 wants the GA gate named and true.
    assert [(r.id, r.status) for r in generic if r.status == "FAIL"] == [("3.2.9", "FAIL")]
    gated = HARDENED_KUBELET_CONFIG + "featureGates:\n  RotateKubeletServerCertificate: true\n"
    good = cisbench.evaluate(write_render(tmp_path / "good", args, {KUBELET_CONFIG: gated}), "eks-1.8.0")
    assert cisbench.summary(good) == {"PASS": 9, "FAIL": 0, "WARN": 21, "INFO": 20}
    always_allow = gated.replace("mode: Webhook", "mode: AlwaysAllow")
    bad = cisbench.evaluate(write_render(tmp_path / "bad", args, {KUBELET_CONFIG: always_allow}), "eks-1.8.0")
    assert [r.id for r in bad if r.status == "FAIL"] == ["3.2.2"]


def test_benchmark_for_kubernetes_versions() -> None:
    assert cisbench.benchmark_for("1.31") == "cis-1.11"
    assert [cisbench.benchmark_for(v) for v in ("1.32", "1.33", "1.34")] == ["cis-1.12"] * 3
    assert cisbench.benchmark_for("1.37") == "cis-1.12"
    assert cisbench.benchmark_for("1.28.4") == "cis-1.10"


def test_unknown_benchmark_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown benchmark"):
        cisbench.evaluate(tmp_path, "cis-9.9")


@pytest.mark.parametrize(
    ("op", "actual", "wanted", "passes"),
    [
        ("eq", "FALSE", "false", True),
        ("eq", "False", "false", True),
        ("eq", "0", "0", True),
        ("noteq", "0", "0", False),
        ("gte", "30", "30", True),
        ("gt", "30", "30", False),
        ("lt", "5", "10", True),
        ("lte", "11", "10", False),
        ("has", "Node,RBAC", "RBAC", True),
        ("nothave", "Node,AlwaysAllow", "AlwaysAllow", False),
        ("regex", "127.0.0.1:10249", r"^127\.", True),
        ("valid_elements", "a,b,", "a,b,c", True),
        ("valid_elements", "a,d", "a,b,c", False),
        ("valid_elements", "", "a", False),
        ("bitmask", "600", "600", True),
        ("bitmask", "400", "600", True),
        ("bitmask", "644", "600", False),
    ],
)
def test_compare_operators(op: str, actual: str, wanted: str, passes: bool) -> None:
    assert cisbench._compare(op, actual, wanted, "x")[1] is passes


@pytest.mark.parametrize(
    ("value", "printed"),
    [
        (5.0, "5"),
        (0.5, "0.5"),
        (1000000.0, "1e+06"),
        (123456.0, "123456"),
        (0.00001, "1e-05"),
        (-2.5, "-2.5"),
    ],
)
def test_numbers_print_as_go_does(value: float, printed: str) -> None:
    assert cisbench._go_float(value) == printed


def test_cis_json_and_the_test_copy_come_from_the_same_kube_bench_commit() -> None:
    source = json.loads(CIS_JSON.read_text(encoding="utf-8"))["source"]
    readme = (cisbench.KUBE_BENCH_DIR.parent / "README").read_text(encoding="utf-8")
    assert f"Commit  : {source['commit']}\n" in readme


@pytest.mark.parametrize("benchmark", ["cis-1.10", "cis-1.11", "cis-1.12"])
def test_evaluator_decides_exactly_the_controls_cis_json_lists_as_config(tmp_path: Path, benchmark: str) -> None:
    not_decided = ("not evaluated:", "Test marked as", "target ")
    results = cisbench.evaluate(write_render(tmp_path), benchmark)
    decided = {r.id for r in results if not r.reason.startswith(not_decided)}
    listed = config_checkable_ids(benchmark, scored=True) | config_checkable_ids(benchmark, scored=False)
    assert decided == listed
