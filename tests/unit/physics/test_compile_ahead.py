"""Compiling the engagement search ahead, in a second process (glasnost.physics.compile_ahead):
the child fills the kernel cache, the waiting process loads the search from it instead of
compiling it, a child still compiling at exit is stopped, and nothing starts where it cannot
pay."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numba
import pytest

from glasnost.defense import engagement_kernel
from glasnost.physics import compile_ahead
from glasnost.physics.compiled import has_cache_entries, kernel

PRELUDE = (
    "from glasnost.defense import engagement_kernel as k\n"
    "from glasnost.physics import compile_ahead\n"
    "from glasnost.physics.compiled import has_cache_entries\n"
)


def _python(code: str, cache: Path, **env: str) -> list[str]:
    """The lines ``code`` prints in a fresh process with the empty kernel cache ``cache``."""
    done = subprocess.run(
        [sys.executable, "-c", PRELUDE + code],
        env={**os.environ, "NUMBA_CACHE_DIR": str(cache), "GLASNOST_COMPILE_AHEAD": "1", **env},
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    return done.stdout.split("\n")


def test_the_child_fills_the_cache_and_the_search_loads_from_it(tmp_path: Path) -> None:
    """On a cold cache the child compiles the search; after :func:`compile_ahead.wait` the
    search's first call here is a cache hit and no compile (no miss)."""
    lines = _python(
        "print(has_cache_entries(k.search), compile_ahead.start(k.__name__, 'search'))\n"
        "compile_ahead.wait(k.__name__, 'search')\n"
        "print(has_cache_entries(k.search))\n"
        "k.search(*k.search_probe())\n"
        "stats = k.search.stats\n"
        "print(sum(stats.cache_hits.values()), sum(stats.cache_misses.values()))\n",
        tmp_path,
    )
    assert lines[:3] == ["False True", "True", "1 0"]


def test_a_child_still_compiling_at_exit_is_stopped(tmp_path: Path) -> None:
    """A process that ends before it needs the search stops its child (and reaps it)."""
    lines = _python(
        "compile_ahead.start(k.__name__, 'search')\n"
        "print(compile_ahead._children[k.__name__ + '.search'].pid)\n",
        tmp_path,
    )
    with pytest.raises(ProcessLookupError):
        os.kill(int(lines[0]), 0)


def test_a_wait_past_its_timeout_stops_the_child(tmp_path: Path) -> None:
    """The waiting process gives up: the child is stopped and has written nothing, so the
    search's first call would compile it here, as without a child."""
    lines = _python(
        "compile_ahead.start(k.__name__, 'search')\n"
        "compile_ahead.wait(k.__name__, 'search', timeout_s=0.5)\n"
        "child = compile_ahead._children[k.__name__ + '.search']\n"
        "print(child.returncode is not None, has_cache_entries(k.search))\n",
        tmp_path,
    )
    assert lines[0] == "True False"


def test_nothing_starts_where_it_cannot_pay(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Turned off, one core, or a search compiled in this process already: no child."""
    lines = _python(
        "print(compile_ahead.start(k.__name__, 'search'))\n",
        tmp_path,
        GLASNOST_COMPILE_AHEAD="0",
    )
    assert lines[0] == "False"
    engagement_kernel.search(*engagement_kernel.search_probe())  # compiled (or loaded) here
    assert not compile_ahead.worth_it(engagement_kernel.__name__, "search")
    monkeypatch.setattr(compile_ahead, "default_workers", lambda: 1)
    assert not compile_ahead.worth_it(engagement_kernel.__name__, "search")


def test_a_kernel_without_a_cache_has_no_entries_to_share() -> None:
    """None, not False, where no cache can be written (nothing for a child to fill)."""

    def double(x: float) -> float:
        return 2.0 * x

    assert has_cache_entries(numba.njit(double)) is None
    assert has_cache_entries(kernel(double)) is False  # a cache, never compiled into
