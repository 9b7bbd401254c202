"""Strict validation of configuration documents against the bundled JSON Schemas.

The schemas in ``kgen/data/schemas/`` are derived from the upstream Go types of each component
configuration kind (kubelet, kube-apiserver files, kubeadm, ...). This module checks a parsed
document against them with a small validator that implements exactly the JSON Schema keywords
those schemas use. A schema that uses any other keyword is refused with
:class:`UnsupportedSchemaError`, so a future schema can never be checked less strictly than it
reads.

Two deliberate differences from plain JSON Schema, both to match how Go decodes:

- a float such as ``1.0`` is not an integer;
- ``$`` at the end of a pattern matches only at the very end of the string (ECMA-262), not
  before a trailing newline as in Python.

Only the standard library is imported, and the schemas are read lazily, once each.
"""

import json
import re
from functools import cache
from typing import Any, NamedTuple

from kgen.errors import InternalError

__all__ = [
    "SchemaProblem",
    "UnsupportedSchemaError",
    "known_kinds",
    "schema_for",
    "validate_against",
    "validate_document",
    "validate_instance",
]

_INDEX_NAME = "INDEX.json"

# Keywords that carry no validation meaning. ``$defs`` is handled by the compiler itself.
_ANNOTATIONS = frozenset({"$schema", "$id", "$comment", "title", "description", "x-kgen-provenance"})
# Length bounds (JSON Schema validation vocabulary), checked on the value type they apply to.
_SIZE_KEYWORDS = frozenset({"minLength", "maxLength", "minItems", "maxItems", "minProperties", "maxProperties"})
_JSON_TYPES = ("null", "boolean", "integer", "number", "string", "array", "object")
_DEFS_PREFIX = "#/$defs/"
# Keys printed bare in a dotted path; anything else is printed as ["key"].
_PLAIN_KEY = re.compile(r'[^.\[\]"\s]+')

PathPart = str | int


class UnsupportedSchemaError(InternalError):
    """A schema uses a keyword or form this validator does not implement.

    This is a bug in kgen's data, not a user problem, so it keeps its traceback.
    """


class SchemaProblem(NamedTuple):
    """One way in which a document does not match its schema.

    ``path`` is dotted with list indices (``extraArgs[3].name``); it is empty for the
    document itself.
    """

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


# ---------------------------------------------------------------------------------------------
# Compiling a schema into nodes


@cache
def _compile_pattern(pattern: str) -> re.Pattern[str]:
    return re.compile(_ecma_end_anchors(pattern), re.ASCII)


def _ecma_end_anchors(pattern: str) -> str:
    r"""Make ``$`` outside a character class match only at the end of the text, as in ECMA-262."""
    translated: list[str] = []
    escaped = in_class = False
    for char in pattern:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "$":
            translated.append(r"\Z")
            continue
        translated.append(char)
    return "".join(translated)


class _Node:
    """One compiled (sub)schema. A keyword that is absent is None (or empty)."""

    __slots__ = (
        "accepted_types",
        "accepted_types_known",
        "additional",
        "any_of",
        "const",
        "enum",
        "has_const",
        "items",
        "list_keys",
        "maximum",
        "minimum",
        "pattern",
        "properties",
        "property_schemas",
        "ref",
        "required",
        "sizes",
        "types",
    )

    def __init__(self) -> None:
        self.types: tuple[str, ...] | None = None
        self.properties: dict[str, _Node] = {}
        # A lazily compiled node keeps its properties' schemas here (compiler, location, schemas)
        # and compiles each one the first time a document has that property.
        self.property_schemas: tuple[_Compiler, str, dict[str, Any]] | None = None
        # True: any extra key is allowed; False: none is; a node: extra values must match it.
        self.additional: bool | _Node = True
        self.required: tuple[str, ...] = ()
        self.items: _Node | None = None
        self.pattern: re.Pattern[str] | None = None
        self.has_const = False
        self.const: Any = None
        self.enum: tuple[Any, ...] | None = None
        self.minimum: int | float | None = None
        self.maximum: int | float | None = None
        self.any_of: tuple[_Node, ...] = ()
        self.ref: _Node | None = None
        # Length bounds by keyword (minLength, maxItems, ...); only the ones the schema has.
        self.sizes: dict[str, int] = {}
        # x-kubernetes-list-type "set" (() : whole items unique) or "map" (the list-map-keys unique).
        self.list_keys: tuple[str, ...] | None = None
        # Which JSON types can pass this node at all (None: any); computed on first use.
        self.accepted_types: tuple[str, ...] | None = None
        self.accepted_types_known = False


