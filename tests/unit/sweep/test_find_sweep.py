"""A finished sweep read back from its folder and found by its summary digest (what the
dashboard shows of a recorded sweep); an edited summary is not taken."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from glasnost.sweep.analysis import summarize
from glasnost.sweep.plan import Plan
from glasnost.sweep.store import PLAN, SAMPLES, SUMMARY, write_json, write_table
from glasnost.sweep.sweep import find_sweep, load_sweep, summary_sha256
from tests.unit.sweep.test_analysis import DELAY, SPEED, _table, _toy


def _write(folder: Path, seed: int) -> str:
    """A sweep's three files in ``folder``; its summary digest."""
    plan = Plan((SPEED, DELAY), "lhs", 12, seed=seed)
    table = _table(plan, _toy(plan.values()))
    summary = {"scenario": "toy", "plan": plan.to_json(), **summarize(plan, table)}
    summary["sha256"] = summary_sha256(summary)
    folder.mkdir(parents=True)
    write_json(folder / PLAN, {"plan": plan.to_json()})
    write_table(folder / SAMPLES, table)
    write_json(folder / SUMMARY, summary)
    digest: str = summary["sha256"]
    return digest


def test_a_sweep_is_found_by_its_summary_digest_in_the_folder_or_one_below(tmp_path: Path) -> None:
    first = _write(tmp_path / "a", seed=1)
    second = _write(tmp_path / "b", seed=2)
    assert first != second
    found = find_sweep(tmp_path, second)
    assert found is not None
    assert found.folder == tmp_path / "b"
    assert found.plan == Plan((SPEED, DELAY), "lhs", 12, seed=2)
    pd.testing.assert_frame_equal(found.table, load_sweep(tmp_path / "b").table)
    assert find_sweep(tmp_path / "a", first) is not None  # the folder itself
    assert find_sweep(tmp_path, "0" * 64) is None
    assert find_sweep(tmp_path / "missing", first) is None


def test_an_edited_summary_is_not_taken(tmp_path: Path) -> None:
    digest = _write(tmp_path / "a", seed=1)
    path = tmp_path / "a" / SUMMARY
    summary = json.loads(path.read_text())
    summary["no_threat"]["count"] += 1
    path.write_text(json.dumps(summary))  # the digest field kept, the content changed
    assert find_sweep(tmp_path, digest) is None
