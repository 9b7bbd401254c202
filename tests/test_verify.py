"""`kgen verify` on kubeadm-shaped node trees: a fresh node matches, every hand edit is found and
nothing else, hostile trees give findings (never a crash), nothing is written, nothing outside the
root is read."""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest
from nodetree import build_node
from typer.testing import CliRunner

from kgen.cli import app
from kgen.profile import ProfileLoader
from kgen.render import render_profile

Edit = Callable[[Path], None]


def rendered_kubeadm(tmp_path: Path, profile: str, version: str) -> Path:
    result = render_profile(ProfileLoader().load(profile, version), ["kubeadm"])
    folder = tmp_path / "rendered"
    for item in result.files:
        path = folder / item.path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(item.content, encoding="utf-8")
    return folder / profile / "kubeadm"


def node(tmp_path: Path, profile: str = "cis", version: str = "1.35", control_plane: bool = True) -> Path:
    root = tmp_path / "node"
    root.mkdir()
    build_node(rendered_kubeadm(tmp_path, profile, version), root, control_plane=control_plane)
    return root


def verify(root: Path, profile: str = "cis", version: str = "1.35", *extra: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["verify", profile, "--root", str(root), "-k", version, *extra])
    return result.exit_code, result.output


def findings(root: Path, profile: str = "cis", version: str = "1.35") -> set[tuple[str, str, str]]:
    code, output = verify(root, profile, version, "--format", "json")
    assert code in (0, 5), output
    data = json.loads(output)
    return {(f["component"], f["setting"], f["status"]) for f in data["findings"] if f["status"] != "ok"}