def _fail(where: str, what: str) -> UnsupportedSchemaError:
    return UnsupportedSchemaError(f"schema at {where or '#'}: {what}")


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


class _Compiler:
    """Turns a root schema into nodes, refusing any keyword it does not implement.

    ``lazy``: compile an object's properties when a document first has them, and leave
    unreferenced definitions alone. Every node is still vetted before it checks a value; the
    bundled schemas are vetted whole by the test suite (tests/test_schemacheck_lazy.py), and a
    document uses a small part of a large schema such as KubeletConfiguration's.
    """

    def __init__(self, root: object, *, lazy: bool = False) -> None:
        if not isinstance(root, dict):
            raise _fail("", "a schema must be an object")
        defs = root.get("$defs", {})
        if not isinstance(defs, dict):
            raise _fail("$defs", "must be an object")
        self.lazy = lazy
        self._defs: dict[str, Any] = defs
        self._compiled_defs: dict[str, _Node] = {}
        self.root = self._compile(root, "", is_root=True)
        if not lazy:
            # Compile unreferenced definitions too, so every keyword in the file is vetted.
            for name in self._defs:
                self._definition(name)

    def _definition(self, name: str) -> _Node:
        node = self._compiled_defs.get(name)
        if node is None:
            if name not in self._defs:
                raise _fail(f"{_DEFS_PREFIX}{name}", "is referenced but not defined")
            # Registered before filling in, so recursive definitions terminate.
            node = self._compiled_defs[name] = _Node()
            self._fill(node, self._defs[name], f"{_DEFS_PREFIX}{name}", is_root=False)
        return node

    def compile_property(self, schema: object, where: str) -> _Node:
        return self._compile(schema, where)

    def _compile(self, schema: object, where: str, *, is_root: bool = False) -> _Node:
        node = _Node()
        self._fill(node, schema, where, is_root=is_root)
        return node

    def _fill(self, node: _Node, schema: object, where: str, *, is_root: bool) -> None:
        if not isinstance(schema, dict):
            # Boolean schemas are valid JSON Schema but unused here; refuse rather than guess.
            raise _fail(where, f"expected a schema object, got {_json_type(schema)}")
        for keyword, value in schema.items():
            if keyword in _ANNOTATIONS:
                continue
            at = f"{where}/{keyword}"
            if keyword == "$defs":
                if not is_root:
                    raise _fail(at, "$defs is only supported at the root")
            elif keyword == "type":
                names = (value,) if isinstance(value, str) else value
                if not isinstance(names, list | tuple) or not names:
                    raise _fail(at, "must be a type name or a non-empty list of them")
                for name in names:
                    if name not in _JSON_TYPES:
                        raise _fail(at, f"unknown type {name!r}")
                node.types = tuple(names)
            elif keyword == "properties":
                if not isinstance(value, dict):
                    raise _fail(at, "must be an object")
                if self.lazy:
                    node.property_schemas = (self, at, value)
                else:
                    node.properties = {name: self._compile(sub, f"{at}/{name}") for name, sub in value.items()}
            elif keyword == "additionalProperties":
                node.additional = value if isinstance(value, bool) else self._compile(value, at)
            elif keyword == "required":
                if not isinstance(value, list) or not all(isinstance(name, str) for name in value):
                    raise _fail(at, "must be a list of strings")
                node.required = tuple(value)
            elif keyword == "items":
                node.items = self._compile(value, at)
            elif keyword == "pattern":
                if not isinstance(value, str):
                    raise _fail(at, "must be a string")
                node.pattern = _compile_pattern(value)
            elif keyword == "const":
                node.has_const = True
                node.const = value
            elif keyword == "enum":
                if not isinstance(value, list) or not value:
                    raise _fail(at, "must be a non-empty list")
                node.enum = tuple(value)
            elif keyword in ("minimum", "maximum"):
                if not _is_number(value):
                    raise _fail(at, "must be a number")
                setattr(node, keyword, value)
            elif keyword == "anyOf":
                if not isinstance(value, list) or not value:
                    raise _fail(at, "must be a non-empty list")
                node.any_of = tuple(self._compile(sub, f"{at}/{i}") for i, sub in enumerate(value))
            elif keyword in _SIZE_KEYWORDS:
                if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                    raise _fail(at, "must be a non-negative integer")
                node.sizes[keyword] = value
            elif keyword == "x-kubernetes-list-type":
                if value not in ("atomic", "set", "map"):
                    raise _fail(at, f"unknown list type {value!r}")
                if value == "set":
                    node.list_keys = ()
                elif value == "map":
                    keys = schema.get("x-kubernetes-list-map-keys")
                    if not isinstance(keys, list) or not keys or not all(isinstance(k, str) for k in keys):
                        raise _fail(at, "a map list needs x-kubernetes-list-map-keys")
                    node.list_keys = tuple(keys)
            elif keyword == "x-kubernetes-list-map-keys":
                if schema.get("x-kubernetes-list-type") != "map":
                    raise _fail(at, "only allowed with x-kubernetes-list-type: map")
            elif keyword == "$ref":
                if not isinstance(value, str) or not value.startswith(_DEFS_PREFIX):
                    raise _fail(at, f"only local {_DEFS_PREFIX}... references are supported, got {value!r}")
                name = value[len(_DEFS_PREFIX) :]
                if "/" in name or "~" in name:
                    raise _fail(at, f"unsupported reference {value!r}")
                node.ref = self._definition(name)
            else:
                raise _fail(at, f"keyword {keyword!r} is not implemented by kgen's schema checker")


