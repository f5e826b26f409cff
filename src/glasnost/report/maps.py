"""The map of an assessment (matplotlib, Agg backend), and the figure styles it shares with the
margin heat map (:mod:`glasnost.report.heatmap`).

Pure plotting: the caller gives positions, ground tracks and coverage footprints already
computed; these functions only choose what to draw and how, and return a matplotlib
Figure (:func:`figure_bytes` renders it as PNG, SVG or PDF). The map is in the north-polar
azimuthal equidistant projection (:mod:`glasnost.report.projection`), which keeps routes over
the Arctic whole and footprints around the pole closed, on the offline Natural Earth 1:110m
land outline shipped as ``data/world_land_110m.json`` (public domain; built by
``scripts/build_world_outline.py``), so that a figure needs no network. Two sizes:
:data:`SCREEN` and :data:`JOURNAL`.
"""

from __future__ import annotations

import io
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from glasnost.defense.geometry import Footprint
from glasnost.report.projection import PolarAzimuthal, densify

FloatArray = NDArray[np.float64]

WORLD_LAND = "world_land_110m.json"

PARTY_COLORS = ("#1f5fa8", "#c0392b", "#2e8b57", "#8e44ad", "#d4a017", "#16a085")
PARTY_MARKERS = ("^", "s", "D", "p", "h", "o")
ENGAGEABLE_COLOR = "#ff8c00"
LAND_COLOR = "#e9e6dd"
LAND_EDGE = "#b5b0a1"
OCEAN_COLOR = "#f4f8fb"
DPI = 150


@dataclass(frozen=True)
class SiteMarker:
    """An interceptor site: where, which party, how many interceptors."""

    lon: float
    lat: float
    label: str
    party: str
    count: int


@dataclass(frozen=True)
class RadarMarker:
    """A radar and the ground footprint of its coverage (a closed ring; empty: none)."""

    lon: float
    lat: float
    label: str
    party: str
    fire_control: bool
    footprint_lon: FloatArray = field(default_factory=lambda: np.empty(0))
    footprint_lat: FloatArray = field(default_factory=lambda: np.empty(0))


def radar_markers(party: str, footprints: Sequence[Footprint]) -> list[RadarMarker]:
    """A marker for each footprint's radar, with its footprint."""
    return [
        RadarMarker(
            f.radar.lon_deg,
            f.radar.lat_deg,
            f.radar.id,
            party,
            f.radar.role == "fire_control",
            f.lon_deg,
            f.lat_deg,
        )
        for f in footprints
    ]


@dataclass(frozen=True)
class PointMarker:
    """A launch base or a target."""

    lon: float
    lat: float
    label: str
    party: str


@dataclass(frozen=True)
class Track:
    """A ground track (deg), in time order."""

    lon: FloatArray
    lat: FloatArray


@cache
def load_world_land() -> tuple[tuple[FloatArray, ...], ...]:
    """The land polygons: each a tuple of closed rings, arrays (N, 2) of lon, lat in degrees;
    the first ring is the outer boundary (counter-clockwise), the others holes (clockwise)."""
    text = resources.files("glasnost.report").joinpath("data", WORLD_LAND).read_text("utf-8")
    document = json.loads(text)
    return tuple(
        tuple(np.asarray(ring, dtype=np.float64).reshape(-1, 2) for ring in polygon)
        for polygon in document["polygons"]
    )


def party_style(parties: Sequence[str], party: str) -> tuple[str, str]:
    """(colour, marker) of a party: by its position in ``parties``."""
    k = parties.index(party) if party in parties else len(parties)
    return PARTY_COLORS[k % len(PARTY_COLORS)], PARTY_MARKERS[k % len(PARTY_MARKERS)]


