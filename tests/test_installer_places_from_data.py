"""Where an installer takes each component's extra flags is data, not code.

kubeadm's places (kgen/data/installers.json kubeadm.extraArgs) are written by the kubeadm target and
found by kgen explain, kgen import and kgen check-config; kubespray's variables (platforms.json
kubespray.extraArgsVariables) by the kubespray target. These tests change the data and watch each follow.
"""

from __future__ import annotations

import copy
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from kgen.checkconfig import check_config
from kgen.importer import found_in_files
from kgen.knowledge import _data
from kgen.plan import build_plan
from kgen.profile import ProfileLoader
from kgen.targets import kubeadm, kubeadm_extra_args, kubespray

# The two sections trade places: each component's flags then live in the other's section.
SWAPPED = {"kube-controller-manager": ["scheduler", "extraArgs"], "kube-scheduler": ["controllerManager", "extraArgs"]}
CLUSTER_CONFIGURATION = """apiVersion: kubeadm.k8s.io/v1beta4
kind: ClusterConfiguration
scheduler:
  extraArgs:
    - {name: use-service-account-credentials, value: "true"}
"""


def with_data(monkeypatch: pytest.MonkeyPatch, name: str, change: Any) -> None:
    """Every reader of kgen/data/<name> sees it as ``change`` leaves a copy of it."""
    original = _data.load
    data = copy.deepcopy(original(name))
    change(data)
    monkeypatch.setattr(_data, "load", lambda wanted: data if wanted == name else original(wanted))


def swap_kubeadm_places(monkeypatch: pytest.MonkeyPatch) -> None:
    def change(installers: dict[str, Any]) -> None:
        for entry in installers["kubeadm"]["extraArgs"]:
            entry["path"] = SWAPPED.get(entry["component"], entry["path"])

    with_data(monkeypatch, "installers.json", change)


def cis_plan() -> Any:
    return build_plan(ProfileLoader().load("cis", "1.37"))


def flag_names(section: dict[str, Any]) -> set[str]:
    return {arg["name"] for arg in section["extraArgs"]}


def test_the_kubeadm_places_are_the_documented_ones() -> None:
    assert kubeadm_extra_args() == {
        "kube-apiserver": ("apiServer", "extraArgs"),
        "kube-controller-manager": ("controllerManager", "extraArgs"),
        "kube-scheduler": ("scheduler", "extraArgs"),
        "etcd": ("etcd", "local", "extraArgs"),
    }


def test_the_kubeadm_target_writes_each_component_where_the_data_says(monkeypatch: pytest.MonkeyPatch) -> None:
    document, comments = kubeadm.cluster_configuration(cis_plan())
    assert "use-service-account-credentials" in flag_names(document["controllerManager"])
    swap_kubeadm_places(monkeypatch)
    document, comments = kubeadm.cluster_configuration(cis_plan())
    assert "use-service-account-credentials" in flag_names(document["scheduler"])
    assert "use-service-account-credentials" not in flag_names(document["controllerManager"])
    assert flag_names(document["controllerManager"]) == {s.key for s in cis_plan().flags("kube-scheduler")}
    # the sections come in the order of the data; each flag's comment follows it
    sections = [key for key in document if key in ("apiServer", "controllerManager", "scheduler", "etcd")]
    assert sections == ["apiServer", "scheduler", "controllerManager", "etcd"]
    first = cis_plan().flags("kube-controller-manager")[0]
    assert document["scheduler"]["extraArgs"][0]["name"] == first.key
    assert comments[("scheduler", "extraArgs", 0, "name")] == first.reason.short()


def test_explain_finds_a_flag_where_the_data_says(monkeypatch: pytest.MonkeyPatch) -> None:
    record = SimpleNamespace(component="kube-scheduler", kind="flag", key="profiling")
    assert kubeadm.places(cis_plan(), record) == ["kubeadm/kubeadm-config.yaml scheduler.extraArgs profiling"]
    swap_kubeadm_places(monkeypatch)
    assert kubeadm.places(cis_plan(), record) == ["kubeadm/kubeadm-config.yaml controllerManager.extraArgs profiling"]