# ---------------------------------------------------------------------------------------------
# Checking values


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    # Not a JSON value at all (a YAML date, say); its Python name is the most useful hint.
    return type(value).__name__


def _type_allowed(value_type: str, allowed: tuple[str, ...]) -> bool:
    return value_type in allowed or (value_type == "integer" and "number" in allowed)


def _describe(value: object) -> str:
    value_type = _json_type(value)
    if isinstance(value, float):
        return f"number {value!r}"
    return value_type


def _show(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, default=repr) if _json_type(value) in _JSON_TYPES else repr(value)


def _show_choice(value: object) -> str:
    # Enum members are nearly always identifiers; print those bare and anything else as JSON.
    if isinstance(value, str) and value and _PLAIN_KEY.fullmatch(value):
        return value
    return _show(value)


def _json_equal(left: object, right: object) -> bool:
    """Equality as JSON Schema defines it: true is not 1, but 1 equals 1.0."""
    if _is_number(left) and _is_number(right):
        return left == right
    if _json_type(left) != _json_type(right):  # by JSON type: a str subclass (yamlout.UnsafeString) is a string
        return False
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(map(_json_equal, left, right))
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(_json_equal(left[key], right[key]) for key in left)
    return left == right


def _accepted_types(node: _Node) -> tuple[str, ...] | None:
    """The JSON types a value may have to pass ``node``, in schema order (None: not restricted)."""
    if node.accepted_types_known:
        return node.accepted_types
    node.accepted_types_known = True  # a reference cycle sees "not restricted" while computing
    limits: list[tuple[str, ...]] = []
    if node.types is not None:
        limits.append(node.types)
    if node.has_const:
        limits.append((_json_type(node.const),))
    if node.enum is not None:
        limits.append(tuple(dict.fromkeys(_json_type(member) for member in node.enum)))
    if node.ref is not None and (from_ref := _accepted_types(node.ref)) is not None:
        limits.append(from_ref)
    if node.any_of:
        branches = [_accepted_types(branch) for branch in node.any_of]
        if all(branch is not None for branch in branches):
            limits.append(tuple(dict.fromkeys(name for branch in branches for name in branch or ())))
    result: tuple[str, ...] | None = None
    if limits:
        first, *others = limits
        result = tuple(name for name in first if all(_type_allowed(name, other) for other in others))
    node.accepted_types = result
    return result


