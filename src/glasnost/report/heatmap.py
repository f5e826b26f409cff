"""The margin heat map of an assessment (matplotlib, Agg backend): burnout-velocity margins of
interceptor sites against launch bases, in the figure styles of :mod:`glasnost.report.maps`.
Pure plotting: the caller gives the margins already computed."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from glasnost.report.maps import SCREEN, Style, figure_bytes, fit_width


def margin_heatmap_png(*args: Any, **kwargs: Any) -> bytes:
    """:func:`margin_heatmap_figure` as PNG bytes (same arguments)."""
    return figure_bytes(margin_heatmap_figure(*args, **kwargs), "png")


def margin_heatmap_figure(
    margins_kms: ArrayLike,
    row_labels: Sequence[str],
    column_labels: Sequence[str],
    *,
    title: str,
    row_title: str = "interceptor site",
    column_title: str = "launch base",
    engages: ArrayLike | None = None,
    empty_rows: Sequence[bool] = (),
    style: Style = SCREEN,
) -> Any:
    """A heat map of burnout-velocity margins (km/s; rows x columns) as a matplotlib Figure:
    diverging colours centred on 0 (red: negative, the site can engage; blue: positive), each
    cell annotated; NaN and infinite cells are left blank; cells where ``engages`` (rows x
    columns, bool) is True are outlined (the site can engage); rows where ``empty_rows`` is True
    (a site without interceptors) are hatched and say so."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import colormaps
    from matplotlib.colors import Normalize
    from matplotlib.figure import Figure
    from matplotlib.patches import Rectangle

    fs = style.font_pt

    m = np.asarray(margins_kms, dtype=np.float64).reshape(len(row_labels), len(column_labels))
    n_rows, n_cols = m.shape
    if n_rows == 0 or n_cols == 0:
        fig = Figure(figsize=(style.width_in, 1.2))
        fig.text(0.0, 0.75, title, fontsize=fs + 1.5, fontweight="bold")
        fig.text(0.0, 0.3, f"nothing to show: no {row_title if n_rows == 0 else column_title}")
        return fig
    finite = np.isfinite(m)
    limit = float(np.max(np.abs(m[finite]))) if finite.any() else 1.0
    limit = max(limit, 0.1)
    cmap = colormaps["RdBu"].with_extremes(bad="#ffffff")
    norm = Normalize(vmin=-limit, vmax=limit)

    # inches per column: as wide as the text, within the style's width (labels take ~2.8 in)
    cell = min(0.75 * fs / 9.0, max(0.3, (style.width_in - 3.5) / max(n_cols, 1)))
    fig = Figure(figsize=(2.5 + cell * n_cols, 1.6 + 0.6 * cell * n_rows))
    ax = fig.add_subplot()
    image = ax.imshow(
        np.ma.masked_invalid(m), cmap=cmap, norm=norm, aspect=0.6, interpolation="nearest"
    )
    for i in range(n_rows):
        for j in range(n_cols):
            if finite[i, j]:
                v = float(m[i, j])
                ax.text(
                    j,
                    i,
                    f"{v:+.2f}",
                    ha="center",
                    va="center",
                    fontsize=fs - 2.0,
                    color="white" if abs(v) > 0.6 * limit else "#111111",
                )
    if engages is not None:
        mask = np.asarray(engages, dtype=bool).reshape(n_rows, n_cols)
        for i, j in zip(*np.nonzero(mask), strict=True):
            ax.add_patch(
                Rectangle((j - 0.45, i - 0.45), 0.9, 0.9, fill=False, lw=1.6, ec="#111111")
            )
    ax.set_xticks(np.arange(n_cols))
    ax.set_xticklabels(
        column_labels, rotation=40, ha="right", rotation_mode="anchor", fontsize=fs - 1
    )
    ax.set_yticks(np.arange(n_rows))
    ax.set_yticklabels(row_labels, fontsize=fs - 1)
    for i, empty in enumerate(empty_rows):
        if empty:  # a site without interceptors engages nothing: say so across its row
            ax.add_patch(
                Rectangle(
                    (-0.5, i - 0.5), n_cols, 1.0, fill=False, hatch="///", ec="#bbbbbb", lw=0.0
                )
            )
            ax.text(
                (n_cols - 1) / 2.0,
                i,
                "no interceptors",
                ha="center",
                va="center",
                fontsize=fs - 1.5,
                style="italic",
                color="#444444",
                bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none"},
            )
    ax.set_xticks(np.arange(-0.5, n_cols, 1.0), minor=True)
    ax.set_yticks(np.arange(-0.5, n_rows, 1.0), minor=True)
    ax.grid(which="minor", color="#dddddd", lw=0.6)
    ax.tick_params(which="minor", length=0)
    ax.set_xlabel(column_title, fontsize=fs)
    ax.set_ylabel(row_title, fontsize=fs)
    ax.set_title(title, fontsize=fs + 1.5, fontweight="bold", loc="left")
    cax = ax.inset_axes((1.02, 0.0, 0.025 * 14.0 / max(n_cols, 4), 1.0))
    bar = fig.colorbar(image, cax=cax)
    bar.set_label("margin (km/s)\noutlined: can engage", fontsize=fs - 1)
    bar.ax.tick_params(labelsize=fs - 2)
    return fit_width(fig, style.width_in)
