"""Command-line flags per component, with their status and the versions they exist in."""

import functools
from typing import NamedTuple

from kgen.knowledge._data import load
from kgen.knowledge.versions import check_version, version_key


class Flag(NamedTuple):
    """One flag; since/removed_in are Kubernetes minors (etcd minors for etcd), None = unknown/always."""

    component: str
    name: str
    type: str
    status: str  # active | deprecated | removed
    since: str | None
    removed_in: str | None
    deprecated_note: str | None
    source: str


@functools.cache
def _flags() -> dict[tuple[str, str], Flag]:
    found = {}
    for component, block in load("flags.json")["components"].items():
        for name, entry in block["flags"].items():
            found[(component, name)] = Flag(
                component=component,
                name=name,
                type=entry["type"],
                status=entry["status"],
                since=entry["since"],
                removed_in=entry["removedIn"],
                deprecated_note=entry["deprecatedNote"],
                source=entry["source"],
            )
    return found


def flag_components() -> tuple[str, ...]:
    return tuple(sorted(load("flags.json")["components"]))


def flag_list_complete(component: str) -> bool:
    """Whether kgen's list for the component is complete (an unknown flag there is a real error)."""
    block = load("flags.json")["components"].get(component)
    return bool(block and block["complete"])


def flag(component: str, name: str) -> Flag | None:
    return _flags().get((component, name.lstrip("-")))


def etcd_version_for(version: str) -> str:
    """The etcd minor that kubeadm deploys with a Kubernetes minor."""
    mapping: dict[str, str] = load("flags.json")["etcdByKubernetes"]["versions"]
    return mapping[check_version(version)]


def flag_exists(component: str, name: str, version: str) -> bool:
    """Whether the component of that Kubernetes release accepts the flag."""
    found = flag(component, name)
    if found is None:
        return False
    scheme = load("flags.json")["components"][component]["versionScheme"]
    at = etcd_version_for(version) if scheme == "etcd" else check_version(version)
    if found.status == "removed" and found.removed_in is None:
        return False
    if found.since is not None and version_key(at) < version_key(found.since):
        return False
    return not (found.removed_in is not None and version_key(at) >= version_key(found.removed_in))
