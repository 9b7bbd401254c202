"""platforms.json: what kubespray and the managed platforms accept, from upstream lists and hand-kept facts.

A step of scripts/update-knowledge. The kubespray variable names kgen renders are checked against
upstream/kubespray/variables.txt (or the template-read names the facts file records with their
source) and copied with the upstream commit; kubespray's templated kubelet fields come from
upstream/kubespray/kubelet-config-template-fields.txt.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from .common import FACTS_DIR, KnowledgeError, Sources, version_key

FACTS = FACTS_DIR / "platform-facts.yaml"
_COMMIT = re.compile(r"@ ([0-9a-f]{40})")


class PlatformFactsError(KnowledgeError):
    pass


def _name_list(path: Path) -> tuple[list[str], str]:
    """The names in an upstream list file and the 'source:' line of its header."""
    names, source = [], ""
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            if line.lstrip("# ").startswith("source:"):
                source = line.lstrip("# ").removeprefix("source:").strip()
            continue
        if line.strip():
            names.append(line.strip())
    if not source:
        raise PlatformFactsError(f"{path}: no source line in its header")
    return names, source


def _kubespray_names(kubespray: dict[str, Any]) -> set[str]:
    names: set[str] = set(kubespray["structuredVariables"])
    for mapping in kubespray["flagVariables"].values():
        names.update(entry["variable"] for entry in mapping.values())
    for table in ("kubeletVariables", "kubeProxyVariables"):
        names.update(entry["variable"] for entry in kubespray[table].values())
    names.update(entry["variable"] for entry in kubespray["profileVariables"].values())
    names.update(entry["variable"] for entry in kubespray["extraArgsVariables"])
    for variable, mount in kubespray["pathMounts"].items():
        names.update((variable, mount["hostPath"], mount["mountPath"]))
    return names


def _check_managed(facts: dict[str, Any]) -> None:
    """Each managed target maps profile fields only onto fields its platform's API lists."""
    for name, listed in (("gke", "kubeletConfigFields"), ("aks", "kubeletConfigFields")):
        unknown = sorted(set(facts[name]["kubeletFieldMap"].values()) - set(facts[name][listed]))
        if unknown:
            raise PlatformFactsError(f"{name}: kubeletFieldMap names fields the platform does not accept: " + ", ".join(unknown))
    for name, data in facts.items():
        if isinstance(data, dict) and "kubeletDefaultsWhen" in data:
            stray_when = sorted(set(data["kubeletDefaultsWhen"]) - set(data["kubeletDefaults"]))
            if stray_when:
                raise PlatformFactsError(f"{name}: kubeletDefaultsWhen for fields without a default: " + ", ".join(stray_when))
    for name in ("gke", "aks"):
        unmapped = sorted(set(facts[name].get("kubeletValueMap", {})) - set(facts[name]["kubeletFieldMap"]))
        if unmapped:
            raise PlatformFactsError(f"{name}: kubeletValueMap for fields kubeletFieldMap does not map: " + ", ".join(unmapped))
    bounds = facts["gke"]["podPidsLimit"]
    if not 0 < bounds["min"] <= bounds["max"]:
        raise PlatformFactsError("gke: podPidsLimit bounds are not a range")
    eks = facts["eks"]
    stray = sorted(set(eks["ownedText"]) - set(eks["nodeadmOwned"]))
    if stray:
        raise PlatformFactsError("eks: ownedText for fields nodeadm does not own: " + ", ".join(stray))
    role = facts["ansible"]
    role_strings = {value for fields in role["roleClusterDefaults"].values() for value in fields.values()}
    stray_expressions = sorted(set(role["roleExpressions"]) - role_strings)
    if stray_expressions:
        raise PlatformFactsError("ansible: roleExpressions not among the role's defaults: " + ", ".join(stray_expressions))
    extra_args = [entry["component"] for entry in facts["kubespray"]["extraArgsVariables"]]
    untemplated = sorted(set(extra_args) - set(facts["kubespray"]["templatedFlags"]))
    if untemplated or len(set(extra_args)) != len(extra_args):
        raise PlatformFactsError(
            "kubespray extraArgsVariables: components repeated or without templatedFlags: " + ", ".join(untemplated)
        )
    releases = facts["kubespray"]["releases"]
    for release in releases:
        low, high = release["kubernetes"]
        if version_key(low) > version_key(high):
            raise PlatformFactsError(f"kubespray {release['name']}: Kubernetes range {low}..{high} is reversed")


def build(upstream: Path, sources: Sources) -> dict[str, Any]:
    facts = sources.load(FACTS)
    _check_managed(facts)
    kubespray = dict(facts["kubespray"])
    variables, variables_source = _name_list(upstream / "kubespray" / "variables.txt")
    fields, fields_source = _name_list(upstream / "kubespray" / "kubelet-config-template-fields.txt")
    known = set(variables)
    template_read = set(kubespray["templateReadVariables"])
    wanted = _kubespray_names(kubespray)
    unknown = sorted(name for name in wanted if name not in known and name not in template_read)
    if unknown:
        raise PlatformFactsError("not kubespray variables: " + ", ".join(unknown))
    stale = sorted(template_read & known)
    if stale:
        raise PlatformFactsError("now defined upstream, drop from templateReadVariables: " + ", ".join(stale))
    kubespray["variables"] = sorted(wanted)
    kubespray["templatedKubeletFields"] = sorted(set(fields) | set(kubespray.pop("templatedKubeletFieldsExtra")))
    kubespray["upstream"] = {
        "variables": {"file": "upstream/kubespray/variables.txt", "source": variables_source},
        "templatedKubeletFields": {"file": "upstream/kubespray/kubelet-config-template-fields.txt", "source": fields_source},
        "commits": sorted(set(_COMMIT.findall(variables_source + " " + fields_source))),
    }
    eks = dict(facts["eks"])
    eks["kubeletDefaults"] = _dotted(eks["nodeadmDefaults"])
    return {**facts, "kubespray": kubespray, "eks": eks}


def _dotted(tree: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """A nested KubeletConfiguration fragment as dotted field -> value."""
    flat: dict[str, Any] = {}
    for key, value in tree.items():
        if isinstance(value, dict) and key != "featureGates":
            flat.update(_dotted(value, f"{prefix}{key}."))
        elif not isinstance(value, dict):
            flat[f"{prefix}{key}"] = value
    return flat
