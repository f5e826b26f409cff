"""Unit-test fixtures shared across modules."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from rich.console import Console

from glasnost.cli import common


@pytest.fixture(scope="module", autouse=True)
def wide_console() -> Iterator[None]:
    """The CLI prints plain text 200 columns wide, whatever the terminal (rich folds table
    cells when narrow, which would split the words the tests look for)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(common, "console", Console(width=200, color_system=None))
        mp.setattr(common, "errors", Console(stderr=True, width=200, color_system=None))
        yield
