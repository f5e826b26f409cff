"""The assessment's tables as CSV files (``glasnost assess --csv DIR``).

One file per table of :func:`glasnost.report.tables.assessment_tables` (``engagements.csv``,
``routes.csv``, ``sites.csv``, ``capacity.csv``, ``criteria.csv``): a header row of the column
names (units in the names), then one row per record; an undefined value is an empty cell,
booleans are ``true``/``false``, UTF-8.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path
from typing import Any

from glasnost.defense.assessment import Assessment
from glasnost.report.tables import TABLES, assessment_tables


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def write_csv_tables(assessment: Assessment, folder: str | os.PathLike[str]) -> list[Path]:
    """Write every table to ``folder`` (created if missing; its parent must exist); returns the
    paths written, in :data:`TABLES` order."""
    out = Path(folder)
    out.mkdir(exist_ok=True)
    tables = assessment_tables(assessment)
    written: list[Path] = []
    for name in TABLES:
        rows = tables[name]
        path = out / f"{name}.csv"
        with path.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            if rows:
                writer.writerow(list(rows[0]))
                writer.writerows([_cell(v) for v in row.values()] for row in rows)
        written.append(path)
    return written
