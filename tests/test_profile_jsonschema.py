"""The published JSON Schema of the profile format agrees with the cerberus schema kgen validates with.

Agreement is checked three ways: every good profile kgen has (bundled and test cases) is valid under
the JSON Schema; every bad profile of the error corpus that kgen rejects for a schema reason is
rejected by the JSON Schema too; and for every leaf of the schema, a family of wrong values is
judged alike by both validators. Where they may differ, ``EXCEPTIONS`` says why.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from typer.testing import CliRunner

from kgen.cli import app
from kgen.profile import _profile_validator
from kgen.profile_jsonschema import SHIPPED_FILE, UntranslatableRule, _rule, profile_json_schema, profile_json_schema_text
from kgen.profile_schema import PROFILE_SCHEMA
from kgen.resources import bundled_profiles

TESTS = Path(__file__).parent
ERROR_CASES = TESTS / "cases" / "errors"

HOSTILE = TESTS / "data" / "hostile"
GOOD = TESTS / "cases" / "good"

# Bad profiles that kgen rejects with a [schema] problem the JSON Schema cannot see, with the reason.
EXCEPTIONS: dict[str, str] = {
    "allowlist-without-policy": "a rule between two keys after extends merges: the policy may come from a parent file",
}
# Rules of kgen's problems that are not about one file's shape: the JSON Schema is not asked to agree.
NOT_SCHEMA_RULES = {
    "yaml": "not a YAML mapping: no document to validate",
    "extends": "parents, cycles and paths span files",
    "secrets": "secret detection reads values' content (key material), not their shape",
    "gates": "gate names, stages and locks depend on the Kubernetes version",
    "version": "the supported range is kgen's version knowledge; the pattern admits any 1.x",
    "profile": "rules between keys of the merged profile",
    "control-characters": "one rule over every string (kgen.profile_values), beside each field's own pattern",
    "tls": "cipher suite names and their safety are sourced data; the rule depends on the bundled profiles extended",
    "admission": "EventRateLimit rules between the items of its list",
    "mounts": "volumes named by several keys must not share a mount path",
    "network": "port, address and CIDR ranges are arithmetic, not shape",
    "feature-version": "what a version can honour is kgen's version knowledge",
}


def validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(profile_json_schema())


def json_errors(document: Any) -> list[str]:
    return [error.message for error in validator().iter_errors(document)]


def cerberus_accepts(document: dict[str, Any]) -> bool:
    checker = _profile_validator()
    return bool(checker.validate(document))


def test_schema_is_a_valid_draft_2020_12_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(profile_json_schema())


def test_shipped_schema_file_is_current() -> None:
    shipped = Path(__import__("kgen").__file__).resolve().parent / SHIPPED_FILE
    assert shipped.read_text(encoding="utf-8") == profile_json_schema_text(), (
        "run: python -m kgen.profile_jsonschema > kgen/profile.schema.json"
    )


def test_kgen_schema_prints_the_shipped_schema(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["schema"])
    assert result.exit_code == 0
    assert json.loads(result.output) == profile_json_schema()
    target = tmp_path / ".kgen" / "profile.schema.json"
    result = CliRunner().invoke(app, ["schema", "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert target.read_text(encoding="utf-8") == profile_json_schema_text()


def test_every_key_carries_type_and_unknown_keys_are_refused() -> None:
    def walk(node: dict[str, Any], path: str) -> Iterator[tuple[str, dict[str, Any]]]:
        yield path, node
        for key, child in node.get("properties", {}).items():
            yield from walk(child, f"{path}.{key}")
        if isinstance(node.get("items"), dict):
            yield from walk(node["items"], f"{path}[]")

    for path, node in walk(profile_json_schema(), "$"):
        assert "type" in node or "enum" in node, path
        if "properties" in node:
            assert node["additionalProperties"] is False, path


def test_descriptions_are_the_reference_page_text() -> None:
    schema = profile_json_schema()
    assert schema["properties"]["anonymousAccess"]["properties"]["mode"]["description"].startswith("none: anonymous requests")
    mode = schema["properties"]["anonymousAccess"]["properties"]["mode"]
    assert mode["enum"] == ["none", "health", "paths", "unrestricted", None]  # null: the default
    assert mode["default"] == "health"
    reference = (TESTS.parent / "docs" / "profile-reference.md").read_text(encoding="utf-8")
    assert mode["description"] in reference


@pytest.mark.parametrize("name", sorted(bundled_profiles()))
def test_bundled_profiles_are_valid(name: str) -> None:
    document = yaml.safe_load(bundled_profiles()[name].read_text(encoding="utf-8"))
    assert json_errors(document) == []


def good_profiles() -> list[Path]:
    return sorted(GOOD.glob("*.yaml"))


@pytest.mark.parametrize("path", good_profiles(), ids=lambda p: p.name)
def test_good_test_profiles_are_valid_for_both(path: Path) -> None:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert json_errors(document) == []
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 0, result.output


def bad_profiles() -> list[Path]:
    return sorted([*ERROR_CASES.glob("*.yaml"), *HOSTILE.glob("*.yaml")])


@pytest.mark.parametrize("path", bad_profiles(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_what_kgen_rejects_for_a_schema_reason_the_json_schema_rejects(path: Path) -> None:
    import re

    result = CliRunner().invoke(app, ["validate", str(path)])
    rules = set(re.findall(r"\[([a-z-]+)\]$", result.output, re.MULTILINE))
    if result.exit_code == 0:
        pytest.skip("kgen accepts it (a hostile value kgen renders inertly)")
    assert rules, result.output
    if "schema" not in rules:
        assert rules <= set(NOT_SCHEMA_RULES), f"{path.name}: problems of rules {rules}: say in NOT_SCHEMA_RULES why"
        return
    if path.stem in EXCEPTIONS:
        pytest.skip(EXCEPTIONS[path.stem])
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert json_errors(document), f"JSON Schema accepts {path.name}, which kgen rejects:\n{result.output}"


def test_exceptions_name_real_cases() -> None:
    assert set(EXCEPTIONS) <= {path.stem for path in bad_profiles()}


# ---- leaf-by-leaf agreement ---------------------------------------------------------------------


def leaves(schema: dict[str, Any], path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], dict[str, Any]]]:
    for key, rule in schema.items():
        if rule.get("type") == "dict" and isinstance(rule.get("schema"), dict):
            yield from leaves(rule["schema"], (*path, key))
        else:
            yield (*path, key), rule


WRONG_VALUES: list[Any] = [
    "",
    "x",
    "Not A Name!",
    "a" * 300,
    -1,
    0,
    70000,
    2.5,
    True,
    None,
    [],
    ["x"],
    [1],
    [{"unknown": 1}],
    {},
    {"unknown": 1},
    {"Gate": "yes"},
    {"lowercase": True},
]


def nest(path: tuple[str, ...], value: Any) -> dict[str, Any]:
    document: dict[str, Any] = {"name": "agreement"}
    node = document
    for key in path[:-1]:
        node = node.setdefault(key, {})
    node[path[-1]] = value
    return document


CASES = [(path, value) for path, _ in leaves(PROFILE_SCHEMA) if path[0] != "name" for value in WRONG_VALUES]


@pytest.mark.parametrize("path_value", CASES, ids=lambda case: ".".join(case[0]) + "=" + json.dumps(case[1])[:20])
def test_both_validators_judge_a_value_alike(path_value: tuple[tuple[str, ...], Any]) -> None:
    path, value = path_value
    document = nest(path, value)
    assert cerberus_accepts(document) == (not json_errors(document)), (
        f"{'.'.join(path)} = {value!r}: cerberus {'accepts' if cerberus_accepts(document) else 'rejects'}, "
        f"JSON Schema says {json_errors(document) or 'valid'}"
    )


def test_every_leaf_default_is_judged_alike_and_valid_where_it_stands_alone() -> None:
    for path, rule in leaves(PROFILE_SCHEMA):
        if "default" in rule and path[0] != "name":
            document = nest(path, rule["default"])
            assert cerberus_accepts(document) == (not json_errors(document)), path
            if path[:2] != ("authorization", "webhook"):  # the webhook's name and kubeconfig are required beside it
                assert cerberus_accepts(document), path


def test_an_integer_knob_refuses_a_boolean(tmp_path: Path) -> None:
    profile = tmp_path / "p.yaml"
    profile.write_text("name: p\nextends: cis\naudit:\n  maxAge: true\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["validate", str(profile)])
    assert result.exit_code == 1
    assert "p.yaml:4:3: error: audit.maxAge:" in result.output
    assert json_errors({"name": "p", "audit": {"maxAge": True}}) != []


def test_an_unknown_cerberus_rule_is_an_error_not_a_looser_schema() -> None:
    with pytest.raises(UntranslatableRule):
        _rule({"type": "string", "check_with": "something"})


def test_a_file_that_extends_may_leave_out_the_name() -> None:
    assert json_errors({"extends": "cis", "kubelet": {"readOnlyPort": 0}}) == []
    assert json_errors({"kubelet": {"readOnlyPort": 0}}) != []


def test_yaml_float_version_is_refused_like_kgen_does() -> None:
    assert json_errors({"name": "x", "kubernetesVersion": 1.35}) != []
    assert not cerberus_accepts({"name": "x", "kubernetesVersion": 1.35})
