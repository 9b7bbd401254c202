"""talos.json, kops.json and their schemas: what Talos and kops accept, reserve and set themselves.

A step of scripts/update-knowledge. From upstream/installers/talos/ it takes the v1alpha1 machine
configuration schema and the extraArgs policies (flags Talos denies or merges, kubelet fields it
protects) per Talos release; from upstream/installers/kops/ the Cluster CRD schema and the field ->
flag tags of kops's component configuration. The hand-kept facts beside this file
(talos-facts.yaml, kops-facts.yaml) add which Talos or kops release serves which Kubernetes minor
and what each sets itself; every name they use is checked against the upstream definitions.

The schemas are copied into kgen/data/schemas/installers/ in the subset of JSON Schema kgen's
checker implements, with the same meaning for the documents kgen renders:

- ``oneOf`` whose branches accept disjoint JSON types becomes ``anyOf`` (exactly one can match);
- ``patternProperties`` with the single pattern ``.*`` becomes ``additionalProperties``;
- ``format``, ``default`` and ``x-kubernetes-*`` are annotations for these documents and are dropped
  (``x-kubernetes-int-or-string`` is already spelled out as an ``anyOf`` beside it);
- kops: every object with ``properties`` and no ``additionalProperties`` gets ``additionalProperties:
  false``, and ``apiVersion``/``kind`` get their constants, so a field kops does not define is an error
  rather than silently pruned.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from .common import FACTS_DIR, KnowledgeError, Sources, dump_json

INSTALLERS_SUBDIR = "schemas/installers"
TALOS_FACTS = FACTS_DIR / "talos-facts.yaml"
KOPS_FACTS = FACTS_DIR / "kops-facts.yaml"
_DROPPED = frozenset({"description", "markdownDescription", "x-intellij-html-description", "title", "format", "default"})
_SUBSCHEMA = frozenset({"items", "additionalProperties", "not"})
_SUBSCHEMA_LIST = frozenset({"anyOf", "allOf", "oneOf"})
_SUBSCHEMA_MAP = frozenset({"properties", "$defs", "patternProperties"})


def _types(schema: Any) -> set[str]:
    kind = schema.get("type") if isinstance(schema, dict) else None
    return {kind} if isinstance(kind, str) else set(kind or ())


def checker_subset(schema: Any, where: str, *, closed: bool) -> Any:
    """``schema`` rewritten into the keywords kgen's checker implements (see the module docstring)."""
    if not isinstance(schema, dict):
        return schema
    result: dict[str, Any] = {}
    for keyword, value in schema.items():
        at = f"{where}/{keyword}"
        if keyword in _DROPPED or keyword.startswith("x-kubernetes-"):
            continue
        if keyword == "oneOf":
            branch_types = [_types(branch) for branch in value]
            if any(not types for types in branch_types) or sum(len(t) for t in branch_types) != len(set().union(*branch_types)):
                raise KnowledgeError(f"{at}: oneOf branches do not accept disjoint types; cannot rewrite as anyOf")
            result["anyOf"] = [checker_subset(branch, f"{at}/{i}", closed=closed) for i, branch in enumerate(value)]
        elif keyword == "patternProperties":
            if list(value) != [".*"] or "additionalProperties" in schema:
                raise KnowledgeError(f"{at}: only a lone '.*' pattern can be rewritten as additionalProperties")
            result["additionalProperties"] = checker_subset(value[".*"], at, closed=closed)
        elif keyword in _SUBSCHEMA:
            result[keyword] = checker_subset(value, at, closed=closed)
        elif keyword in _SUBSCHEMA_LIST:
            result[keyword] = [checker_subset(item, f"{at}/{i}", closed=closed) for i, item in enumerate(value)]
        elif keyword in _SUBSCHEMA_MAP:
            result[keyword] = {name: checker_subset(sub, f"{at}/{name}", closed=closed) for name, sub in value.items()}
        else:
            result[keyword] = value
    if closed and "properties" in result and "additionalProperties" not in result:
        result["additionalProperties"] = False
    return result


def _minified(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True) + "\n"


def _record(sources: Sources, path: Path, provenance: dict[str, Any], what: str) -> None:
    label = "upstream/" + path.relative_to(sources.upstream).as_posix()
    sources.inputs[label] = {"commits": [str(provenance["commit"])], "records": what}


def _schema_entry(provenance: dict[str, Any], file_name: str) -> dict[str, str]:
    return {
        "file": f"installers/{file_name}",
        "repo": str(provenance["repo"]),
        "path": str(provenance["path"]),
        "ref": str(provenance.get("ref", "")),
        "commit": str(provenance["commit"]),
    }


# --- Talos ---------------------------------------------------------------------------------------------


