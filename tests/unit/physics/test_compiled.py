"""The kernels' on-disk cache (glasnost.physics.compiled): loaded where nothing changed, and
compiled again where a kernel that another file's kernel calls has changed (Numba itself
checks only the file that defines a kernel)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import glasnost

SCRIPT = (
    "import numpy as np\n"
    "from glasnost.defense import engagement_kernel as k\n"
    "site = np.array([4.0e6, 3.0e6, 3.5e6]); up = site / np.linalg.norm(site)\n"
    "r = np.array([4.2e6, 3.1e6, 3.9e6])\n"
    "v = k.required_speed(site, up, 10.0, 50.0, 600.0, r, 3.986004418e14, 7.292115e-5, True)\n"
    "stats = k.required_speed.stats\n"
    "print(sum(stats.cache_hits.values()), sum(stats.cache_misses.values()), repr(v))\n"
)


def _run(package: Path, cache: Path) -> tuple[int, int, str]:
    """Cache hits and misses of ``required_speed`` (engagement_kernel.py, which calls
    kepler_kernel.py's Lambert solve) in a fresh process, and its value."""
    env = {
        **os.environ,
        "PYTHONPATH": str(package.parent),
        "NUMBA_CACHE_DIR": str(cache),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
        cwd=package.parent,
    )
    hits, misses, value = done.stdout.split()
    return int(hits), int(misses), value


def test_a_change_in_a_called_kernel_compiles_its_callers_again(tmp_path: Path) -> None:
    """A copy of the package: the second run loads ``required_speed`` from the cache (a hit,
    no miss); after a line is added to kepler_kernel.py only (engagement_kernel.py, which
    defines it, unchanged) the third run compiles it again (a miss), with the same value."""
    package = tmp_path / "site" / "glasnost"
    shutil.copytree(
        Path(glasnost.__file__).parent, package, ignore=shutil.ignore_patterns("__pycache__")
    )
    # Numba's own cache beside the source is the first place it looks; keep it out of the
    # copy so that NUMBA_CACHE_DIR is the one place.
    for folder in [package, *package.rglob("*")]:
        if folder.is_dir():
            (folder / "__pycache__").write_text("not a folder")
    cache = tmp_path / "numba"
    first = _run(package, cache)
    second = _run(package, cache)
    assert first[1] >= 1  # compiled
    assert second[:2] == (1, 0)  # loaded
    with (package / "physics" / "kepler_kernel.py").open("a") as source:
        source.write("\n# changed\n")
    third = _run(package, cache)
    assert third[1] >= 1  # compiled again
    assert first[2] == second[2] == third[2]
