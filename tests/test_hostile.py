"""Hostile input: every bad profile, config or output folder fails cleanly and changes nothing.

Each case runs through the commands that read it. A case passes when the command exits non-zero,
prints one readable ``file:line:col: error: ...`` line per problem on stderr, shows no traceback,
and leaves every file under the working folder (inputs and a previous render) byte-for-byte as it
was.
"""

from __future__ import annotations

import base64
import importlib.util
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from kgen.cli import app
from kgen.errors import KgenError
from kgen.yamlload import MAX_BYTES

HOSTILE = Path(__file__).resolve().parent / "data" / "hostile"
KGEN = Path(sys.executable).parent / "kgen"
PROBLEM_LINE = re.compile(r"^\S[^\n]*: (error|warning): \S[^\n]*$")
HAS_EXPLAIN = importlib.util.find_spec("kgen.explain") is not None


def _snapshot(root: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(root)): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and not path.is_symlink()
    }


@pytest.fixture(scope="module")
def previous_render(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("previous") / "out"
    result = CliRunner().invoke(app, ["render", "cis", "-o", str(out)])
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture
def work(tmp_path: Path, previous_render: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A working folder holding the hostile files and an earlier render in out/; the cwd."""
    shutil.copytree(HOSTILE, tmp_path / "hostile")
    shutil.copytree(previous_render, tmp_path / "out")
    _generated(tmp_path / "hostile")
    monkeypatch.chdir(tmp_path)
    yield tmp_path


def _generated(folder: Path) -> None:
    """Cases too big or too repetitive to keep as files."""
    laughs = "name: x\na: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        laughs += f"{name}: &{name} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"
    (folder / "billion-laughs.yaml").write_text(laughs, encoding="utf-8")
    (folder / "too-big.yaml").write_text("name: x\ndescription: " + "a" * (MAX_BYTES + 10) + "\n", encoding="utf-8")
    (folder / "deep-flow.yaml").write_text("name: x\ndescription: " + "[" * 3000 + "]" * 3000 + "\n", encoding="utf-8")
    block = "name: x\ndescription:\n" + "".join("  " * depth + f"k{depth}:\n" for depth in range(1, 80)) + "  " * 80 + "v\n"
    (folder / "deep-block.yaml").write_text(block, encoding="utf-8")
    (folder / "huge-int.yaml").write_text("name: x\nkubelet:\n  readOnlyPort: " + "9" * 5000 + "\n", encoding="utf-8")
    (folder / "extends-too-long.yaml").write_text('name: x\nextends: "' + "a" * 5000 + '.yaml"\n', encoding="utf-8")
    (folder / "extends-long-segments.yaml").write_text(
        'name: x\nextends: "' + "/".join(["b" * 250] * 30) + '.yaml"\n', encoding="utf-8"
    )


def _invoke(args: list[str]) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, args)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"kgen {' '.join(args)} raised {result.exception!r}") from result.exception
    return result.exit_code, result.stdout, result.stderr


def _assert_clean_failure(work: Path, args: list[str], expected: str, *, exit_code: int = 1) -> str:
    before = _snapshot(work)
    code, _stdout, stderr = _invoke(args)
    assert code == exit_code, f"kgen {' '.join(args)} exited {code}: {stderr}"
    assert "Traceback" not in stderr
    lines = stderr.splitlines()
    assert lines, "no message on stderr"
    for line in lines:
        assert PROBLEM_LINE.match(line), f"not a one-line problem: {line!r}"
    assert expected in stderr, stderr
    assert _snapshot(work) == before, "a file changed on disk"
    return stderr


# --- profiles: validate, render into a previous render, explain ---------------------------------------

PROFILE_CASES = {
    "malformed.yaml": "malformed.yaml:3:1: error: malformed YAML",
    "empty.yaml": "profile is empty",
    "not-a-mapping.yaml": "not-a-mapping.yaml:1:1: error: profile must be a mapping of keys to values, not a list",
    "two-documents.yaml": "two-documents.yaml:3: error: expected one YAML document, found 2",
    "latin1.yaml": "latin1.yaml:2:18: error: not valid UTF-8 (byte 0xe9)",
    "billion-laughs.yaml": "YAML aliases (*name) are not allowed here",
    "too-big.yaml": "file is larger than 1024 KiB",
    "deep-flow.yaml": "deep-flow.yaml:2:",
    "deep-block.yaml": "nested more than 40 levels deep",
    "control-char.yaml": "control-char.yaml:2:14: error: malformed YAML: control character U+0007 is not allowed",
    "wrong-types.yaml": "wrong-types.yaml:4:3: error: kubelet.readOnlyPort: must be an integer, not a string",
    "unknown-keys.yaml": "audit.maxage: unknown key 'maxage'; did you mean 'maxAge'?",
    "out-of-range.yaml": "kubelet.eventRecordQPS: must be at most 10000, not 99999999",
    "bad-duration.yaml": "kubelet.streamingConnectionIdleTimeout: '5 minutes' is not a duration",
    "relative-node-path.yaml": "cluster.pkiDir: 'etc/kubernetes/pki' is not an absolute node path",
    "bad-registry.yaml": "is not an image name without tag or digest",
    "newline-in-path.yaml": "cluster.pkiDir:",
    "nul-in-string.yaml": "nul-in-string.yaml:3:",
    "cycle-a.yaml": "extends cycle: hostile/cycle-a.yaml -> hostile/cycle-b.yaml -> hostile/cycle-a.yaml",
    "missing-parent.yaml": "missing-parent.yaml:2:1: error: extends: parent profile 'no-such-parent.yaml' not found",
    "parent-outside.yaml": "outside the allowed places",
    "parent-absolute.yaml": "must be a bundled name or a relative path",
    "tag-int-word.yaml": "tag-int-word.yaml:3:17: error: value cannot be read as an integer (!!int) [yaml]",
    "tag-bool-word.yaml": "tag-bool-word.yaml:3:18: error: value cannot be read as true or false (!!bool) [yaml]",
    "huge-int.yaml": "huge-int.yaml:3:17: error: value cannot be read as an integer (!!int) [yaml]",
    "secret-int-tag.yaml": "secret-int-tag.yaml:2:14: error: value cannot be read as an integer (!!int) [yaml]",
    "extends-nul.yaml": "extends-nul.yaml:2:1: error: extends: the path contains a NUL byte [extends]",
    "extends-too-long.yaml": "extends-too-long.yaml:2:1: error: extends: parent profile 'aaaa",
    "extends-long-segments.yaml": "extends-long-segments.yaml:2:1: error: extends: ",
}


@pytest.mark.parametrize(("name", "expected"), sorted(PROFILE_CASES.items()))
def test_validate_refuses(work: Path, name: str, expected: str) -> None:
    _assert_clean_failure(work, ["validate", f"hostile/{name}"], expected)


@pytest.mark.parametrize(("name", "expected"), sorted(PROFILE_CASES.items()))
def test_render_refuses_and_keeps_the_previous_output(work: Path, name: str, expected: str) -> None:
    _assert_clean_failure(work, ["render", f"hostile/{name}", "-o", "out"], expected)


@pytest.mark.skipif(not HAS_EXPLAIN, reason="kgen explain is not built yet")
@pytest.mark.parametrize(("name", "expected"), sorted(PROFILE_CASES.items()))
def test_explain_refuses(work: Path, name: str, expected: str) -> None:
    _assert_clean_failure(work, ["explain", f"hostile/{name}"], expected)


def test_every_problem_is_reported_at_once(work: Path) -> None:
    stderr = _assert_clean_failure(work, ["validate", "hostile/wrong-types.yaml"], "audit: must be a mapping")
    assert len(stderr.splitlines()) == 2


def test_a_newline_in_a_value_never_reaches_output(work: Path) -> None:
    stderr = _assert_clean_failure(work, ["validate", "hostile/newline-in-path.yaml"], "cluster.pkiDir")
    assert "\nx: y" not in stderr  # the value is shown escaped, on the problem's own line


# --- secrets ------------------------------------------------------------------------------------------

SECRET_CASES = {
    "secret-pem.yaml": ("a PEM private key", "MIIEowIBAAKCAQEAc2VjcmV0LW1hdGVyaWFs"),
    "secret-token.yaml": ("a kubeadm bootstrap token", "0123456789abcdef"),
    "secret-base64.yaml": ("base64 key material", "c2VjcmV0LWtleS1tYXRlcmlhbC1mb3ItdGVzdHMtb25seQ"),
    "secret-key.yaml": ("a kubeadm bootstrap token", "0123456789abcdef"),
}


@pytest.mark.parametrize(("name", "secret"), sorted(SECRET_CASES.items()))
@pytest.mark.parametrize("command", ["validate", "render"])
def test_secrets_are_refused_without_echoing_them(work: Path, name: str, secret: tuple[str, str], command: str) -> None:
    what, material = secret
    args = [command, f"hostile/{name}"] + (["-o", "out"] if command == "render" else [])
    stderr = _assert_clean_failure(work, args, f"looks like {what}")
    assert "reference them by node path" in stderr
    assert material not in stderr


@pytest.mark.parametrize("command", ["validate", "render", "explain"])
def test_a_wrongly_tagged_token_is_not_echoed(work: Path, command: str) -> None:
    args = [command, "hostile/secret-int-tag.yaml"] + (["-o", "out"] if command == "render" else [])
    stderr = _assert_clean_failure(work, args, "secret-int-tag.yaml:2:14: error: value cannot be read as an integer")
    assert len(stderr.splitlines()) == 1
    assert "0123456789abcdef" not in stderr


def test_check_config_does_not_echo_secret_values(tmp_path: Path) -> None:
    token = "abcdef.0123456789abcdef"
    path = tmp_path / "init.yaml"
    path.write_text(
        f"apiVersion: kubeadm.k8s.io/v1beta4\nkind: InitConfiguration\nbootstrapTokens:\n- token: {token}\n  ttl: {token}\n",
        encoding="utf-8",
    )
    code, stdout, stderr = _invoke(["check-config", str(path)])
    assert code == 1, stdout
    assert "bootstrapTokens[0].ttl" in stdout
    assert "0123456789abcdef" not in stdout + stderr


# --- awkward strings: emitted safely, parse back to the same data ----------------------------------


def test_awkward_strings_render_and_parse_back(work: Path) -> None:
    code, stdout, stderr = _invoke(
        ["render", "hostile/awkward-strings.yaml", "-o", "fresh", "-t", "kubeadm", "-t", "flags", "-t", "rke2", "-t", "k3s"]
    )
    assert code == 0, stderr
    wanted = yaml.safe_load((work / "hostile" / "awkward-strings.yaml").read_text(encoding="utf-8"))
    conditions = wanted["authorization"]["webhook"]["matchConditions"]
    found: list[str] = []
    for path in sorted((work / "fresh").rglob("*.yaml")):
        for document in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            if isinstance(document, dict) and document.get("kind") == "AuthorizationConfiguration":
                for authorizer in document["authorizers"]:
                    found.extend(c["expression"] for c in (authorizer.get("webhook") or {}).get("matchConditions", []))
    assert found and set(found) == set(conditions)
    assert stdout


def test_awkward_strings_survive_capi_files_and_kind_patches(work: Path) -> None:
    code, _stdout, stderr = _invoke(["render", "hostile/awkward-strings.yaml", "-o", "fresh", "-t", "capi", "-t", "kind"])
    assert code == 0, stderr
    wanted = yaml.safe_load((work / "hostile" / "awkward-strings.yaml").read_text(encoding="utf-8"))
    conditions = set(wanted["authorization"]["webhook"]["matchConditions"])
    (control,) = yaml.safe_load_all(next((work / "fresh").rglob("kubeadm-control-plane.yaml")).read_text(encoding="utf-8"))
    found: list[str] = []
    for entry in control["spec"]["kubeadmConfigSpec"]["files"]:
        if not entry["path"].endswith(".yaml"):
            continue  # the encryption install script, a shell script
        # base64: a Jinja marker in the text, which Cluster API's cloud-init would otherwise render
        content = entry.get("content", "")
        if entry.get("encoding") == "base64":
            content = base64.b64decode(content).decode("utf-8")
        for document in yaml.safe_load_all(content):
            if isinstance(document, dict) and document.get("kind") == "AuthorizationConfiguration":
                for authorizer in document["authorizers"]:
                    found.extend(c["expression"] for c in (authorizer.get("webhook") or {}).get("matchConditions", []))
    assert found and set(found) == conditions
    (cluster,) = yaml.safe_load_all(next((work / "fresh").rglob("kind-config.yaml")).read_text(encoding="utf-8"))
    assert all(yaml.safe_load(patch)["kind"] for patch in cluster["kubeadmConfigPatches"])


def test_node_paths_cannot_inject_shell(work: Path) -> None:
    profile = work / "hostile" / "shell.yaml"
    profile.write_text(
        "name: shell\nextends: cis\nencryption:\n  keyFile: \"/etc/k'$(touch /tmp/kgen-pwned)'/key\"\n",
        encoding="utf-8",
    )
    code, _stdout, stderr = _invoke(["render", "hostile/shell.yaml", "-o", "fresh", "-t", "flags"])
    if code != 0:
        assert "Traceback" not in stderr and "encryption.keyFile" in stderr
        return
    script = (work / "fresh" / "shell" / "flags" / "scripts" / "install-encryption-config.sh").read_text(encoding="utf-8")
    assert "$(touch" not in script.replace("'/etc/k'\"'\"'$(touch /tmp/kgen-pwned)'\"'\"'/key'", "")


# --- configuration files: check-config ----------------------------------------------------------------

CONFIG_CASES = {
    "malformed.yaml": "malformed.yaml:3:1: error: malformed YAML",
    "latin1.yaml": "not valid UTF-8",
    "billion-laughs.yaml": "YAML aliases (*name) are not allowed here",
    "too-big.yaml": "file is larger than 1024 KiB",
    "deep-flow.yaml": "deep-flow.yaml:2:",
    "deep-block.yaml": "nested more than 40 levels deep",
    "control-char.yaml": "control-char.yaml:2:14: error: malformed YAML: control character U+0007",
    "kubelet-wrong-types.yaml": "wrong-types.yaml:3:1: error: readOnlyPort: document 1 (KubeletConfiguration): expected integer",
    "kubeadm-extra-args-string.yaml": "apiServer.extraArgs: document 1 (ClusterConfiguration): expected array or null",
    "kube-scheduler.args": "kube-scheduler.args:2: error: line contains a NUL byte",
}


@pytest.mark.parametrize(("name", "expected"), sorted(CONFIG_CASES.items()))
def test_check_config_reports(work: Path, name: str, expected: str) -> None:
    before = _snapshot(work)
    code, stdout, stderr = _invoke(["check-config", f"hostile/{name}"])
    assert code == 1
    assert "Traceback" not in stdout + stderr
    *problems, summary = stdout.splitlines()
    assert summary.startswith("check-config: FAILED:")
    assert problems and all(PROBLEM_LINE.match(line) for line in problems), problems
    assert expected in stdout
    assert _snapshot(work) == before


def test_check_config_over_the_whole_hostile_folder(work: Path) -> None:
    code, stdout, _stderr = _invoke(["check-config", "hostile", "--format", "json"])
    assert code == 1
    assert '"ok": false' in stdout


CONFIG_FILE_CASES = {
    # file name -> (content, expected located problem)
    "kube-apiserver.args": (
        "--tls-min-version=VersionTLS14\n--secure-port=thirty\n--max-requests-inflight=99999999999999999999\n"
        "--profiling=maybe\n--request-timeout=5 minutes\n--tls-cipher-suites=TLS_AES_128_GCM_SHA256,,rc4\n",
        [
            "kube-apiserver.args:1:1: error: --tls-min-version: 'VersionTLS14' is not a TLS version kube-apiserver knows",
            "kube-apiserver.args:2:1: error: --secure-port: 'thirty' is not an integer [flags]",
            "kube-apiserver.args:3:1: error: --max-requests-inflight: '99999999999999999999' is out of range for int",
            "kube-apiserver.args:4:1: error: --profiling: 'maybe' is not true or false [flags]",
            "kube-apiserver.args:5:1: error: --request-timeout: '5 minutes' is not a duration",
            "kube-apiserver.args:6:1: error: --tls-cipher-suites: '' is not a cipher suite name",
        ],
    ),
    "etcd.args": (
        "--tls-min-version=VersionTLS12\n",
        ["etcd.args:1:1: error: --tls-min-version: 'VersionTLS12' is not a TLS version etcd knows (TLS1.2, TLS1.3)"],
    ),
    "kubelet.args": (
        "--read-only-port=" + "9" * 5000 + "\n--node-status-max-images=0x10\n",
        ["kubelet.args:1:1: error: --read-only-port: '" + "9" * 60 + "...' is out of range for int32"],
    ),
}


@pytest.mark.parametrize("name", sorted(CONFIG_FILE_CASES))
def test_check_config_checks_flag_values(tmp_path: Path, name: str) -> None:
    content, expected = CONFIG_FILE_CASES[name]
    (tmp_path / name).write_text(content, encoding="utf-8")
    code, stdout, stderr = _invoke(["check-config", str(tmp_path / name)])
    assert code == 1
    assert "Traceback" not in stdout + stderr
    *problems, _summary = stdout.splitlines()
    assert all(PROBLEM_LINE.match(line) for line in problems), problems
    errors = [line for line in problems if ": error: " in line]
    assert len(errors) == len(expected), errors
    for line, wanted in zip(errors, expected, strict=True):
        assert wanted in line, line
        assert PROBLEM_LINE.match(line)


def test_check_config_accepts_valid_flag_values(tmp_path: Path) -> None:
    (tmp_path / "kube-apiserver.args").write_text(
        "--tls-min-version=VersionTLS13\n--secure-port=6443\n--profiling=false\n--request-timeout=1m30s\n"
        "--max-requests-inflight=0o17\n--event-ttl=0\n"
        "--tls-cipher-suites=TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305\n",
        encoding="utf-8",
    )
    (tmp_path / "etcd.args").write_text("--tls-min-version=TLS1.3\n", encoding="utf-8")
    code, stdout, _stderr = _invoke(["check-config", str(tmp_path)])
    assert code == 0, stdout


def test_check_config_redacts_secrets_in_args_files(tmp_path: Path) -> None:
    token = "abcdef.0123456789abcdef"
    key = "c2VjcmV0LWtleS1tYXRlcmlhbC1mb3ItdGVzdHMtb25seS0xMjM0NTY3OA=="
    (tmp_path / "kube-apiserver.args").write_text(
        f"--feature-gates={token}=true\n--{token}\n--secure-port={key}\n--profiling={token}\n", encoding="utf-8"
    )
    for output_format in ("text", "json"):
        code, stdout, stderr = _invoke(["check-config", str(tmp_path), "--format", output_format])
        assert code == 1
        assert "<redacted>" in stdout
        assert "0123456789abcdef" not in stdout + stderr
        assert "c2VjcmV0LWtleS1tYXRlcmlhbC1mb3ItdGVzdHMtb25seS0xMjM0NTY3OA" not in stdout + stderr


def test_check_config_escapes_control_characters(tmp_path: Path) -> None:
    (tmp_path / "kubelet.yaml").write_text(
        'apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n"read\\eOnly\\u202ePort": 1\n',
        encoding="utf-8",
    )
    (tmp_path / "kube-scheduler.args").write_text("--bogus\x1b[2J=1\n", encoding="utf-8")
    for output_format in ("text", "json"):
        code, stdout, stderr = _invoke(["check-config", str(tmp_path), "--format", output_format])
        assert code == 1
        assert "\x1b" not in stdout + stderr and "\u202e" not in stdout + stderr
        assert "read\\x1bOnly\\u202ePort" in stdout.replace("\\\\", "\\")


def test_check_config_refuses_an_empty_path(work: Path) -> None:
    before = _snapshot(work)
    code, stdout, stderr = _invoke(["check-config", ""])
    assert code == 1
    assert stdout.splitlines()[0] == "kgen: error: an empty path names no file or folder [usage]"
    assert "Traceback" not in stdout + stderr
    assert _snapshot(work) == before


# --- inputs that are not regular files ------------------------------------------------------------------


@pytest.fixture
def fifo(work: Path) -> Path:
    path = work / "hostile" / "fifo.yaml"
    os.mkfifo(path)
    return path


@pytest.mark.parametrize("command", ["validate", "render", "explain", "check-config", "diff"])
@pytest.mark.parametrize("source", ["fifo", "/dev/zero"])
def test_fifo_and_devices_are_refused_without_reading(work: Path, fifo: Path, command: str, source: str) -> None:
    path = "hostile/fifo.yaml" if source == "fifo" else source
    args = [command, path] + (["-o", "out"] if command == "render" else []) + (["cis"] if command == "diff" else [])
    before = _snapshot(work)
    code, stdout, stderr = _invoke(args)
    assert code == 1
    assert "Traceback" not in stdout + stderr
    shown = "fifo.yaml" if source == "fifo" else "/dev/zero"
    message = f"{shown}: error: is not a regular file (a FIFO, socket or device is never read)"
    assert message in stdout + stderr
    assert _snapshot(work) == before


def test_a_fifo_as_parent_is_refused(work: Path, fifo: Path) -> None:
    (work / "hostile" / "child.yaml").write_text("name: x\nextends: fifo.yaml\n", encoding="utf-8")
    _assert_clean_failure(
        work,
        ["validate", "hostile/child.yaml"],
        "child.yaml:2:1: error: extends: parent profile 'fifo.yaml' is not a regular file",
    )


# --- profiles read from git by diff -------------------------------------------------------------------


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("name: deep\ndescription: " + "[" * 5000 + "]" * 5000 + "\n", "HEAD:deep.yaml:2:"),
        (
            "name: deep\ndescription:\n" + "".join("  " * d + f"k{d}:\n" for d in range(1, 300)) + "  " * 300 + "v\n",
            "HEAD:deep.yaml:",
        ),
        (
            "name: deep\nextends: cis\ndescription: !!int abcdef.0123456789abcdef\n",
            "HEAD:deep.yaml:3:14: error: value cannot be read",
        ),
        ("name: deep\nextends: " + "[" * 5000 + "]" * 5000 + "\n", "HEAD:deep.yaml:2:"),
    ],
)
def test_diff_reads_a_hostile_profile_from_git(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: str, expected: str
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "deep.yaml").write_text(content, encoding="utf-8")
    git = ["git", "-c", "user.email=kgen@example.com", "-c", "user.name=kgen", "-c", "commit.gpgsign=false"]
    subprocess.run(["git", "init", "-q"], check=True)
    subprocess.run([*git, "add", "deep.yaml"], check=True)
    subprocess.run([*git, "commit", "-qm", "deep"], check=True)
    before = (tmp_path / "deep.yaml").read_bytes()
    code, stdout, stderr = _invoke(["diff", "HEAD:deep.yaml", "cis"])
    assert code == 1, stdout
    assert "Traceback" not in stdout + stderr
    lines = stderr.splitlines()
    assert len(lines) == 1 and PROBLEM_LINE.match(lines[0]), lines
    assert expected in stderr
    assert "0123456789abcdef" not in stderr
    assert (tmp_path / "deep.yaml").read_bytes() == before


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_diff_with_an_overlong_git_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    git = ["git", "-c", "user.email=kgen@example.com", "-c", "user.name=kgen", "-c", "commit.gpgsign=false"]
    subprocess.run(["git", "init", "-q"], check=True)
    subprocess.run([*git, "commit", "-q", "--allow-empty", "-m", "empty"], check=True)
    code, stdout, stderr = _invoke(["diff", "HEAD:" + "x" * 5000 + ".yaml", "cis"])
    assert code == 1, stdout
    assert "Traceback" not in stderr
    assert stderr.startswith("kgen: error: HEAD:xxx") and stderr.endswith("...: cannot read: File name too long\n")


LONG = "x" * 5000
OVERLONG_CASES = {
    "render-profile": (["render", f"{LONG}.yaml", "-o", "fresh"], "cannot read: File name too long"),
    "validate": (["validate", f"{LONG}.yaml"], "cannot read: File name too long"),
    "explain": (["explain", f"{LONG}.yaml"], "cannot read: File name too long"),
    "render-output": (["render", "cis", "-o", LONG], "error: output folder: File name too long [output]"),
    "check-output": (["render", "cis", "-o", LONG, "--check"], "error: output folder: File name too long [output]"),
    "output-under-a-file": (["render", "cis", "-o", "hostile/malformed.yaml/out"], "cannot write: Not a directory"),
}


@pytest.mark.parametrize("case", sorted(OVERLONG_CASES))
def test_paths_the_os_refuses_are_located_errors(work: Path, case: str) -> None:
    args, expected = OVERLONG_CASES[case]
    stderr = _assert_clean_failure(work, args, expected)
    assert len(stderr.splitlines()) == 1
    assert len(stderr) < 400  # a path of thousands of characters is cut


def test_check_config_with_an_overlong_path(work: Path) -> None:
    code, stdout, stderr = _invoke(["check-config", LONG])
    assert code == 1
    assert "Traceback" not in stdout + stderr
    assert "error: cannot read: File name too long" in stdout


# --- a line break in a profile string never ends a comment ---------------------------------------------


def test_a_line_break_in_the_name_never_reaches_a_header_comment(work: Path) -> None:
    (work / "hostile" / "name-newline.yaml").write_text('name: "x\\n"\nextends: cis\n', encoding="utf-8")
    stderr = _assert_clean_failure(work, ["render", "hostile/name-newline.yaml", "-o", "out"], "error:")
    assert len(stderr.splitlines()) == 1


def test_header_lines_are_single_comment_lines() -> None:
    from types import SimpleNamespace

    from kgen.targets.common import header_lines

    plan: Any = SimpleNamespace(profile=SimpleNamespace(name="x\ny: z\u2028"), version="1.35")
    lines = header_lines(plan, "flags", "Writes /etc/x\n on a node.")
    assert all("\n" not in line and "\u2028" not in line for line in lines)
    assert "'x\\ny: z\\u2028'" in lines[0] and "/etc/x\\n on" in lines[2]


# --- the last resort: a bug prints its traceback, never a secret ----------------------------------------


def test_a_bug_prints_a_redacted_traceback(work: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import kgen.render

    token = "abcdef.0123456789abcdef"

    def broken(*_args: Any, **_kwargs: Any) -> Any:
        raise ValueError(f"invalid literal for int() with base 10: {token!r}")

    monkeypatch.setattr(kgen.render, "render_profile", broken)
    result = CliRunner().invoke(app, ["validate", "cis"])
    assert result.exit_code == 70
    assert "Traceback" in result.stderr and "ValueError" in result.stderr
    assert "<redacted>" in result.stderr
    assert "0123456789abcdef" not in result.stdout + result.stderr
    assert result.stderr.splitlines()[-1].startswith("kgen: error: a bug in kgen (ValueError)")


# --- output folders -----------------------------------------------------------------------------------


def test_output_that_is_a_file(work: Path) -> None:
    (work / "out.txt").write_text("keep me\n", encoding="utf-8")
    _assert_clean_failure(work, ["render", "cis", "-o", "out.txt"], "output path exists and is not a directory")


@pytest.mark.parametrize("place", ["profiles", "templates", "profiles/sub"])
def test_output_inside_profiles_or_templates(work: Path, place: str) -> None:
    (work / "profiles").mkdir(exist_ok=True)
    (work / "templates").mkdir(exist_ok=True)
    _assert_clean_failure(work, ["render", "cis", "-o", place], "refusing to write output inside")


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores file permissions, so a read-only folder cannot be made")
def test_output_not_writable(work: Path) -> None:
    locked = work / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        _assert_clean_failure(work, ["render", "cis", "-o", "locked/out"], "permission denied")
    finally:
        locked.chmod(0o755)


@pytest.mark.parametrize("fail_at", ["write", "swap"])
def test_interrupted_write_keeps_the_previous_output(work: Path, monkeypatch: pytest.MonkeyPatch, fail_at: str) -> None:
    from kgen import output
    from kgen.render import RenderedFile

    files = [RenderedFile(f"cis/kubeadm/new-{i}.yaml", f"n: {i}\n") for i in range(5)]
    before = _snapshot(work)
    calls = {"n": 0}
    if fail_at == "write":
        real_open = Path.open

        def failing_open(self: Path, *args: Any, **kwargs: Any) -> Any:
            calls["n"] += 1
            if calls["n"] == 3:
                raise OSError(28, "No space left on device", str(self))
            return real_open(self, *args, **kwargs)

        monkeypatch.setattr(Path, "open", failing_open)
    else:
        real_rename = Path.rename

        def failing_rename(self: Path, target: object) -> object:
            calls["n"] += 1
            if self.name.startswith(".kgen-new-"):
                raise OSError(5, "Input/output error", str(self))
            return real_rename(self, target)  # type: ignore[arg-type]

        monkeypatch.setattr(Path, "rename", failing_rename)
    with pytest.raises(KgenError) as caught:
        output.write_tree(work / "out", files)
    monkeypatch.undo()
    assert "cannot write" in caught.value.lines()[0]
    assert _snapshot(work) == before
    assert not [p for p in (work / "out" / "cis").iterdir() if p.name.startswith(".kgen-")]


# --- the installed command ----------------------------------------------------------------------------


@pytest.mark.skipif(not KGEN.exists(), reason="kgen is not installed in this environment")
@pytest.mark.parametrize("args", [["validate", "hostile/billion-laughs.yaml"], ["check-config", "hostile/latin1.yaml"]])
def test_installed_command_prints_no_traceback(work: Path, args: list[str]) -> None:
    before = _snapshot(work)
    done = subprocess.run([str(KGEN), *args], capture_output=True, text=True, check=False, cwd=work)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr + done.stdout
    assert _snapshot(work) == before


def test_webhook_without_kubeconfig_is_a_profile_problem(work: Path) -> None:
    (work / "hostile" / "webhook.yaml").write_text("name: w\nauthorization:\n  webhook:\n    name: w\n", encoding="utf-8")
    _assert_clean_failure(work, ["validate", "hostile/webhook.yaml"], "authorization.webhook.kubeConfigFile")


def test_node_path_cannot_write_outside_the_output_folder(work: Path) -> None:
    _assert_clean_failure(work, ["render", "hostile/node-path-traversal.yaml", "-o", "out"], "is not an absolute node path")
    assert not (work / "escaped.yaml").exists()


def test_check_reports_a_broken_symlink_without_a_traceback(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from kgen.cli import app

    out = tmp_path / "out"
    assert CliRunner().invoke(app, ["render", "baseline", "-t", "flags", "-o", str(out)]).exit_code == 0
    victim = out / "baseline" / "flags" / "kube-proxy.args"
    victim.unlink()
    victim.symlink_to(tmp_path / "missing")
    result = CliRunner().invoke(app, ["render", "baseline", "-t", "flags", "-o", str(out), "--check"])
    assert result.exit_code == 3, result.output
    assert "kube-proxy.args: error: is a symbolic link" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_check_config_refuses_a_well_formed_but_unknown_cipher_suite(tmp_path: Path) -> None:
    (tmp_path / "kube-apiserver.args").write_text(
        "--tls-cipher-suites=TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_MADE_UP\n", encoding="utf-8"
    )
    (tmp_path / "etcd.args").write_text("--cipher-suites=TLS_RSA_WITH_RC4_128_SHA_FAKE\n", encoding="utf-8")
    code, stdout, _stderr = _invoke(["check-config", str(tmp_path)])
    assert code == 1
    assert "--tls-cipher-suites: 'TLS_MADE_UP' is not a cipher suite kube-apiserver knows" in stdout
    assert "--cipher-suites: 'TLS_RSA_WITH_RC4_128_SHA_FAKE' is not a cipher suite etcd knows" in stdout
