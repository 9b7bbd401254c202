"""`kgen import`: the written profile extends the closest bundled profile, reproduces what was found,
and lists what it cannot express; rendering it and verifying the same node shows only that list."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from test_verify import APISERVER, KUBELET_CONFIG, SCHEDULER, node, rendered_kubeadm, replace
from typer.testing import CliRunner

from kgen.cli import app


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.output


def remaining(profile: Path, root: Path) -> set[tuple[str, str, str]]:
    code, output = run("verify", str(profile), "--root", str(root), "--format", "json")
    assert code in (0, 5), output
    return {(f["component"], f["setting"], f["status"]) for f in json.loads(output)["findings"] if f["status"] != "ok"}


def listed(profile: Path) -> set[tuple[str, str, str]]:
    """The unexpressed findings the profile lists in its closing comments."""
    entries = set()
    for line in profile.read_text(encoding="utf-8").splitlines():
        if line.startswith("#   "):
            head = line[4:].split(";")[0]
            where, status = head.rsplit(": ", 1)
            component, setting = where.split(" ", 1)
            entries.add((component, setting, status))
    return entries


@pytest.mark.parametrize("version", ["1.31", "1.35"])
def test_round_trip_on_a_hand_edited_control_plane(tmp_path: Path, version: str) -> None:
    root = node(tmp_path, "cis", version)
    replace(root, APISERVER, "--profiling=false", "--profiling=true")
    replace(root, APISERVER, "--audit-log-maxage=30", "--audit-log-maxage=90")
    replace(root, SCHEDULER, "--profiling=false", "--profiling=true")
    replace(root, KUBELET_CONFIG, "readOnlyPort: 0", "readOnlyPort: 10255")  # the profile format refuses this
    profile = tmp_path / "prod.yaml"
    code, output = run("import", "--root", str(root), "-o", str(profile))
    assert code == 0, output
    data = yaml.safe_load(profile.read_text(encoding="utf-8"))
    assert data["extends"] == "cis"
    assert data["kubernetesVersion"] == version
    assert data["apiServer"] == {"profiling": True}
    assert data["audit"] == {"maxAge": 90}
    assert data["scheduler"] == {"profiling": True}
    assert set(data) == {"name", "extends", "kubernetesVersion", "apiServer", "audit", "scheduler"}
    assert listed(profile) == {("kubelet", "readOnlyPort", "drift")}
    assert "kubelet readOnlyPort: drift" in output
    code, output = run("validate", str(profile))
    assert code == 0, output
    # Rendered and verified against the same node: only what the profile says it cannot express.
    assert remaining(profile, root) == listed(profile)


def test_an_unedited_node_imports_as_its_bundled_profile(tmp_path: Path) -> None:
    root = node(tmp_path, "baseline", "1.35")
    profile = tmp_path / "plain.yaml"
    code, output = run("import", "--root", str(root), "-o", str(profile))
    assert code == 0, output
    assert yaml.safe_load(profile.read_text(encoding="utf-8")) == {
        "name": "plain",
        "extends": "baseline",
        "kubernetesVersion": "1.35",
    }
    assert remaining(profile, root) == set()


def test_a_worker_imports_from_its_kubelet(tmp_path: Path) -> None:
    root = node(tmp_path, "cis", "1.35", control_plane=False)
    replace(root, KUBELET_CONFIG, "eventRecordQPS: 5", "eventRecordQPS: 20")
    profile = tmp_path / "worker.yaml"
    code, output = run("import", "--root", str(root), "-k", "1.35", "-o", str(profile))
    assert code == 0, output
    data = yaml.safe_load(profile.read_text(encoding="utf-8"))
    assert data["kubelet"]["eventRecordQPS"] == 20
    assert remaining(profile, root) == listed(profile)


@pytest.mark.parametrize("form", ["v1beta4", "v1beta3"])
def test_kubeadm_configuration_files(tmp_path: Path, form: str) -> None:
    rendered = rendered_kubeadm(tmp_path, "cis", "1.34")
    documents = list(yaml.safe_load_all((rendered / "kubeadm-config.yaml").read_text(encoding="utf-8")))
    for document in documents:
        if document["kind"] == "ClusterConfiguration":
            args = document["apiServer"]["extraArgs"]
            for item in args:
                if item["name"] == "profiling":
                    item["value"] = "true"
            if form == "v1beta3":  # map-form extraArgs, as kubeadm v1beta3 and the kubeadm-config ConfigMap of older clusters
                document["apiVersion"] = "kubeadm.k8s.io/v1beta3"
                for place in (
                    document["apiServer"],
                    document["controllerManager"],
                    document["scheduler"],
                    document["etcd"]["local"],
                ):
                    if "extraArgs" in place:
                        place["extraArgs"] = {item["name"]: item["value"] for item in place["extraArgs"]}
    config = tmp_path / "cluster-config.yaml"
    config.write_text(yaml.safe_dump_all(documents), encoding="utf-8")
    profile = tmp_path / "from-files.yaml"
    code, output = run("import", str(config), "-o", str(profile))
    assert code == 0, output
    data = yaml.safe_load(profile.read_text(encoding="utf-8"))
    assert data["kubernetesVersion"] == "1.34"
    assert data["extends"] == "cis"
    assert data["apiServer"] == {"profiling": True}
    assert "were not compared" in profile.read_text(encoding="utf-8")


def test_extends_can_be_chosen(tmp_path: Path) -> None:
    root = node(tmp_path, "cis", "1.35")
    profile = tmp_path / "p.yaml"
    code, output = run("import", "--root", str(root), "--extends", "strict", "-o", str(profile))
    assert code == 0, output
    assert yaml.safe_load(profile.read_text(encoding="utf-8"))["extends"] == "strict"
    assert remaining(profile, root) == listed(profile)


def test_hostile_values_stay_comments(tmp_path: Path) -> None:
    root = node(tmp_path, "cis", "1.35")
    replace(
        root,
        APISERVER,
        "--audit-log-path=/var/log/kubernetes/audit/audit.log",
        "--audit-log-path=/x\\n{{ lookup('pipe','id') }} #",
    )
    profile = tmp_path / "p.yaml"
    code, output = run("import", "--root", str(root), "-o", str(profile))
    assert code == 0, output
    text = profile.read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    assert "audit" not in data or "logPath" not in data.get("audit", {})
    hostile_lines = [line for line in text.splitlines() if "lookup" in line]
    assert hostile_lines and all(line.startswith("#   ") for line in hostile_lines)


def test_refuses_to_overwrite_and_bad_usage(tmp_path: Path) -> None:
    root = node(tmp_path, "cis", "1.35")
    profile = tmp_path / "p.yaml"
    profile.write_text("mine\n", encoding="utf-8")
    code, output = run("import", "--root", str(root), "-o", str(profile))
    assert code == 1 and "file exists" in output
    assert profile.read_text(encoding="utf-8") == "mine\n"
    code, output = run("import", "-o", str(tmp_path / "q.yaml"))
    assert code == 1 and "either --root" in output
    code, output = run("import", str(tmp_path / "missing.yaml"), "-o", str(tmp_path / "q.yaml"))
    assert code == 1 and "Traceback" not in output
    assert not (tmp_path / "q.yaml").exists()
