"""Copy the strict JSON Schemas for component configuration into kgen's package data.

The schemas are derived from the upstream Go types (see each schema's ``$comment`` and
``x-kgen-provenance``). This step copies them into ``kgen/data/schemas/``, minified and with
the long ``description`` annotations dropped, and writes ``INDEX.json``, which maps
``"apiVersion/kind"`` to the schema file and the upstream commit it was derived from.

Output is deterministic: the same input always gives the same bytes.

Usage::

    python scripts/knowledge/schemas.py --upstream /path/to/upstream [--data kgen/data]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DATA_DIR = REPO_ROOT / "kgen" / "data"
SCHEMAS_SUBDIR = "schemas"
INDEX_NAME = "INDEX.json"

# Keywords whose value is a single subschema, a list of them, or a map of name -> subschema.
# Only these are walked when dropping annotations, so a property that happens to be called
# "description" is never mistaken for the annotation.
_SUBSCHEMA_KEYWORDS = frozenset({"items", "additionalProperties", "not"})
_SUBSCHEMA_LIST_KEYWORDS = frozenset({"anyOf", "allOf", "oneOf"})
_SUBSCHEMA_MAP_KEYWORDS = frozenset({"properties", "$defs"})
# Annotations that carry no validation meaning and only make the shipped files larger.
_DROPPED_ANNOTATIONS = frozenset({"description"})


def _strip_annotations(schema: Any) -> Any:
    if not isinstance(schema, dict):
        return schema
    stripped: dict[str, Any] = {}
    for keyword, value in schema.items():
        if keyword in _DROPPED_ANNOTATIONS:
            continue
        if keyword in _SUBSCHEMA_KEYWORDS:
            stripped[keyword] = _strip_annotations(value)
        elif keyword in _SUBSCHEMA_LIST_KEYWORDS:
            stripped[keyword] = [_strip_annotations(item) for item in value]
        elif keyword in _SUBSCHEMA_MAP_KEYWORDS:
            stripped[keyword] = {name: _strip_annotations(sub) for name, sub in value.items()}
        else:
            # $comment, x-kgen-provenance, const, enum, ... are kept verbatim.
            stripped[keyword] = value
    return stripped


def _schema_source_dir(upstream_dir: Path) -> Path:
    """Accept either the upstream root (holding ``schemas/``) or the schemas folder itself."""
    nested = upstream_dir / SCHEMAS_SUBDIR
    return nested if nested.is_dir() else upstream_dir


def _identity(schema: dict[str, Any], source: Path) -> tuple[str, str, str]:
    provenance = schema.get("x-kgen-provenance")
    if not isinstance(provenance, dict):
        raise ValueError(f"{source}: no x-kgen-provenance object")
    api_version = provenance.get("apiVersion")
    kind = provenance.get("kind")
    commit = provenance.get("commit")
    if not all(isinstance(item, str) and item for item in (api_version, kind, commit)):
        raise ValueError(f"{source}: x-kgen-provenance lacks apiVersion, kind or commit")
    properties = schema.get("properties", {})
    declared = (properties.get("apiVersion", {}).get("const"), properties.get("kind", {}).get("const"))
    if declared != (api_version, kind):
        raise ValueError(f"{source}: provenance says {api_version}/{kind} but the schema accepts {declared}")
    assert isinstance(api_version, str) and isinstance(kind, str) and isinstance(commit, str)
    return api_version, kind, commit


def _dump_minified(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n"


def schema_files(upstream_dir: Path, derived: Iterable[tuple[str, dict[str, Any]]] = ()) -> dict[str, str]:
    """File name -> exact text of every file ``copy_schemas`` writes, INDEX.json included.

    ``derived`` adds (file name, schema) pairs built by another step (the installer schemas), listed
    in the same INDEX.json. Writes nothing, so a ``--check`` mode can compare these with the files on disk.
    """
    source_dir = _schema_source_dir(upstream_dir)
    sources = sorted(source_dir.glob("*.json"))
    if not sources:
        raise FileNotFoundError(f"no *.json schemas in {source_dir}")
    files: dict[str, str] = {}
    index: dict[str, dict[str, str]] = {}
    loaded = [(source.name, json.loads(source.read_text(encoding="utf-8")), source) for source in sources]
    loaded += [(name, schema, source_dir.parent / "installers" / name) for name, schema in derived]
    for file_name, schema, source in loaded:
        if file_name in files:
            raise ValueError(f"{source}: another schema is also called {file_name}")
        api_version, kind, commit = _identity(schema, source)
        key = f"{api_version}/{kind}"
        if key in index:
            raise ValueError(f"{source}: {key} is also defined by {index[key]['file']}")
        provenance = schema["x-kgen-provenance"]
        index[key] = {
            "file": file_name,
            "repo": str(provenance.get("repo", "")),
            "path": str(provenance.get("path", "")),
            "commit": commit,
        }
        files[file_name] = _dump_minified(_strip_annotations(schema))
    ordered = {key: index[key] for key in sorted(index)}
    files[INDEX_NAME] = json.dumps(ordered, indent=2, ensure_ascii=False) + "\n"
    return files


def copy_schemas(upstream_dir: Path, data_dir: Path) -> None:
    """Copy ``<upstream_dir>/schemas/*.json`` to ``<data_dir>/schemas/`` and write its INDEX.json.

    ``upstream_dir`` may also be the schemas folder itself. Schema files in the target that no
    longer exist upstream are removed, so the target always mirrors the source.
    """
    files = schema_files(upstream_dir)
    target_dir = data_dir / SCHEMAS_SUBDIR
    target_dir.mkdir(parents=True, exist_ok=True)
    for stale in sorted(target_dir.glob("*.json")):
        if stale.name not in files:
            stale.unlink()
    for name, text in files.items():
        target = target_dir / name
        if target.exists() and target.read_bytes() == text.encode("utf-8"):
            continue
        temporary = target.with_suffix(".tmp")
        temporary.write_bytes(text.encode("utf-8"))
        temporary.replace(target)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--upstream", type=Path, required=True, help="upstream root (or its schemas/ folder)")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA_DIR, help=f"kgen data folder (default: {DEFAULT_DATA_DIR})")
    args = parser.parse_args(argv)
    copy_schemas(args.upstream, args.data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
