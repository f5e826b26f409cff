"""The HTML report of a sweep (``glasnost sweep --html FILE``): one self-contained file.

The verdict's probability, each criterion's failure probability and spread, a tornado chart of
the sensitivity indices, a histogram per criterion that varies, and for a grid over two inputs
the feasibility map with the verdict's flip contour. Reads the sweep's summary and table
(:class:`glasnost.sweep.SweepResult`); rendered with Jinja2 (``templates/sweep.html.j2``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from glasnost.report import sweep_plots
from glasnost.report.html import Picture, _environment
from glasnost.sweep import SweepResult
from glasnost.sweep.analysis import assessed, verdict_grid
from glasnost.sweep.evaluate import ENGAGEABLE, PASSED, VERDICT


def _tornado(summary: dict[str, Any], output: str, title: str) -> Picture | None:
    entry = summary.get("sensitivity", {}).get("outputs", {}).get(output)
    if not entry or entry["constant"]:
        return None
    rows = entry["ranking"]
    names = [r["input"] for r in rows]
    total = [r["ST"] for r in rows] if "ST" in rows[0] else None
    figure = sweep_plots.tornado_figure(names, [r["S1"] for r in rows], total, title=title)
    return Picture(
        f"tornado_{output}",
        title,
        f"{summary['sensitivity']['method']}; the inputs that drive it most are on top.",
        f"tornado chart of the sensitivity of {output}",
        figure,
    )


def _histograms(result: SweepResult) -> list[Picture]:
    ok = assessed(result.table)
    out = []
    for name in (c.removesuffix(PASSED) for c in ok.columns if c.endswith(PASSED)):
        values = ok[name].to_numpy(dtype=np.float64)
        if np.ptp(values) == 0.0:
            continue
        out.append(
            Picture(
                f"histogram_{name}",
                name,
                f"{len(values)} samples.",
                f"histogram of {name}",
                sweep_plots.histogram_figure(values, title=name, xlabel="criterion value"),
            )
        )
    return out


def feasibility_map(result: SweepResult, site: str | None = None) -> Picture | None:
    """A grid sweep over two inputs: the site's engageable routes (or the number of criteria
    failing) on the grid, with the flip contour; None for other sweeps."""
    plan = result.plan
    if plan.method != "grid" or len(plan.variables) != 2:
        return None
    table = result.table.copy()
    if site is not None and ENGAGEABLE + site in table.columns:
        column, label = ENGAGEABLE + site, f"routes {site} can engage"
    else:
        passed = [c for c in table.columns if c.endswith(PASSED)]
        table["criteria failing"] = (~table[passed].astype("boolean")).sum(axis=1)
        column, label = "criteria failing", "criteria failing"
    value = verdict_grid(plan, table, column)
    verdict = verdict_grid(plan, table, VERDICT)
    x, y = (plan.grid_levels(v) for v in plan.variables)
    title = f"Feasibility map{f' of {site}' if site else ''}"
    figure = sweep_plots.feasibility_map_figure(
        x,
        y,
        value,
        verdict,
        xlabel=plan.paths[0],
        ylabel=plan.paths[1],
        value_label=label,
        title=title,
    )
    return Picture(
        "feasibility_map",
        title,
        f"{label} over the grid; the red line is where the verdict flips between threat and no "
        "threat; crosses mark threat.",
        "feasibility map with the verdict's flip contour",
        figure,
    )


def sweep_pictures(result: SweepResult, site: str | None = None) -> list[Picture]:
    """The sweep's pictures: the feasibility map (a two-input grid), the tornado charts of the
    verdict and of each criterion, the histograms of the criteria that vary."""
    s = result.summary
    pictures = [
        p
        for p in (
            feasibility_map(result, site),
            _tornado(s, VERDICT, "What drives the verdict"),
        )
        if p is not None
    ]
    for c in s.get("criteria", []):
        tornado = _tornado(s, c["criterion"], f"What drives {c['criterion']}")
        if tornado is not None:
            pictures.append(tornado)
    return pictures + _histograms(result)


def render_sweep_html(result: SweepResult, site: str | None = None) -> str:
    """The sweep's report as one self-contained HTML document."""
    template = _environment().get_template("sweep.html.j2")
    return template.render(s=result.summary, pictures=sweep_pictures(result, site))


def write_sweep_html(result: SweepResult, path: str | Path, site: str | None = None) -> None:
    """Write :func:`render_sweep_html` to ``path`` (UTF-8)."""
    Path(path).write_text(render_sweep_html(result, site), encoding="utf-8")