def split_antimeridian(lon: ArrayLike, lat: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """A polyline cut where it crosses the antimeridian (a step of more than 180 deg in
    longitude): the crossing point is added on both edges and NaN breaks the line between."""
    x = np.asarray(lon, dtype=np.float64)
    y = np.asarray(lat, dtype=np.float64)
    if x.size < 2:
        return x, y
    out_x: list[float] = [float(x[0])]
    out_y: list[float] = [float(y[0])]
    for k in range(1, x.size):
        x0, y0, x1, y1 = float(x[k - 1]), float(y[k - 1]), float(x[k]), float(y[k])
        if abs(x1 - x0) > 180.0:
            edge = 180.0 if x0 > 0 else -180.0
            x1_unwrapped = x1 + (360.0 if x0 > 0 else -360.0)
            f = (edge - x0) / (x1_unwrapped - x0) if x1_unwrapped != x0 else 0.5
            y_cross = y0 + f * (y1 - y0)
            out_x += [edge, math.nan, -edge]
            out_y += [y_cross, math.nan, y_cross]
        out_x.append(x1)
        out_y.append(y1)
    return np.array(out_x), np.array(out_y)


def _degrees(value: float, positive: str, negative: str) -> str:
    v = round(value)
    if v == 0:
        return "0°"
    if abs(v) == 180 and positive == "E":
        return "180°"
    return f"{abs(v)}°{positive if v > 0 else negative}"


@dataclass(frozen=True)
class Style:
    """Size and type of a figure: width (inches) and the base font size (points)."""

    width_in: float
    font_pt: float


SCREEN = Style(width_in=10.0, font_pt=9.0)
"""The HTML report and the dashboard."""

JOURNAL = Style(width_in=7.0, font_pt=8.0)
"""A journal's full page width (7 in, 178 mm; the common limit is 7.0-7.3 in) and its usual
smallest type (7-8 pt), for ``glasnost assess --figures``."""


@dataclass(frozen=True)
class Engagement:
    """An intercept window to highlight: the site, its position, the part of the route's ground
    track between the earliest and the latest intercept, and a label (the route)."""

    site: str
    site_lon: float
    site_lat: float
    window: Track
    label: str


HIGHLIGHT_COLORS = ("#e6550d", "#31a354", "#756bb1", "#d62728", "#17becf", "#bcbd22", "#8c564b")


def world_map_png(**kwargs: Any) -> bytes:
    """:func:`world_map_figure` as PNG bytes (same arguments)."""
    return figure_bytes(world_map_figure(**kwargs), "png")


def figure_bytes(fig: Any, fmt: str) -> bytes:
    """A figure as ``png`` (150 dpi), ``svg`` or ``pdf`` (text kept as text) bytes."""
    import matplotlib

    # No creation date in the files: the same assessment gives the same bytes.
    metadata = {"svg": {"Date": None}, "pdf": {"CreationDate": None}}.get(fmt)
    buf = io.BytesIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "pdf.fonttype": 42, "svg.hashsalt": "0"}):
        fig.savefig(
            buf,
            format=fmt,
            dpi=DPI,
            bbox_inches="tight",
            pad_inches=0.05,
            metadata=metadata,
        )
    return buf.getvalue()


def fit_width(fig: Any, width_in: float) -> Any:
    """Shrink ``fig`` so that its tight bounding box (labels and legends included, as it is
    saved) is at most ``width_in`` wide; the height scales with it. Returns ``fig``."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    for _ in range(3):
        box = fig.get_tightbbox(canvas.get_renderer())  # type: ignore[no-untyped-call]
        excess = float(box.width) - width_in
        if excess <= 0.01:
            break
        w, h = fig.get_size_inches()
        fig.set_size_inches(w - excess, h * (w - excess) / w)
    return fig


def _extent_deg(proj: PolarAzimuthal, lats: list[float]) -> float:
    """The map's radius from the pole (deg): the farthest point plus a margin, 40-150 deg."""
    far = float(np.max(proj.polar_distance_deg(lats))) if lats else 90.0
    return float(min(150.0, max(40.0, 10.0 * math.ceil((far + 6.0) / 10.0))))


