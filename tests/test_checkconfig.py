"""kgen check-config against realistic brownfield files and kgen's own output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kgen.checkconfig import check_config, check_config_report, parse_path
from kgen.cli import app
from kgen.errors import Problem, UsageError

DATA = Path(__file__).resolve().parent / "data" / "checkconfig"
BROWNFIELD = DATA / "brownfield"
CLEAN = DATA / "clean"


def _errors(problems: list[Problem], file_name: str) -> list[Problem]:
    return [p for p in problems if p.severity == "error" and Path(p.file).name == file_name]


def _find(problems: list[Problem], needle: str) -> Problem:
    matches = [p for p in problems if needle in p.message]
    assert matches, f"no problem mentions {needle!r}: {[p.format() for p in problems]}"
    return matches[0]


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- kgen's own output is clean -----------------------------------------------------------------------


def test_rendered_output_has_no_errors() -> None:
    result = check_config([CLEAN], "1.37")
    assert result.errors == 0, [p.format() for p in result.problems]
    assert len(result.files) >= 10


# --- the brownfield folder ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def brownfield() -> list[Problem]:
    return check_config([BROWNFIELD], "1.35").problems


def test_kubelet_typo_is_located_and_suggests_the_field(brownfield: list[Problem]) -> None:
    problem = _find(brownfield, 'unknown field "readOnlyPorts"')
    assert (Path(problem.file).name, problem.line, problem.path) == (
        "kubelet-config.yaml",
        3,
        "readOnlyPorts",
    )
    assert 'did you mean "readOnlyPort"' in problem.message


def test_kubelet_removed_gate_for_the_version(brownfield: list[Problem]) -> None:
    problem = _find(
        [p for p in brownfield if p.file.endswith("kubelet-config.yaml")],
        "feature gate MemoryManager is removed",
    )
    assert (Path(problem.file).name, problem.line, problem.path) == (
        "kubelet-config.yaml",
        8,
        "featureGates.MemoryManager",
    )


def test_the_same_gate_is_fine_before_its_removal() -> None:
    result = check_config([BROWNFIELD / "kubelet-config.yaml"], "1.34")
    assert not [p for p in result.problems if "MemoryManager" in p.message]


def test_v1beta3_keeps_its_mapping_extra_args(brownfield: list[Problem]) -> None:
    # kubeadm 1.35 still reads v1beta3, whose extraArgs are mappings: the flags inside are checked, the form is not an error
    assert not [p for p in brownfield if "v1beta3 form" in p.message]
    assert _find(brownfield, "--cgroup-driver is deprecated").path == "nodeRegistration.kubeletExtraArgs.cgroup-driver"


def test_mapping_extra_args_in_v1beta4_explain_the_change(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "kubeadm.yaml",
        "apiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\napiServer:\n  extraArgs:\n    profiling: 'false'\n",
    )
    problem = _find(check_config([path], "1.35").problems, "v1beta3 form")
    assert (problem.line, problem.path, problem.severity) == (4, "apiServer.extraArgs", "error")
    assert "list of {name: ..., value: ...}" in problem.message


def test_older_api_version_still_read_is_a_warning(brownfield: list[Problem]) -> None:
    problem = _find(brownfield, "document 2 (ClusterConfiguration): kgen writes kubeadm.k8s.io/v1beta4 for Kubernetes 1.35")
    assert "kubeadm.k8s.io/v1beta3 is still read" in problem.message
    assert (problem.line, problem.path, problem.rule, problem.severity) == (8, "apiVersion", "version", "warning")
    assert not [p for p in brownfield if "write ClusterConfiguration as" in p.message]


def test_api_version_no_longer_read_is_an_error() -> None:
    # kubeadm.k8s.io/v1beta3 removed in 1.37 (kubernetes/kubernetes #136016)
    problems = check_config([BROWNFIELD / "kubeadm-v1beta3.yaml"], "1.37").problems
    problem = _find(problems, "document 2 (ClusterConfiguration): kubeadm.k8s.io/v1beta3 is no longer read (last read by 1.36)")
    assert problem.message.endswith("Kubernetes 1.37 reads ClusterConfiguration as kubeadm.k8s.io/v1beta4")
    assert (problem.line, problem.severity) == (8, "error")


@pytest.mark.parametrize(
    ("api_version", "version", "severity", "needle"),
    [
        ("apiserver.config.k8s.io/v1beta1", "1.37", "warning", "kgen writes apiserver.config.k8s.io/v1 for Kubernetes 1.37"),
        ("apiserver.config.k8s.io/v1alpha1", "1.34", "warning", "apiserver.config.k8s.io/v1alpha1 is still read"),
        ("apiserver.config.k8s.io/v1", "1.33", "error", "apiserver.config.k8s.io/v1 is not read before 1.34"),
        ("apiserver.k8s.io/v1alpha1", "1.35", "error", "not read by any release kgen knows"),
    ],
)
def test_authentication_configuration_versions(
    tmp_path: Path, api_version: str, version: str, severity: str, needle: str
) -> None:
    path = _write(tmp_path, "authn.yaml", f"apiVersion: {api_version}\nkind: AuthenticationConfiguration\n")
    problems = [p for p in check_config([path], version).problems if p.path == "apiVersion"]
    assert len(problems) == 1, [p.format() for p in problems]
    assert (problems[0].severity, problems[0].line) == (severity, 1)
    assert needle in problems[0].message


def test_plugin_configuration_inside_admission_configuration(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "admission.yaml",
        """\
