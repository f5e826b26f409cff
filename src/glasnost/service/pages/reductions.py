"""The reductions page: each party's declared strategic forces over time against the agreement's
limits (the series of :func:`glasnost.treaty.compliance.compliance`), one chart per category,
drawn server-side as inline SVG (matplotlib, no script), and the same numbers as a table.

Each declaration states a party's forces from its *as of* date until the next one, so each party
is a step line over time; the limit line is the agreement's reduction schedule, each step's limit
from its date on. Charts are drawn once per series and day (kept by their content).
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

__all__ = ["CATEGORIES", "chart_svg", "held", "page"]

CATEGORIES = (
    ("deployed_launchers", "Deployed launchers"),
    ("deployed_warheads", "Deployed warheads"),
    ("total_launchers", "Deployed and non-deployed launchers"),
)
"""The New START categories the agreement limits: (field, title)."""

LIMIT_COLOR = "#333333"
OVER_COLOR = "#c0392b"


def held(
    dates: Sequence[dt.date], values: Sequence[float], end: dt.date
) -> tuple[list[dt.date], list[float]]:
    """A step line of values that each hold from their date until the next one (the last until
    ``end``): a declaration states the forces from its *as of* date on, until the next."""
    x: list[dt.date] = []
    y: list[float] = []
    for k, (start, value) in enumerate(zip(dates, values, strict=True)):
        until = dates[k + 1] if k + 1 < len(dates) else max(end, start)
        x += [start, until]
        y += [value, value]
    return x, y


def _on_axis(day: dt.date) -> Any:
    """A date as a position on a date axis (matplotlib's unit conversion takes dates where its
    type hints say float)."""
    return day


def chart_svg(
    category: str,
    title: str,
    series: Sequence[tuple[str, Sequence[dict[str, Any]]]],
    steps: Sequence[ReductionStep],
    parties: Sequence[str],
    today: dt.date,
) -> str:
    """One category's chart as an ``<svg>`` element, over time: each party's declared count as
    a step line (each declaration holds from its *as of* date until the next, the latest until
    today, then dotted to the chart's end: if it stays unchanged) with a marker per declaration,
    the reduction schedule as a dashed step line (each step's limit from its date on, the region
    over it shaded, its dates marked and its values in the legend), and today's date. The
    lines' SVG groups are named ``{category}-declared-{party}``, ``{category}-unchanged-{party}``
    and ``{category}-limit``."""
    import matplotlib

    matplotlib.use("Agg")
    import numpy as np
    from matplotlib import rc_context
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter

    def days(values: Sequence[dt.date]) -> np.ndarray[Any, np.dtype[np.datetime64]]:
        return np.array(values, dtype="datetime64[D]")

    declared = [
        (party, [dt.date.fromisoformat(p["as_of"]) for p in points], points)
        for party, points in series
        if points
    ]
    limited = [s for s in steps if getattr(s, category) is not None]
    dates = [d for _, ds, _ in declared for d in ds] + [s.by for s in limited] + [today]
    first, last = min(dates), max(dates)
    span = max(dt.timedelta(days=180), (last - first) / 4)
    begin, end = first - span / 4, last + span

    salt = f"glasnost-{category}"
    with rc_context({"svg.fonttype": "none", "svg.hashsalt": salt, "date.converter": "concise"}):
        fig = Figure(figsize=(5.0, 3.3))
        ax = fig.add_subplot()
        top = 0.0
        for party, party_dates, points in declared:
            color, marker = party_style(list(parties), party)
            values = [float(p[category]) for p in points]
            top = max(top, *values)
            x, y = held(party_dates, values, today)
            (line,) = ax.plot(days(x), y, color=color, lw=1.8, label=party, zorder=3)
            line.set_gid(f"{category}-declared-{party}")
            if x[-1] < end:  # after today: the latest declaration, if it stays unchanged
                (line,) = ax.plot(
                    days([x[-1], end]), [y[-1]] * 2, color=color, lw=1.2, ls=":", zorder=3
                )
                line.set_gid(f"{category}-unchanged-{party}")
            ax.plot(
                days(party_dates), values, color=color, marker=marker, ms=6, ls="none", zorder=4
            )
        if limited:
            x, y = held(
                [s.by for s in limited], [float(getattr(s, category)) for s in limited], end
            )
            top = max(top, *y)
            schedule = "; ".join(f"{getattr(s, category):,} from {s.by}" for s in limited)
            (line,) = ax.plot(
                days(x), y, color=LIMIT_COLOR, lw=1.4, ls="--", label=f"limit {schedule}", zorder=2
            )
            line.set_gid(f"{category}-limit")
            ax.fill_between(days(x), y, max(top, 1.0) * 1.18, color=OVER_COLOR, alpha=0.06, lw=0)
            for s in limited:
                ax.axvline(_on_axis(s.by), color=LIMIT_COLOR, lw=0.6, ls="--", alpha=0.5, zorder=1)
        ax.axvline(_on_axis(today), color="#8a96a0", lw=0.8, ls=":", zorder=1)
        ax.annotate(
            "today",
            (np.datetime64(today, "D"), 0),
            xytext=(3, 3),
            textcoords="offset points",
            fontsize=8,
            color="#5b6770",
        )
        ax.set_xlim(_on_axis(begin), _on_axis(end))
        ax.set_ylim(0, max(top, 1.0) * 1.18)
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
        ax.grid(color="#dde3e8", lw=0.6)
        ax.set_title(title, loc="left", fontsize=11, fontweight="bold")
        ax.tick_params(labelsize=9)
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=9, frameon=True, framealpha=0.9, edgecolor="none", loc="lower left")
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
    today = dt.datetime.now(dt.UTC).date()
    key = ("reductions", json.dumps(series, sort_keys=True), site.agreement.text_sha256(), today)

    def draw() -> list[tuple[str, str, str]]:
        with PLOT_LOCK:
            return [
                (category, title, chart_svg(category, title, series, steps, parties, today))
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