def world_map_figure(
    *,
    title: str,
    parties: Sequence[str],
    sites: Sequence[SiteMarker] = (),
    radars: Sequence[RadarMarker] = (),
    tracks: Sequence[Track] = (),
    engageable: Sequence[Track] = (),
    highlighted: Sequence[Engagement] = (),
    bases: Sequence[PointMarker] = (),
    targets: Sequence[PointMarker] = (),
    coverage_note: str = "radar coverage",
    label_sites: bool = True,
    style: Style = SCREEN,
) -> Any:
    """A map in the north-polar azimuthal equidistant projection (:mod:`.projection`) as a
    matplotlib Figure: land, radar footprints, offensive ground tracks, every intercept window
    (thin), the ``highlighted`` ones (each in its own colour, joined to its site), launch bases,
    targets and interceptor sites (one marker shape and colour per party, area by the number of
    interceptors, hollow when none). It reaches as far south as the content does."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.patches import Circle, Patch, PathPatch
    from matplotlib.path import Path

    proj = PolarAzimuthal()
    fs = style.font_pt
    lats = [s.lat for s in sites] + [r.lat for r in radars]
    lats += [p.lat for p in (*bases, *targets)]
    lats += [float(np.nanmin(t.lat)) for t in tracks if t.lat.size]
    lats += [float(np.nanmin(r.footprint_lat)) for r in radars if r.footprint_lat.size]
    extent = _extent_deg(proj, lats)
    edge_km = proj.radius_km(extent)

    fig = Figure(figsize=(style.width_in, style.width_in * 1.18))
    ax = fig.add_axes((0.0, 0.2, 1.0, 0.75))
    ax.set_aspect("equal")
    ax.set_axis_off()
    ax.set_xlim(-edge_km * 1.04, edge_km * 1.04)
    ax.set_ylim(-edge_km * 1.04, edge_km * 1.04)
    disk = Circle((0.0, 0.0), edge_km, facecolor=OCEAN_COLOR, edgecolor="#555555", lw=0.8)
    ax.add_patch(disk)

    def xy(lon: ArrayLike, lat: ArrayLike) -> tuple[FloatArray, FloatArray]:
        return proj.project(lon, lat)

    def clipped(artists: Any) -> None:
        for artist in artists if isinstance(artists, list) else [artists]:
            artist.set_clip_path(disk)

    # Land: one compound path of the densified, projected rings.
    verts: list[FloatArray] = []
    codes: list[NDArray[np.uint8]] = []
    for polygon in load_world_land():
        for ring in polygon:
            if float(np.max(proj.polar_distance_deg(ring[:, 1]))) > 175.0:
                continue  # Antarctica: around the antipode of the centre, never on the map
            lon, lat = densify(ring[:, 0], ring[:, 1])
            x, y = xy(lon, lat)
            c = np.full(len(x), Path.LINETO, dtype=np.uint8)
            c[0] = Path.MOVETO
            verts.append(np.column_stack([x, y]))
            codes.append(c)
    land = Path(np.concatenate(verts), np.concatenate(codes))
    clipped(ax.add_patch(PathPatch(land, facecolor=LAND_COLOR, edgecolor=LAND_EDGE, lw=0.4)))

    # Graticule: parallels every 15 deg, meridians every 30 deg, labelled at the rim.
    for colat in np.arange(15.0, extent + 0.1, 15.0):
        r = proj.radius_km(float(colat))
        clipped(ax.add_patch(Circle((0, 0), r, fill=False, ec="#c8d3dc", lw=0.4, ls=":")))
        ax.text(
            r * math.sin(math.radians(8.0)),
            -r * math.cos(math.radians(8.0)),
            _degrees(90.0 - colat, "N", "S"),
            fontsize=fs - 2,
            color="#7a8a99",
            ha="center",
            va="center",
        )
    for lon0 in np.arange(-180.0, 180.0, 30.0):
        x, y = xy([lon0, lon0], [75.0, 90.0 - extent])
        ax.plot(x, y, color="#c8d3dc", lw=0.4, ls=":", zorder=0.5)
        lx, ly = xy(lon0, 90.0 - extent * 1.0)
        scale = 1.0 + 0.05
        ax.text(
            float(lx) * scale,
            float(ly) * scale,
            _degrees(lon0, "E", "W"),
            fontsize=fs - 2,
            color="#555555",
            ha="center",
            va="center",
        )

    # Radar footprints: rings projected as they are (closed around the pole when they wind it).
    for radar in radars:
        color, _ = party_style(parties, radar.party)
        if radar.footprint_lon.size >= 3:
            x, y = xy(radar.footprint_lon, radar.footprint_lat)
            clipped(
                ax.fill(
                    x,
                    y,
                    facecolor=color,
                    alpha=0.07 if radar.fire_control else 0.04,
                    edgecolor="none",
                    zorder=2,
                )
            )
            clipped(
                ax.plot(
                    x,
                    y,
                    color=color,
                    lw=0.7,
                    alpha=0.55,
                    ls="-" if radar.fire_control else "--",
                    zorder=2,
                )
            )
        rx, ry = xy(radar.lon, radar.lat)
        ax.plot(
            rx, ry, marker="o", ms=fs * 0.45, mfc="white", mec=color, mew=1.0, ls="none", zorder=6
        )

    for track in tracks:
        x, y = xy(track.lon, track.lat)
        clipped(ax.plot(x, y, color="#555555", lw=0.5, alpha=0.35, zorder=3))
    for seg in engageable:
        x, y = xy(seg.lon, seg.lat)
        clipped(
            ax.plot(
                x,
                y,
                color=ENGAGEABLE_COLOR,
                lw=0.5,
                alpha=0.3,
                zorder=4,
                marker="o" if seg.lon.size == 1 else None,
                ms=2,
            )
        )

    # The highlighted windows: one colour each, joined to the site by a dotted line.
    highlight_handles: list[Any] = []
    for k, e in enumerate(highlighted):
        color = HIGHLIGHT_COLORS[k % len(HIGHLIGHT_COLORS)]
        x, y = xy(e.window.lon, e.window.lat)
        sx, sy = xy(e.site_lon, e.site_lat)
        ax.plot([float(sx), x[0]], [float(sy), y[0]], color=color, lw=0.8, ls=":", zorder=8.5)
        ax.plot(x, y, color=color, lw=2.4, solid_capstyle="round", zorder=8.6)
        ax.plot(
            x[:1], y[:1], marker="o", ms=fs * 0.45, color=color, mec="black", mew=0.4, zorder=8.7
        )
        highlight_handles.append(
            Line2D([], [], color=color, lw=2.4, label=f"closest for {e.site}: {e.label}")
        )

    for base in bases:
        color, _ = party_style(parties, base.party)
        bx, by = xy(base.lon, base.lat)
        ax.plot(bx, by, marker="v", ms=fs * 0.6, color=color, mec="black", mew=0.4, zorder=7)
    for target in targets:
        color, _ = party_style(parties, target.party)
        tx, ty = xy(target.lon, target.lat)
        ax.plot(tx, ty, marker="x", ms=fs * 0.55, color=color, mew=1.0, zorder=7)

    def area(count: int) -> float:
        return (fs / 9.0) ** 2 * (25.0 + 20.0 * math.sqrt(count))

    for site in sites:
        color, marker = party_style(parties, site.party)
        px, py = xy(site.lon, site.lat)
        ax.scatter(
            [float(px)],
            [float(py)],
            s=area(site.count),
            marker=marker,
            facecolor=color if site.count > 0 else "white",
            edgecolor="black" if site.count > 0 else color,
            linewidths=0.7,
            alpha=0.9,
            zorder=9,
        )
        if label_sites:
            ax.annotate(
                site.label,
                (float(px), float(py)),
                xytext=(5, 4),
                textcoords="offset points",
                fontsize=fs - 1.5,
                color="#222222",
                zorder=9.5,
                bbox={"boxstyle": "round,pad=0.12", "fc": "white", "ec": "none", "alpha": 0.7},
            )

    ax.set_title(title, fontsize=fs + 1.5, fontweight="bold", loc="left")

    handles: list[Any] = []
    for party in dict.fromkeys(s.party for s in sites):
        color, marker = party_style(parties, party)
        handles.append(
            Line2D(
                [],
                [],
                marker=marker,
                ls="none",
                ms=fs * 0.8,
                mfc=color,
                mec="black",
                label=f"{party} interceptor sites (hollow: none)",
            )
        )
    for party in dict.fromkeys(r.party for r in radars):
        color, _ = party_style(parties, party)
        handles.append(
            Patch(facecolor=color, alpha=0.25, edgecolor=color, label=f"{party} fire control")
        )
        if any(not r.fire_control for r in radars if r.party == party):
            handles.append(
                Patch(facecolor="none", edgecolor=color, ls="--", label=f"{party} early warning")
            )
    if tracks:
        handles.append(Line2D([], [], color="#555555", lw=0.8, label="ground tracks"))
    if engageable:
        handles.append(Line2D([], [], color=ENGAGEABLE_COLOR, lw=1.0, label="intercept windows"))
    for party in dict.fromkeys(b.party for b in bases):
        color, _ = party_style(parties, party)
        handles.append(
            Line2D([], [], marker="v", ls="none", color=color, mec="black", label=f"{party} launch")
        )
    for party in dict.fromkeys(t.party for t in targets):
        color, _ = party_style(parties, party)
        handles.append(Line2D([], [], marker="x", ls="none", color=color, label=f"{party} target"))
    handles += highlight_handles
    legend_ax = fig.add_axes((0.0, 0.0, 1.0, 0.19))
    legend_ax.set_axis_off()
    if handles:
        legend_ax.legend(
            handles=handles,
            loc="upper left",
            ncol=3,
            fontsize=fs - 1.5,
            frameon=False,
            title=coverage_note,
            title_fontsize=fs - 1.5,
            alignment="left",
        )
    return fit_width(fig, style.width_in)
