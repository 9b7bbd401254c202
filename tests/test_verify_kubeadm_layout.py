"""`kgen verify` and `kgen import` on node trees built here from kubeadm's own layout, independently of
tests/nodetree.py: static Pods as `kubeadm init` writes them (the binary first in `command`, flags
sorted after it, probes, volumeMounts, status), the KubeletConfiguration as kubeadm marshals it (every
field, Go durations such as `5m0s`), the packages' kubelet unit with 10-kubeadm.conf in
/usr/lib/systemd/system (kubernetes/release packaging; the rpm variant reads /etc/sysconfig/kubelet).
Each test below pins one defect found by trying these trees by hand."""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from kgen.cli import app
from kgen.nodefs import load_yaml
from kgen.profile import ProfileLoader
from kgen.render import render_profile

PKI = "/etc/kubernetes/pki"
APISERVER = "/etc/kubernetes/manifests/kube-apiserver.yaml"
KUBELET_CONFIG = "/var/lib/kubelet/config.yaml"
# cmd/kubeadm/app/phases/controlplane/manifests.go and phases/etcd/local.go: what kubeadm sets before extraArgs.
KUBEADM_FLAGS: dict[str, dict[str, str]] = {
    "kube-apiserver": {
        "advertise-address": "192.168.1.5",
        "allow-privileged": "true",
        "authorization-mode": "Node,RBAC",
        "client-ca-file": f"{PKI}/ca.crt",
        "enable-admission-plugins": "NodeRestriction",
        "enable-bootstrap-token-auth": "true",
        "etcd-servers": "https://127.0.0.1:2379",
        "secure-port": "6443",
        "service-account-issuer": "https://kubernetes.default.svc.cluster.local",
        "service-cluster-ip-range": "10.96.0.0/12",
    },
    "kube-controller-manager": {"bind-address": "127.0.0.1", "leader-elect": "true", "use-service-account-credentials": "true"},
    "kube-scheduler": {"bind-address": "127.0.0.1", "leader-elect": "true"},
    "etcd": {"client-cert-auth": "true", "data-dir": "/var/lib/etcd", "peer-client-cert-auth": "true", "snapshot-count": "10000"},
}
EXTRA_ARGS_PLACE = {
    "kube-apiserver": ("apiServer",),
    "kube-controller-manager": ("controllerManager",),
    "kube-scheduler": ("scheduler",),
    "etcd": ("etcd", "local"),
}
# What kubeadm writes to /var/lib/kubelet/config.yaml beyond the user's fields (a 1.31 node, trimmed).
KUBEADM_KUBELET = {
    "authentication": {"anonymous": {"enabled": False}, "webhook": {"cacheTTL": "0s", "enabled": True}},
    "authorization": {"mode": "Webhook", "webhook": {"cacheAuthorizedTTL": "0s", "cacheUnauthorizedTTL": "0s"}},
    "cgroupDriver": "systemd",
    "clusterDNS": ["10.96.0.10"],
    "clusterDomain": "cluster.local",
    "healthzPort": 10248,
    "logging": {"flushFrequency": 0, "options": {"json": {"infoBufferSize": "0"}}, "verbosity": 0},
    "nodeStatusUpdateFrequency": "0s",
    "staticPodPath": "/etc/kubernetes/manifests",
    "streamingConnectionIdleTimeout": "0s",
}
DROP_IN = """# Note: This dropin only works with kubeadm and kubelet v1.11+
[Service]
Environment="KUBELET_KUBECONFIG_ARGS=--bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf --kubeconfig=/etc/kubernetes/kubelet.conf"
Environment="KUBELET_CONFIG_ARGS=--config=/var/lib/kubelet/config.yaml"
EnvironmentFile=-/var/lib/kubelet/kubeadm-flags.env
EnvironmentFile=-/etc/sysconfig/kubelet
ExecStart=
ExecStart=/usr/bin/kubelet $KUBELET_KUBECONFIG_ARGS $KUBELET_CONFIG_ARGS $KUBELET_KUBEADM_ARGS $KUBELET_EXTRA_ARGS
"""
SERVICE = "[Unit]\nDescription=kubelet: The Kubernetes Node Agent\n\n[Service]\nExecStart=/usr/bin/kubelet\nRestart=always\n"


