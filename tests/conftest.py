"""Shared test set-up: the golden-file update switch and small helpers."""

from __future__ import annotations

import copy
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
sys.path.insert(0, str(TESTS))  # so tests can import helper modules such as cisbench


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="Rewrite the expected files under tests/golden/ from the current output (review the diff!).",
    )


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


FactsChange = Callable[[Any, Callable[[Any], object]], None]


@pytest.fixture
def change_facts(monkeypatch: pytest.MonkeyPatch) -> FactsChange:
    """``change_facts(module, edit)``: ``module.facts()`` returns a copy of its data with ``edit`` applied, for
    the rest of the test (the committed data stays as it is)."""

    def change(module: Any, edit: Callable[[Any], object]) -> None:
        data = copy.deepcopy(module.facts())
        edit(data)
        monkeypatch.setattr(module, "facts", lambda: data)

    return change
