"""Tests for kgen.schemacheck and the step that copies the schemas into package data."""

from __future__ import annotations

import copy
import datetime
import importlib.util
import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import jsonschema
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kgen import schemacheck
from kgen.errors import InternalError, KgenError
from kgen.schemacheck import (
    SchemaProblem,
    UnsupportedSchemaError,
    known_kinds,
    schema_for,
    validate_document,
    validate_instance,
)

REPO = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data" / "schemacheck"
SHIPPED_SCHEMAS = REPO / "kgen" / "data" / "schemas"


class _ConfigLoader(yaml.SafeLoader):
    """Safe YAML without timestamps: dates stay strings, as in kgen's own loader."""


_ConfigLoader.yaml_implicit_resolvers = {
    first: [resolver for resolver in resolvers if resolver[0] != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _documents(path: Path) -> list[Any]:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".json":
        return [json.loads(text)]
    return [doc for doc in yaml.load_all(text, Loader=_ConfigLoader) if doc is not None]


def _files(folder: str) -> list[Path]:
    return sorted(path for path in (DATA / folder).iterdir() if path.suffix in (".yaml", ".json"))


def _expected_problems(path: Path) -> list[str]:
    prefix = "# expect: "
    return [line[len(prefix) :] for line in path.read_text(encoding="utf-8").splitlines() if line.startswith(prefix)]


def _go_integer(_checker: object, instance: object) -> bool:
    return isinstance(instance, int) and not isinstance(instance, bool)


# The reference: Draft 2020-12 with format checks off, and Go's notion of an integer (1.0 is not).
_Reference = jsonschema.validators.extend(
    jsonschema.Draft202012Validator,
    type_checker=jsonschema.Draft202012Validator.TYPE_CHECKER.redefine("integer", _go_integer),
)


def _reference_valid(doc: Any, schema: dict[str, Any]) -> bool:
    return bool(_Reference(schema).is_valid(doc))


def _identity(doc: Any) -> tuple[str, str]:
    return str(doc.get("apiVersion", "")), str(doc.get("kind", ""))


def _all_sample_documents() -> Iterator[tuple[str, Any]]:
    for folder in ("positive", "negative", "known-gaps"):
        for path in _files(folder):
            for index, doc in enumerate(_documents(path)):
                yield f"{folder}/{path.name}#{index}", doc


# ---------------------------------------------------------------------------------------------
# Example documents


@pytest.mark.parametrize("path", _files("positive"), ids=lambda path: path.name)
def test_positive_sample_passes(path: Path) -> None:
    documents = _documents(path)
    assert documents
    for doc in documents:
        assert validate_document(doc) == []


@pytest.mark.parametrize("path", _files("negative"), ids=lambda path: path.name)
def test_negative_sample_reports_expected_problems(path: Path) -> None:
    expected = _expected_problems(path)
    assert expected, f"{path.name} has no '# expect:' lines"
    found = [str(problem) for doc in _documents(path) for problem in validate_document(doc)]
    assert found == expected


@pytest.mark.parametrize("path", _files("known-gaps"), ids=lambda path: path.name)
def test_known_gap_is_still_accepted(path: Path) -> None:
    for doc in _documents(path):
        assert validate_document(doc) == []


def test_every_bundled_kind_has_a_positive_sample_or_is_listed() -> None:
    covered = {_identity(doc) for path in _files("positive") for doc in _documents(path) if isinstance(doc, dict)}
    # Kinds for which no hand-written or upstream example exists yet; keep this list short.
    uncovered_on_purpose = {
        ("apiserver.config.k8s.io/v1", "TracingConfiguration"),
        ("apiserver.config.k8s.io/v1alpha1", "AuthenticationConfiguration"),
        ("apiserver.config.k8s.io/v1alpha1", "TracingConfiguration"),
        ("apiserver.config.k8s.io/v1beta1", "TracingConfiguration"),
        ("apiserver.k8s.io/v1alpha1", "AdmissionConfiguration"),
        ("apiserver.k8s.io/v1alpha1", "EgressSelectorConfiguration"),
        ("apiserver.k8s.io/v1beta1", "EgressSelectorConfiguration"),
        ("kubelet.config.k8s.io/v1", "CredentialProviderConfig"),
        ("kubelet.config.k8s.io/v1beta1", "CredentialProviderConfig"),
    }
    assert set(known_kinds()) - covered == uncovered_on_purpose


@pytest.mark.parametrize(("name", "doc"), list(_all_sample_documents()), ids=[name for name, _ in _all_sample_documents()])
def test_agrees_with_jsonschema_on_samples(name: str, doc: Any) -> None:
    schema = schema_for(*_identity(doc))
    if schema is None:
        # An unknown apiVersion/kind has no schema to compare against; it must be reported.
        assert name.startswith("negative/")
        assert validate_document(doc) != []
        return
    assert (validate_document(doc) == []) == _reference_valid(doc, schema)


# ---------------------------------------------------------------------------------------------
# Agreement with jsonschema on mutated documents

_VALID_DOCUMENTS = [
    doc
    for path in _files("positive")
    for doc in _documents(path)
    if validate_document(doc) == [] and schema_for(*_identity(doc)) is not None
]

_AWKWARD_VALUES: list[Any] = [
    None,
    True,
    False,
    0,
    1,
    -1,
    1.0,
    0.5,
    2**31,
    2**63,
    "",
    "x",
    "30s",
    "30s\n",
    "TLS_AES_128_GCM_SHA256",
    "VersionTLS12",
    "NoSchedule",
    "abcdef.0123456789abcdef",
    [],
    ["a"],
    [1],
    [{"name": "a", "value": "b"}],
    {},
    {"enabled": True},
    {"a": 1},
    {"path": "/livez"},
]

# The pattern difference is deliberate (ECMA "$" vs Python "$"); keep it out of the agreement check.
_KNOWN_DISAGREEMENT = {"30s\n"}


def _locations(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _locations(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _locations(item, (*path, index))


def _parent_and_key(doc: Any, path: tuple[Any, ...]) -> tuple[Any, Any]:
    parent = doc
    for part in path[:-1]:
        parent = parent[part]
    return parent, path[-1]


def _mutate(doc: Any, draw: Callable[[st.SearchStrategy[Any]], Any]) -> Any:
    mutated = copy.deepcopy(doc)
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        locations = [path for path in _locations(mutated) if path]
        if not locations:
            break
        path = draw(st.sampled_from(locations))
        parent, key = _parent_and_key(mutated, path)
        action = draw(st.sampled_from(["drop", "rename", "replace", "add"]))
        if action == "drop":
            del parent[key]
        elif action == "rename" and isinstance(parent, dict):
            suffix = draw(st.sampled_from(["s", "_", "X"]))
            new_key = draw(st.sampled_from([key + suffix, key.upper(), key[:-1] or "k"]))
            parent[new_key] = parent.pop(key)
        elif action == "add" and isinstance(parent, dict):
            parent[draw(st.sampled_from(["extra", "enabled", "name", "path"]))] = copy.deepcopy(
                draw(st.sampled_from(_AWKWARD_VALUES))
            )
        else:
            parent[key] = copy.deepcopy(draw(st.sampled_from(_AWKWARD_VALUES)))
    return mutated


@st.composite
def _mutated_documents(draw: Callable[[st.SearchStrategy[Any]], Any]) -> tuple[Any, Any]:
    original = draw(st.sampled_from(_VALID_DOCUMENTS))
    return original, _mutate(original, draw)


def _mentions_known_disagreement(value: Any) -> bool:
    return any(isinstance(leaf, str) and leaf in _KNOWN_DISAGREEMENT for leaf in _leaves(value))


def _leaves(value: Any) -> Iterator[Any]:
    if isinstance(value, dict):
        for item in value.values():
            yield from _leaves(item)
    elif isinstance(value, list):
        for item in value:
            yield from _leaves(item)
    else:
        yield value


@settings(max_examples=400, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_mutated_documents())
def test_agrees_with_jsonschema_on_mutated_documents(case: tuple[Any, Any]) -> None:
    original, mutated = case
    if _mentions_known_disagreement(mutated):
        return
    schema = schema_for(*_identity(original))
    assert schema is not None
    ours_valid = validate_document(mutated) == []
    assert ours_valid == _reference_valid(mutated, schema), validate_document(mutated)


# A schema that uses every keyword the checker implements, so random values exercise each one.
_EVERY_KEYWORD: dict[str, Any] = {
    "type": "object",
    "required": ["kind"],
    "additionalProperties": False,
    "properties": {
        "kind": {"const": "Thing"},
        "count": {"type": ["integer", "null"], "minimum": 0, "maximum": 10},
        "ratio": {"type": "number", "minimum": -1.5, "maximum": 1.5},
        "quantity": {"type": ["string", "number"], "pattern": "^[0-9]+(Mi|Gi)?$"},
        "mode": {"type": "string", "enum": ["A", "B", ""]},
        "tags": {"type": ["array", "null"], "items": {"type": "string", "pattern": "^[a-z]+$"}},
        "labels": {"type": ["object", "null"], "additionalProperties": {"type": "boolean"}},
        "open": {"type": "object"},
        "child": {"anyOf": [{"$ref": "#/$defs/Child"}, {"type": "null"}]},
        "children": {"type": "array", "items": {"$ref": "#/$defs/Child"}},
        "anything": {},
    },
    "$defs": {
        "Child": {
            "type": "object",
            "additionalProperties": False,
            "properties": {"name": {"type": "string"}, "child": {"$ref": "#/$defs/Child"}},
        }
    },
}

_json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**64), max_value=2**64),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([0.0, 1.0, -1.0, 10.0, 1.5, -1.5]),
    st.text(max_size=6),
    st.sampled_from(["Thing", "A", "B", "", "abc", "5Mi", "12", "name", "child"]),
)
_json_values = st.recursive(
    _json_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.sampled_from(["name", "child", "x", "kind"]), inner, max_size=3),
    ),
    max_leaves=8,
)
_children = st.recursive(
    st.fixed_dictionaries({}, optional={"name": st.sampled_from(["a", 1, None])}),
    lambda inner: st.fixed_dictionaries({}, optional={"name": st.sampled_from(["a", 1]), "child": inner, "extra": st.just(1)}),
    max_leaves=4,
)
# Per field: values that fit, values that nearly fit, and anything at all.
_near_fits: dict[str, st.SearchStrategy[Any]] = {
    "kind": st.sampled_from(["Thing", "thing", 1]),
    "count": st.one_of(st.integers(min_value=-2, max_value=12), st.sampled_from([None, 1.0, 1.5, True])),
    "ratio": st.one_of(st.floats(min_value=-2, max_value=2), st.integers(min_value=-2, max_value=2)),
    "quantity": st.one_of(st.sampled_from(["5Mi", "12", "1Gi", "5 Mi", "Mi"]), st.integers(), st.floats()),
    "mode": st.sampled_from(["A", "B", "", "C", None]),
    "tags": st.one_of(st.none(), st.lists(st.sampled_from(["abc", "x", "A1", 1]), max_size=3)),
    "labels": st.one_of(st.none(), st.dictionaries(st.text(max_size=3), st.sampled_from([True, 1, "t"]))),
    "open": st.dictionaries(st.text(max_size=3), _json_scalars, max_size=2),
    "child": st.one_of(st.none(), _children),
    "children": st.lists(_children, max_size=3),
    "anything": _json_values,
}
_every_keyword_instances = st.one_of(
    st.fixed_dictionaries({"kind": st.just("Thing")}, optional={name: fit for name, fit in _near_fits.items() if name != "kind"}),
    st.fixed_dictionaries(
        {},
        optional={
            **{name: st.one_of(fit, _json_values) for name, fit in _near_fits.items()},
            "Kind": _json_values,
            "extra": _json_values,
        },
    ),
)