def _put(root: Path, node_path: str, text: str) -> None:
    path = root / node_path.lstrip("/")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _extra(value: Any) -> dict[str, str]:
    if isinstance(value, list):
        return {item["name"]: str(item["value"]) for item in value}
    return {str(k): str(v) for k, v in (value or {}).items()}


def _go_duration(text: str) -> str:
    """A duration as Go's time.Duration.String writes it (kubeadm re-marshals the user's `5m` as `5m0s`)."""
    units = {"h": 3600, "m": 60, "s": 1}
    seconds, number = 0, ""
    for ch in text:
        if ch.isdigit():
            number += ch
        else:
            seconds, number = seconds + int(number) * units[ch], ""
    hours, rest = divmod(seconds, 3600)
    return f"{hours}h{rest // 60}m{rest % 60}s" if hours else (f"{rest // 60}m{rest % 60}s" if rest >= 60 else f"{rest}s")


def kubeadm_node(tmp_path: Path, profile: str, version: str, control_plane: bool = True) -> Path:
    rendered = render_profile(ProfileLoader().load(profile, version), ["kubeadm"])
    documents = {
        doc["kind"]: doc
        for item in rendered.files
        if item.path.endswith("kubeadm-config.yaml")
        for doc in yaml.safe_load_all(item.content)
        if doc
    }
    root = tmp_path / f"node-{profile}-{version}-{'cp' if control_plane else 'worker'}"
    cluster = documents["ClusterConfiguration"]
    if control_plane:
        for component, defaults in KUBEADM_FLAGS.items():
            place: Any = cluster
            for key in EXTRA_ARGS_PLACE[component]:
                place = place.get(key, {})
            flags = {**defaults, **_extra(place.get("extraArgs"))}
            probe = {"httpGet": {"host": "127.0.0.1", "path": "/livez", "port": 6443, "scheme": "HTTPS"}, "failureThreshold": 8}
            pod = {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {
                    "creationTimestamp": None,
                    "labels": {"component": component, "tier": "control-plane"},
                    "name": component,
                },
                "spec": {
                    "containers": [
                        {
                            "command": [component, *(f"--{k}={v}" for k, v in sorted(flags.items()))],
                            "image": f"registry.k8s.io/{component}:v{version}.3",
                            "livenessProbe": probe,
                            "name": component,
                            "startupProbe": probe,
                            "volumeMounts": [{"mountPath": PKI, "name": "k8s-certs", "readOnly": True}],
                        }
                    ],
                    "hostNetwork": True,
                    "volumes": [{"hostPath": {"path": PKI, "type": "DirectoryOrCreate"}, "name": "k8s-certs"}],
                },
                "status": {},
            }
            _put(root, f"/etc/kubernetes/manifests/{component}.yaml", yaml.safe_dump(pod))
        for item in rendered.files:
            marker = "/kubeadm/files/"
            if marker in item.path:
                _put(root, "/" + item.path.split(marker, 1)[1], item.content)
        for node_file in _plan(profile, version).files:
            if node_file.secret_placeholders:  # what the install script writes, with a key of the node's own
                text = yaml.safe_dump(node_file.document)
                for placeholder in node_file.secret_placeholders:
                    text = text.replace(placeholder, "c2VjcmV0LWtleS1vZi10aGlydHktdHdvLWJ5dGVzISE=")
                _put(root, node_file.node_path, text)
    kubelet = json.loads(json.dumps(KUBEADM_KUBELET))
    _merge(kubelet, documents["KubeletConfiguration"])
    kubelet["streamingConnectionIdleTimeout"] = _go_duration(kubelet["streamingConnectionIdleTimeout"])
    _put(root, KUBELET_CONFIG, yaml.safe_dump(kubelet))  # sorted keys, as Go marshals them
    _put(
        root,
        "/var/lib/kubelet/kubeadm-flags.env",
        'KUBELET_KUBEADM_ARGS="--container-runtime-endpoint=unix:///run/containerd/containerd.sock"\n',
    )
    _put(root, "/usr/lib/systemd/system/kubelet.service", SERVICE)
    _put(root, "/usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf", DROP_IN)
    _put(root, "/etc/sysconfig/kubelet", "KUBELET_EXTRA_ARGS=\n")
    return root


