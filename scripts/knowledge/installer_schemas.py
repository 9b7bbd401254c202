"""Strict schemas for the installer objects kgen renders whole: Cluster API's kubeadm objects and kind's Cluster.

Inputs (``<upstream>/installers/``):

- ``capi/<group>_<version>_<Kind>.json``: the openAPIV3Schema of each served version of the Cluster API
  CRDs (KubeadmControlPlane, KubeadmConfig, KubeadmConfigTemplate; v1beta1 and v1beta2), extracted from
  kubernetes-sigs/cluster-api with the commit in each file's ``x-kgen-provenance``.
- ``kind/kind.x-k8s.io_v1alpha4_Cluster.json``: kind's Cluster transcribed from its Go types, already
  strict (kind decodes with KnownFields(true)); copied as it is.

A CRD schema describes what the API server keeps, not what it refuses: unknown fields are pruned, not
rejected. kgen checks its own output more strictly, as ``kubectl apply`` does with its default
server-side field validation (Strict), so every object schema with ``properties`` and no
``additionalProperties`` gets ``additionalProperties: false``. ``apiVersion`` and ``kind`` become
constants, ``status`` is dropped (a rendered object has none), and keywords that carry no check kgen
can make are dropped: ``format`` and ``default`` (annotations for kgen), ``x-kubernetes-map-type`` and
``x-kubernetes-int-or-string`` (the ``anyOf`` beside it says the same), and the CEL rules in
``x-kubernetes-validations``, which need a CEL engine; their number is recorded in ``$comment``.
Length, item-count and property-count bounds and Kubernetes list types (set, map with keys) are kept and
checked by kgen's schema checker.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .common import KnowledgeError

# Keywords whose value is one subschema, a list of them, or a map of name -> subschema.
_ONE = frozenset({"items", "additionalProperties", "not"})
_LIST = frozenset({"anyOf", "allOf", "oneOf"})
_MAP = frozenset({"properties", "$defs"})
_DROPPED = frozenset({"description", "format", "default", "x-kubernetes-map-type", "x-kubernetes-int-or-string"})
_CEL = "x-kubernetes-validations"

CAPI_KINDS = ("KubeadmControlPlane", "KubeadmConfig", "KubeadmConfigTemplate")


def _strict(schema: Any, dropped_rules: list[str]) -> Any:
    if not isinstance(schema, dict):
        return schema
    result: dict[str, Any] = {}
    for keyword, value in schema.items():
        if keyword in _DROPPED:
            continue
        if keyword == _CEL:
            dropped_rules.extend(str(rule.get("rule", "")) for rule in value)
        elif keyword in _ONE:
            result[keyword] = _strict(value, dropped_rules) if isinstance(value, dict) else value
        elif keyword in _LIST:
            result[keyword] = [_strict(item, dropped_rules) for item in value]
        elif keyword in _MAP:
            result[keyword] = {name: _strict(sub, dropped_rules) for name, sub in value.items()}
        else:
            result[keyword] = value
    open_object = schema.get("x-kubernetes-preserve-unknown-fields") is True
    if "properties" in result and "additionalProperties" not in result and not open_object:
        result["additionalProperties"] = False
    return result


def _from_crd(crd_schema: dict[str, Any], source: Path) -> dict[str, Any]:
    provenance = crd_schema.get("x-kgen-provenance")
    if not isinstance(provenance, dict) or not provenance.get("commit"):
        raise KnowledgeError(f"{source}: no x-kgen-provenance with a commit")
    api_version, kind = provenance.get("apiVersion"), provenance.get("kind")
    if not isinstance(api_version, str) or not isinstance(kind, str):
        raise KnowledgeError(f"{source}: x-kgen-provenance lacks apiVersion or kind")
    body = {key: value for key, value in crd_schema.items() if key not in ("$comment", "x-kgen-provenance")}
    properties = dict(body.get("properties", {}))
    if "spec" not in properties:
        raise KnowledgeError(f"{source}: no spec in the CRD schema")
    properties.pop("status", None)
    dropped_rules: list[str] = []
    strict = _strict({**body, "properties": properties}, dropped_rules)
    strict["properties"]["apiVersion"] = {"const": api_version}
    strict["properties"]["kind"] = {"const": kind}
    strict["required"] = sorted({*strict.get("required", []), "apiVersion", "kind"})
    comment = (
        f"Derived by scripts/knowledge/installer_schemas.py from the {kind} CRD ({provenance.get('path')}) of "
        f"{provenance.get('repo')} @ {provenance['commit']}, served version {api_version.rsplit('/', 1)[-1]}"
        f"{' (deprecated)' if provenance.get('deprecated') else ''}: unknown fields refused (additionalProperties: false), "
        "status dropped, format/default/x-kubernetes-map-type/x-kubernetes-int-or-string dropped; "
        f"{len(dropped_rules)} CEL rule(s) in x-kubernetes-validations not checked (no CEL engine)."
    )
    return {"$comment": comment, "x-kgen-provenance": provenance, **strict}


def derive(upstream: Path) -> list[tuple[str, dict[str, Any]]]:
    """(file name, schema) for every installer schema kgen bundles, in file-name order."""
    installers = upstream / "installers"
    derived: list[tuple[str, dict[str, Any]]] = []
    capi_sources = sorted((installers / "capi").glob("*.json"))
    found = {path.stem.rsplit("_", 1)[-1] for path in capi_sources}
    missing = [kind for kind in CAPI_KINDS if kind not in found]
    if missing:
        raise KnowledgeError(f"{installers / 'capi'}: no CRD schema for {', '.join(missing)}")
    for source in capi_sources:
        derived.append((source.name, _from_crd(json.loads(source.read_text(encoding="utf-8")), source)))
    kind_source = installers / "kind" / "kind.x-k8s.io_v1alpha4_Cluster.json"
    if not kind_source.is_file():
        raise KnowledgeError(f"{kind_source}: not found")
    derived.append((kind_source.name, json.loads(kind_source.read_text(encoding="utf-8"))))
    return sorted(derived)
