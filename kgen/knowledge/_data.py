"""Reads kgen's generated knowledge files (kgen/data/*.json, *.jsonl) once each, on first use."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

# kgen is installed as files (a wheel or a checkout), never zipped: a path read is cheaper on
# every start than going through importlib.resources.
DATA_DIR = Path(__file__).resolve().parent.parent / "data"


@functools.cache
def load(name: str) -> dict[str, Any]:
    """The parsed content of kgen/data/<name>; cached, so each file is read at most once per process."""
    with (DATA_DIR / name).open("rb") as handle:
        data: dict[str, Any] = json.load(handle)
    return data


@functools.cache
def load_rows(name: str) -> tuple[dict[str, Any], dict[str, str]]:
    """The header and the unparsed rows, by name, of kgen/data/<name> (JSON Lines, see parse_row).

    scripts/update-knowledge writes the header on the first line and one ``{"name":"NAME",...}``
    row per line after it, NAME alphanumeric; a row is parsed only when it is asked for.
    """
    with (DATA_DIR / name).open("rb") as handle:
        first, _, rest = handle.read().decode("utf-8").partition("\n")
    header: dict[str, Any] = json.loads(first)
    start = len('{"name":"')
    rows = {line[start : line.index('"', start)]: line for line in rest.splitlines()}
    return header, rows


def parse_row(line: str) -> dict[str, Any]:
    """One row of a JSON Lines knowledge file, with its ``name``."""
    row: dict[str, Any] = json.loads(line)
    return row
