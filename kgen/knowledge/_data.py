"""Reads kgen's generated knowledge files (kgen/data/*.json) once each, on first use."""

from __future__ import annotations

import functools
import json
from typing import Any


@functools.cache
def load(name: str) -> dict[str, Any]:
    """The parsed content of kgen/data/<name>; cached, so each file is read at most once per process."""
    from importlib import resources

    text = resources.files("kgen").joinpath("data", name).read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data
