"""The hand-kept tables the planner reads.

Each table is written in scripts/knowledge/<name>.yaml and generated into kgen/data/<name>.json.
"""

from typing import Any, NamedTuple

from kgen.plan.model import COMPONENT_CONFIG_KINDS


def _data(name: str) -> Any:
    """A hand-kept table (written in scripts/knowledge/<name>.yaml, generated into kgen/data/<name>.json)."""
    from kgen.knowledge._data import load

    return load(f"{name}.json")["table"]


def settings_table() -> dict[str, list[dict[str, Any]]]:
    data: dict[str, list[dict[str, Any]]] = _data("settings")
    return data


def features_table() -> dict[str, dict[str, Any]]:
    data: dict[str, dict[str, Any]] = _data("features")
    return data


def feature_refs(feature: str) -> tuple[str, ...]:
    """The references of a security feature's settings and notes: its KEP."""
    return (f"KEP-{features_table()[feature]['kep']}",)


class FeatureField(NamedTuple):
    """The config field one knob of a security feature renders as (the feature's ``fields`` in features.json)."""

    origin: str  # the knob's profile key: features.<feature>.<knob>
    kind: str  # the config kind holding the field, e.g. KubeletConfiguration
    path: str  # the dotted field in it

    @property
    def component(self) -> str:
        """The component that reads the field."""
        return next(component for component, kind in COMPONENT_CONFIG_KINDS.items() if kind == self.kind)

    def exists_in(self, version: str) -> bool:
        from kgen import knowledge

        return knowledge.field_exists(self.kind, self.path, version)

    def since(self) -> str | None:
        """The first Kubernetes minor with the field; None when every supported version has it."""
        from kgen import knowledge

        return knowledge.field_since(self.kind, self.path)


def feature_fields(feature: str) -> dict[str, FeatureField]:
    """Knob under features.<feature> -> the config field it renders as ("Kind dotted.field" in features.json)."""
    fields = {}
    for knob, written in features_table()[feature].get("fields", {}).items():
        kind, path = written.split(" ", 1)
        fields[knob] = FeatureField(f"features.{feature}.{knob}", kind, path)
    return fields


def requirements_table() -> dict[str, dict[str, Any]]:
    data: dict[str, dict[str, Any]] = _data("requirements")
    return data


def admission_plugins_table() -> dict[str, Any]:
    """The admission plugins the plugin flag lists, in order, each with the profile key that turns it on or "always"."""
    data: dict[str, Any] = _data("admission-plugins")
    return data


def audit_policies() -> dict[str, list[dict[str, Any]]]:
    data: dict[str, list[dict[str, Any]]] = _data("audit-policies")
    return data