def _type_message(expected: tuple[str, ...], value: object) -> str:
    # "null" goes last: "expected array or null" reads as "an array, or nothing".
    shown = [name for name in expected if name != "null"] + (["null"] if "null" in expected else [])
    if "number" in shown and "integer" in shown:
        shown.remove("integer")
    return f"expected {' or '.join(shown)}, got {_describe(value)}"


_Problem = tuple[tuple[PathPart, ...], str]


def _check(node: _Node, value: object, path: tuple[PathPart, ...], out: list[_Problem]) -> None:
    if node.ref is not None:
        _check(node.ref, value, path, out)
    value_type = _json_type(value)
    if node.types is not None and not _type_allowed(value_type, node.types):
        out.append((path, _type_message(node.types, value)))
        return
    if node.has_const and not _json_equal(value, node.const):
        out.append((path, f"must be {_show(node.const)}, got {_show(value)}"))
    if node.enum is not None and not any(_json_equal(value, member) for member in node.enum):
        # The empty string (an omitted value that defaulting fills in) reads best at the end.
        members = sorted(node.enum, key=lambda member: member == "")
        choices = ", ".join(_show_choice(member) for member in members)
        out.append((path, f"must be one of: {choices} (got {_show(value)})"))
    if node.any_of:
        _check_any_of(node.any_of, value, value_type, path, out)
    if node.sizes:
        _check_sizes(node.sizes, value, value_type, path, out)
    if value_type == "string":
        assert isinstance(value, str)
        if node.pattern is not None and node.pattern.search(value) is None:
            shown_pattern = node.pattern.pattern.replace(r"\Z", "$")
            out.append((path, f"must match pattern {shown_pattern} (got {_show(value)})"))
    elif value_type in ("integer", "number"):
        assert isinstance(value, int | float)
        if node.minimum is not None and value < node.minimum:
            out.append((path, f"must be >= {node.minimum} (got {value!r})"))
        if node.maximum is not None and value > node.maximum:
            out.append((path, f"must be <= {node.maximum} (got {value!r})"))
    elif value_type == "object":
        assert isinstance(value, dict)
        _check_object(node, value, path, out)
    elif value_type == "array":
        assert isinstance(value, list)
        if node.items is not None:
            for index, item in enumerate(value):
                _check(node.items, item, (*path, index), out)
        if node.list_keys is not None:
            _check_unique(node.list_keys, value, path, out)


# keyword -> (value type it applies to, measure, "at least"/"at most", what is counted)
_SIZE_RULES: dict[str, tuple[str, str, str]] = {
    "minLength": ("string", "at least", "characters"),
    "maxLength": ("string", "at most", "characters"),
    "minItems": ("array", "at least", "items"),
    "maxItems": ("array", "at most", "items"),
    "minProperties": ("object", "at least", "fields"),
    "maxProperties": ("object", "at most", "fields"),
}


def _check_sizes(sizes: dict[str, int], value: object, value_type: str, path: tuple[PathPart, ...], out: list[_Problem]) -> None:
    for keyword, bound in sizes.items():
        applies_to, relation, unit = _SIZE_RULES[keyword]
        if value_type != applies_to:
            continue
        assert isinstance(value, str | list | dict)
        size = len(value)
        if (relation == "at least" and size < bound) or (relation == "at most" and size > bound):
            out.append((path, f"must have {relation} {bound} {unit if bound != 1 else unit[:-1]} (has {size})"))


