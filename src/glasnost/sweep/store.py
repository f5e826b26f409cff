"""A sweep's folder: the plan, one Parquet file per completed chunk, the table and summary.

    OUT/plan.json            what is computed (plan, scenario digest, date, chunk size, version)
    OUT/chunks/00003.parquet the rows of chunk 3, written when it completes
    OUT/samples.parquet      the per-sample table (every chunk, in sample order)
    OUT/summary.json         probabilities, distributions, sensitivities, flips

Every file is written to a temporary name and renamed into place, so a killed sweep leaves
only whole files; ``--resume`` reads the plan back, refuses a different one, and computes only
the chunks that have no file yet.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    import dask.dataframe as dd

PLAN = "plan.json"
SAMPLES = "samples.parquet"
SUMMARY = "summary.json"
CHUNKS = "chunks"


class SweepStoreError(ValueError):
    """A sweep folder that cannot be used as asked (says which file and why)."""


def _replace(path: Path, write: Callable[[Path], object]) -> None:
    """Write through ``write(tmp)`` and rename over ``path``: the file is whole or absent."""
    tmp = path.with_name(path.name + ".tmp")
    write(tmp)
    os.replace(tmp, path)


def write_json(path: Path, data: dict[str, Any]) -> None:
    _replace(path, lambda tmp: tmp.write_text(json.dumps(data, indent=2) + "\n"))


def write_table(path: Path, table: pd.DataFrame) -> None:
    _replace(path, lambda tmp: table.to_parquet(tmp, index=False))


class SweepStore:
    """The folder of one sweep."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def chunk_path(self, index: int) -> Path:
        return self.folder / CHUNKS / f"{index:05d}.parquet"

    def open(self, record: dict[str, Any], resume: bool) -> set[int]:
        """Start (or, with ``resume``, continue) the sweep described by ``record``; the chunk
        indices already computed."""
        plan_file = self.folder / PLAN
        if plan_file.exists():
            if not resume:
                raise SweepStoreError(
                    f"{self.folder}: holds a sweep already; add --resume to continue it, "
                    "or choose another --out"
                )
            try:
                stored = json.loads(plan_file.read_text())
            except (OSError, ValueError) as exc:
                raise SweepStoreError(f"{plan_file}: cannot read ({exc})") from None
            changed = sorted(
                k for k in record.keys() | stored.keys() if record.get(k) != stored.get(k)
            )
            if changed:
                raise SweepStoreError(
                    f"{plan_file}: --resume needs the same sweep; differs in: {', '.join(changed)}"
                )
        else:
            if resume:
                raise SweepStoreError(f"{self.folder}: no sweep to resume ({PLAN} is missing)")
            (self.folder / CHUNKS).mkdir(parents=True, exist_ok=True)
            write_json(plan_file, record)
        (self.folder / CHUNKS).mkdir(parents=True, exist_ok=True)
        return {int(p.stem) for p in (self.folder / CHUNKS).glob("*.parquet") if p.stem.isdigit()}

    def save_chunk(self, index: int, table: pd.DataFrame) -> None:
        write_table(self.chunk_path(index), table)

    def read_chunks(self, count: int) -> pd.DataFrame:
        """Every chunk's rows, in sample order."""
        parts = [pd.read_parquet(self.chunk_path(i)) for i in range(count)]
        table = pd.concat(parts, ignore_index=True)
        return table.sort_values("sample", kind="stable").reset_index(drop=True)

    def dask_table(self) -> dd.DataFrame:
        """The per-sample table as a Dask DataFrame read lazily from the chunk files (one
        partition per chunk, in sample order): for sweeps too large for memory."""
        import dask.dataframe as dd

        files = sorted((self.folder / CHUNKS).glob("*.parquet"))
        if not files:
            raise SweepStoreError(f"{self.folder / CHUNKS}: no chunk computed yet")
        # pandas reads each chunk (dask's own Parquet reader calls pandas API deprecated in 3.1)
        meta = pd.read_parquet(files[0])
        table: dd.DataFrame = dd.from_map(pd.read_parquet, files, meta=meta)  # type: ignore[no-untyped-call]
        return table

    def save_result(self, table: pd.DataFrame, summary: dict[str, Any]) -> None:
        write_table(self.folder / SAMPLES, table)
        write_json(self.folder / SUMMARY, summary)