@settings(max_examples=600, derandomize=True, deadline=None)
@given(_every_keyword_instances)
def test_agrees_with_jsonschema_on_every_keyword(instance: dict[str, Any]) -> None:
    ours_valid = validate_instance(instance, _EVERY_KEYWORD) == []
    assert ours_valid == _reference_valid(instance, _EVERY_KEYWORD)


# ---------------------------------------------------------------------------------------------
# Awkward values

_KUBELET = ("kubelet.config.k8s.io/v1beta1", "KubeletConfiguration")


def _kubelet(**fields: Any) -> dict[str, Any]:
    return {"apiVersion": _KUBELET[0], "kind": _KUBELET[1], **fields}


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"readOnlyPort": 1.0}, ["readOnlyPort: expected integer, got number 1.0"]),
        ({"readOnlyPort": True}, ["readOnlyPort: expected integer, got boolean"]),
        ({"readOnlyPort": None}, ["readOnlyPort: expected integer, got null"]),
        ({"readOnlyPort": 2**31}, ["readOnlyPort: must be <= 2147483647 (got 2147483648)"]),
        ({"readOnlyPort": -(2**31) - 1}, ["readOnlyPort: must be >= -2147483648 (got -2147483649)"]),
        ({"eventRecordQPS": None}, []),
        ({"seccompDefault": 0}, ["seccompDefault: expected boolean or null, got integer"]),
        ({"featureGates": {"A": 1}}, ["featureGates.A: expected boolean, got integer"]),
        ({"authentication": None}, ["authentication: expected object, got null"]),
        ({"userNamespaces": None}, []),
        ({"userNamespaces": "yes"}, ["userNamespaces: expected object or null, got string"]),
        (
            {"userNamespaces": {"idsPerPod": 65536.0}},
            ["userNamespaces.idsPerPod: expected integer or null, got number 65536.0"],
        ),
        ({"streamingConnectionIdleTimeout": "4h0m0s"}, []),
        (
            {"streamingConnectionIdleTimeout": "4h\n"},
            [
                "streamingConnectionIdleTimeout: must match pattern "
                + schema_for(*_KUBELET)["properties"]["streamingConnectionIdleTimeout"]["pattern"]  # type: ignore[index]
                + ' (got "4h\\n")'
            ],
        ),
        ({"logging": {"flushFrequency": 5000000000}}, []),
        (
            {"logging": {"flushFrequency": 5.0}},
            ["logging.flushFrequency: expected string or integer, got number 5.0"],
        ),
        (
            {"kubeReserved": {"cpu": datetime.date(2030, 1, 1)}},
            ["kubeReserved.cpu: expected string, got date"],
        ),
        ({"featureGates": {1: True}}, ["featureGates: field name 1 must be a string, got integer"]),
    ],
)
def test_awkward_values(fields: dict[str, Any], expected: list[str]) -> None:
    assert [str(problem) for problem in validate_document(_kubelet(**fields))] == expected