def _check_unique(keys: tuple[str, ...], value: list[Any], path: tuple[PathPart, ...], out: list[_Problem]) -> None:
    """Kubernetes list types: a set has no repeated item, a map no two items with the same keys."""
    seen: list[Any] = []
    for index, item in enumerate(value):
        identity = [item.get(key) if isinstance(item, dict) else None for key in keys] if keys else item
        if any(_json_equal(identity, earlier) for earlier in seen):
            what = ", ".join(f"{key}={_show(item.get(key))}" for key in keys) if keys and isinstance(item, dict) else _show(item)
            out.append(((*path, index), f"duplicate item ({what})"))
        seen.append(identity)


def _check_any_of(
    branches: tuple[_Node, ...],
    value: object,
    value_type: str,
    path: tuple[PathPart, ...],
    out: list[_Problem],
) -> None:
    candidates = []
    for branch in branches:
        accepted = _accepted_types(branch)
        if accepted is None or _type_allowed(value_type, accepted):
            candidates.append(branch)
    if not candidates:
        union = dict.fromkeys(name for branch in branches for name in _accepted_types(branch) or ())
        out.append((path, _type_message(tuple(union), value)))
        return
    best: list[_Problem] | None = None
    for branch in candidates:
        found: list[_Problem] = []
        _check(branch, value, path, found)
        if not found:
            return
        if best is None or len(found) < len(best):
            best = found
    assert best is not None
    out.extend(best)


def _check_object(node: _Node, value: dict[Any, Any], path: tuple[PathPart, ...], out: list[_Problem]) -> None:
    for name in node.required:
        if name not in value:
            out.append((path, f'missing required field "{name}"'))
    for key, item in value.items():
        if not isinstance(key, str):
            out.append((path, f"field name {key!r} must be a string, got {_describe(key)}"))
            continue
        sub = _property(node, key)
        if sub is not None:
            _check(sub, item, (*path, key), out)
        elif node.additional is False:
            out.append(((*path, key), _unknown_field_message(key, _property_names(node))))
        elif isinstance(node.additional, _Node):
            _check(node.additional, item, (*path, key), out)


def _property(node: _Node, key: str) -> _Node | None:
    sub = node.properties.get(key)
    if sub is None and node.property_schemas is not None:
        compiler, at, schemas = node.property_schemas
        if key in schemas:
            sub = node.properties[key] = compiler.compile_property(schemas[key], f"{at}/{key}")
    return sub


def _property_names(node: _Node) -> list[str]:
    return list(node.property_schemas[2] if node.property_schemas is not None else node.properties)


def _unknown_field_message(name: str, known: list[str]) -> str:
    suggestion = _closest(name, known)
    hint = f' (did you mean "{suggestion}"?)' if suggestion else ""
    return f'unknown field "{name}"{hint}'


def _closest(name: str, candidates: list[str]) -> str | None:
    if not candidates:
        return None
    folded = {candidate.lower(): candidate for candidate in candidates}
    if name.lower() in folded:
        return folded[name.lower()]
    import difflib

    matches = difflib.get_close_matches(name.lower(), list(folded), n=1, cutoff=0.75)
    return folded[matches[0]] if matches else None


def _format_path(parts: tuple[PathPart, ...]) -> str:
    text: list[str] = []
    for part in parts:
        if isinstance(part, int):
            text.append(f"[{part}]")
        elif _PLAIN_KEY.fullmatch(part):
            text.append(f".{part}" if text else part)
        else:
            text.append(f"[{json.dumps(part, ensure_ascii=False)}]")
    return "".join(text)


def _sort_key(problem: _Problem) -> tuple[tuple[tuple[bool, PathPart], ...], str]:
    parts, message = problem
    # At any one position all parts are indices or all are keys, so the pairs always compare.
    return tuple((isinstance(part, str), part) for part in parts), message


