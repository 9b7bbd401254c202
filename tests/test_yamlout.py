"""The one YAML writer: awkward strings round-trip, and are quoted wherever any parser could misread them."""

from __future__ import annotations

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from kgen import yamlout

AWKWARD = [
    "no",
    "No",
    "y",
    "Y",
    "yes",
    "on",
    "off",
    "true",
    "False",
    "null",
    "~",
    "",
    "0o14",
    "014",
    "0x1F",
    "1e3",
    "1.35",
    ".5",
    "+1",
    "1_000",
    "190:20:30",
    ".inf",
    "-.inf",
    ".nan",
    "2001-12-14",
    "=",
    "<<",
    "- a",
    "a: b",
    "a #b",
    "#c",
    "ends:",
    "trail ",
    " lead",
    "{{ x }}",
    "{% if %}",
    "[x]",
    "{x: y}",
    "@at",
    "`bt",
    "%p",
    "!tag",
    "&a",
    "*a",
    "|",
    ">",
    "'q'",
    '"dq"',
    "O'Neil",
    "back\\slash",
    "multi\nline\n",
    "multi\nline",
    "x\n\n",
    "\n",
    "tab\there",
    "nul\0byte",
    "bell\a",
    "\u2028",
    "\ufeffbom",
    "é",
    "日本",
]


def test_awkward_strings_round_trip_exactly() -> None:
    document = {"values": AWKWARD, "keys": {value: value for value in AWKWARD if value}}
    assert yaml.safe_load(yamlout.dump(document)) == document


def test_yaml_1_1_and_1_2_lookalikes_are_quoted() -> None:
    for value in ["no", "y", "on", "0o14", "1e3", "1.35", "2001-12-14", "null", "~", "014"]:
        assert yamlout.scalar(value)[0] in "'\"", value


def test_plain_values_stay_plain() -> None:
    for value in [
        "VersionTLS12",
        "/etc/kubernetes/pki/ca.crt",
        "Node,RBAC",
        "5m",
        "https://kubernetes.default.svc",
        "127.0.0.1:10249",
    ]:
        assert yamlout.scalar(value) == value


def test_multi_line_strings_use_literal_blocks() -> None:
    text = yamlout.dump({"script": "line one\nline two\n"})
    assert text == "script: |\n  line one\n  line two\n"


def test_key_order_is_kept_and_lines_never_wrap() -> None:
    long_value = ",".join(["TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"] * 20)
    text = yamlout.dump({"z": 1, "a": long_value})
    assert text.splitlines()[0] == "z: 1"
    assert len(text.splitlines()) == 2


def test_comments_sit_beside_values_and_do_not_change_the_data() -> None:
    document = {"a": {"b": False}, "list": [{"name": "x", "value": "1"}]}
    text = yamlout.dump(document, {("a", "b"): "CIS 1.2.15; from apiServer.profiling", ("list", 0, "name"): "why\nnewline"})
    assert "b: false  # CIS 1.2.15; from apiServer.profiling" in text
    assert "- name: x  # why newline" in text
    assert yaml.safe_load(text) == document


def test_unsafe_strings_are_tagged_for_ansible() -> None:
    text = yamlout.dump({"v": yamlout.UnsafeString("{{ lookup('pipe', 'id') }}")})
    assert text.startswith("v: !unsafe ")


def test_unsafe_tags_every_string_but_those_ansible_would_read_as_another_type() -> None:
    data = {"a": ["plain", "#jinja2:x", "a{# c #}b", "multi\nline\n"], "b": {"n": 1, "t": True, "f": "false", "v": "1.30"}}
    tagged = yamlout.unsafe(data, evaluated={("a", 0)})
    assert [isinstance(item, yamlout.UnsafeString) for item in tagged["a"]] == [False, True, True, True]
    assert tagged["b"] == {"n": 1, "t": True, "f": "false", "v": "1.30"}
    assert not isinstance(tagged["b"]["f"], yamlout.UnsafeString) and not isinstance(tagged["b"]["v"], yamlout.UnsafeString)
    text = yamlout.dump(tagged)
    assert "- !unsafe |\n  multi\n  line\n" in text
    assert "f: 'false'" in text and "v: '1.30'" in text


def test_text_with_a_template_character_is_never_read_as_another_type() -> None:
    assert yamlout.read_as_other_type("false") and yamlout.read_as_other_type("") and yamlout.read_as_other_type("0x1F")
    assert not yamlout.read_as_other_type("{{ x }}") and not yamlout.read_as_other_type("#jinja2:x")
    assert not yamlout.read_as_other_type("2024-01-01{# x #}")


@settings(max_examples=300, derandomize=True, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(),
        lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(min_size=1), children, max_size=4),
        max_leaves=20,
    )
)
def test_any_data_round_trips(data: object) -> None:
    document = {"data": data}
    assert yaml.safe_load(yamlout.dump(document)) == document