def test_number_accepts_integers_but_not_booleans() -> None:
    proxy = {"apiVersion": "kubeproxy.config.k8s.io/v1alpha1", "kind": "KubeProxyConfiguration"}
    assert validate_document({**proxy, "clientConnection": {"qps": 5}}) == []
    assert validate_document({**proxy, "clientConnection": {"qps": True}}) == [
        SchemaProblem("clientConnection.qps", "expected number, got boolean")
    ]


def test_const_and_enum_do_not_confuse_booleans_with_numbers() -> None:
    schema = {"properties": {"a": {"const": 1}, "b": {"enum": [0, "x"]}}}
    assert validate_instance({"a": 1.0, "b": 0}, schema) == []
    assert validate_instance({"a": True, "b": False}, schema) == [
        SchemaProblem("a", "must be 1, got true"),
        SchemaProblem("b", "must be one of: 0, x (got false)"),
    ]


def test_problems_are_sorted_by_path_with_numeric_indices() -> None:
    schema = {
        "type": "array",
        "items": {"type": "object", "properties": {"b": {"type": "string"}, "a": {"type": "string"}}},
    }
    instance = [{"b": 1, "a": 1} for _ in range(11)]
    paths = [problem.path for problem in validate_instance(instance, schema)]
    assert paths[:4] == ["[0].a", "[0].b", "[1].a", "[1].b"]
    assert paths[-2:] == ["[10].a", "[10].b"]
    assert len(paths) == 22


