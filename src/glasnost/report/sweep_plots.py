"""Pictures of a sweep (matplotlib, Agg): histograms of a criterion's values, a tornado chart
of sensitivity indices, and a feasibility map over two inputs with the verdict's flip contour.

Pure plotting: the caller gives arrays and labels, each function returns a matplotlib figure
(:class:`glasnost.report.html.Picture` renders it).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from numpy.typing import ArrayLike

BAR_COLORS = ("#1f5fa8", "#9dbbe0")
FLIP_COLOR = "#b3261e"


def histogram_figure(
    values: ArrayLike, *, title: str, xlabel: str, threshold: float | None = None
) -> Figure:
    """A histogram of one output over the samples, with the criterion's threshold."""
    x = np.asarray(values, dtype=np.float64)
    fig = Figure(figsize=(6.0, 3.0))
    ax = fig.add_subplot()
    bins = min(30, max(5, int(np.sqrt(len(x)))))
    ax.hist(x, bins=bins, color=BAR_COLORS[0], edgecolor="white")
    if threshold is not None:
        ax.axvline(threshold, color=FLIP_COLOR, linestyle="--", label=f"threshold {threshold:g}")
        ax.legend(fontsize=8, frameon=False)
    ax.set_xlabel(xlabel, fontsize=9)
    ax.set_ylabel("samples", fontsize=9)
    ax.set_title(title, fontsize=10, fontweight="bold", loc="left")
    return fig


def tornado_figure(
    names: Sequence[str],
    first_order: ArrayLike,
    total: ArrayLike | None = None,
    *,
    title: str,
) -> Figure:
    """Horizontal bars of each input's index, largest on top: the total index (when given)
    behind the first-order one."""
    s1 = np.asarray(first_order, dtype=np.float64)
    order = np.argsort(-(s1 if total is None else np.asarray(total, dtype=np.float64)))
    y = np.arange(len(names))[::-1]
    fig = Figure(figsize=(7.0, 1.2 + 0.45 * len(names)))
    ax = fig.add_subplot()
    if total is not None:
        st = np.asarray(total, dtype=np.float64)
        ax.barh(y, st[order], color=BAR_COLORS[1], label="total (ST)")
    ax.barh(y, s1[order], height=0.5, color=BAR_COLORS[0], label="first order (S1)")
    ax.set_yticks(y)
    ax.set_yticklabels([names[i] for i in order], fontsize=8)
    ax.axvline(0.0, color="#5b6670", linewidth=0.8)
    ax.set_xlabel("Sobol' index (share of the output's variance)", fontsize=9)
    ax.set_title(title, fontsize=10, fontweight="bold", loc="left")
    ax.legend(fontsize=8, frameon=False, loc="lower right")
    return fig


def feasibility_map_figure(
    x: ArrayLike,
    y: ArrayLike,
    value: ArrayLike,
    verdict: ArrayLike,
    *,
    xlabel: str,
    ylabel: str,
    value_label: str,
    title: str,
) -> Figure:
    """``value`` (shape (len(x), len(y))) over a grid of two inputs, with the contour where
    the verdict (1 no threat, 0 threat; NaN failed) flips."""
    xs, ys = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    z = np.asarray(value, dtype=np.float64).T
    v = np.asarray(verdict, dtype=np.float64).T
    fig = Figure(figsize=(7.0, 5.0))
    ax = fig.add_subplot()
    mesh = ax.pcolormesh(xs, ys, z, shading="nearest", cmap="viridis")
    fig.colorbar(mesh, ax=ax).set_label(value_label, fontsize=9)
    finite = v[np.isfinite(v)]
    handles = []
    if finite.size and finite.min() < 0.5 < finite.max():
        ax.contour(xs, ys, v, levels=[0.5], colors=FLIP_COLOR, linewidths=2.0)
        handles.append(Line2D([], [], color=FLIP_COLOR, linewidth=2.0, label="verdict flips"))
    threat = np.argwhere(v < 0.5)
    ax.scatter(xs[threat[:, 1]], ys[threat[:, 0]], marker="x", s=14, color="white", linewidths=0.8)
    handles.append(
        Line2D([], [], marker="x", color="black", linestyle="", label="threat (a criterion fails)")
    )
    ax.legend(handles=handles, fontsize=8, loc="upper right")
    # Only the swept ranges: the cells around the edge points would reach past them.
    ax.set_xlim(xs.min(), xs.max())
    ax.set_ylim(ys.min(), ys.max())
    ax.set_xlabel(xlabel, fontsize=9)
    ax.set_ylabel(ylabel, fontsize=9)
    ax.set_title(title, fontsize=10, fontweight="bold", loc="left")
    return fig
