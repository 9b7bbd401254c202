"""distributions.json: the config.yaml keys of RKE2 and k3s, what each sets itself, and their release lines.

A step of scripts/update-knowledge. The flag lists (name, type, hidden) come from the upstream extracts of
each distribution's CLI definitions (upstream/installers/rke2, upstream/installers/k3s) with the commits their
headers record; what each distribution manages and which key kgen uses for what comes from the hand-kept
scripts/knowledge/distribution-facts.yaml. Every key the facts name must be a flag of the role it is used for,
of the type kgen writes, and not hidden, or generation stops.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .common import FACTS_DIR, SUPPORTED_VERSIONS, KnowledgeError, Sources, version_key

FACTS = FACTS_DIR / "distribution-facts.yaml"
DISTRIBUTIONS = ("rke2", "k3s")
ROLES = ("server", "agent")
# The type kgen writes for each kind of key it uses.
LIST_TYPE = "stringSlice"


class DistributionFactsError(KnowledgeError):
    pass


def _flag_table(path: Path, sources: Sources) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    """name -> {type, hidden} for one command, and where the names came from."""
    data = sources.load(path)
    flags: dict[str, dict[str, Any]] = {}
    for entry in data["flags"]:
        name = entry["name"]
        if name in flags:
            raise DistributionFactsError(f"{path.name}: flag {name} listed twice")
        flags[name] = {"type": entry["type"], "hidden": bool(entry.get("hidden", False))}
    origin = data.get("source") or data.get("namesFrom")
    upstream = {
        "file": "upstream/installers/" + path.parent.name + "/" + path.name,
        "command": data["command"],
        "repo": origin["repo"],
        "commit": origin["commit"],
        "path": origin["path"],
        "k3sVersion": data["k3sVersion"],
    }
    if "droppedK3sFlags" in data:
        upstream["droppedK3sFlags"] = sorted(data["droppedK3sFlags"])
    if "valueRules" in data:
        upstream["valueRules"] = data["valueRules"]
    return flags, upstream


def _require(name: str, flags: dict[str, dict[str, dict[str, Any]]], key: str, roles: list[str], wanted: str | None) -> None:
    """``key`` is a visible flag of every role in ``roles``, of type ``wanted`` when given."""
    for role in roles:
        entry = flags[role].get(key)
        if entry is None:
            raise DistributionFactsError(f"{name}: {key} is not a flag of `{name} {role}`")
        if entry["hidden"]:
            raise DistributionFactsError(f"{name}: {key} is a hidden flag of `{name} {role}`")
        if wanted is not None and entry["type"] != wanted:
            raise DistributionFactsError(f"{name}: {key} is a {entry['type']} flag of `{name} {role}`, kgen writes {wanted}")


def _check_order(shared: dict[str, Any]) -> None:
    if sorted(shared["argOrder"]) != sorted(shared["argKeys"]):
        raise DistributionFactsError("argOrder must list every component of argKeys once")


def _check(
    name: str,
    facts: dict[str, Any],
    shared: dict[str, Any],
    flags: dict[str, dict[str, dict[str, Any]]],
    origins: dict[str, dict[str, Any]],
) -> None:
    for spec in shared["argKeys"].values():
        _require(name, flags, spec["key"], spec["roles"], LIST_TYPE)
    for table in ("firstClassFlags", "firstClassFields"):
        for entries in facts[table].values():
            for spec in entries.values():
                kind = "bool" if table == "firstClassFields" else "string"
                _require(name, flags, spec["key"], spec["roles"], kind)
    _require(name, flags, shared["secretsEncryption"]["providerKey"], ["server"], "string")
    credentials = shared["secretsEncryption"]["credentialsDir"] + "/"
    if not shared["managedFlags"]["kube-apiserver"]["encryption-provider-config"]["value"].startswith(credentials):
        raise DistributionFactsError(f"secretsEncryption.credentialsDir: {credentials} does not hold encryption-provider-config")
    if facts.get("encryptionKey"):
        _require(name, flags, facts["encryptionKey"], ["server"], "bool")
    if facts.get("extraMountKey"):
        _require(name, flags, facts["extraMountKey"], ["server"], LIST_TYPE)
    profile = facts.get("cisProfile")
    if profile:
        _require(name, flags, profile["key"], profile["roles"], "string")
        allowed = origins["server"].get("valueRules", {}).get(profile["key"], {}).get("values", [])
        if profile["value"] not in allowed:
            raise DistributionFactsError(f"{name}: {profile['key']}: {profile['value']} is not one of {allowed}")
        forced = profile["forcedKubeletField"]
        if facts["firstClassFields"].get("kubelet", {}).get(forced["field"], {}).get("key") != forced["key"]:
            raise DistributionFactsError(
                f"{name}: cisProfile.forcedKubeletField: {forced['field']} is not taken as {forced['key']}"
            )
        if len(profile["ownFiles"]) != len(facts["firstClassFlags"].get("kube-apiserver", {})):
            raise DistributionFactsError(f"{name}: cisProfile.ownFiles: one file per first-class kube-apiserver key")
    for feature, spec in shared["minimumReleases"].items():
        for version in spec["patches"]:
            if version not in SUPPORTED_VERSIONS:
                raise DistributionFactsError(f"minimumReleases.{feature}: {version} is not a supported Kubernetes version")


def _release_lines(shared: dict[str, Any], suffix: str) -> dict[str, dict[str, Any]]:
    """Kubernetes minor -> the distribution release line that ships it, with the oldest patch each feature needs.

    ``suffix``: what follows the Kubernetes version in the distribution's release tags (releases.tagSuffix).
    """
    lines = {}
    for version in SUPPORTED_VERSIONS:
        minimum = {
            feature: f"v{spec['patches'][version]}{suffix}1"
            for feature, spec in sorted(shared["minimumReleases"].items())
            if version in spec["patches"]
        }
        lines[version] = {"releases": f"v{version}.x{suffix}N", "minimum": minimum}
    return dict(sorted(lines.items(), key=lambda item: version_key(item[0])))


def build(upstream: Path, sources: Sources) -> dict[str, Any]:
    facts = sources.load(FACTS)
    shared = facts["shared"]
    _check_order(shared)
    result: dict[str, Any] = {"shared": shared}
    for name in DISTRIBUTIONS:
        own = dict(facts[name])
        flags: dict[str, dict[str, dict[str, Any]]] = {}
        origins: dict[str, dict[str, Any]] = {}
        for role in ROLES:
            flags[role], origins[role] = _flag_table(upstream / "installers" / own["flagFiles"][role], sources)
        _check(name, own, shared, flags, origins)
        own.pop("flagFiles")
        own["flags"] = flags
        own["upstream"] = origins
        own["kubernetes"] = _release_lines(shared, own["releases"]["tagSuffix"])
        result[name] = own
    return result
