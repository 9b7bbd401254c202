"""scripts/knowledge/distributions.py: every key kgen uses must be a visible flag of the right type upstream."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "scripts"))

from knowledge import distributions  # noqa: E402
from knowledge.common import Sources  # noqa: E402

COMMITTED: dict[str, Any] = json.loads((REPO / "kgen" / "data" / "distributions.json").read_text(encoding="utf-8"))


def upstream_tree(root: Path, change: Any = None) -> Path:
    """Flag lists in the upstream extracts' format, rebuilt from the committed data; ``change`` edits them first."""
    for name in distributions.DISTRIBUTIONS:
        folder = root / "installers" / name
        folder.mkdir(parents=True, exist_ok=True)
        for role in distributions.ROLES:
            origin = COMMITTED[name]["upstream"][role]
            flags = [{"name": flag, **spec} for flag, spec in COMMITTED[name]["flags"][role].items()]
            document: dict[str, Any] = {
                "command": origin["command"],
                "k3sVersion": origin["k3sVersion"],
                "source": {"repo": origin["repo"], "commit": origin["commit"], "path": origin["path"]},
                "flags": flags,
            }
            for key in ("droppedK3sFlags", "valueRules"):
                if key in origin:
                    document[key] = origin[key]
            if change is not None:
                change(name, role, document)
            (folder / f"{name}-{role}-flags.yaml").write_text(yaml.safe_dump(document), encoding="utf-8")
    return root


def test_flag_lists_and_facts_give_the_committed_data(tmp_path: Path) -> None:
    built = distributions.build(upstream_tree(tmp_path), Sources(tmp_path))
    for name in distributions.DISTRIBUTIONS:
        assert built[name]["flags"] == COMMITTED[name]["flags"]
        assert built[name]["kubernetes"] == COMMITTED[name]["kubernetes"]
    assert built["rke2"]["kubernetes"]["1.33"]["minimum"]["structuredAuthConfig"] == "v1.33.1+rke2r1"
    assert built["k3s"]["kubernetes"]["1.37"] == {"releases": "v1.37.x+k3sN", "minimum": {}}


def _drop(flag: str, only: str) -> Any:
    def change(name: str, role: str, document: dict[str, Any]) -> None:
        if name == only:
            document["flags"] = [entry for entry in document["flags"] if entry["name"] != flag]

    return change


def _edit(flag: str, only: str, **fields: Any) -> Any:
    def change(name: str, role: str, document: dict[str, Any]) -> None:
        if name == only:
            for entry in document["flags"]:
                if entry["name"] == flag:
                    entry.update(fields)

    return change


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            _drop("pod-security-admission-config-file", "rke2"),
            "pod-security-admission-config-file is not a flag of `rke2 server`",
        ),
        (_drop("kubelet-arg", "k3s"), "kubelet-arg is not a flag of `k3s server`"),
        (_edit("audit-policy-file", "rke2", hidden=True), "audit-policy-file is a hidden flag of `rke2 server`"),
        (_edit("kube-apiserver-arg", "k3s", type="string"), "kube-apiserver-arg is a string flag of `k3s server`"),
        (_edit("protect-kernel-defaults", "rke2", type="string"), "protect-kernel-defaults is a string flag"),
    ],
)
def test_a_key_upstream_no_longer_has_stops_generation(tmp_path: Path, change: Any, message: str) -> None:
    with pytest.raises(distributions.DistributionFactsError, match=message.replace("`", ".")):
        distributions.build(upstream_tree(tmp_path, change), Sources(tmp_path))


def test_profile_value_must_be_one_rke2_accepts(tmp_path: Path) -> None:
    def change(name: str, role: str, document: dict[str, Any]) -> None:
        if name == "rke2":
            document["valueRules"] = {"profile": {"values": ["etcd"]}}

    with pytest.raises(distributions.DistributionFactsError, match="profile: cis is not one of"):
        distributions.build(upstream_tree(tmp_path, change), Sources(tmp_path))


class _EditedFacts(Sources):
    """Sources whose distribution-facts.yaml reads with ``edit`` applied."""

    def __init__(self, upstream: Path, edit: Any) -> None:
        super().__init__(upstream)
        self.edit = edit

    def load(self, path: Path) -> Any:
        data = super().load(path)
        if path == distributions.FACTS:
            self.edit(data)
        return data


def test_release_lines_use_each_distributions_tag_suffix(tmp_path: Path) -> None:
    def edit(facts: dict[str, Any]) -> None:
        facts["k3s"]["releases"]["tagSuffix"] = "+kgen"

    built = distributions.build(upstream_tree(tmp_path), _EditedFacts(tmp_path, edit))
    assert built["k3s"]["kubernetes"]["1.33"]["releases"] == "v1.33.x+kgenN"
    assert built["rke2"]["kubernetes"]["1.33"]["releases"] == "v1.33.x+rke2rN"


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            lambda facts: facts["shared"]["secretsEncryption"].update(credentialsDir="{dataDir}/elsewhere"),
            "credentialsDir",
        ),
        (
            lambda facts: facts["rke2"]["cisProfile"].update(forcedKubeletField={"field": "x", "key": "protect-kernel-defaults"}),
            "forcedKubeletField",
        ),
        (lambda facts: facts["rke2"]["cisProfile"].update(ownFiles=["one"]), "ownFiles"),
    ],
)
def test_facts_that_disagree_with_each_other_stop_generation(tmp_path: Path, edit: Any, message: str) -> None:
    with pytest.raises(distributions.DistributionFactsError, match=message):
        distributions.build(upstream_tree(tmp_path), _EditedFacts(tmp_path, edit))