def test_paths_quote_keys_that_are_not_plain() -> None:
    schema = {"additionalProperties": {"type": "string"}}
    problems = validate_instance({"memory.available": 1, "": 2, "a b": 3, "plain-key/x": 4}, schema)
    assert [problem.path for problem in problems] == [
        '[""]',
        '["a b"]',
        '["memory.available"]',
        "plain-key/x",
    ]


def test_any_of_reports_the_branch_that_fits_the_value() -> None:
    doc = {
        "apiVersion": "apiserver.config.k8s.io/v1",
        "kind": "AuthenticationConfiguration",
        "anonymous": {"enabled": "true", "conditions": [{"path": 1}]},
    }
    assert [str(problem) for problem in validate_document(doc)] == [
        "anonymous.conditions[0].path: expected string, got integer",
        "anonymous.enabled: expected boolean, got string",
    ]


# ---------------------------------------------------------------------------------------------
# Documents without a usable apiVersion/kind


@pytest.mark.parametrize(
    ("doc", "expected"),
    [
        ("just text", ["expected object, got string"]),
        (None, ["expected object, got null"]),
        ([], ["expected object, got array"]),
        ({}, ['missing required field "apiVersion"', 'missing required field "kind"']),
        ({"apiVersion": 1, "kind": "Policy"}, ["apiVersion: expected string, got integer"]),
        (
            {"apiVersion": "kubelet.config.k8s.io/v1", "kind": "KubeletConfiguration"},
            [
                'apiVersion: unknown apiVersion "kubelet.config.k8s.io/v1" for kind KubeletConfiguration; '
                "known: kubelet.config.k8s.io/v1beta1"
            ],
        ),
        (
            {"apiVersion": "example.com/v1", "kind": "KubeletConfig"},
            ['kind: unknown apiVersion "example.com/v1" and kind "KubeletConfig" (did you mean "KubeletConfiguration"?)'],
        ),
    ],
)
def test_documents_without_a_known_kind(doc: object, expected: list[str]) -> None:
    assert [str(problem) for problem in validate_document(doc)] == expected


