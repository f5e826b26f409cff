"""The browser tier's Chromium: ``$GLASNOST_CHROMIUM`` or ``/usr/bin/chromium`` (never one
downloaded by Playwright), driven by Playwright. Without it the tests are skipped, except in CI
(``CI=true``), where they fail."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM_ENV = "GLASNOST_CHROMIUM"
DEFAULT_CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",  # containers often have a small /dev/shm
]


def _unavailable(reason: str) -> None:
    """Skip, or fail in CI: the browser tier must not be skipped there silently."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def chromium() -> str:
    path = os.environ.get(CHROMIUM_ENV, DEFAULT_CHROMIUM)
    if not Path(path).is_file():
        _unavailable(
            f"no Chromium at {path}: install Debian's chromium (apt-get install chromium) "
            f"or set {CHROMIUM_ENV}"
        )
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _unavailable("Playwright is not installed (pip install -e '.[dev]')")
    return path
