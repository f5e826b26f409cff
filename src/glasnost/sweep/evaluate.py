"""One sample's assessment as one row of the per-sample table (runs on the workers).

Columns: ``sample`` (index in the plan), each input by its path, ``no_threat`` (the verdict),
``error`` (empty, or why this sample could not be assessed), and per criterion result
``<criterion id> | <subject>`` (its value) and ``... | passed``; per direction
``defeatable | <defender> vs <attacker>`` (warheads defeatable); per interceptor site
``engageable | <site id>`` (routes the site could engage, over every threat shape).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

from glasnost.defense.assessment import Assessment, assess
from glasnost.scenario.loading import ScenarioError
from glasnost.scenario.models import Scenario
from glasnost.sweep.inputs import sample_scenario
from glasnost.sweep.plan import Plan

VERDICT = "no_threat"
ERROR = "error"
PASSED = " | passed"
DEFEATABLE = "defeatable | "
ENGAGEABLE = "engageable | "


def criterion_column(criterion_id: str, subject: str) -> str:
    return f"{criterion_id} | {subject}"


def outcome(result: Assessment) -> dict[str, Any]:
    """The numbers a sweep keeps of one assessment."""
    row: dict[str, Any] = {VERDICT: result.no_threat}
    for c in result.criteria:
        name = criterion_column(c.id, c.subject)
        row[name] = float(c.value)
        row[name + PASSED] = bool(c.passed)
    engageable: dict[str, int] = {}
    for d in result.directions:
        key = f"{DEFEATABLE}{d.defender} vs {d.attacker}"
        if len(result.scenario.assessment.shapes()) > 1:
            key += f" ({d.shape})"
        row[key] = int(d.capacity.warheads_defeatable)
        per_site = np.asarray(d.table.feasible).sum(axis=1)
        for site, n in zip(d.sites, per_site, strict=True):
            engageable[site.id] = engageable.get(site.id, 0) + int(n)
    row.update({ENGAGEABLE + k: v for k, v in engageable.items()})
    return row


def evaluate_chunk(
    scenario: Scenario, plan: Plan, start: int, stop: int, date: dt.date | None = None
) -> pd.DataFrame:
    """Rows ``start:stop`` of the plan, assessed one after the other. A sample whose scenario
    is invalid or whose assessment cannot run keeps its row, with the reason in ``error``."""
    values = plan.values()[start:stop]
    rows: list[dict[str, Any]] = []
    for offset, row_values in enumerate(values):
        row: dict[str, Any] = {"sample": start + offset}
        row.update({p: float(x) for p, x in zip(plan.paths, row_values, strict=True)})
        try:
            result = assess(sample_scenario(scenario, plan, row_values), date)
        except (ScenarioError, ValueError) as exc:
            row[ERROR] = str(exc).splitlines()[0]
        else:
            row[ERROR] = ""
            row.update(outcome(result))
        rows.append(row)
    return pd.DataFrame(rows)
