"""The quick profile check vouches only for profiles cerberus accepts, and normalises them alike.

``kgen.profile.quick_normalised`` spares a render importing and running cerberus. It may decline
any profile (cerberus then decides), but a document it returns must be exactly cerberus's: the
same values, the same key order at every level.
"""

from __future__ import annotations

from typing import Any

import cerberus
import pytest
from hypothesis import HealthCheck, event, given, settings
from test_properties import _profile

from kgen import profile as profile_module
from kgen.profile import ProfileLoader, quick_normalised
from kgen.profile_schema import PROFILE_SCHEMA


def _cerberus(document: dict[str, Any]) -> dict[str, Any] | None:
    validator = cerberus.Validator(PROFILE_SCHEMA)
    return validator.document if validator.validate(document) else None


@pytest.mark.filterwarnings("ignore:Generating overly large repr")
@settings(
    max_examples=300, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
@given(document=_profile())
def test_quick_check_agrees_with_cerberus(document: dict[str, Any]) -> None:
    quick = quick_normalised(document)
    expected = _cerberus(document)
    event("quick" if quick is not None else "cerberus decides")
    if quick is not None:
        assert expected is not None, "the quick check accepted a profile cerberus refuses"
        assert repr(quick) == repr(expected)  # repr: same values and the same key order


@pytest.mark.parametrize(
    "document",
    [
        {"name": "x", "kubelet": {"podPidsLimit": True}},  # cerberus takes a boolean as an integer; the quick check declines
        {"name": "x", "unknown": 1},
        {"name": None},
        {"name": "x", "features": {"gates": {"lowercase": True}}},
        {"name": "x", "authentication": {"jwt": [{"issuer": "https://a.example"}]}},  # audiences missing
    ],
)
def test_quick_check_declines_what_it_cannot_vouch_for(document: dict[str, Any]) -> None:
    assert quick_normalised(document) is None


def test_quick_check_fills_defaults_like_cerberus() -> None:
    document = {"name": "x", "admission": {"eventRateLimit": None}, "features": {"gates": {"Foo": True}}}
    quick = quick_normalised(document)
    assert quick is not None
    assert repr(quick) == repr(_cerberus(document))


@pytest.mark.parametrize("name", ["baseline", "cis", "strict"])
def test_bundled_profiles_load_the_same_without_the_quick_check(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    quick = ProfileLoader().load(name)
    monkeypatch.setattr(profile_module, "quick_normalised", lambda document: None)
    checked = ProfileLoader().load(name)
    assert repr(quick.data) == repr(checked.data)


def test_defaults_are_not_shared_with_the_schema() -> None:
    first = quick_normalised({"name": "x"})
    assert first is not None
    first["tls"]["cipherSuites"].append("TLS_CHANGED")
    second = quick_normalised({"name": "x"})
    assert second is not None and "TLS_CHANGED" not in second["tls"]["cipherSuites"]
