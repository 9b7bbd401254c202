"""Rule: the table of profile key -> flag or config field (kgen/data/settings.json).

A knob that maps one profile key to one flag or field, with at most a condition, is a row of
scripts/knowledge/settings.yaml, not code; this rule applies every row whose condition the profile meets,
except the rows that name the rule applying them at its own place (``rule: audit``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kgen.plan.model import Reason
from kgen.plan.tables import settings_table

if TYPE_CHECKING:
    from kgen.plan.planner import Planner
    from kgen.profile import Profile


class _Lookup(dict[str, Any]):
    """Lets format strings say {cluster.pkiDir}."""

    def __init__(self, profile: Profile) -> None:
        super().__init__()
        self.profile = profile

    def __missing__(self, key: str) -> Any:
        return _Dotted(self.profile.data.get(key))


class _Dotted:
    def __init__(self, value: Any) -> None:
        self.value = value

    def __getattr__(self, name: str) -> Any:
        if isinstance(self.value, dict):
            inner = self.value.get(name)
            return inner if not isinstance(inner, dict) else _Dotted(inner)
        raise AttributeError(name)


def _truthy(profile: Profile, dotted: str | None) -> bool:
    return True if dotted is None else bool(profile.get(dotted))


def settings_from_table(planner: Planner) -> None:
    """Every row of the settings table whose condition the profile meets and that no other rule applies."""
    apply_settings_rows(planner, rule=None)


def apply_settings_rows(planner: Planner, rule: str | None) -> None:
    """The rows of the settings table that name ``rule`` (None: rows naming no rule), in table order."""
    plan = planner.plan
    profile = plan.profile
    lookup = _Lookup(profile)
    for component, entries in settings_table().items():
        for entry in entries:
            if entry.get("rule") != rule or not _truthy(profile, entry.get("when")):
                continue
            if "unless" in entry and _truthy(profile, entry["unless"]):
                continue
            origin = entry.get("from") or entry.get("when") or "kgen defaults"
            value = profile.get(entry["from"]) if "from" in entry else entry["value"].format_map(lookup)
            if isinstance(value, list) and not value:
                continue
            reason = Reason(origin, tuple(entry.get("refs", ())), entry.get("why", ""))
            if "flag" in entry:
                plan.add(component, entry["flag"], value, reason)
            else:
                plan.add(component, entry["field"], value, reason, is_flag=False)
