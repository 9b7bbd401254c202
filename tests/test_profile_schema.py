"""The profile schema is a valid cerberus schema (kgen trusts it at run time, so it is checked here)."""

import cerberus
import pytest
from cerberus.schema import SchemaError

from kgen.profile import _profile_validator
from kgen.profile_schema import PROFILE_SCHEMA


def test_profile_schema_passes_cerberus_schema_validation() -> None:
    cerberus.Validator(PROFILE_SCHEMA)  # raises SchemaError on a malformed schema


def test_cerberus_schema_validation_would_catch_a_broken_rule() -> None:
    with pytest.raises(SchemaError):
        cerberus.Validator({**PROFILE_SCHEMA, "name": {"type": "strnig"}})


def test_trusted_validator_normalises_like_the_checked_one() -> None:
    document = {"name": "x", "kubelet": {"podPidsLimit": 100}, "features": {"gates": {"Foo": True}}}
    checked = cerberus.Validator(PROFILE_SCHEMA)
    trusted = _profile_validator()
    assert checked.validate(document) and trusted.validate(document)
    assert trusted.document == checked.document
    bad = {"name": "x", "kubelet": {"readOnlyPort": 10255, "typo": 1}}
    assert not checked.validate(bad) and not trusted.validate(bad)
    assert trusted.errors == checked.errors
