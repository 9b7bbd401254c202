"""Every bundled profile renders for every supported version, and cis/strict pass the CIS checks.

The CIS verdicts come from tests/cisbench.py, an independent re-implementation of kube-bench's test
semantics over kube-bench's own benchmark definitions (tests/data/kube-bench), run against the
rendered `flags` output laid out as it would be on a node.
"""

from __future__ import annotations

from pathlib import Path

import cisbench
import pytest

from kgen import knowledge
from kgen.profile import ProfileLoader
from kgen.render import render_profile

ALL_VERSIONS = (*knowledge.SUPPORTED_VERSIONS, *knowledge.PREVIEW_VERSIONS)


def write_render(profile: str, version: str, target: str, root: Path) -> Path:
    result = render_profile(ProfileLoader().load(profile, version), [target])
    for item in result.files:
        path = root / item.path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(item.content, encoding="utf-8")
    return root / profile / target


@pytest.mark.parametrize("version", ALL_VERSIONS)
@pytest.mark.parametrize("profile", ["baseline", "cis", "strict"])
def test_bundled_profiles_render_and_self_check_for_every_version(profile: str, version: str) -> None:
    result = render_profile(ProfileLoader().load(profile, version), ["kubeadm", "flags"])
    assert result.plan.version == version
    assert any(item.path.endswith("kubeadm-config.yaml") for item in result.files)
    assert any(item.path.endswith("kube-apiserver.args") for item in result.files)


@pytest.mark.parametrize("version", knowledge.SUPPORTED_VERSIONS)
@pytest.mark.parametrize("profile", ["cis", "strict"])
def test_cis_and_strict_pass_every_scored_config_control(profile: str, version: str, tmp_path: Path) -> None:
    render_dir = write_render(profile, version, "flags", tmp_path)
    benchmark = cisbench.benchmark_for(version)
    results = cisbench.evaluate(render_dir, benchmark)
    failed = [f"{r.id} {r.text}: {r.reason}" for r in results if r.status == "FAIL"]
    assert not failed, f"{profile} on {version} ({benchmark}) fails: {failed}"
    passed_scored = [r for r in results if r.scored and r.status == "PASS"]
    assert len(passed_scored) >= 40  # every scored control decidable from configuration (42 in cis-1.11/1.12)


def test_cis_profile_with_profiling_turned_on_fails_the_evaluator(tmp_path: Path) -> None:
    # The evaluator is not a rubber stamp: a profile that turns profiling back on fails 1.2.15.
    (tmp_path / "p.yaml").write_text("name: loose\nextends: cis\napiServer:\n  profiling: true\n", encoding="utf-8")
    loader = ProfileLoader(tmp_path)
    result = render_profile(loader.load(str(tmp_path / "p.yaml"), "1.35"), ["flags"])
    for item in result.files:
        path = tmp_path / "out" / item.path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(item.content, encoding="utf-8")
    results = cisbench.by_id(cisbench.evaluate(tmp_path / "out" / "loose" / "flags", "cis-1.12"))
    assert results["1.2.15"].status == "FAIL"
    assert results["1.3.2"].status == "PASS"
