"""What a sweep's table says: the verdict's probability, each criterion's failure probability
and distribution, the inputs ranked by sensitivity, and where the verdict flips.

Sensitivity (docs/uncertainty.md): a ``saltelli`` plan gives first-order and total Sobol'
indices (SALib ``analyze.sobol``: Saltelli et al. 2010 for S1, Jansen 1999 for ST, bootstrap
confidence intervals); a ``sobol`` or ``lhs`` plan gives first-order indices by RBD-FAST (SALib
``analyze.rbd_fast``, Plischke 2010; Tarantola et al. 2006), which reads any space-filling
sample. A grid gives no indices but its flips: neighbouring grid points whose verdicts differ.
An output that does not vary has no indices (they are 0/0) and is said to be constant.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from glasnost.sweep.evaluate import DEFEATABLE, ERROR, PASSED, VERDICT
from glasnost.sweep.plan import Plan

QUANTILES = (0.05, 0.5, 0.95)
RBD_HARMONICS = 10
"""Harmonics M of RBD-FAST (SALib's default)."""

MIN_RBD_SAMPLES = 4 * RBD_HARMONICS + 2
"""RBD-FAST reads S1 from the first M harmonics of the reordered output's spectrum: fewer
samples than a few times M leave no spectrum to read (the indices are then not computed). Its
bias correction (Tissot & Prieur 2012) divides by 1 - 2M/n, and SALib's bootstrap of the
confidence interval runs it on half the samples: n // 2 must exceed 2M, so at least 4M + 2."""

MAX_FLIPS = 200
"""Critical combinations listed in the summary at most (the table holds them all)."""


def assessed(table: pd.DataFrame) -> pd.DataFrame:
    """The rows whose assessment ran."""
    return table[table[ERROR] == ""]


def criterion_columns(table: pd.DataFrame) -> list[str]:
    """The criteria's value columns (``<id> | <subject>``), in table order."""
    return [c for c in table.columns if c + PASSED in table.columns]


def _stats(values: pd.Series) -> dict[str, float]:
    x = values.to_numpy(dtype=np.float64)
    q = np.quantile(x, QUANTILES)
    return {
        "mean": float(x.mean()),
        "std": float(x.std(ddof=1)) if len(x) > 1 else 0.0,
        "min": float(x.min()),
        "p05": float(q[0]),
        "p50": float(q[1]),
        "p95": float(q[2]),
        "max": float(x.max()),
    }


def _probability(k: int, n: int) -> dict[str, Any]:
    ci = stats.binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    return {"p": k / n, "count": k, "of": n, "ci95": [float(ci.low), float(ci.high)]}


def summarize(plan: Plan, table: pd.DataFrame) -> dict[str, Any]:
    """The summary JSON of a sweep (plain data)."""
    ok = assessed(table)
    failed = table[table[ERROR] != ""]
    out: dict[str, Any] = {
        "samples": len(table),
        "assessed": len(ok),
        "failed": len(failed),
        "failures": [
            {"sample": int(r["sample"]), "error": str(r[ERROR])}
            for _, r in failed.head(5).iterrows()
        ],
    }
    if ok.empty:
        return out
    verdict = ok[VERDICT].astype(bool)
    out["no_threat"] = _probability(int(verdict.sum()), len(ok))
    out["criteria"] = [
        {
            "criterion": name,
            "fails": _probability(int((~ok[name + PASSED].astype(bool)).sum()), len(ok)),
            "value": _stats(ok[name]),
        }
        for name in criterion_columns(ok)
    ]
    out["defeatable"] = {
        c.removeprefix(DEFEATABLE): _stats(ok[c]) for c in ok.columns if c.startswith(DEFEATABLE)
    }
    out["inputs"] = {p: _stats(ok[p]) for p in plan.paths}
    if plan.method == "grid":
        out["flips"] = flips(plan, table)
    else:
        out["sensitivity"] = sensitivity(plan, table)
    return out


def sensitivity(plan: Plan, table: pd.DataFrame) -> dict[str, Any]:
    """Indices of every input for the verdict and each criterion's value, inputs ranked."""
    ok = assessed(table)
    outputs = [VERDICT, *criterion_columns(ok)]
    if plan.method == "saltelli":
        method = "Sobol' indices, Saltelli's scheme (SALib analyze.sobol)"
        if len(ok) != len(table):
            return {"method": method, "note": "not computed: some samples failed", "outputs": {}}
    else:
        method = "first-order indices by RBD-FAST (SALib analyze.rbd_fast)"
        if len(ok) < MIN_RBD_SAMPLES:
            note = f"not computed: RBD-FAST needs at least {MIN_RBD_SAMPLES} assessed samples"
            return {"method": method, "note": note, "outputs": {}}
    result: dict[str, Any] = {}
    for name in outputs:
        y = ok[name].to_numpy(dtype=np.float64)
        if np.ptp(y) == 0.0:
            result[name] = {"constant": True, "value": float(y[0]), "ranking": []}
            continue
        x = ok[list(plan.paths)].to_numpy(dtype=np.float64)
        result[name] = {"constant": False, "ranking": indices(plan, x, y)}
    return {"method": method, "outputs": result}


def indices(plan: Plan, x: np.ndarray[Any, Any], y: np.ndarray[Any, Any]) -> list[dict[str, Any]]:
    """Each input's sensitivity indices for outputs ``y`` (shape (n,)) at inputs ``x`` (shape
    (n, inputs), the plan's values): S1 and ST with confidence half-widths for a ``saltelli``
    plan, S1 by RBD-FAST otherwise; largest first."""
    problem = plan.problem()
    rows: list[dict[str, Any]] = []
    if plan.method == "saltelli":
        from SALib.analyze import sobol as salib_sobol

        res = salib_sobol.analyze(problem, y, calc_second_order=False, seed=plan.seed)
        for k, path in enumerate(plan.paths):
            rows.append(
                {
                    "input": path,
                    "S1": float(res["S1"][k]),
                    "S1_conf": float(res["S1_conf"][k]),
                    "ST": float(res["ST"][k]),
                    "ST_conf": float(res["ST_conf"][k]),
                }
            )
        return sorted(rows, key=lambda r: -r["ST"])
    from SALib.analyze import rbd_fast

    res = rbd_fast.analyze(problem, x, y, M=RBD_HARMONICS, seed=plan.seed)
    for k, path in enumerate(plan.paths):
        rows.append({"input": path, "S1": float(res["S1"][k]), "S1_conf": float(res["S1_conf"][k])})
    return sorted(rows, key=lambda r: -r["S1"])


def verdict_grid(plan: Plan, table: pd.DataFrame, column: str = VERDICT) -> np.ndarray[Any, Any]:
    """A grid sweep's ``column`` on the grid: shape (levels of input 0, levels of input 1, ...),
    NaN where the sample failed."""
    shape = tuple(len(plan.grid_levels(v)) for v in plan.variables)
    values = np.full(len(table), np.nan)
    ok = table[ERROR] == ""
    values[ok.to_numpy()] = table.loc[ok, column].to_numpy(dtype=np.float64)
    return values.reshape(shape)


def flips(plan: Plan, table: pd.DataFrame) -> dict[str, Any]:
    """The critical combinations of a grid: midpoints between neighbours whose verdicts
    differ (along each input in turn, the others held)."""
    grid = verdict_grid(plan, table)
    axes = [plan.grid_levels(v) for v in plan.variables]
    found: list[dict[str, float]] = []
    for k in range(grid.ndim):
        a = np.moveaxis(grid, k, -1)
        diff = (a[..., 1:] != a[..., :-1]) & ~np.isnan(a[..., 1:]) & ~np.isnan(a[..., :-1])
        for index in zip(*np.nonzero(diff), strict=True):
            *others, j = (int(i) for i in index)
            other_axes = [ax for m, ax in enumerate(axes) if m != k]
            point = dict(
                zip(
                    [p for m, p in enumerate(plan.paths) if m != k],
                    [float(ax[i]) for ax, i in zip(other_axes, others, strict=True)],
                    strict=True,
                )
            )
            point[plan.paths[k]] = float((axes[k][j] + axes[k][j + 1]) / 2.0)
            found.append({p: point[p] for p in plan.paths})
    return {"count": len(found), "critical": found[:MAX_FLIPS]}
