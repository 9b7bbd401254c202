"""Target hooks are found through the registry: what an entry lists is called, and nothing else is.

Each test takes one hook away from a target's registry entry and checks that the shared code using
that hook (not-controllable lists, coverage, kgen explain's places) stops calling it: a consumer that
looked the function up on its own would not notice.
"""

from __future__ import annotations

from importlib import import_module

import pytest

from kgen.plan import Plan, build_plan
from kgen.profile import ProfileLoader
from kgen.provenance import places, records
from kgen.target_registry import HOOKS, REGISTRY, TargetSpec
from kgen.targets import not_controllable, target_hook
from kgen.targets.coverage import coverage


@pytest.fixture(scope="module")
def plan() -> Plan:
    return build_plan(ProfileLoader().load("strict", "1.37"))


def without_hook(monkeypatch: pytest.MonkeyPatch, target: str, hook: str) -> None:
    spec = REGISTRY[target]
    assert hook in spec.hooks
    changed = TargetSpec(
        spec.module, spec.summary, managed=spec.managed, distribution=spec.distribution, hooks=spec.hooks - {hook}
    )
    monkeypatch.setitem(REGISTRY, target, changed)


@pytest.mark.parametrize("target", sorted(REGISTRY))
def test_target_hook_returns_the_module_function_for_each_listed_hook_and_none_otherwise(target: str) -> None:
    module = import_module(REGISTRY[target].module)
    for hook in HOOKS:
        found = target_hook(target, hook)
        if hook in REGISTRY[target].hooks:
            assert found is getattr(module, hook)
        else:
            assert found is None


def test_an_unknown_hook_name_is_a_bug_not_a_missing_hook() -> None:
    with pytest.raises(ValueError, match="unknown target hook 'place'"):
        target_hook("kubeadm", "place")


def test_not_controllable_is_called_only_when_listed(plan: Plan, monkeypatch: pytest.MonkeyPatch) -> None:
    assert not_controllable(plan, "eks") != []
    without_hook(monkeypatch, "eks", "not_controllable")
    assert not_controllable(plan, "eks") == []


def test_coverage_is_called_only_when_listed(plan: Plan, monkeypatch: pytest.MonkeyPatch) -> None:
    # What runs on Talos is not the plan: Talos sets some settings itself and cannot take others.
    assert coverage(plan, "talos").settings != tuple(plan.settings)
    without_hook(monkeypatch, "talos", "coverage")
    assert coverage(plan, "talos").settings == tuple(plan.settings)


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("kubeadm", ["kubeadm/kubeadm-config.yaml apiServer.extraArgs profiling"]),
        ("flags", ["flags/kube-apiserver.args --profiling"]),
        ("kops", ["kops/cluster-spec.yaml spec.kubeAPIServer.enableProfiling"]),
    ],
)
def test_places_is_called_only_when_listed(plan: Plan, monkeypatch: pytest.MonkeyPatch, target: str, expected: list[str]) -> None:
    record = next(r for r in records(plan) if (r.component, r.kind, r.key) == ("kube-apiserver", "flag", "profiling"))
    assert places(plan, record, target) == expected
    without_hook(monkeypatch, target, "places")
    # Without the hook, explain falls back to searching the rendered files for the flag's name.
    assert places(plan, record, target) != expected
