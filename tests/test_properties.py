"""Property tests: any profile drawn from the schema renders cleanly or fails cleanly.

Profiles are drawn from ``PROFILE_SCHEMA`` itself: a random subset of keys, each with a value of
the right type (inside the allowed values, ranges and patterns), of a wrong type, or an awkward
string. Whatever comes out, either the render passes kgen's own strict validation (and
check-config agrees with it), or loading fails with a ``KgenError`` whose every line is one
readable problem, and nothing is written.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from kgen.checkconfig import check_config
from kgen.errors import KgenError
from kgen.output import write_tree
from kgen.profile import ProfileLoader
from kgen.profile_schema import PROFILE_SCHEMA
from kgen.render import render_profile
from kgen.yamlout import dump

PROBLEM_LINE = re.compile(r"^\S[^\n]*: error: \S[^\n]*$")
AWKWARD = st.sampled_from(
    [
        "",
        " ",
        "a: b",
        "# c",
        "- d",
        "{{ e }}",
        "{% f %}",
        "g\nh",
        "yes",
        "no",
        "0o14",
        "1e3",
        "~",
        "null",
        "'",
        '"',
        "\\",
        "é",
        "*x",
        "&y",
    ]
)
WRONG = st.one_of(
    st.integers(-5, 5), st.booleans(), st.none(), st.just([]), st.just({}), st.floats(allow_nan=False, width=16), AWKWARD
)
TEXT = st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\0"), max_size=12)


def _value(rule: dict[str, Any], hostile: bool) -> st.SearchStrategy[Any]:
    """A value that fits ``rule``; when ``hostile``, sometimes one that does not."""
    kind = rule.get("type")
    good: st.SearchStrategy[Any]
    if "allowed" in rule and kind != "list":
        good = st.sampled_from(rule["allowed"])
    elif kind == "boolean":
        good = st.booleans()
    elif kind == "integer":
        good = st.integers(rule.get("min", -(2**31)), rule.get("max", 2**31))
    elif kind == "string" and "regex" in rule:
        good = st.from_regex(rule["regex"], fullmatch=True)
        if "maxlength" in rule:
            good = good.filter(lambda text: len(text) <= rule["maxlength"])
    elif kind == "string":
        good = st.one_of(TEXT, AWKWARD)  # free text: awkward strings are valid here and must come out safely
    elif kind == "list":
        good = st.lists(_value(rule.get("schema", {"type": "string"}), hostile), max_size=3)
    elif kind == "dict" and "schema" in rule:
        good = _mapping(rule["schema"], hostile)
    elif kind == "dict":
        keys = st.from_regex(rule["keysrules"]["regex"], fullmatch=True) if "keysrules" in rule else TEXT
        good = st.dictionaries(keys, st.booleans(), max_size=3)
    else:
        good = TEXT
    if rule.get("nullable"):
        good = st.one_of(good, st.none())
    return st.one_of(good, good, good, WRONG) if hostile else good


def _mapping(schema: dict[str, Any], hostile: bool) -> st.SearchStrategy[dict[str, Any]]:
    keys = sorted(schema)
    return st.fixed_dictionaries({}, optional={key: _value(schema[key], hostile) for key in keys})


def _profile() -> st.SearchStrategy[dict[str, Any]]:
    top = {key: rule for key, rule in PROFILE_SCHEMA.items() if key not in ("name", "extends", "targets")}
    return st.builds(
        lambda body, targets: {"name": "prop", "targets": targets, **body},
        st.one_of(_mapping(top, hostile=False), _mapping(top, hostile=True)),
        st.sampled_from([["kubeadm"], ["flags"], ["kubeadm", "flags"]]),
    )


def _snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def out_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("property-out")


@pytest.mark.filterwarnings("ignore:Generating overly large repr")
@settings(
    max_examples=80, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
@given(data=_profile())
def test_random_profiles_render_valid_output_or_fail_cleanly(
    data: dict[str, Any], tmp_path_factory: pytest.TempPathFactory
) -> None:
    work = tmp_path_factory.mktemp("prop")
    profile_file = work / "prop.yaml"
    profile_file.write_text(dump(data), encoding="utf-8")
    out = work / "out"
    try:
        profile = ProfileLoader(cwd=work).load(str(profile_file))
        result = render_profile(profile)
    except KgenError as error:
        event("refused with problems")
        lines = error.lines()
        assert lines
        for line in lines:
            assert PROBLEM_LINE.match(line), f"not a one-line problem: {line!r}"
        assert not out.exists(), "a failed render wrote something"
        return
    event("rendered")
    write_tree(out, result.files)
    written = _snapshot(out)
    assert {f"prop/{p}" if not p.startswith("prop/") else p for p in written} == {f.path for f in result.files}
    checked = check_config([out], profile.version)
    errors = [p.format() for p in checked.problems if p.severity == "error"]
    assert not errors, errors


@settings(max_examples=60, deadline=None, derandomize=True)
@given(text=st.text(max_size=200))
def test_random_text_as_a_profile_never_crashes(text: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    work = tmp_path_factory.mktemp("text")
    (work / "t.yaml").write_text(text, encoding="utf-8", errors="surrogatepass")
    try:
        ProfileLoader(cwd=work).load(str(work / "t.yaml"))
    except KgenError as error:
        assert all(PROBLEM_LINE.match(line) for line in error.lines()), error.lines()


@settings(max_examples=60, deadline=None, derandomize=True)
@given(text=st.text(max_size=200))
def test_random_text_as_a_config_never_crashes(text: str, tmp_path_factory: pytest.TempPathFactory) -> None:
    work = tmp_path_factory.mktemp("cfg")
    (work / "c.yaml").write_text(text, encoding="utf-8", errors="surrogatepass")
    (work / "kube-apiserver.args").write_text(text, encoding="utf-8", errors="surrogatepass")
    result = check_config([work], "1.35")
    assert len(result.files) == 2
    for problem in result.problems:
        assert "\n" not in problem.format()
