"""The plan's tables in kgen/data are exactly what scripts/knowledge generates from the hand-kept YAML."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "scripts"))

from knowledge import admission_plugins, tables  # noqa: E402


# Tables checked against upstream data are compared by scripts/update-knowledge --check, where that data is.
@pytest.mark.parametrize("name", [name for name in tables.TABLES if name not in tables.CHECKS])
def test_committed_table_equals_a_fresh_generation(name: str) -> None:
    fresh = tables.table_text(name, REPO / "no-upstream-needed")
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


KUBE_BENCH = """---
controls:
version: "cis-1.12"
groups:
  - id: 1.2
    checks:
      - id: 1.2.3
        tests: {test_items: [{flag: "--enable-admission-plugins", compare: {op: has, value: DenyServiceExternalIPs}}]}
      - id: 1.2.9
        tests: {test_items: [{flag: "--enable-admission-plugins", compare: {op: has, value: "EventRateLimit"}}]}
      - id: 1.2.10
        tests: {bin_op: or, test_items: [{flag: "--enable-admission-plugins", compare: {op: nothave, value: AlwaysAdmit}}]}
      - id: 1.2.11
        tests: {test_items: [{flag: "--enable-admission-plugins", compare: {op: has, value: AlwaysPullImages}}]}
      - id: 1.2.14
        tests: {test_items: [{flag: "--enable-admission-plugins", compare: {op: has, value: NodeRestriction}}]}
"""


def _kube_bench(root: Path) -> Path:
    """An upstream folder holding kube-bench's cis-1.12 control-plane checks (the plugin tests only) and its README."""
    folder = root / "kube-bench" / "cfg" / "cis-1.12"
    folder.mkdir(parents=True)
    (folder / "master.yaml").write_text(KUBE_BENCH, encoding="utf-8")
    (root / "kube-bench" / "README.txt").write_text("Commit            : " + "a" * 40 + "\n", encoding="utf-8")
    return root


def _admission_table() -> dict[str, Any]:
    table: dict[str, Any] = yaml.safe_load(
        (REPO / "scripts" / "knowledge" / "admission-plugins.yaml").read_text(encoding="utf-8")
    )
    return table


def test_the_admission_plugin_table_passes_its_check_and_records_kube_bench(tmp_path: Path) -> None:
    sources = tables.Sources(_kube_bench(tmp_path))
    admission_plugins.check(_admission_table(), sources)
    assert sources.inputs["upstream/kube-bench/cfg/cis-1.12/master.yaml"]["commits"] == ["a" * 40]
    assert "kgen/profile.schema.json" in sources.inputs


@pytest.mark.parametrize(
    ("plugin", "change", "message"),
    [
        (
            "AlwaysPullImages",
            {"refs": ["CIS 1.2.10"]},
            "AlwaysPullImages: CIS 1.2.10: kube-bench cis-1.12 control 1.2.10 does not test",
        ),
        (
            "EventRateLimit",
            {"refs": ["CIS 1.2.99"]},
            "control 1.2.99 does not test that --enable-admission-plugins has EventRateLimit",
        ),
        ("AlwaysPullImages", {"when": "admission.alwaysPull"}, "when: admission.alwaysPull is neither 'always' nor a boolean"),
        ("AlwaysPullImages", {"when": "admission.podSecurity.enforce"}, "is neither 'always' nor a boolean profile key"),
        ("PodSecurity", {"plugin": "NodeRestriction"}, "plugins listed twice: NodeRestriction"),
    ],
)
def test_a_wrong_admission_plugin_fact_stops_generation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, plugin: str, change: dict[str, Any], message: str
) -> None:
    table = _admission_table()
    next(entry for entry in table["plugins"] if entry["plugin"] == plugin).update(change)
    monkeypatch.setattr(tables.Sources, "load", _load_or_table(table))
    with pytest.raises(tables.KnowledgeError, match=re.escape(message)):
        tables.build("admission-plugins", tables.Sources(_kube_bench(tmp_path)))


def _load_or_table(table: dict[str, Any]) -> Any:
    """Sources.load that returns ``table`` for the admission plugin YAML and reads everything else as usual."""
    original = tables.Sources.load

    def load(self: tables.Sources, path: Path) -> Any:
        return table if path.name == "admission-plugins.yaml" else original(self, path)

    return load
