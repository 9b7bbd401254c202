"""What the distribution targets (Talos, kops) share: one layout per plan, and the registry hooks
(coverage, not-controllable list, explain's places) read from it."""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Generic, NamedTuple, Protocol, TypeVar

from kgen.plan import Plan
from kgen.targets.coverage import Coverage
from kgen.targets.managed import Item, placement

if TYPE_CHECKING:
    from kgen.targets.common import PlacedRecord


class DistributionLayout(Protocol):
    """What a distribution target's Layout offers the shared hooks below."""

    effective: Any  # settings the nodes end up with: rendered plus set by the distribution
    effective_files: Any
    not_controllable: list[Item]


LayoutT = TypeVar("LayoutT", bound=DistributionLayout)


class PerPlan(Generic[LayoutT]):
    """One layout per plan, so that the report, ``explain`` and the CLI's count all read the same one."""

    def __init__(self, factory: Callable[[Plan], LayoutT]) -> None:
        self._factory = factory
        self._layouts: weakref.WeakKeyDictionary[Plan, LayoutT] = weakref.WeakKeyDictionary()

    def __call__(self, plan: Plan) -> LayoutT:
        if plan not in self._layouts:
            self._layouts[plan] = self._factory(plan)
        return self._layouts[plan]


class DistributionHooks(NamedTuple):
    """The registry hooks of a distribution target, all read from its one layout per plan."""

    coverage: Callable[[Plan], Any]
    not_controllable: Callable[[Plan], list[Item]]
    places: Callable[[Plan, PlacedRecord], list[str]]


def distribution_hooks(layout_of: Callable[[Plan], DistributionLayout], target: str, distribution: str) -> DistributionHooks:
    def coverage(plan: Plan) -> Coverage:
        """What the nodes end up with: the settings and files kgen renders, and those the distribution sets itself."""
        layout = layout_of(plan)
        return Coverage(tuple(layout.effective), tuple(layout.effective_files))

    def not_controllable(plan: Plan) -> list[Item]:
        return layout_of(plan).not_controllable

    def places(plan: Plan, record: PlacedRecord) -> list[str]:
        """Where ``kgen explain`` finds a setting in the target's files, or why it has no place there."""
        return placement(layout_of(plan), record, target, distribution)

    return DistributionHooks(coverage, not_controllable, places)


def unrecorded_components_note(plan: Plan, components: Any, distribution: str) -> str | None:
    """Why CIS controls on components the distribution runs with its own settings show as not met."""
    left_out = sorted({s.component for s in plan.settings if s.component in components})
    if not left_out:
        return None
    return (
        f"The CIS summary below reads what kgen renders and what {distribution} is known to set; controls on "
        f"{', '.join(left_out)} show as not met because {distribution} runs them with its own settings, which kgen "
        "neither renders nor has a record of: check them on a node."
    )
