"""Shared test configuration: markers by folder, and hypothesis profiles."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from glasnost.common import memo

settings.register_profile("default", deadline=None, max_examples=100)
settings.register_profile(
    "ci", deadline=None, max_examples=100, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("ci" if os.environ.get("CI") else "default")

_MARKER_BY_FOLDER = {
    "unit": "unit",
    "validation": "validation",
    "integration": "integration",
    "browser": "browser",
    "soak": "soak",
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test carries the marker of its tier folder (tests/unit, tests/validation, ...)."""
    root = Path(__file__).parent
    for item in items:
        tier = Path(str(item.path)).relative_to(root).parts[0]
        if tier in _MARKER_BY_FOLDER:
            item.add_marker(getattr(pytest.mark, _MARKER_BY_FOLDER[tier]))


@pytest.fixture(autouse=True)
def _nothing_remembered() -> None:
    """Each test starts with no result kept in memory (glasnost.common.memo): a result kept by
    an earlier test would hide what this one counts or patches."""
    memo.forget_all()
