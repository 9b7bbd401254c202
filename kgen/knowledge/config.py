"""apiVersions of config kinds, the API group versions --runtime-config may name, and the versions config fields appeared in."""

from typing import Any, NamedTuple

from kgen.errors import KgenError
from kgen.knowledge._data import load
from kgen.knowledge.versions import check_version, version_key

# --runtime-config keys that name several group versions at once (kubernetes/apiserver resourceconfig.groupVersionMatchers).
_MATCHER_KEYS = frozenset({"api/all", "api/ga", "api/beta", "api/alpha", "api/legacy"})


def _kinds() -> dict[str, Any]:
    kinds: dict[str, Any] = load("api-versions.json")["kinds"]
    return kinds


def _entry(kind: str) -> dict[str, Any]:
    kinds = _kinds()
    if kind not in kinds:
        raise KgenError(f"no apiVersion known for kind {kind!r}; known kinds: {', '.join(sorted(kinds))}")
    entry: dict[str, Any] = kinds[kind]
    return entry


def api_version(kind: str, version: str) -> str:
    """The apiVersion kgen writes for a config kind in that Kubernetes release."""
    version = check_version(version)
    api: str = _entry(kind)["versions"][version]
    return api


def api_versions_served(kind: str, version: str) -> tuple[str, ...]:
    """Every apiVersion of the kind that the release reads: the one kgen writes first, then the older ones."""
    version = check_version(version)
    return tuple(_entry(kind)["served"][version])


def api_version_served(kind: str, api_version: str, version: str) -> bool:
    """Whether the release reads the kind in that apiVersion."""
    return api_version in api_versions_served(kind, version)


def config_kind(kind: str, api_version: str) -> str | None:
    """The name kgen's apiVersion knowledge files a document under, or None when kgen does not version it.

    Most kinds are unique and filed under their own name. A kind several groups share (admission plugins'
    ``Configuration``) is filed as ``Kind.group``, the way Kubernetes names a resource with its group.
    """
    kinds = _kinds()
    if kind in kinds:
        return kind
    group = api_version.rpartition("/")[0]
    qualified = f"{kind}.{group}"
    return qualified if group and qualified in kinds else None


def served_since(kind: str, api_version: str) -> tuple[str | None, str | None]:
    """(first, last) known release that reads the kind in that apiVersion; (None, None) if none does."""
    minors = [minor for minor, served in _entry(kind)["served"].items() if api_version in served]
    return (minors[0], minors[-1]) if minors else (None, None)


class RuntimeConfigCheck(NamedTuple):
    """How one kube-apiserver --runtime-config key fares in a release."""

    key: str
    known: bool  # kgen has facts for the key's group
    starts: bool  # kube-apiserver accepts the key (it refuses to start otherwise)
    served: bool  # the group version (and resource, if named) is served
    detail: str


def check_runtime_config(key: str, version: str) -> RuntimeConfigCheck:
    """Check a --runtime-config key (``group/version`` or ``group/version/resource``, without ``=value``).

    kube-apiserver refuses to start when the key's group version is not registered in the release; a
    registered version whose resource is gone starts, and the API is not there (see runtime-config.yaml).
    """
    version = check_version(version)
    key = key.partition("=")[0].strip()
    if key in _MATCHER_KEYS:
        return RuntimeConfigCheck(key, True, True, True, "")
    parts = key.split("/")
    if len(parts) not in (2, 3) or not all(parts):
        return RuntimeConfigCheck(key, True, False, False, f"{key!r} is not group/version or group/version/resource")
    group, group_version = parts[0], parts[1]
    resource = parts[2] if len(parts) == 3 else None
    groups: dict[str, Any] = load("api-versions.json")["apiGroups"]
    if group not in groups:
        return RuntimeConfigCheck(key, False, True, True, f"kgen has no facts for API group {group}")
    by_minor = groups[group].get(group_version, {})
    if version not in by_minor:
        registered = sorted(v for v, minors in groups[group].items() if version in minors)
        when = _registered_window(by_minor)
        detail = f"{group}/{group_version} is not registered in Kubernetes {version}{when}; it registers {', '.join(registered)}"
        return RuntimeConfigCheck(key, True, False, False, detail)
    resources: list[str] = by_minor[version]
    if resource is not None and resource not in resources:
        served_in = [minor for minor, names in by_minor.items() if resource in names]
        was = f" (served {_window(served_in)})" if served_in else ""
        detail = f"{group}/{group_version} does not serve {resource} in Kubernetes {version}{was}"
        return RuntimeConfigCheck(key, True, True, False, detail)
    if resource is None and not resources:
        return RuntimeConfigCheck(key, True, True, False, f"{group}/{group_version} serves no resources in Kubernetes {version}")
    return RuntimeConfigCheck(key, True, True, True, "")


def _registered_window(by_minor: dict[str, list[str]]) -> str:
    if not by_minor:
        return " (no release kgen knows registers it)"
    return f" (registered {_window(list(by_minor))})"


def _window(minors: list[str]) -> str:
    return f"{minors[0]}-{minors[-1]}" if minors[0] != minors[-1] else f"only in {minors[0]}"


def field_since(kind: str, dotted_path: str) -> str | None:
    """First Kubernetes minor in which the field exists; None means every supported version has it."""
    fields = load("config-fields.json")["kinds"].get(kind, {})
    entry = fields.get(dotted_path)
    return None if entry is None else str(entry["since"])


def field_exists(kind: str, dotted_path: str, version: str) -> bool:
    """Whether the config field exists in that Kubernetes release."""
    since = field_since(kind, dotted_path)
    return since is None or version_key(since) <= version_key(check_version(version))
