"""A benchmark's baseline from an earlier tree: the same measurement run on the package as it was
at a git revision (``git archive REV src``), in a fresh interpreter, beside a run on this tree.

Both runs execute the same benchmark script, so they do the same work; only ``glasnost`` differs
(``PYTHONPATH`` points at one ``src`` or the other, ahead of the installed package). A run in
``--json`` mode prints its figures as one JSON object on its last line.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent

LEDGER_BASELINE = "3acc49e"
"""The tree before issue 13's ledger changes (canonical JSON twice per entry, proofs through
SQLAlchemy, pages fetched one after the other, signatures verified one by one)."""


def tree_at(revision: str, folder: Path) -> Path:
    """The ``src`` folder of ``revision``, unpacked under ``folder``."""
    archive = folder / "src.tar"
    with open(archive, "wb") as out:
        subprocess.run(["git", "-C", str(REPO), "archive", revision, "src"], stdout=out, check=True)
    with tarfile.open(archive) as tar:
        tar.extractall(folder, filter="data")
    return folder / "src"


def measure(script: Path, args: list[str], src: Path) -> dict[str, Any]:
    """Run ``script --json args`` on the package in ``src``; its figures."""
    env = {**os.environ, "PYTHONPATH": str(src)}
    done = subprocess.run(
        [sys.executable, str(script), "--json", *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{script.name} on {src} failed:\n{done.stdout}\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def measure_both(script: Path, args: list[str], revision: str) -> tuple[dict[str, Any], ...]:
    """(figures of ``revision``'s tree, figures of this tree), one run after the other."""
    with tempfile.TemporaryDirectory(prefix="bench-baseline-") as tmp:
        old = tree_at(revision, Path(tmp))
        return measure(script, args, old), measure(script, args, REPO / "src")
