"""What the distribution targets (Talos, kops) share: the base of their layouts, one layout per plan, and
the registry hooks (coverage, not-controllable list, explain's places) read from it."""

import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, Generic, NamedTuple, Protocol, TypeVar

from kgen.plan import Plan, Setting
from kgen.targets.coverage import Coverage
from kgen.targets.managed import Item, describe, item, placement

if TYPE_CHECKING:
    from kgen.targets.common import PlacedRecord


class LayoutBase:
    """The part of a distribution's layout that does not depend on the distribution: the plan, and the
    settings the distribution cannot take, each with why and what to do instead."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.not_controllable: list[Item] = []

    def refuse(self, setting: str, origin: str, platform: str, action: str) -> None:
        self.not_controllable.append(item(setting, origin, platform, action))

    def is_pki(self, value: Any) -> bool:
        """Whether ``value`` names a file under the profile's cluster.pkiDir, which the distribution replaces."""
        pki_dir = str(self.plan.profile.data["cluster"]["pkiDir"]).rstrip("/") + "/"
        return isinstance(value, str) and value.startswith(pki_dir)

    def flags_of(self, components: Iterable[str]) -> Iterator[Setting]:
        """The plan's flags of ``components``, component by component."""
        for component in components:
            yield from self.plan.flags(component)

    def refuse_components(self, components: Mapping[str, str], action: str) -> None:
        """Every setting of a component the distribution runs with its own settings, refused with the reason
        ``components`` gives for it."""
        for component, reason in components.items():
            for setting in (s for s in self.plan.settings if s.component == component):
                self.refuse(describe(setting), setting.reason.origin, reason, action)


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
    places: Callable[[Plan, "PlacedRecord"], list[str]]


def distribution_hooks(layout_of: Callable[[Plan], DistributionLayout], target: str, distribution: str) -> DistributionHooks:
    def coverage(plan: Plan) -> Coverage:
        """What the nodes end up with: the settings and files kgen renders, and those the distribution sets itself."""
        layout = layout_of(plan)
        return Coverage(tuple(layout.effective), tuple(layout.effective_files))

    def not_controllable(plan: Plan) -> list[Item]:
        return layout_of(plan).not_controllable

    def places(plan: Plan, record: "PlacedRecord") -> list[str]:
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
