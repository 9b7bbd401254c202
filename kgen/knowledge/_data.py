"""Reads kgen's generated knowledge files (kgen/data/*.json) once each, on first use."""

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