def _plan(profile: str, version: str) -> Any:
    from kgen.plan import build_plan

    return build_plan(ProfileLoader().load(profile, version))


def _merge(into: dict[str, Any], layer: dict[str, Any]) -> None:
    for key, value in layer.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        elif key not in ("apiVersion", "kind") or key not in into:
            into[key] = value


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.output


def findings(root: Path, profile: str = "cis", version: str = "1.35") -> dict[tuple[str, str], dict[str, Any]]:
    code, output = run("verify", profile, "--root", str(root), "-k", version, "--format", "json")
    assert code in (0, 5), output
    return {(f["component"], f["setting"]): f for f in json.loads(output)["findings"] if f["status"] != "ok"}


@pytest.mark.parametrize("version", ["1.31", "1.35"])
@pytest.mark.parametrize("control_plane", [True, False])
def test_a_node_laid_out_by_kubeadm_matches(tmp_path: Path, version: str, control_plane: bool) -> None:
    root = kubeadm_node(tmp_path, "cis", version, control_plane)
    assert findings(root, "cis", version) == {}
    # kubeadm wrote 5m0s for the profile's 5m: equal by meaning; 4h0m0s is not.
    assert "streamingConnectionIdleTimeout: 5m0s" in (root / KUBELET_CONFIG.lstrip("/")).read_text(encoding="utf-8")


def test_a_pod_spec_that_is_not_a_mapping_is_a_finding(tmp_path: Path) -> None:
    root = kubeadm_node(tmp_path, "cis", "1.35")
    _put(root, APISERVER, "apiVersion: v1\nkind: Pod\nspec: just-text\n")
    found = findings(root)
    assert found[("kube-apiserver", APISERVER)]["found"] == "the Pod has no containers"


@pytest.mark.parametrize("target", ["/tmp/elsewhere/kube-apiserver.yaml", "/dev/zero"])
def test_a_link_that_leads_nowhere_below_the_root_is_a_finding(tmp_path: Path, target: str) -> None:
    root = kubeadm_node(tmp_path, "cis", "1.35")
    (root / APISERVER.lstrip("/")).unlink()
    (root / APISERVER.lstrip("/")).symlink_to(target)
    found = findings(root)
    assert found[("kube-apiserver", APISERVER)] == found[("kube-apiserver", APISERVER)] | {
        "status": "unreadable",
        "found": f"symbolic link to {target!r} leads to nothing below the root",
    }
    # An ordinary absent file is still just absent: no finding for the unused /etc/default/kubelet.
    assert not any(setting == "/etc/default/kubelet" for _, setting in found)


def test_a_kubelet_started_without_config_does_not_read_config_yaml(tmp_path: Path) -> None:
    root = kubeadm_node(tmp_path, "cis", "1.35", control_plane=False)
    (root / "usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf").unlink()
    code, output = run("verify", "cis", "--root", str(root), "-k", "1.35", "--format", "json")
    assert code == 5, output
    data = json.loads(output)
    statuses = {f["setting"]: f["status"] for f in data["findings"]}
    assert statuses["--config"] == "missing"
    assert statuses["authentication.anonymous.enabled"] == "missing"  # the kubelet's default, not the file's false
    assert "the kubelet is started without --config: /var/lib/kubelet/config.yaml is not read" in data["notes"]