def _talos(upstream: Path, sources: Sources, schemas: dict[str, str]) -> dict[str, Any]:
    folder = upstream / "installers" / "talos"
    facts = sources.load(TALOS_FACTS)
    policies = sources.load(folder / "talos-extraargs-policies.yaml")
    _check_file_flags(facts, sources.load(upstream / "flags" / "kube-apiserver.yaml"))
    by_version = policies["versions"]
    policy_label = "upstream/installers/talos/talos-extraargs-policies.yaml"
    sources.inputs[policy_label]["commits"] = sorted({str(entry["commit"]) for entry in by_version.values()})
    schema_entries: dict[str, dict[str, str]] = {}
    for release in facts["releases"]:
        if release["policies"] not in by_version:
            raise KnowledgeError(f"talos-facts.yaml: release {release['release']}: no policies for {release['policies']}")
        tag = release["schema"]
        if tag in schema_entries:
            continue
        path = folder / f"talos-{tag}-v1alpha1-Config.schema.json"
        if not path.is_file():
            raise KnowledgeError(f"talos-facts.yaml: release {release['release']}: no schema {path.name}")
        raw = json.loads(path.read_text(encoding="utf-8"))
        provenance = raw["x-kgen-provenance"]
        _record(sources, path, provenance, f"Talos {tag} v1alpha1 machine configuration schema")
        name = f"talos-{tag}-v1alpha1-Config.json"
        schemas[name] = _minified(checker_subset(raw, name, closed=False))
        schema_entries[tag] = _schema_entry(provenance, name)
        _check_talos_fields(raw, facts, tag)
    kept_policies: dict[str, Any] = {}
    for version, entry in by_version.items():
        kept_policies[version] = {
            "commit": entry["commit"],
            "file": entry["file"],
            **{component: entry[component] for component in facts["extraArgs"]},
        }
    return {
        "releases": facts["releases"],
        "policies": kept_policies,
        "policySource": {key: policies["source"][key] for key in ("repo", "commit", "path")},
        "apiServerFlags": facts["apiServerFlags"],
        "extraArgs": facts["extraArgs"],
        "fileFlags": facts["fileFlags"],
        "files": facts["files"],
        "kubeletConfig": facts["kubeletConfig"],
        "kubeletTypedFields": facts["kubeletTypedFields"],
        "components": facts["components"],
        "pki": facts["pki"],
        "nodeFileDir": facts["nodeFileDir"],
        "schemas": schema_entries,
    }


def _check_talos_fields(schema: dict[str, Any], facts: dict[str, Any], tag: str) -> None:
    """The typed .machine.kubelet fields and the extraArgs paths the facts name exist in the schema of that release."""
    kubelet = schema["$defs"]["v1alpha1.KubeletConfig"]["properties"]
    for name, typed in facts["kubeletTypedFields"].items():
        if typed["field"] not in kubelet:
            raise KnowledgeError(f"talos-facts.yaml: kubeletTypedFields.{name}: no .machine.kubelet.{typed['field']} in {tag}")
    for component, path in facts["extraArgs"].items():
        if not _has_path(schema, path):
            raise KnowledgeError(f"talos-facts.yaml: extraArgs.{component}: no .{'.'.join(path)} in {tag}")


def _has_path(schema: dict[str, Any], path: list[str]) -> bool:
    """Whether the machine configuration ``schema`` defines the nested field ``path`` (following local $refs)."""
    node: Any = schema
    for part in path:
        while isinstance(node, dict) and "$ref" in node:
            node = schema["$defs"][str(node["$ref"]).removeprefix("#/$defs/")]
        properties = node.get("properties", {}) if isinstance(node, dict) else {}
        if part not in properties:
            return False
        node = properties[part]
    return True


def _check_file_flags(facts: dict[str, Any], kube_apiserver: dict[str, Any]) -> None:
    """Every flag fileFlags names is a kube-apiserver flag."""
    known = {entry["name"] for entry in kube_apiserver["flags"]}
    for kind, flag in facts["fileFlags"].items():
        if flag not in known:
            raise KnowledgeError(f"talos-facts.yaml: fileFlags.{kind}: --{flag} is not a kube-apiserver flag")


# --- kops ----------------------------------------------------------------------------------------------


