"""The knowledge scripts keep their own copies of the version and component lists (they run
without kgen installed); these must be kgen's own."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

from kgen import knowledge

SCRIPTS = Path(__file__).resolve().parent.parent / "scripts" / "knowledge"


def load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"kgen_scripts_{name}", SCRIPTS / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_generator_version_and_component_lists_are_kgens() -> None:
    common = load("common")
    assert common.SUPPORTED_VERSIONS == knowledge.SUPPORTED_VERSIONS
    assert common.PREVIEW_VERSIONS == knowledge.PREVIEW_VERSIONS
    assert common.COMPONENTS == knowledge.COMPONENTS
    cis = load("cis")
    assert cis.KGEN_KUBERNETES_MINORS == knowledge.SUPPORTED_VERSIONS + knowledge.PREVIEW_VERSIONS