def test_an_execstart_reset_without_a_new_command_is_a_finding(tmp_path: Path) -> None:
    root = kubeadm_node(tmp_path, "cis", "1.35", control_plane=False)
    _put(root, "/etc/systemd/system/kubelet.service.d/90-local.conf", "[Service]\nExecStart=\n")
    found = findings(root)
    problem = found[("kubelet", "/etc/systemd/system/kubelet.service.d/90-local.conf")]
    assert problem["status"] == "unreadable"
    assert "systemd does not start the kubelet" in problem["found"]


def test_a_unit_in_etc_replaces_the_packaged_one(tmp_path: Path) -> None:
    root = kubeadm_node(tmp_path, "cis", "1.35", control_plane=False)
    # The packaged unit sets a variable; the administrator's copy in /etc does not, so it is gone.
    _put(
        root,
        "/usr/lib/systemd/system/kubelet.service",
        SERVICE.replace("[Service]\n", '[Service]\nEnvironment="KUBELET_EXTRA_ARGS=--read-only-port=10255"\n'),
    )
    _put(root, "/etc/sysconfig/kubelet", "# no KUBELET_EXTRA_ARGS here\n")
    assert ("kubelet", "readOnlyPort") in findings(root)
    _put(root, "/etc/systemd/system/kubelet.service", SERVICE)
    assert findings(root) == {}


def test_only_v1beta1_kubelet_configuration_is_read(tmp_path: Path) -> None:
    root = kubeadm_node(tmp_path, "cis", "1.35", control_plane=False)
    path = root / KUBELET_CONFIG.lstrip("/")
    path.write_text(
        path.read_text(encoding="utf-8").replace("kubelet.config.k8s.io/v1beta1", "kubelet.config.k8s.io/v1"), encoding="utf-8"
    )
    found = findings(root)
    assert found[("kubelet", KUBELET_CONFIG)]["status"] == "unreadable"
    assert "apiVersion 'kubelet.config.k8s.io/v1' is not one the kubelet reads" in found[("kubelet", KUBELET_CONFIG)]["found"]
    # The same file written as JSON is read.
    data = yaml.safe_load(path.read_text(encoding="utf-8").replace("kubelet.config.k8s.io/v1", "kubelet.config.k8s.io/v1beta1"))
    path.write_text(json.dumps(data), encoding="utf-8")
    assert findings(root) == {}


def test_a_manifest_of_many_flags_loads_and_deep_nesting_is_named() -> None:
    many = "spec:\n  containers:\n  - command:\n" + "    - --flag=value\n" * 120_000
    documents = load_yaml(many)
    assert isinstance(documents, list)
    assert len(documents[0]["spec"]["containers"][0]["command"]) == 120_000
    assert load_yaml("a: " + "[" * 20_000 + "]" * 20_000) == "not read: nested too deeply"


def test_node_paths_are_escaped_in_every_format(tmp_path: Path) -> None:
    root = kubeadm_node(tmp_path, "cis", "1.35", control_plane=False)
    hostile = "/x\x1b[31m`|<b>&\x01"
    _put(root, "/etc/sysconfig/kubelet", f'KUBELET_EXTRA_ARGS="--config={hostile}"\n')
    outputs = {
        fmt: run("verify", "cis", "--root", str(root), "-k", "1.35", "--format", fmt)[1]
        for fmt in ("text", "json", "markdown", "sarif", "junit")
    }
    for fmt, output in outputs.items():
        assert "\x1b" not in output and "\x01" not in output, fmt
    assert "  unreadable /x\\x1b[31m`|<b>&\\x01\n" in outputs["text"]
    assert "| kubelet | /x\\\\x1b\\[31m\\`\\|\\<b\\>&amp;\\\\x01 | unreadable |" in outputs["markdown"]
    ET.fromstring(outputs["junit"])
    sarif = json.loads(outputs["sarif"])
    base = sarif["runs"][0]["originalUriBaseIds"]["NODEROOT"]["uri"]
    assert base == root.absolute().as_uri() + "/"
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in sarif["runs"][0]["results"]]
    assert all(" " not in uri and "`" not in uri and "<" not in uri for uri in uris)


