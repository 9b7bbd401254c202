"""The bundled schemas are compiled lazily at run time: vetted whole here, and checked alike.

A render compiles only the parts of a schema its documents use. These tests keep that from
weakening anything: every bundled schema must compile whole (so every keyword in it is one the
checker implements), and the lazily and fully compiled schemas must report the same problems.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from kgen.schemacheck import UnsupportedSchemaError, _Compiler, _run, known_kinds, schema_for, validate_document

SAMPLES = Path(__file__).resolve().parent / "data" / "schemacheck"


def _sample_documents() -> list[Any]:
    documents = []
    for path in sorted(SAMPLES.rglob("*.yaml")):
        documents.extend(doc for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if isinstance(doc, dict))
    return documents


@pytest.mark.parametrize("kind", known_kinds(), ids="/".join)
def test_every_bundled_schema_compiles_whole(kind: tuple[str, str]) -> None:
    schema = schema_for(*kind)
    assert schema is not None
    _Compiler(schema)  # raises UnsupportedSchemaError for any keyword the checker does not implement


def test_lazy_and_whole_compilation_report_the_same_problems() -> None:
    documents = _sample_documents()
    assert len(documents) > 20
    checked = 0
    for document in documents:
        schema = schema_for(str(document.get("apiVersion")), str(document.get("kind")))
        if schema is None:
            continue
        whole = _run(_Compiler(schema).root, document)
        assert validate_document(document) == whole
        assert _run(_Compiler(schema, lazy=True).root, document) == whole
        checked += 1
    assert checked > 20


def test_unknown_field_suggestion_is_the_same_when_lazy() -> None:
    document = {"apiVersion": "kubelet.config.k8s.io/v1beta1", "kind": "KubeletConfiguration", "readOnlyPorts": 0}
    problems = validate_document(document)
    assert [str(p) for p in problems] == ['readOnlyPorts: unknown field "readOnlyPorts" (did you mean "readOnlyPort"?)']


def test_a_lazy_schema_refuses_an_unknown_keyword_before_using_the_property() -> None:
    schema = {"type": "object", "properties": {"a": {"type": "string", "format": "date"}}, "additionalProperties": False}
    root = _Compiler(schema, lazy=True).root
    assert _run(root, {}) == []
    with pytest.raises(UnsupportedSchemaError, match="format"):
        _run(root, {"a": "x"})