def _kops(upstream: Path, sources: Sources, schemas: dict[str, str]) -> dict[str, Any]:
    folder = upstream / "installers" / "kops"
    facts = sources.load(KOPS_FACTS)
    flags = sources.load(folder / "kops-component-flags.yaml")
    path = folder / "kops.k8s.io_v1alpha2_Cluster.json"
    raw = json.loads(path.read_text(encoding="utf-8"))
    provenance = raw["x-kgen-provenance"]
    _record(sources, path, provenance, "kops Cluster CRD openAPIV3Schema (kops.k8s.io/v1alpha2)")
    converted = checker_subset(raw, path.name, closed=True)
    converted["properties"]["apiVersion"] = {"const": provenance["apiVersion"]}
    converted["properties"]["kind"] = {"const": provenance["kind"]}
    converted["required"] = ["apiVersion", "kind"]
    name = "kops.k8s.io_v1alpha2_Cluster.json"
    schemas[name] = _minified(converted)
    spec = raw["properties"]["spec"]["properties"]
    components = {entry.split(" / ")[0]: value for entry, value in flags["components"].items()}
    by_section: dict[str, dict[str, dict[str, str]]] = {}
    for component, section in facts["sections"].items():
        if section not in components or section not in spec:
            raise KnowledgeError(f"kops-facts.yaml: sections.{component}: {section} is not a kops component config")
        fields = {}
        for field in components[section]["fields"]:
            flag = field.get("flag")
            if not flag:
                continue
            if field["field"] not in spec[section]["properties"]:
                raise KnowledgeError(f"kops-component-flags.yaml: {section}.{field['field']} is not in the Cluster CRD")
            fields[flag.split(",")[0]] = {"field": field["field"], "goType": field["goType"]}
        by_section[section] = dict(sorted(fields.items()))
    for config_field, kops_field in facts["kubeletFields"].items():
        if kops_field not in spec["kubelet"]["properties"]:
            raise KnowledgeError(f"kops-facts.yaml: kubeletFields.{config_field}: spec.kubelet.{kops_field} is not in the CRD")
    for kind, entry in facts["files"].items():
        if entry["field"] not in spec:
            raise KnowledgeError(f"kops-facts.yaml: files.{kind}: spec.{entry['field']} is not in the CRD")
    _check_kops_paths(facts, _node_facts_text(upstream, sources))
    for component, names in facts["flagsKopsSets"].items():
        section = facts["sections"][component]
        missing = [flag for flag in names if flag not in by_section[section]]
        if missing:
            raise KnowledgeError(f"kops-facts.yaml: flagsKopsSets.{component}: {section} has no field for {', '.join(missing)}")
    return {
        "releases": facts["releases"],
        "sections": facts["sections"],
        "flags": by_section,
        "flagSource": {key: flags["source"][key] for key in ("repo", "commit", "path")},
        "flagsKopsSets": facts["flagsKopsSets"],
        "kubeletFlagsNodeupSets": facts["kubeletFlagsNodeupSets"],
        "kubeletFields": facts["kubeletFields"],
        "kubeletFieldsKopsSets": facts["kubeletFieldsKopsSets"],
        "files": facts["files"],
        "components": facts["components"],
        "srvKubernetes": facts["srvKubernetes"],
        "nodeFileDir": facts["nodeFileDir"],
        "fileAssetRoles": facts["fileAssetRoles"],
        "fileAssetMode": facts["fileAssetMode"],
        "schema": {**_schema_entry(provenance, name), "apiVersion": provenance["apiVersion"], "kind": provenance["kind"]},
    }


def _node_facts_text(upstream: Path, sources: Sources) -> str:
    """upstream/installers/kops/kops-node-facts.yaml as text, recorded as an input.

    Its kubeAPIServerHostPathMounts list is followed by a key at the list's indentation, which YAML
    refuses, so the file is searched, not parsed.
    """
    path = upstream / "installers" / "kops" / "kops-node-facts.yaml"
    text = path.read_text(encoding="utf-8")
    commits = sorted(set(re.findall(r"\bcommit: ([0-9a-f]{40})\b", text)))
    label = "upstream/" + path.relative_to(upstream).as_posix()
    sources.inputs[label] = {
        "commits": commits,
        "records": "kops node facts (nodeup's kube-apiserver host path mounts), searched as text",
    }
    return text


def _check_kops_paths(facts: dict[str, Any], node_facts: str) -> None:
    """PathSrvKubernetes as the upstream mount list states it; node files and kops's own files in its kube-apiserver folder."""
    srv = facts["srvKubernetes"]
    stated = f"PathSrvKubernetes = {srv['path']}, {srv['containerOS']} on COS"
    if stated not in node_facts or "<PathSrvKubernetes>/kube-apiserver" not in node_facts:
        raise KnowledgeError(
            f"kops-facts.yaml: srvKubernetes: kops-node-facts.yaml does not state {stated!r} and its kube-apiserver mount"
        )
    if facts["nodeFileDir"] != f"{srv['path']}/kube-apiserver":
        raise KnowledgeError(
            f"kops-facts.yaml: nodeFileDir: nodeup mounts {srv['path']}/kube-apiserver, not {facts['nodeFileDir']}"
        )
    for kind, entry in facts["files"].items():
        if not entry["path"].startswith(facts["nodeFileDir"] + "/"):
            raise KnowledgeError(f"kops-facts.yaml: files.{kind}: {entry['path']} is not under {facts['nodeFileDir']}")


def generate(upstream: Path) -> dict[str, str]:
    """Output path under kgen/data -> exact text: talos.json, kops.json and the converted schemas."""
    schemas: dict[str, str] = {}
    outputs: dict[str, str] = {}
    for name, build in (("talos.json", _talos), ("kops.json", _kops)):
        sources = Sources(upstream)
        try:
            data = build(upstream, sources, schemas)
        except (KeyError, TypeError, OSError, ValueError) as exc:
            raise KnowledgeError(f"{name}: {type(exc).__name__}: {exc}") from exc
        data["_source"] = sources.block()
        outputs[name] = dump_json(data)
    outputs.update({f"{INSTALLERS_SUBDIR}/{name}": text for name, text in sorted(schemas.items())})
    return outputs
