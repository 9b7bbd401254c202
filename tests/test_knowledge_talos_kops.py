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