def test_a_strict_node_imports_as_strict(tmp_path: Path) -> None:
    root = kubeadm_node(tmp_path, "strict", "1.35")
    profile = tmp_path / "found.yaml"
    code, output = run("import", "--root", str(root), "-o", str(profile))
    assert code == 0, output
    # cis shows no findings on a strict node either (verify is silent about extra hardening); strict reproduces more.
    assert yaml.safe_load(profile.read_text(encoding="utf-8")) == {
        "name": "found",
        "extends": "strict",
        "kubernetesVersion": "1.35",
    }
    assert "note:" not in output


def test_import_says_when_it_assumed_the_version(tmp_path: Path) -> None:
    root = kubeadm_node(tmp_path, "cis", "1.31", control_plane=False)
    code, output = run("import", "--root", str(root), "-o", str(tmp_path / "worker.yaml"))
    assert code == 0, output
    assert "note: the inputs name no Kubernetes version; 1.37 was assumed (choose with -k)" in output
    code, output = run("import", "--root", str(root), "-k", "1.31", "-o", str(tmp_path / "worker.yaml"), "--force")
    assert "was assumed" not in output


def test_a_boolean_flag_does_not_take_the_next_word(tmp_path: Path) -> None:
    root = kubeadm_node(tmp_path, "cis", "1.35")
    path = root / APISERVER.lstrip("/")
    pod = yaml.safe_load(path.read_text(encoding="utf-8"))
    command = [word for word in pod["spec"]["containers"][0]["command"] if not word.startswith("--profiling=")]
    # `--profiling false` turns profiling on (pflag's implied true) and leaves a stray word; `-v 2` is a shorthand.
    pod["spec"]["containers"][0]["command"] = [*command, "-v", "2", "--profiling", "false", "--audit-log-maxage", "30"]
    path.write_text(yaml.safe_dump(pod), encoding="utf-8")
    found = findings(root)
    assert found[("kube-apiserver", "--profiling")]["found"] == "true"
    assert (
        found[("kube-apiserver", APISERVER)]["found"]
        == "stray word 'false' on the command line: kube-apiserver takes no arguments and does not start"
    )
    assert set(found) == {("kube-apiserver", "--profiling"), ("kube-apiserver", APISERVER)}


def test_etcd_reads_one_dash_flags_and_a_shell_wrapper_is_named(tmp_path: Path) -> None:
    root = kubeadm_node(tmp_path, "cis", "1.35")
    path = root / "etc/kubernetes/manifests/etcd.yaml"
    pod = yaml.safe_load(path.read_text(encoding="utf-8"))
    pod["spec"]["containers"][0]["command"].append("-auto-tls=true")
    path.write_text(yaml.safe_dump(pod), encoding="utf-8")
    assert findings(root)[("etcd", "--auto-tls")]["found"] == "true (given 2 times; the last one counts)"
    scheduler = root / "etc/kubernetes/manifests/kube-scheduler.yaml"
    pod = yaml.safe_load(scheduler.read_text(encoding="utf-8"))
    pod["spec"]["containers"][0]["command"] = ["/bin/sh", "-c", " ".join(pod["spec"]["containers"][0]["command"])]
    scheduler.write_text(yaml.safe_dump(pod), encoding="utf-8")
    problem = findings(root)[("kube-scheduler", "/etc/kubernetes/manifests/kube-scheduler.yaml")]
    assert problem["found"] == "the container runs '/bin/sh', not kube-scheduler: its flags cannot be read"