def replace(root: Path, node_path: str, old: str, new: str) -> None:
    path = root / node_path.lstrip("/")
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {node_path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


APISERVER = "/etc/kubernetes/manifests/kube-apiserver.yaml"
SCHEDULER = "/etc/kubernetes/manifests/kube-scheduler.yaml"
KUBELET_CONFIG = "/var/lib/kubelet/config.yaml"


@pytest.mark.parametrize(("profile", "version"), [("cis", "1.31"), ("cis", "1.35"), ("strict", "1.35"), ("baseline", "1.37")])
def test_a_node_laid_out_from_the_render_matches(tmp_path: Path, profile: str, version: str) -> None:
    root = node(tmp_path, profile, version)
    code, output = verify(root, profile, version)
    assert code == 0, output
    assert "MATCHES" in output.splitlines()[0]
    assert " 0 drift, 0 missing, 0 extra, 0 unreadable" in output


@pytest.mark.parametrize("version", ["1.31", "1.35"])
def test_a_worker_is_verified_for_the_kubelet_alone(tmp_path: Path, version: str) -> None:
    root = node(tmp_path, "cis", version, control_plane=False)
    code, output = verify(root, "cis", version, "--format", "json")
    assert code == 0, output
    data = json.loads(output)
    assert data["controlPlane"] is False
    assert {f["component"] for f in data["findings"]} == {"kubelet"}
    assert any("worker node" in note for note in data["notes"])


def move_flag_to_args(root: Path, node_path: str, flag: str) -> None:
    import yaml

    path = root / node_path.lstrip("/")
    pod = yaml.safe_load(path.read_text(encoding="utf-8"))
    container = pod["spec"]["containers"][0]
    container["command"].remove(flag)
    container["args"] = [flag]
    path.write_text(yaml.safe_dump(pod), encoding="utf-8")


EDITS: list[tuple[str, Edit, set[tuple[str, str, str]]]] = [
    (
        "profiling turned on",
        lambda root: replace(root, APISERVER, "--profiling=false", "--profiling=true"),
        {("kube-apiserver", "--profiling", "drift")},
    ),
    (
        "an audit flag deleted",
        lambda root: replace(root, APISERVER, "    - --audit-log-maxage=30\n", ""),
        {("kube-apiserver", "--audit-log-maxage", "missing")},
    ),
    (
        "a weakening flag added that the profile does not set",
        lambda root: replace(
            root,
            APISERVER,
            "    - --allow-privileged=true\n",
            "    - --allow-privileged=true\n    - --token-auth-file=/etc/tokens.csv\n",
        ),
        {("kube-apiserver", "--token-auth-file", "extra")},
    ),
    (
        "a duplicate flag whose last value weakens",
        lambda root: replace(root, SCHEDULER, "    - --profiling=false\n", "    - --profiling=false\n    - --profiling=true\n"),
        {("kube-scheduler", "--profiling", "drift")},
    ),
    (
        "a flag moved from command to args keeps its meaning",
        lambda root: move_flag_to_args(root, SCHEDULER, "--profiling=false"),
        set(),
    ),
    (
        "the kubelet read-only port opened in the file",
        lambda root: replace(root, KUBELET_CONFIG, "readOnlyPort: 0", "readOnlyPort: 10255"),
        {("kubelet", "readOnlyPort", "drift")},
    ),
    (
        "the kubelet read-only port opened by /etc/default/kubelet",
        lambda root: (
            (root / "etc/default").mkdir(parents=True)
            or (root / "etc/default/kubelet").write_text('KUBELET_EXTRA_ARGS="--read-only-port=10255"\n', encoding="utf-8")
        ),
        {("kubelet", "readOnlyPort", "drift")},
    ),
    (
        "a node file edited",
        lambda root: replace(root, "/etc/kubernetes/hardening/audit-policy.yaml", "level: Metadata", "level: None"),
        {("kube-apiserver", "/etc/kubernetes/hardening/audit-policy.yaml", "drift")},
    ),
    (
        "a node file deleted",
        lambda root: (root / "etc/kubernetes/hardening/admission-config.yaml").unlink(),
        {("kube-apiserver", "/etc/kubernetes/hardening/admission-config.yaml", "missing")},
    ),
]


@pytest.mark.parametrize(("name", "edit", "expected"), EDITS, ids=[e[0] for e in EDITS])
def test_every_hand_edit_is_found_and_nothing_else(
    tmp_path: Path, name: str, edit: Edit, expected: set[tuple[str, str, str]]
) -> None:
    root = node(tmp_path)
    edit(root)
    assert findings(root) == expected


def test_edits_add_up(tmp_path: Path) -> None:
    root = node(tmp_path)
    for _, edit, _ in EDITS[:4]:
        edit(root)
    assert findings(root) == set().union(*(expected for _, _, expected in EDITS[:4]))


def test_a_kubelet_config_drop_in_overrides_the_main_file(tmp_path: Path) -> None:
    root = node(tmp_path)
    replace(
        root,
        "/var/lib/kubelet/kubeadm-flags.env",
        'KUBELET_KUBEADM_ARGS="',
        'KUBELET_KUBEADM_ARGS="--config-dir=/etc/kubernetes/kubelet.conf.d ',
    )
    drop_ins = root / "etc/kubernetes/kubelet.conf.d"
    drop_ins.mkdir(parents=True)
    (drop_ins / "50-override.conf").write_text(
        "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nauthentication:\n  anonymous:\n    enabled: true\n",
        encoding="utf-8",
    )
    code, output = verify(root)
    assert code == 5
    assert "drift      authentication.anonymous.enabled" in output
    assert "in:       /etc/kubernetes/kubelet.conf.d/50-override.conf" in output
    assert findings(root) == {("kubelet", "authentication.anonymous.enabled", "drift")}


def test_yaml_anchors_in_a_manifest_are_read(tmp_path: Path) -> None:
    root = node(tmp_path)
    path = root / SCHEDULER.lstrip("/")
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("  labels:\n", "  labels: &labels\n", 1) + "x-copy: *labels\n", encoding="utf-8")
    assert findings(root) == set()


def test_alias_bombs_and_fifos_are_findings_not_hangs(tmp_path: Path) -> None:
    root = node(tmp_path)
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
        for i in range(8)
    )
    (root / SCHEDULER.lstrip("/")).write_text(bomb, encoding="utf-8")
    fifo = root / "etc/kubernetes/hardening/admission-config.yaml"
    fifo.unlink()
    os.mkfifo(fifo)
    code, output = verify(root)
    assert code == 5
    assert "Traceback" not in output
    assert "once aliases are expanded" in output
    assert "is not a regular file; not read" in output


def test_a_symlink_out_of_the_root_is_not_followed(tmp_path: Path) -> None:
    root = node(tmp_path)
    outside = tmp_path / "outside.yaml"
    outside.write_text("kind: AuditPolicy-from-outside\n", encoding="utf-8")
    policy = root / "etc/kubernetes/hardening/audit-policy.yaml"
    policy.unlink()
    policy.symlink_to(os.path.relpath(outside, policy.parent))
    code, output = verify(root)
    assert code == 5
    assert "points outside the root; not followed" in output
    assert "from-outside" not in output


def test_an_absolute_symlink_stays_inside_the_root(tmp_path: Path) -> None:
    root = node(tmp_path)
    policy = root / "etc/kubernetes/hardening/audit-policy.yaml"
    moved = root / "srv/audit-policy.yaml"
    moved.parent.mkdir(parents=True)
    policy.rename(moved)
    policy.symlink_to("/srv/audit-policy.yaml")  # a node path: below the root, not this machine's /srv
    assert findings(root) == set()


