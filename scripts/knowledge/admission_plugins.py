"""Checks of the admission plugin table (scripts/knowledge/admission-plugins.yaml) before it is generated.

Every CIS id a plugin cites must be a control of kube-bench's cis-1.12 benchmark (the numbering kgen's
references use) that tests ``--enable-admission-plugins`` has that plugin; every key that turns a plugin
on must be a boolean key of the profile (kgen/profile.schema.json, generated from kgen/profile_schema.py).
"""

from __future__ import annotations

import re
from typing import Any

from .common import REPO_ROOT, KnowledgeError, Sources

BENCHMARK = "cis-1.12"
PLUGIN_FLAG = "--enable-admission-plugins"
PROFILE_SCHEMA = REPO_ROOT / "kgen" / "profile.schema.json"
_COMMIT = re.compile(r"^Commit\s*:\s*([0-9a-f]{40})", re.MULTILINE)


def _plugins_tested(sources: Sources) -> dict[str, set[str]]:
    """CIS id -> the plugins its kube-bench tests require in --enable-admission-plugins."""
    kube_bench = sources.upstream / "kube-bench"
    relative = f"cfg/{BENCHMARK}/master.yaml"
    benchmark = sources.load(kube_bench / relative)
    # kube-bench's YAML carries no commit; the README the files were copied with names it.
    commit = _COMMIT.search((kube_bench / "README.txt").read_text(encoding="utf-8"))
    sources.inputs[f"upstream/kube-bench/{relative}"] = {
        "commits": [commit.group(1)] if commit else [],
        "records": f"kube-bench {BENCHMARK} control-plane checks",
    }
    tested: dict[str, set[str]] = {}
    for group in benchmark.get("groups", []):
        for check in group.get("checks", []):
            for item in (check.get("tests") or {}).get("test_items", []):
                compare = item.get("compare") or {}
                if item.get("flag") == PLUGIN_FLAG and compare.get("op") == "has":
                    tested.setdefault(str(check["id"]), set()).add(str(compare["value"]))
    return tested


def _boolean_keys(schema: dict[str, Any], prefix: str = "") -> set[str]:
    """The dotted profile keys whose values are booleans."""
    keys = set()
    for name, spec in schema.get("properties", {}).items():
        types = spec.get("type", [])
        if "boolean" in (types if isinstance(types, list) else [types]):
            keys.add(prefix + name)
        keys |= _boolean_keys(spec, f"{prefix}{name}.")
    return keys


def check(table: dict[str, Any], sources: Sources) -> None:
    where = "scripts/knowledge/admission-plugins.yaml"
    plugins = [str(entry["plugin"]) for entry in table["plugins"]]
    repeated = sorted({name for name in plugins if plugins.count(name) > 1})
    if repeated:
        raise KnowledgeError(f"{where}: plugins listed twice: {', '.join(repeated)}")
    tested = _plugins_tested(sources)
    switches = _boolean_keys(sources.load(PROFILE_SCHEMA))
    for entry in table["plugins"]:
        plugin, when = entry["plugin"], entry["when"]
        if when != "always" and when not in switches:
            raise KnowledgeError(f"{where}: {plugin}: when: {when} is neither 'always' nor a boolean profile key")
        for ref in entry["refs"]:
            control = ref.removeprefix("CIS ")
            if control != ref and plugin not in tested.get(control, set()):
                control_text = f"kube-bench {BENCHMARK} control {control}"
                raise KnowledgeError(f"{where}: {plugin}: {ref}: {control_text} does not test that {PLUGIN_FLAG} has {plugin}")