def test_unknown_apiversion_lists_every_known_version_of_the_kind() -> None:
    doc = {"apiVersion": "apiserver.config.k8s.io/v2", "kind": "AuthenticationConfiguration"}
    assert validate_document(doc) == [
        SchemaProblem(
            "apiVersion",
            'unknown apiVersion "apiserver.config.k8s.io/v2" for kind AuthenticationConfiguration; '
            "known: apiserver.config.k8s.io/v1, apiserver.config.k8s.io/v1alpha1, "
            "apiserver.config.k8s.io/v1beta1",
        )
    ]


# ---------------------------------------------------------------------------------------------
# Refusing schemas the checker cannot fully check


@pytest.mark.parametrize(
    ("schema", "message"),
    [
        ({"type": "number", "multipleOf": 2}, "keyword 'multipleOf' is not implemented"),
        ({"type": "array", "x-kubernetes-list-type": "map"}, "a map list needs x-kubernetes-list-map-keys"),
        ({"properties": {"a": {"format": "date-time"}}}, "keyword 'format' is not implemented"),
        ({"$defs": {"Unused": {"oneOf": [{}, {}]}}}, "keyword 'oneOf' is not implemented"),
        ({"items": [{"type": "string"}]}, "expected a schema object, got array"),
        ({"properties": {"a": True}}, "expected a schema object, got boolean"),
        ({"type": "int"}, "unknown type 'int'"),
        ({"$ref": "other.json#/$defs/X"}, "only local #/$defs/... references are supported"),
        ({"$ref": "#/$defs/Missing"}, "is referenced but not defined"),
        ({"properties": {"a": {"$defs": {}}}}, "$defs is only supported at the root"),
        ({"minimum": True}, "must be a number"),
        ({"enum": []}, "must be a non-empty list"),
    ],
)
def test_refuses_schemas_it_cannot_check(schema: dict[str, Any], message: str) -> None:
    with pytest.raises(UnsupportedSchemaError, match=message.replace("$", r"\$").replace(".", r"\.")):
        validate_instance({}, schema)