def test_missing_manifests_and_kubelet_are_findings(tmp_path: Path) -> None:
    root = tmp_path / "empty"
    root.mkdir()
    code, output = verify(root)
    assert code == 5
    assert "no kubelet unit, environment file or configuration found" in output
    assert "missing" in output


def test_verify_writes_nothing(tmp_path: Path) -> None:
    root = node(tmp_path)
    replace(root, APISERVER, "--profiling=false", "--profiling=true")

    def snapshot() -> dict[str, tuple[int, bytes]]:
        return {str(p): (p.stat().st_mtime_ns, p.read_bytes()) for p in sorted(root.rglob("*")) if p.is_file()}

    before = snapshot()
    for output_format in ("text", "json", "markdown", "sarif", "junit"):
        verify(root, "cis", "1.35", "--format", output_format)
    assert snapshot() == before


def test_formats(tmp_path: Path) -> None:
    root = node(tmp_path)
    replace(root, APISERVER, "--profiling=false", "--profiling=true")
    code, output = verify(root, "cis", "1.35", "--format", "sarif")
    assert code == 5
    sarif = json.loads(output)
    assert sarif["version"] == "2.1.0"
    results = sarif["runs"][0]["results"]
    assert [r["ruleId"] for r in results] == ["kgen/drift/kube-apiserver/profiling"]
    assert (
        results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        == "etc/kubernetes/manifests/kube-apiserver.yaml"
    )
    rule = sarif["runs"][0]["tool"]["driver"]["rules"][0]
    assert "CIS 1.2.15" in rule["properties"]["tags"]
    code, output = verify(root, "cis", "1.35", "--format", "junit")
    suites = ET.fromstring(output)
    failures = [case for case in suites.iter("testcase") if case.find("failure") is not None]
    assert [(case.get("classname"), case.get("name")) for case in failures] == [("kube-apiserver", "--profiling")]
    assert int(suites.get("tests") or 0) > 50
    code, output = verify(root, "cis", "1.35", "--format", "markdown")
    assert "| kube-apiserver | `--profiling` | drift | false | true | CIS 1.2.15; from apiServer.profiling |" in output
    code, output = verify(root, "cis", "1.35", "--format", "yaml")
    assert code == 2


def test_encryption_keys_are_never_printed(tmp_path: Path) -> None:
    root = node(tmp_path)
    path = root / "etc/kubernetes/hardening/encryption-config.yaml"
    text = path.read_text(encoding="utf-8")
    key = next(line.split('"')[1] for line in text.splitlines() if "secret:" in line)
    path.write_text(text.replace("name: key1", "name: rotated"), encoding="utf-8")
    for output_format in ("text", "json", "markdown", "sarif", "junit"):
        _, output = verify(root, "cis", "1.35", "--format", output_format)
        assert key not in output
    assert findings(root) == {("kube-apiserver", "/etc/kubernetes/hardening/encryption-config.yaml", "drift")}


def test_bad_input_is_one_line_without_traceback(tmp_path: Path) -> None:
    code, output = verify(tmp_path / "nope")
    assert code == 1 and "not a directory" in output and "Traceback" not in output
    code, output = verify(tmp_path, "no-such-profile")
    assert code == 1 and "Traceback" not in output
    result = CliRunner().invoke(app, ["verify", "cis", "--root", ""])
    assert result.exit_code == 1 and "--root must not be empty" in result.output


def test_a_flag_in_both_command_and_args_counts_as_the_last_one(tmp_path: Path) -> None:
    import yaml

    root = node(tmp_path)
    path = root / SCHEDULER.lstrip("/")
    pod = yaml.safe_load(path.read_text(encoding="utf-8"))
    pod["spec"]["containers"][0]["args"] = ["--profiling=true"]  # Kubernetes runs command, then args
    path.write_text(yaml.safe_dump(pod), encoding="utf-8")
    code, output = verify(root)
    assert code == 5
    assert "found:    true (given 2 times; the last one counts)" in output
    assert findings(root) == {("kube-scheduler", "--profiling", "drift")}


def test_cluster_objects_are_named_as_not_verified(tmp_path: Path) -> None:
    root = node(tmp_path, "strict", "1.35")
    code, output = verify(root, "strict", "1.35")
    assert code == 0, output
    assert "cluster objects live in the API, not on the node: not verified" in output