def test_import_writes_nothing_but_its_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import tempfile

    root = kubeadm_node(tmp_path, "cis", "1.35")
    path = root / APISERVER.lstrip("/")
    path.write_text(path.read_text(encoding="utf-8").replace("--profiling=false", "--profiling=true"), encoding="utf-8")

    def refuse(*args: object, **kwargs: object) -> str:
        raise AssertionError("import wrote a temporary file")

    monkeypatch.setattr(tempfile, "mkdtemp", refuse)  # the output itself is written atomically beside it
    before = sorted(p for p in tmp_path.rglob("*"))
    output = tmp_path / "found.yaml"
    code, text = run("import", "--root", str(root), "-o", str(output))
    assert code == 0, text
    assert sorted(p for p in tmp_path.rglob("*")) == sorted([*before, output])
    assert yaml.safe_load(output.read_text(encoding="utf-8"))["apiServer"] == {"profiling": True}


@pytest.mark.parametrize(
    "flag",
    [
        "--audit-log-path=https://root:s3cr3t-Pa55@10.0.0.1/audit.log",  # a flag the profile sets: drift, value shown
        "--token-auth-file=/etc/tokens.csv?password:s3cr3t-Pa55",  # a weakening flag: extra, value shown
        "--audit-policy-file=eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzM2NyM3QtUGE1NSJ9",
        "--tls-min-version=AKIAS3CR3TPA55ABCDEF s3cr3t-Pa55",
    ],
)
def test_credentials_on_a_command_line_are_never_printed(tmp_path: Path, flag: str) -> None:
    root = kubeadm_node(tmp_path, "cis", "1.35")
    path = root / APISERVER.lstrip("/")
    pod = yaml.safe_load(path.read_text(encoding="utf-8"))
    pod["spec"]["containers"][0]["command"].append(flag)
    path.write_text(yaml.safe_dump(pod), encoding="utf-8")
    for fmt in ("text", "json", "markdown", "sarif", "junit"):
        code, output = run("verify", "cis", "--root", str(root), "-k", "1.35", "--format", fmt, "--show-ok")
        assert "s3cr3t-Pa55" not in output and "eyJzdWIi" not in output, (fmt, output)
    code, output = run("import", "--root", str(root), "-o", str(tmp_path / "found.yaml"))
    assert code == 0, output
    assert "s3cr3t-Pa55" not in output + (tmp_path / "found.yaml").read_text(encoding="utf-8")


def test_a_drop_in_masked_with_dev_null_hides_the_packaged_one(tmp_path: Path) -> None:
    root = kubeadm_node(tmp_path, "cis", "1.35", control_plane=False)
    masked = root / "etc/systemd/system/kubelet.service.d/10-kubeadm.conf"
    masked.parent.mkdir(parents=True)
    masked.symlink_to("/dev/null")
    found = findings(root)
    # No finding about /dev/null itself; the kubelet now starts as kubelet.service says, without --config.
    assert not any(setting.endswith("10-kubeadm.conf") for _, setting in found)
    assert found[("kubelet", "--config")]["status"] == "missing"


def test_files_that_cannot_be_opened_are_reported_per_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import kgen.nodefs

    root = kubeadm_node(tmp_path, "cis", "1.35")
    real_open = os.open
    refused = {str(root / KUBELET_CONFIG.lstrip("/")), str(root / APISERVER.lstrip("/"))}

    def guarded_open(path: Any, flags: int, *args: Any) -> int:
        if str(path) in refused:
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, flags, *args)

    monkeypatch.setattr(kgen.nodefs.os, "open", guarded_open)
    found = findings(root)
    assert (found[("kubelet", KUBELET_CONFIG)]["status"], found[("kubelet", KUBELET_CONFIG)]["found"]) == (
        "unreadable",
        "permission denied",
    )
    assert (found[("kube-apiserver", APISERVER)]["status"], found[("kube-apiserver", APISERVER)]["found"]) == (
        "unreadable",
        "permission denied",
    )
    # The other components are still read and match.
    assert not any(component in ("kube-controller-manager", "kube-scheduler", "etcd") for component, _ in found)
