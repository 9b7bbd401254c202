"""The plan's tables in kgen/data are exactly what scripts/knowledge generates from the hand-kept YAML."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "scripts"))

from knowledge import tables  # noqa: E402


@pytest.mark.parametrize("name", tables.TABLES)
def test_committed_table_equals_a_fresh_generation(name: str) -> None:
    fresh = tables.generate(REPO / "no-upstream-needed")[f"{name}.json"]
    committed = (REPO / "kgen" / "data" / f"{name}.json").read_text(encoding="utf-8")
    assert committed == fresh, f"kgen/data/{name}.json is stale: run scripts/update-knowledge"


@pytest.mark.parametrize("name", tables.TABLES)
def test_table_keeps_the_written_order(name: str) -> None:
    from kgen.knowledge._data import load

    written = yaml.safe_load((REPO / "scripts" / "knowledge" / f"{name}.yaml").read_text(encoding="utf-8"))
    table = load(f"{name}.json")["table"]
    assert table == written
    assert list(table) == list(written)


def test_a_value_json_cannot_keep_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "settings.yaml").write_text("kube-apiserver:\n  - {flag: x, value: 2024-01-01}\n", encoding="utf-8")
    monkeypatch.setattr(tables, "FACTS_DIR", tmp_path)
    monkeypatch.setattr(tables.Sources, "load", lambda self, path: yaml.safe_load(path.read_text(encoding="utf-8")))
    with pytest.raises(tables.KnowledgeError, match="JSON cannot keep"):
        tables.build("settings", tables.Sources(tmp_path))
