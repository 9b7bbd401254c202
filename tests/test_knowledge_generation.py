"""scripts/update-knowledge regenerates kgen/data byte for byte (runs only where upstream data exists)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
UPSTREAM = REPO.parent / "shared" / "upstream"
SCRIPT = REPO / "scripts" / "update-knowledge"
GENERATED = (
    "feature-gates.json",
    "kubeadm-gates.json",
    "api-versions.json",
    "flags.json",
    "config-fields.json",
    "distributions.json",
    "talos.json",
    "kops.json",
)


@pytest.mark.skipif(not UPSTREAM.is_dir(), reason="upstream data not available here")
def test_generation_is_idempotent_and_matches_committed_data(tmp_path: Path) -> None:
    for run in ("first", "second"):
        out = tmp_path / run
        subprocess.run(
            [sys.executable, str(SCRIPT), "--upstream", str(UPSTREAM), "--out", str(out)],
            check=True,
            capture_output=True,
        )
    for name in GENERATED:
        first = (tmp_path / "first" / name).read_bytes()
        assert first == (tmp_path / "second" / name).read_bytes(), name
        assert first == (REPO / "kgen" / "data" / name).read_bytes(), f"{name} is stale: run scripts/update-knowledge"
        assert first.endswith(b"}\n")
        assert b"\r" not in first
        assert b"/work/" not in first


def test_committed_data_names_its_sources() -> None:
    for name in GENERATED:
        data = json.loads((REPO / "kgen" / "data" / name).read_text(encoding="utf-8"))
        inputs = data["_source"]["inputs"]
        assert inputs, name
        for label in inputs:
            assert label.startswith(("upstream/", "scripts/knowledge/")), label