def _run(node: _Node, value: object) -> list[SchemaProblem]:
    found: list[_Problem] = []
    _check(node, value, (), found)
    return [SchemaProblem(_format_path(parts), message) for parts, message in sorted(found, key=_sort_key)]


# ---------------------------------------------------------------------------------------------
# Bundled schemas


def _read_data(file_name: str) -> dict[str, Any]:
    """A bundled schema file, parsed and cached by kgen's one data reader."""
    from kgen.knowledge._data import load

    return load(f"schemas/{file_name}")


@cache
def _index() -> dict[tuple[str, str], str]:
    entries: dict[str, dict[str, str]] = _read_data(_INDEX_NAME)
    index: dict[tuple[str, str], str] = {}
    for key, entry in entries.items():
        api_version, _, kind = key.rpartition("/")
        index[(api_version, kind)] = entry["file"]
    return index


@cache
def _load(api_version: str, kind: str) -> dict[str, Any] | None:
    file_name = _index().get((api_version, kind))
    if file_name is None:
        return None
    return _read_data(file_name)


@cache
def _compiled(api_version: str, kind: str) -> _Node | None:
    schema = _load(api_version, kind)
    return None if schema is None else _Compiler(schema, lazy=True).root


def schema_for(api_version: str, kind: str) -> dict[str, Any] | None:
    """The bundled schema for ``apiVersion``/``kind``, or None. Shared: do not modify it."""
    return _load(api_version, kind)


def known_kinds() -> list[tuple[str, str]]:
    """Every (apiVersion, kind) pair with a bundled schema, sorted."""
    return sorted(_index())


def validate_instance(instance: object, schema: dict[str, Any]) -> list[SchemaProblem]:
    """Check ``instance`` against an arbitrary root ``schema``; problems sorted by path.

    Raises UnsupportedSchemaError if the schema uses a keyword this checker does not implement.
    """
    return _run(_Compiler(schema).root, instance)


@cache
def _compiled_file(file_name: str) -> _Node:
    return _Compiler(_read_data(file_name), lazy=True).root


def validate_against(instance: object, file_name: str) -> list[SchemaProblem]:
    """Check ``instance`` against the bundled schema kgen/data/schemas/<file_name> (an installer's own schema)."""
    return _run(_compiled_file(file_name), instance)


def validate_document(doc: object) -> list[SchemaProblem]:
    """Check one parsed configuration document against the schema for its apiVersion and kind.

    Returns every problem found, sorted by path; an empty list means the document is valid.
    """
    if not isinstance(doc, dict):
        return [SchemaProblem("", _type_message(("object",), doc))]
    identity: list[str] = []
    problems: list[SchemaProblem] = []
    for field in ("apiVersion", "kind"):
        value = doc.get(field)
        if field not in doc:
            problems.append(SchemaProblem("", f'missing required field "{field}"'))
        elif not isinstance(value, str):
            problems.append(SchemaProblem(field, _type_message(("string",), value)))
        else:
            identity.append(value)
    if problems:
        return problems
    api_version, kind = identity
    node = _compiled(api_version, kind)
    if node is None:
        return [_unknown_kind_problem(api_version, kind)]
    return _run(node, doc)


def _unknown_kind_problem(api_version: str, kind: str) -> SchemaProblem:
    pairs = known_kinds()
    versions_for_kind = [version for version, known_kind in pairs if known_kind == kind]
    if versions_for_kind:
        return SchemaProblem(
            "apiVersion",
            f'unknown apiVersion "{api_version}" for kind {kind}; known: {", ".join(versions_for_kind)}',
        )
    kinds_for_version = [known_kind for version, known_kind in pairs if version == api_version]
    if kinds_for_version:
        return SchemaProblem("kind", f'unknown kind "{kind}" for {api_version}; known: {", ".join(kinds_for_version)}')
    suggestion = _closest(kind, sorted({known_kind for _, known_kind in pairs}))
    hint = f' (did you mean "{suggestion}"?)' if suggestion else ""
    return SchemaProblem("kind", f'unknown apiVersion "{api_version}" and kind "{kind}"{hint}')