def test_refusal_is_not_a_user_error() -> None:
    # A schema the checker cannot handle is a bug in kgen's data: it must keep its traceback.
    assert issubclass(UnsupportedSchemaError, InternalError)
    assert not issubclass(UnsupportedSchemaError, KgenError)


# ---------------------------------------------------------------------------------------------
# The bundled schemas and the public API


def test_every_bundled_schema_compiles_and_accepts_a_minimal_document() -> None:
    kinds = known_kinds()
    assert len(kinds) == len(json.loads((SHIPPED_SCHEMAS / "INDEX.json").read_text(encoding="utf-8")))
    for api_version, kind in kinds:
        schema = schema_for(api_version, kind)
        assert schema is not None
        # A kind whose root needs more than apiVersion and kind (Cluster API's spec) is told exactly that.
        wanted = [f'missing required field "{name}"' for name in schema.get("required", []) if name not in ("apiVersion", "kind")]
        found = [problem.message for problem in validate_document({"apiVersion": api_version, "kind": kind})]
        assert found == wanted, (api_version, kind)


def test_known_kinds_and_schema_for() -> None:
    kinds = known_kinds()
    assert kinds == sorted(kinds)
    assert _KUBELET in kinds
    assert ("kubeadm.k8s.io/v1beta4", "ClusterConfiguration") in kinds
    schema = schema_for(*_KUBELET)
    assert schema is not None
    assert schema["x-kgen-provenance"]["commit"] == "63b3249724f7d89a8aa48f9acb3811f193c9aa68"
    assert "$comment" in schema
    assert schema_for(*_KUBELET) is schema  # loaded once
    assert schema_for("kubeadm.k8s.io/v1", "ClusterConfiguration") is None


def test_schema_problem_text() -> None:
    assert str(SchemaProblem("a.b[0]", "expected integer, got string")) == "a.b[0]: expected integer, got string"
    assert str(SchemaProblem("", 'missing required field "kind"')) == 'missing required field "kind"'