apiVersion: apiserver.k8s.io/v1alpha1
kind: AdmissionConfiguration
plugins:
- name: PodSecurity
  configuration:
    apiVersion: pod-security.admission.config.k8s.io/v1beta1
    kind: PodSecurityConfiguration
    defaults: {enforce: restricted, enforce-version: latest}
- name: EventRateLimit
  configuration:
    apiVersion: eventratelimit.admission.k8s.io/v1beta1
    kind: Configuration
    limits: [{type: Server, qps: 50, burst: 100}]
""",
    )
    problems = {p.path: p for p in check_config([path], "1.36").problems if p.rule == "version"}
    assert problems["apiVersion"].severity == "warning"
    assert (
        "kgen writes apiserver.config.k8s.io/v1 for Kubernetes 1.36; apiserver.k8s.io/v1alpha1 is still read"
        in problems["apiVersion"].message
    )
    pss = problems["plugins[0].configuration.apiVersion"]
    assert (pss.severity, pss.line) == ("warning", 6)
    assert "pod-security.admission.config.k8s.io/v1beta1 is still read" in pss.message
    erl = problems["plugins[1].configuration.apiVersion"]
    assert (erl.severity, erl.line) == ("error", 11)
    assert "reads Configuration as eventratelimit.admission.k8s.io/v1alpha1" in erl.message


def test_feature_gates_inside_extra_args(brownfield: list[Problem]) -> None:
    removed = _find([p for p in brownfield if p.file.endswith(".yaml")], "feature gate MemoryManager is removed in 1.35")
    assert removed.path == "apiServer.extraArgs.feature-gates" and removed.line == 18
    typo = _find(brownfield, "unknown feature gate SidecarContainer;")
    assert "did you mean SidecarContainers" in typo.message


def test_kubeadm_gates(brownfield: list[Problem]) -> None:
    removed = _find(brownfield, "kubeadm feature gate EtcdLearnerMode is removed")
    assert removed.line == 12
    misplaced = _find(brownfield, "UserNamespacesSupport is a Kubernetes component feature gate, not a kubeadm one")
    assert misplaced.path == "featureGates.UserNamespacesSupport" and misplaced.line == 13


def test_conflicting_apiserver_flags(brownfield: list[Problem]) -> None:
    conflicts = [p for p in brownfield if p.rule == "conflict"]
    by_flag = {(Path(p.file).name, p.path) for p in conflicts}
    assert by_flag == {
        ("kube-apiserver.args", "--anonymous-auth"),
        ("kube-apiserver.args", "--oidc-issuer-url"),
        ("kube-apiserver.args", "--authorization-mode"),
        ("kubeadm-v1beta3.yaml", "apiServer.extraArgs.anonymous-auth"),
    }
    anonymous = _find(conflicts, "--anonymous-auth cannot be set")
    assert "authentication-config.yaml:3" in anonymous.message


def test_gates_in_args_files(brownfield: list[Problem]) -> None:
    problem = _find(brownfield, "unknown feature gate NoSuchGate")
    assert (Path(problem.file).name, problem.line, problem.path) == (
        "kube-apiserver.args",
        7,
        "--feature-gates",
    )


def test_unknown_kind_is_a_warning_only(brownfield: list[Problem]) -> None:
    problem = _find(brownfield, "kind Config (v1) is not one kgen knows")
    assert problem.severity == "warning"
    assert not _errors(brownfield, "kubeconfig.conf")


# --- single cases -------------------------------------------------------------------------------------


def test_v1beta4_list_extra_args_flags_checked_per_version(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "kubeadm.yaml",
        "apiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\netcd:\n  local:\n    extraArgs:\n"
        "    - name: enable-v2\n      value: 'true'\n    - name: no-such-etcd-flag\n      value: x\n"
        "apiServer:\n  extraArgs:\n  - name: feature-gates\n    value: APIServerTracing=false\n",
    )
    problems = check_config([path], "1.35").problems
    removed = _find(problems, "--enable-v2 is not a etcd flag")
    assert (removed.line, removed.path) == (6, "etcd.local.extraArgs[0]")
    assert "removed in etcd 3.6" in removed.message
    unknown = _find(problems, "--no-such-etcd-flag is not a etcd flag")
    assert unknown.severity == "error" and unknown.line == 8
    locked = _find(problems, "APIServerTracing is locked to true in 1.35")
    assert locked.line == 12


def test_oidc_flags_with_authentication_config_flag(tmp_path: Path) -> None:
    path = _write(tmp_path, "kube-apiserver.args", "--authentication-config=/etc/a.yaml\n--oidc-client-id=k\n")
    problem = _find(check_config([path], "1.35").problems, "cannot be combined with --authentication-config")
    assert problem.line == 2


def test_args_file_lines_that_are_not_flags(tmp_path: Path) -> None:
    path = _write(tmp_path, "kubelet.args", "# comment\n\nconfig=/var/lib/kubelet/config.yaml\n--feature-gates=Foo\n")
    problems = check_config([path], "1.35").problems
    assert _find(problems, "expected --flag=value").line == 3
    assert _find(problems, "must be Name=true or Name=false").line == 4


def test_args_file_with_an_unknown_component_is_a_warning(tmp_path: Path) -> None:
    _write(tmp_path, "flags.args", "--x=1\n")
    _write(tmp_path, "kubelet.args", "--config=/var/lib/kubelet/config.yaml\n")
    result = check_config([tmp_path], "1.35")
    assert result.errors == 0 and result.warnings == 1
    named = check_config([tmp_path / "flags.args"], "1.35")  # named alone, it holds nothing kgen can check
    assert named.errors == 1 and named.warnings == 1


def test_several_problems_in_one_file_each_on_its_line(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "kubelet.yaml",
        "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nauthentication:\n"
        "  anonymous:\n    enabled: 'no'\nevictionHard:\n  memory.available: 5\n",
    )
    problems = check_config([path], "1.35").problems
    assert {(p.line, p.path) for p in problems} == {
        (5, "authentication.anonymous.enabled"),
        (7, 'evictionHard["memory.available"]'),
    }


def test_malformed_yaml_in_one_file_does_not_stop_the_others(tmp_path: Path) -> None:
    _write(tmp_path, "a.yaml", "key: [unclosed\n")
    _write(
        tmp_path,
        "b.yaml",
        "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nbogus: 1\n",
    )
    result = check_config([tmp_path], "1.35")
    names = sorted(Path(p.file).name for p in result.problems if p.severity == "error")
    assert names == ["a.yaml", "b.yaml"]
    malformed = _errors(result.problems, "a.yaml")[0]
    assert malformed.line == 2 and malformed.message.startswith("malformed YAML")


def test_missing_path_and_empty_folder(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    result = check_config([tmp_path / "nope.yaml", tmp_path / "empty"], "1.35")
    assert [p.message for p in result.problems] == [
        "no configuration files (*.yaml, *.yml, *.json, *.conf, *.args) in this folder",
        "no such file or folder",
    ]
    assert result.errors == 2


def test_json_input_and_hidden_folders(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    _write(tmp_path / ".git", "x.yaml", ": : :\n")
    _write(
        tmp_path,
        "kubelet.json",
        '{"apiVersion": "kubelet.config.k8s.io/v1beta1",\n "kind": "KubeletConfiguration", "readOnlyPort": "0"}\n',
    )
    result = check_config([tmp_path], "1.35")
    assert result.files == [str(tmp_path / "kubelet.json")]
    assert [(p.line, p.path) for p in result.problems] == [(2, "readOnlyPort")]


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("", ()),
        ("a.b[2].c", ("a", "b", 2, "c")),
        ('evictionHard["memory.available"]', ("evictionHard", "memory.available")),
        ("plugins[0].configuration.defaults", ("plugins", 0, "configuration", "defaults")),
    ],
)
def test_parse_path(path: str, expected: tuple[str | int, ...]) -> None:
    assert parse_path(path) == expected


# --- report and CLI -----------------------------------------------------------------------------------


def test_json_report_is_plain_data() -> None:
    text, failed = check_config_report([BROWNFIELD], "1.35", "json")
    payload = json.loads(text)
    assert failed and payload["ok"] is False
    assert payload["errors"] == sum(1 for p in payload["problems"] if p["severity"] == "error")
    assert {"file", "line", "column", "path", "severity", "rule", "message"} == set(payload["problems"][0])


def test_text_report_one_line_per_problem_then_a_summary() -> None:
    text, failed = check_config_report([BROWNFIELD / "kubelet-config.yaml"], "1.35", "text")
    lines = text.splitlines()
    assert failed
    assert lines[0].startswith(f"{BROWNFIELD / 'kubelet-config.yaml'}:3:1: error: readOnlyPorts: ")
    assert lines[-1] == "check-config: FAILED: 1 file(s) for Kubernetes 1.35, 2 error(s), 0 warning(s)"


@pytest.mark.parametrize(("version", "fmt"), [("1.35", "yaml"), ("1.99", "text")])
def test_bad_options_are_usage_errors(version: str, fmt: str) -> None:
    with pytest.raises(UsageError):
        check_config_report([CLEAN], version, fmt)


def test_cli_exit_statuses() -> None:
    runner = CliRunner()
    ok = runner.invoke(app, ["check-config", str(CLEAN)])
    assert ok.exit_code == 0, ok.output
    bad = runner.invoke(app, ["check-config", str(BROWNFIELD), "-k", "1.35"])
    assert bad.exit_code == 1
    assert "readOnlyPorts" in bad.output
    usage = runner.invoke(app, ["check-config", str(CLEAN), "--format", "xml"])
    assert usage.exit_code == 2


def test_a_named_file_with_nothing_to_check_is_an_error(tmp_path: Path) -> None:
    # An empty file, or YAML that is not a Kubernetes configuration, must not pass as "ok".
    empty = _write(tmp_path, "empty.yaml", "")
    other = _write(tmp_path, "vars.yaml", "name: x\nkubelet:\n  readOnlyPort: 5\n")
    for path in (empty, other):
        text, failed = check_config_report([path], "1.35", "text")
        assert failed, text
        assert "nothing to check" in text


def test_a_folder_may_hold_other_yaml_beside_configuration(tmp_path: Path) -> None:
    _write(tmp_path, "vars.yaml", "name: x\n")
    _write(tmp_path, "kubelet.yaml", "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nreadOnlyPort: 0\n")
    text, failed = check_config_report([tmp_path], "1.35", "text")
    assert not failed, text
    assert "not a Kubernetes configuration document" in text  # still said, as a warning


# --- TLS version names come from kgen/data/tls-cipher-suites.json ---------------------------------------


def test_tls_version_names_are_sourced_data() -> None:
    from kgen.checkconfig import tls_versions
    from kgen.knowledge._data import load

    table = load("tls-cipher-suites.json")["table"]["tlsVersions"]
    assert set(table) == {"default", "etcd"}
    for entry in table.values():
        assert entry["names"] and "@" in entry["source"]  # names a file at a commit
    assert "component-base/cli/flag/ciphersuites_flag.go" in table["default"]["source"]
    assert "client/pkg/tlsutil/versions.go" in table["etcd"]["source"]
    assert tls_versions("etcd") == table["etcd"]["names"]
    assert tls_versions("kube-apiserver") == tls_versions("kubelet") == table["default"]["names"]


def test_check_config_reads_tls_version_names_from_the_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import copy

    from kgen.knowledge import _data

    args = _write(tmp_path, "etcd.args", "--tls-min-version=TLS1.2\n")
    assert _errors(check_config([str(args)], "1.35").problems, "etcd.args") == []
    real = _data.load

    def only_tls13(name: str) -> dict[str, object]:
        data = copy.deepcopy(real(name))
        if name == "tls-cipher-suites.json":
            data["table"]["tlsVersions"]["etcd"]["names"] = ["TLS1.3"]
        return data

    monkeypatch.setattr(_data, "load", only_tls13)
    (error,) = _errors(check_config([str(args)], "1.35").problems, "etcd.args")
    assert "'TLS1.2' is not a TLS version etcd knows (TLS1.3)" in error.message
