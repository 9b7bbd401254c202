"""The profile reference page is generated from the schema and committed up to date."""

from pathlib import Path

from kgen.schemadoc import reference_markdown


def test_reference_page_is_up_to_date() -> None:
    page = Path(__file__).resolve().parent.parent / "docs" / "profile-reference.md"
    assert page.read_text(encoding="utf-8") == reference_markdown(), "run: python -m kgen.schemadoc > docs/profile-reference.md"


def test_every_knob_of_the_newer_features_is_documented() -> None:
    text = reference_markdown()
    for knob in ("features.userNamespaces.idsPerPod", "features.imagePullCredentialVerification.policy", "anonymousAccess.mode"):
        assert f"`{knob}`" in text