def test_importing_the_checker_stays_light() -> None:
    code = (
        "import sys, kgen.schemacheck\n"
        "heavy = {'jsonschema', 'yaml', 'difflib', 'importlib.resources', 'pathlib', 'tempfile'}\n"
        "print(sorted(heavy & set(sys.modules)))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO)
    assert result.stdout.strip() == "[]"


# ---------------------------------------------------------------------------------------------
# scripts/knowledge/schemas.py


def _load_copy_step() -> ModuleType:
    path = REPO / "scripts" / "knowledge" / "schemas.py"
    spec = importlib.util.spec_from_file_location("kgen_knowledge_schemas_step", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _upstream_schema(api_version: str, kind: str, commit: str) -> dict[str, Any]:
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$comment": f"Derived from {kind}",
        "description": "dropped",
        "type": "object",
        "properties": {
            "apiVersion": {"const": api_version, "description": "dropped too"},
            "kind": {"const": kind},
            # A property that happens to be called "description" must survive.
            "description": {"type": "string", "description": "dropped"},
            "spec": {"anyOf": [{"$ref": "#/$defs/Spec"}, {"type": "null"}], "description": "dropped"},
        },
        "required": ["apiVersion", "kind"],
        "additionalProperties": False,
        "x-kgen-provenance": {
            "apiVersion": api_version,
            "kind": kind,
            "repo": "kubernetes/example",
            "path": "types.go",
            "commit": commit,
            "description": "kept: provenance is copied verbatim",
        },
        "$defs": {"Spec": {"type": "object", "description": "dropped", "properties": {"d": {"pattern": "^µs$"}}}},
    }


def _write_upstream(root: Path, schemas: dict[str, dict[str, Any]]) -> None:
    folder = root / "schemas"
    folder.mkdir(parents=True)
    for name, schema in schemas.items():
        (folder / name).write_text(json.dumps(schema, indent=1, ensure_ascii=False), encoding="utf-8")


def test_copy_schemas_minifies_keeps_provenance_and_indexes(tmp_path: Path) -> None:
    step = _load_copy_step()
    upstream, data = tmp_path / "upstream", tmp_path / "data"
    _write_upstream(
        upstream,
        {
            "b.example.io_v1_Thing.json": _upstream_schema("b.example.io/v1", "Thing", "c" * 40),
            "a.example.io_v1beta1_Other.json": _upstream_schema("a.example.io/v1beta1", "Other", "d" * 40),
        },
    )
    (data / "schemas").mkdir(parents=True)
    (data / "schemas" / "stale_v1_Gone.json").write_text("{}", encoding="utf-8")

    step.copy_schemas(upstream, data)

    out = data / "schemas"
    assert sorted(path.name for path in out.iterdir()) == [
        "INDEX.json",
        "a.example.io_v1beta1_Other.json",
        "b.example.io_v1_Thing.json",
    ]
    text = (out / "b.example.io_v1_Thing.json").read_text(encoding="utf-8")
    assert text.endswith("}\n") and text.count("\n") == 1
    assert "µs" in text
    copied = json.loads(text)
    assert copied["$comment"] == "Derived from Thing"
    assert copied["x-kgen-provenance"]["description"] == "kept: provenance is copied verbatim"
    assert "description" not in copied
    assert "description" not in copied["properties"]["apiVersion"]
    assert copied["properties"]["description"] == {"type": "string"}
    assert copied["properties"]["spec"] == {"anyOf": [{"$ref": "#/$defs/Spec"}, {"type": "null"}]}
    assert copied["$defs"]["Spec"] == {"type": "object", "properties": {"d": {"pattern": "^µs$"}}}
    index = json.loads((out / "INDEX.json").read_text(encoding="utf-8"))
    assert list(index) == ["a.example.io/v1beta1/Other", "b.example.io/v1/Thing"]
    assert index["b.example.io/v1/Thing"] == {
        "file": "b.example.io_v1_Thing.json",
        "repo": "kubernetes/example",
        "path": "types.go",
        "commit": "c" * 40,
    }


def test_copy_schemas_is_deterministic_and_accepts_the_schemas_folder(tmp_path: Path) -> None:
    step = _load_copy_step()
    upstream = tmp_path / "upstream"
    _write_upstream(upstream, {"x_v1_Thing.json": _upstream_schema("x/v1", "Thing", "e" * 40)})
    step.copy_schemas(upstream, tmp_path / "one")
    step.copy_schemas(upstream / "schemas", tmp_path / "two")
    for name in ("x_v1_Thing.json", "INDEX.json"):
        assert (tmp_path / "one" / "schemas" / name).read_bytes() == (tmp_path / "two" / "schemas" / name).read_bytes()


@pytest.mark.parametrize(
    ("schemas", "message"),
    [
        (
            {
                "one.json": _upstream_schema("x/v1", "Thing", "e" * 40),
                "two.json": _upstream_schema("x/v1", "Thing", "f" * 40),
            },
            "x/v1/Thing is also defined by one.json",
        ),
        (
            {"bad.json": {**_upstream_schema("x/v1", "Thing", "e" * 40), "x-kgen-provenance": None}},
            "no x-kgen-provenance",
        ),
        (
            {"bad.json": {**_upstream_schema("x/v1", "Thing", "e" * 40), "properties": {}}},
            "provenance says x/v1/Thing",
        ),
    ],
)
def test_copy_schemas_rejects_inconsistent_input(tmp_path: Path, schemas: dict[str, dict[str, Any]], message: str) -> None:
    step = _load_copy_step()
    _write_upstream(tmp_path / "upstream", schemas)
    with pytest.raises(ValueError, match=message):
        step.copy_schemas(tmp_path / "upstream", tmp_path / "data")


def test_schema_files_writes_nothing_and_matches_copy_schemas(tmp_path: Path) -> None:
    step = _load_copy_step()
    _write_upstream(tmp_path / "upstream", {"x_v1_Thing.json": _upstream_schema("x/v1", "Thing", "e" * 40)})
    files = step.schema_files(tmp_path / "upstream")
    assert sorted(files) == ["INDEX.json", "x_v1_Thing.json"]
    assert not (tmp_path / "data").exists()
    step.copy_schemas(tmp_path / "upstream", tmp_path / "data")
    for name, text in files.items():
        assert (tmp_path / "data" / "schemas" / name).read_text(encoding="utf-8") == text


def test_copy_schemas_refuses_an_empty_source(tmp_path: Path) -> None:
    step = _load_copy_step()
    (tmp_path / "upstream" / "schemas").mkdir(parents=True)
    with pytest.raises(FileNotFoundError):
        step.copy_schemas(tmp_path / "upstream", tmp_path / "data")


def test_shipped_schemas_are_in_the_form_the_copy_step_writes(tmp_path: Path) -> None:
    # Copying the shipped files again must reproduce them byte for byte, INDEX.json included.
    step = _load_copy_step()
    source = tmp_path / "upstream" / "schemas"
    source.mkdir(parents=True)
    for path in SHIPPED_SCHEMAS.glob("*.json"):
        if path.name != "INDEX.json":
            (source / path.name).write_bytes(path.read_bytes())
    step.copy_schemas(tmp_path / "upstream", tmp_path / "data")
    shipped = sorted(path.name for path in SHIPPED_SCHEMAS.iterdir())
    assert sorted(path.name for path in (tmp_path / "data" / "schemas").iterdir()) == shipped
    for name in shipped:
        assert (tmp_path / "data" / "schemas" / name).read_bytes() == (SHIPPED_SCHEMAS / name).read_bytes(), name


def test_copy_step_runs_as_a_script(tmp_path: Path) -> None:
    _write_upstream(tmp_path / "upstream", {"x_v1_Thing.json": _upstream_schema("x/v1", "Thing", "e" * 40)})
    subprocess.run(
        [
            sys.executable,
            str(REPO / "scripts" / "knowledge" / "schemas.py"),
            "--upstream",
            str(tmp_path / "upstream"),
            "--data",
            str(tmp_path / "data"),
        ],
        check=True,
        capture_output=True,
    )
    assert (tmp_path / "data" / "schemas" / "INDEX.json").is_file()


def test_module_docstring_names_no_external_validator() -> None:
    # The checker must not depend on jsonschema at run time.
    source = Path(schemacheck.__file__).read_text(encoding="utf-8")
    assert "import jsonschema" not in source and "from jsonschema" not in source
