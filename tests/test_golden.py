"""Golden files: every bundled profile x target x version rendered byte for byte as reviewed."""

from __future__ import annotations

from pathlib import Path

import pytest
from golden_tree import compare

from kgen.profile import ProfileLoader
from kgen.render import render_profile

GOLDEN = Path(__file__).parent / "golden" / "profiles"
PROFILES = ("baseline", "cis", "strict")
TARGETS = ("kubeadm", "flags")
VERSIONS = ("1.31", "1.34", "1.37")
# The kubeadm family's envelopes: kind changes its kubeadm API at 1.36, so one version on each side.
FAMILY_TARGETS = ("capi", "kind")
FAMILY_VERSIONS = ("1.33", "1.37")
# The distributions that hide kubeadm, at two versions: for Talos the pair straddles its release change
# (1.13 up to Kubernetes 1.36, 1.14 after); for RKE2 and k3s one has and one lacks the oldest-release notes.
DISTRIBUTION_TARGETS = ("rke2", "k3s", "talos", "kops")
DISTRIBUTION_VERSIONS = ("1.33", "1.37")


def rendered(profile: str, target: str, version: str) -> dict[str, str]:
    result = render_profile(ProfileLoader().load(profile, version), [target])
    prefix = f"{profile}/{target}/"
    return {item.path.removeprefix(prefix): item.content for item in result.files}


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("profile", PROFILES)
def test_bundled_profile_matches_golden(profile: str, target: str, version: str, update_golden: bool) -> None:
    compare(rendered(profile, target, version), GOLDEN / version / profile / target, update_golden)


@pytest.mark.parametrize("version", FAMILY_VERSIONS)
@pytest.mark.parametrize("target", FAMILY_TARGETS)
@pytest.mark.parametrize("profile", PROFILES)
def test_bundled_profile_matches_golden_for_capi_and_kind(profile: str, target: str, version: str, update_golden: bool) -> None:
    compare(rendered(profile, target, version), GOLDEN / version / profile / target, update_golden)


def test_capi_v1beta1_case_matches_golden(update_golden: bool) -> None:
    case = Path(__file__).parent / "cases" / "good" / "capi-v1beta1.yaml"
    result = render_profile(ProfileLoader().load(str(case)), ["capi", "kind"])
    files = {item.path.removeprefix("capi-v1beta1/"): item.content for item in result.files}
    compare(files, Path(__file__).parent / "golden" / "cases" / "capi-v1beta1", update_golden)


@pytest.mark.parametrize("version", DISTRIBUTION_VERSIONS)
@pytest.mark.parametrize("target", DISTRIBUTION_TARGETS)
@pytest.mark.parametrize("profile", PROFILES)
def test_bundled_profile_matches_golden_on_distributions(profile: str, target: str, version: str, update_golden: bool) -> None:
    compare(rendered(profile, target, version), GOLDEN / version / profile / target, update_golden)


def test_rendering_twice_gives_the_same_bytes() -> None:
    assert rendered("strict", "kubeadm", "1.35") == rendered("strict", "kubeadm", "1.35")
