"""kgen/data as scripts/update-knowledge writes it: every file names its sources, rows index right.

The tests read kgen's own copies only. Whether the copies match the upstream data they came from
is checked where that data is, by ``scripts/update-knowledge --check`` (it also generates twice
and refuses output that differs between runs).
"""

from __future__ import annotations

import json
from pathlib import Path

from kgen.knowledge import gates as gate_knowledge
from kgen.knowledge._data import load_rows, parse_row

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "kgen" / "data"
GENERATED = (
    "kubeadm-gates.json",
    "api-versions.json",
    "flags.json",
    "config-fields.json",
    "distributions.json",
    "talos.json",
    "kops.json",
)
ROW_FILES = ("feature-gates.jsonl",)


def _sources(header: dict[str, object]) -> dict[str, object]:
    source = header["_source"]
    assert isinstance(source, dict)
    assert source["generator"] == "scripts/update-knowledge"
    inputs = source["inputs"]
    assert isinstance(inputs, dict) and inputs
    return inputs


def test_committed_data_names_its_sources() -> None:
    for name in GENERATED:
        inputs = _sources(json.loads((DATA / name).read_text(encoding="utf-8")))
        for label in inputs:
            assert label.startswith(("upstream/", "scripts/knowledge/")), (name, label)
    for name in ROW_FILES:
        header = json.loads((DATA / name).read_text(encoding="utf-8").split("\n", 1)[0])
        for label in _sources(header):
            assert label.startswith(("upstream/", "scripts/knowledge/")), (name, label)


def test_committed_data_is_plain_lf_text_without_local_paths() -> None:
    for name in (*GENERATED, *ROW_FILES):
        raw = (DATA / name).read_bytes()
        assert raw.endswith(b"}\n"), name
        assert b"\r" not in raw, name
        assert b"/work/" not in raw and b"/home/" not in raw, name


def test_row_files_index_every_row_by_its_own_name_in_order() -> None:
    for name in ROW_FILES:
        lines = (DATA / name).read_text(encoding="utf-8").splitlines()
        header, rows = load_rows(name)
        assert header == json.loads(lines[0])
        assert len(rows) == len(lines) - 1, f"{name}: a name is repeated"
        assert list(rows) == sorted(rows), f"{name}: rows are not sorted by name"
        for key, line in rows.items():
            assert parse_row(line)["name"] == key
            assert line.startswith(f'{{"name":"{key}",')


def test_gate_rows_build_the_same_gates_as_a_full_parse() -> None:
    lines = (DATA / "feature-gates.jsonl").read_text(encoding="utf-8").splitlines()[1:]
    parsed = {row["name"]: row for row in map(json.loads, lines)}
    gates = gate_knowledge.all_gates()
    assert set(gates) == set(parsed) and len(gates) > 250
    for name, row in parsed.items():
        gate = gates[name]
        assert gate.removed_in == row["removedIn"] and gate.kep == row["kep"]
        assert gate.components == tuple(row["components"])
        for version, state in row["states"].items():
            built = gate.by_version[version]
            assert (built is None) == (state is None), (name, version)
            if built is not None:
                assert built._asdict() == state, (name, version)
