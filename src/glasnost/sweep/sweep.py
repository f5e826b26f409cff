"""A whole sweep: plan checked against the scenario, chunks run on Dask and persisted, the
table summarised; the result is immutable (:class:`SweepResult`)."""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from glasnost.exchange.canonical import canonical_json, sha256_hex
from glasnost.scenario.models import Scenario
from glasnost.sweep.analysis import summarize
from glasnost.sweep.inputs import check_ranges
from glasnost.sweep.plan import Plan
from glasnost.sweep.runner import Progress, run_chunks, sweep_record
from glasnost.sweep.store import PLAN, SAMPLES, SUMMARY, SweepStore
from glasnost.treaty.digest import scenario_sha256

if TYPE_CHECKING:
    import dask.dataframe as dd

DIGEST_DIGITS = 9
"""Significant digits of the floats in the summary digest (equal on any IEEE-754 machine)."""

DEFAULT_CHUNK_SIZE = 4
"""Samples per Dask task."""


@dataclass(frozen=True)
class SweepResult:
    """The plan, the per-sample table (pandas), the summary (plain data) and the folder."""

    plan: Plan
    table: pd.DataFrame
    summary: dict[str, Any]
    folder: Path

    def dask_table(self) -> dd.DataFrame:
        """The per-sample table as a Dask DataFrame over the folder's chunk files (lazy, one
        partition per chunk): what a sweep too large for memory is read with."""
        return SweepStore(self.folder).dask_table()


def _rounded(value: Any) -> Any:
    if isinstance(value, float):
        return float(f"{value:.{DIGEST_DIGITS}g}") if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    return value


def summary_sha256(summary: dict[str, Any]) -> str:
    """hex SHA-256 of the summary's canonical JSON (floats to DIGEST_DIGITS digits), the
    digest a second party recomputes; the ``run`` record (workers, resumed chunks) is left
    out, it does not change the result."""
    body = {k: v for k, v in summary.items() if k not in ("run", "sha256")}
    return sha256_hex(canonical_json(_rounded(body)))


def run_sweep(
    scenario: Scenario,
    plan: Plan,
    out: str | Path,
    *,
    date: dt.date | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    scheduler: str | None = None,
    workers: int | None = None,
    resume: bool = False,
    progress: Progress | None = None,
) -> SweepResult:
    """Run (or with ``resume`` continue) ``plan`` over ``scenario``, persisting into ``out``."""
    check_ranges(scenario, plan, plan.values())
    store = SweepStore(Path(out))
    record = sweep_record(scenario_sha256(scenario), plan, date, chunk_size)
    done = store.open(record, resume)
    run = run_chunks(
        scenario,
        plan,
        store,
        done,
        chunk_size=chunk_size,
        date=date,
        scheduler=scheduler,
        workers=workers,
        progress=progress,
    )
    summary: dict[str, Any] = {"scenario": scenario.name, **record, **summarize(plan, run.table)}
    del summary["chunk_size"]  # how the work was cut, not what it found: in "run"
    summary["sha256"] = summary_sha256(summary)
    summary["run"] = {
        "chunks": run.chunks,
        "chunk_size": chunk_size,
        "chunks_resumed": run.chunks_resumed,
        "workers": run.workers,
        "workers_lost": run.workers_lost,
        "scheduler": scheduler or "local",
    }
    store.save_result(run.table, summary)
    return SweepResult(plan, run.table, summary, Path(out))


def load_sweep(folder: str | Path) -> SweepResult:
    """A finished sweep read back from its folder (plan, table, summary); OSError or ValueError
    when a file is missing or unreadable."""
    folder = Path(folder)
    record = json.loads((folder / PLAN).read_text())
    summary = json.loads((folder / SUMMARY).read_text())
    table = pd.read_parquet(folder / SAMPLES)
    return SweepResult(Plan.from_json(record["plan"]), table, summary, folder)


def find_sweep(root: str | Path, summary_sha256_hex: str) -> SweepResult | None:
    """The finished sweep in ``root`` or one of its folders whose summary has the digest
    ``summary_sha256_hex``, recomputed from the summary itself (an edited summary is not
    taken); None when there is none."""
    root = Path(root)
    for summary_file in sorted((root / SUMMARY, *root.glob(f"*/{SUMMARY}"))):
        try:
            summary = json.loads(summary_file.read_text())
        except (OSError, ValueError):
            continue
        if summary.get("sha256") == summary_sha256_hex == summary_sha256(summary):
            try:
                return load_sweep(summary_file.parent)
            except (OSError, ValueError, KeyError):
                return None
    return None