def test_import_reads_each_component_where_the_data_says(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "kubeadm.yaml"
    config.write_text(CLUSTER_CONFIGURATION, encoding="utf-8")
    assert set(found_in_files([config]).state.components) == {"kube-scheduler"}
    swap_kubeadm_places(monkeypatch)
    components = found_in_files([config]).state.components
    assert set(components) == {"kube-controller-manager"}
    assert "use-service-account-credentials" in components["kube-controller-manager"].flags


def test_check_config_checks_each_component_where_the_data_says(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "kubeadm.yaml"
    config.write_text(CLUSTER_CONFIGURATION, encoding="utf-8")

    def flag_problems() -> list[str]:
        problems = check_config([config], "1.37").problems
        return [p.message for p in problems if "use-service-account-credentials" in p.message]

    assert any("kube-scheduler" in message for message in flag_problems())
    swap_kubeadm_places(monkeypatch)
    assert flag_problems() == []


def with_kubespray_variables(monkeypatch: pytest.MonkeyPatch, variables: dict[str, str]) -> None:
    """kubespray's extra-args variables as ``variables`` (component -> variable) say, in that order."""

    def change(platforms: dict[str, Any]) -> None:
        platforms["kubespray"]["extraArgsVariables"] = [{"component": c, "variable": v} for c, v in variables.items()]

    with_data(monkeypatch, "platforms.json", change)


def test_kubespray_puts_flags_without_a_variable_in_the_dictionary_the_data_names(monkeypatch: pytest.MonkeyPatch) -> None:
    values = kubespray.build_vars(cis_plan()).values
    assert values["kube_kubeadm_apiserver_extra_args"] == {"service-account-extend-token-expiration": "false"}
    with_kubespray_variables(monkeypatch, {"kube-scheduler": "scheduler_args", "kube-apiserver": "apiserver_args"})
    built = kubespray.build_vars(cis_plan())
    assert built.values["apiserver_args"] == {"service-account-extend-token-expiration": "false"}
    assert "kube_kubeadm_apiserver_extra_args" not in built.values
    assert "kube_kubeadm_controller_extra_args" not in built.values
    assert built.comments[("apiserver_args", "service-account-extend-token-expiration")]
    names = list(built.values)
    assert names.index("scheduler_args") < names.index("apiserver_args")  # the order of the data


def test_kubespray_refuses_a_flag_whose_component_the_data_gives_no_dictionary(monkeypatch: pytest.MonkeyPatch) -> None:
    assert kubespray.build_vars(cis_plan()).not_controllable == []
    with_kubespray_variables(monkeypatch, {"kube-controller-manager": "kube_kubeadm_controller_extra_args"})
    refused = kubespray.build_vars(cis_plan()).not_controllable
    assert [entry["origin"] for entry in refused] == ["authentication.serviceAccounts.extendTokenExpiration"]


JOIN_CONFIGURATION = """apiVersion: kubeadm.k8s.io/v1beta4
kind: JoinConfiguration
nodeRegistration:
  kubeletExtraArgs:
    - {name: no-such-kubelet-flag, value: "1"}
"""


def move_kubelet_place(monkeypatch: pytest.MonkeyPatch, path: list[str]) -> None:
    def change(installers: dict[str, Any]) -> None:
        installers["kubeadm"]["kubeletExtraArgs"]["path"] = path

    with_data(monkeypatch, "installers.json", change)


def test_import_and_check_config_read_the_kubelet_flags_where_the_data_says(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "join.yaml"
    config.write_text(JOIN_CONFIGURATION, encoding="utf-8")

    def checked() -> list[str]:
        return [p.message for p in check_config([config], "1.37").problems if "no-such-kubelet-flag" in p.message]

    assert "no-such-kubelet-flag" in found_in_files([config]).state.components["kubelet"].flags
    assert checked() and "kubelet flag list" in checked()[0]
    move_kubelet_place(monkeypatch, ["nodeRegistration", "elsewhere"])
    assert "kubelet" not in found_in_files([config]).state.components
    assert checked() == []
