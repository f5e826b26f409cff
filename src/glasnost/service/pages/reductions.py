"""The reductions page: each party's declared strategic forces over time against the agreement's
limits (the series of :func:`glasnost.treaty.compliance.compliance`), one chart per category,
drawn server-side as inline SVG (matplotlib, no script), and the same numbers as a table.

The limit line is the agreement's reduction schedule: each step's limit from its date on.
Charts are drawn once per series (kept by their content).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from collections.abc import Sequence
from typing import Any

from glasnost.report.maps import party_style
from glasnost.service.pages.common import PLOT_LOCK, Site, by_party
from glasnost.treaty.agreement import ReductionStep
from glasnost.treaty.compliance import compliance

__all__ = ["CATEGORIES", "chart_svg", "page"]

CATEGORIES = (
    ("deployed_launchers", "Deployed launchers"),
    ("deployed_warheads", "Deployed warheads"),
    ("total_launchers", "Deployed and non-deployed launchers"),
)
"""The New START categories the agreement limits: (field, title)."""

LIMIT_COLOR = "#333333"


def chart_svg(
    category: str,
    title: str,
    series: Sequence[tuple[str, Sequence[dict[str, Any]]]],
    steps: Sequence[ReductionStep],
    parties: Sequence[str],
) -> str:
    """One category's chart as an ``<svg>`` element: a line per party over its declarations'
    ``as_of`` dates, and the limit as a step line from each step's date on."""
    import matplotlib

    matplotlib.use("Agg")
    import numpy as np
    from matplotlib import rc_context
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter

    def days(values: Sequence[dt.date]) -> np.ndarray[Any, np.dtype[np.datetime64]]:
        return np.array(values, dtype="datetime64[D]")

    dates = [dt.date.fromisoformat(p["as_of"]) for _, points in series for p in points]
    limited = [s for s in steps if getattr(s, category) is not None]
    dates += [s.by for s in limited]
    today = dt.datetime.now(dt.UTC).date()
    end = max(dates, default=today)
    end += max(dt.timedelta(days=60), (end - min(dates, default=today)) / 8)

    salt = f"glasnost-{category}"
    with rc_context({"svg.fonttype": "none", "svg.hashsalt": salt, "date.converter": "concise"}):
        fig = Figure(figsize=(5.0, 3.3))
        ax = fig.add_subplot()
        top = 0.0
        for party, points in series:
            if not points:
                continue
            color, marker = party_style(list(parties), party)
            x = days([dt.date.fromisoformat(p["as_of"]) for p in points])
            y = [float(p[category]) for p in points]
            top = max(top, *y)
            ax.plot(x, y, color=color, marker=marker, lw=1.8, ms=6, label=party, zorder=3)
        if limited:
            x_limit: list[dt.date] = []
            y_limit: list[float] = []
            for k, s in enumerate(limited):
                until = limited[k + 1].by if k + 1 < len(limited) else end
                value = float(getattr(s, category))
                x_limit += [s.by, until]
                y_limit += [value, value]
                top = max(top, value)
            ax.plot(
                days(x_limit), y_limit, color=LIMIT_COLOR, lw=1.4, ls="--", label="limit", zorder=2
            )
        ax.margins(x=0.06)
        ax.set_ylim(0, max(top, 1.0) * 1.18)
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
        ax.grid(color="#dde3e8", lw=0.6)
        ax.set_title(title, loc="left", fontsize=11, fontweight="bold")
        ax.tick_params(labelsize=9)
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=9, frameon=True, framealpha=0.9, edgecolor="none", loc="best")
        fig.tight_layout()
        buf = io.StringIO()
        fig.savefig(buf, format="svg")
    text = buf.getvalue()
    svg = text[text.index("<svg") :]
    label = f"{title}: declared by each party over time, with the limit"
    return re.sub(
        r"^<svg\b",
        f'<svg role="img" aria-label="{label}" class="chart" data-category="{category}"',
        svg,
        count=1,
    )


def page(site: Site) -> dict[str, Any]:
    """The charts and the table of the declared forces against the limits."""
    report = compliance(site.agreement, site.views()).to_json()
    order = list(site.agreement.party_ids())
    series = by_party(report["reductions"], order)
    parties = [p for p, _ in series]
    steps = site.agreement.reductions
    key = ("reductions", json.dumps(series, sort_keys=True), site.agreement.text_sha256())

    def draw() -> list[tuple[str, str, str]]:
        with PLOT_LOCK:
            return [
                (category, title, chart_svg(category, title, series, steps, parties))
                for category, title in CATEGORIES
            ]

    charts = site.figures.get(key, draw)
    rows = sorted(
        ({"party": party, **point} for party, points in series for point in points),
        key=lambda r: (r["as_of"], r["party"]),
    )
    return {
        "charts": charts,
        "rows": rows,
        "steps": steps,
        "categories": CATEGORIES,
        "findings": [f for f in report["findings"] if f["kind"] == "reduction"],
    }
