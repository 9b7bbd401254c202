"""scripts/knowledge/platforms.py: a kubespray variable kgen renders must be one kubespray defines or reads."""

from __future__ import annotations

import copy
import json
import re
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "scripts"))

from knowledge import platforms  # noqa: E402
from knowledge.common import Sources  # noqa: E402

FACTS: dict[str, Any] = yaml.safe_load(platforms.FACTS.read_text(encoding="utf-8"))
COMMITTED: dict[str, Any] = json.loads((REPO / "kgen" / "data" / "platforms.json").read_text(encoding="utf-8"))


def _upstream(root: Path) -> Path:
    """kubespray's variable and kubelet field lists holding the names kgen's committed data was checked against."""
    kubespray = COMMITTED["kubespray"]
    folder = root / "kubespray"
    folder.mkdir(parents=True)
    defined = sorted(set(kubespray["variables"]) - set(kubespray["templateReadVariables"]))
    header = "# source: kubernetes-sigs/kubespray @ " + "b" * 40 + "\n"
    (folder / "variables.txt").write_text(header + "\n".join(defined) + "\n", encoding="utf-8")
    (folder / "kubelet-config-template-fields.txt").write_text(header + "readOnlyPort\n", encoding="utf-8")
    return root


def _build(root: Path, monkeypatch: pytest.MonkeyPatch, facts: dict[str, Any]) -> dict[str, Any]:
    original = Sources.load
    monkeypatch.setattr(Sources, "load", lambda self, path: facts if path == platforms.FACTS else original(self, path))
    return platforms.build(_upstream(root), Sources(root))


def test_the_facts_pass_and_keep_the_extra_args_variables_in_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    built = _build(tmp_path, monkeypatch, copy.deepcopy(FACTS))
    written = [entry["component"] for entry in built["kubespray"]["extraArgsVariables"]]
    assert written == ["kube-apiserver", "kube-controller-manager", "kube-scheduler"]
    assert "kube_kubeadm_scheduler_extra_args" in built["kubespray"]["variables"]


APISERVER = {"component": "kube-apiserver", "variable": "kube_kubeadm_apiserver_extra_args"}


@pytest.mark.parametrize(
    ("entries", "message"),
    [
        (
            [APISERVER, {"component": "kube-scheduler", "variable": "kube_kubeadm_schedular_extra_args"}],
            "not kubespray variables: kube_kubeadm_schedular_extra_args",
        ),
        (
            [APISERVER, {"component": "etcd", "variable": "etcd_extra_vars"}],
            "components repeated or without templatedFlags: etcd",
        ),
        ([APISERVER, APISERVER], "kubespray extraArgsVariables: components repeated"),
    ],
)
def test_a_wrong_extra_args_variable_stops_generation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, entries: list[dict[str, str]], message: str
) -> None:
    facts = copy.deepcopy(FACTS)
    facts["kubespray"]["extraArgsVariables"] = entries
    with pytest.raises(platforms.PlatformFactsError, match=re.escape(message)):
        _build(tmp_path, monkeypatch, facts)
