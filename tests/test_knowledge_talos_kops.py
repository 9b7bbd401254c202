"""The rewrite of Talos's and kops's schemas into the JSON Schema subset kgen's checker implements."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "scripts"))

from knowledge.common import KnowledgeError  # noqa: E402
from knowledge.talos_kops import checker_subset  # noqa: E402

from kgen.schemacheck import validate_instance  # noqa: E402

EXTRA_ARGS = {
    "type": "object",
    "properties": {
        "extraArgs": {
            "type": "object",
            "additionalProperties": {"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]},
        },
        "env": {"type": "object", "patternProperties": {".*": {"type": "string"}}},
        "endpoint": {"type": "string", "format": "uri", "default": "x", "x-kubernetes-int-or-string": True},
    },
}


def test_disjoint_one_of_and_lone_pattern_become_any_of_and_additional_properties() -> None:
    schema = checker_subset(EXTRA_ARGS, "t", closed=False)
    assert "anyOf" in schema["properties"]["extraArgs"]["additionalProperties"]
    assert schema["properties"]["env"] == {"type": "object", "additionalProperties": {"type": "string"}}
    assert schema["properties"]["endpoint"] == {"type": "string"}
    assert validate_instance({"extraArgs": {"a": "b", "c": ["d"]}, "env": {"X": "y"}}, schema) == []
    problems = validate_instance({"extraArgs": {"a": 1}, "env": {"X": 2}}, schema)
    assert sorted(p.path for p in problems) == ["env.X", "extraArgs.a"]


def test_closed_schemas_refuse_fields_they_do_not_define() -> None:
    schema = checker_subset(EXTRA_ARGS, "t", closed=True)
    assert schema["additionalProperties"] is False
    assert [p.path for p in validate_instance({"extraArgz": {}}, schema)] == ["extraArgz"]


@pytest.mark.parametrize(
    "schema",
    [
        {"oneOf": [{"type": "string"}, {"type": "string", "pattern": "a"}]},  # overlapping branches: not an anyOf
        {"oneOf": [{"type": "string"}, {"enum": ["a"]}]},  # a branch without a type
        {"type": "object", "patternProperties": {"^a": {"type": "string"}}},  # a real pattern
    ],
)
def test_a_form_that_cannot_be_rewritten_exactly_stops_generation(schema: dict[str, object]) -> None:
    with pytest.raises(KnowledgeError):
        checker_subset(schema, "t", closed=False)


def test_talos_extra_args_paths_must_exist_in_the_machine_configuration_schema() -> None:
    from knowledge.talos_kops import _has_path

    schema = {
        "$ref": "#/$defs/Config",
        "$defs": {
            "Config": {"properties": {"cluster": {"$ref": "#/$defs/Cluster"}}},
            "Cluster": {"properties": {"apiServer": {"properties": {"extraArgs": {"type": "object"}}}}},
        },
    }
    assert _has_path(schema, ["cluster", "apiServer", "extraArgs"])
    assert not _has_path(schema, ["cluster", "apiServer", "extraArgz"])
    assert not _has_path(schema, ["machine", "kubelet", "extraArgs"])


def test_talos_file_flags_must_be_kube_apiserver_flags() -> None:
    from knowledge.talos_kops import _check_file_flags

    flags = {"flags": [{"name": "audit-policy-file"}]}
    _check_file_flags({"fileFlags": {"Policy": "audit-policy-file"}}, flags)
    with pytest.raises(KnowledgeError, match=r"fileFlags\.Policy"):
        _check_file_flags({"fileFlags": {"Policy": "audit-policy-fil"}}, flags)


def test_kops_paths_must_agree_with_what_nodeup_mounts() -> None:
    from knowledge.talos_kops import _check_kops_paths

    stated = "<PathSrvKubernetes>/kube-apiserver (PathSrvKubernetes = /srv/kubernetes, /etc/srv/kubernetes on COS)"
    facts = {
        "srvKubernetes": {"path": "/srv/kubernetes", "containerOS": "/etc/srv/kubernetes"},
        "nodeFileDir": "/srv/kubernetes/kube-apiserver",
        "files": {"EncryptionConfiguration": {"path": "/srv/kubernetes/kube-apiserver/encryptionconfig.yaml"}},
    }
    _check_kops_paths(facts, stated)
    with pytest.raises(KnowledgeError, match="srvKubernetes"):
        _check_kops_paths({**facts, "srvKubernetes": {"path": "/srv/kubernetes", "containerOS": "/srv/cos"}}, stated)
    with pytest.raises(KnowledgeError, match="nodeFileDir"):
        _check_kops_paths({**facts, "nodeFileDir": "/srv/kubernetes/assets"}, stated)


def test_committed_data_records_where_the_moved_facts_come_from() -> None:
    import json

    data = REPO / "kgen" / "data"
    talos_sources = json.loads((data / "talos.json").read_text(encoding="utf-8"))["_source"]["inputs"]
    kops_sources = json.loads((data / "kops.json").read_text(encoding="utf-8"))["_source"]["inputs"]
    # fileFlags are checked against the kube-apiserver flag list, srvKubernetes against nodeup's mounts
    assert "upstream/flags/kube-apiserver.yaml" in talos_sources
    assert "scripts/knowledge/talos-facts.yaml" in talos_sources
    assert kops_sources["upstream/installers/kops/kops-node-facts.yaml"]["commits"]
    assert "scripts/knowledge/kops-facts.yaml" in kops_sources
