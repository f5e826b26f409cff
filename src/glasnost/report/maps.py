"""Pictures of an assessment for the HTML report: a world map and a margin heat map (PNG).

Pure plotting (matplotlib, Agg backend): the caller gives positions, ground tracks, coverage
footprints and margins already computed; these functions only choose what to draw and how.
The map is a plain equirectangular (plate carree) projection on the offline Natural Earth
1:110m land outline shipped as ``data/world_land_110m.json`` (public domain; built by
``scripts/build_world_outline.py``), so that a report needs no network to view.
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


def _unwrap_ring(lon: FloatArray, lat: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Longitudes made continuous; a ring around a pole is closed along that pole."""
    x = np.degrees(np.unwrap(np.radians(lon)))
    y = np.asarray(lat, dtype=np.float64)
    if abs(x[-1] - x[0]) > 180.0:
        pole = 90.0 if np.nanmean(y) > 0 else -90.0
        x = np.concatenate([x, [x[-1], x[0]]])
        y = np.concatenate([y, [pole, pole]])
    return x, y


def _degrees(value: float, positive: str, negative: str) -> str:
    v = round(value)
    if v == 0:
        return "0°"
    if abs(v) == 180 and positive == "E":
        return "180°"
    return f"{abs(v)}°{positive if v > 0 else negative}"


def _png(fig: Any) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, bbox_inches="tight", pad_inches=0.15)
    return buf.getvalue()


def world_map_png(
    *,
    title: str,
    parties: Sequence[str],
    sites: Sequence[SiteMarker] = (),
    radars: Sequence[RadarMarker] = (),
    tracks: Sequence[Track] = (),
    engageable: Sequence[Track] = (),
    bases: Sequence[PointMarker] = (),
    targets: Sequence[PointMarker] = (),
    coverage_note: str = "radar coverage",
    label_sites: bool = True,
) -> bytes:
    """An equirectangular world map as PNG bytes: land, radar footprints, offensive ground
    tracks with the engageable segments highlighted, launch bases, targets and interceptor
    sites (one marker shape and colour per party, area by the number of interceptors)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch, PathPatch
    from matplotlib.path import Path

    lats = [s.lat for s in sites] + [r.lat for r in radars]
    lats += [p.lat for p in (*bases, *targets)]
    lats += [float(np.nanmin(t.lat)) for t in tracks if t.lat.size]
    lats += [float(np.nanmin(r.footprint_lat)) for r in radars if r.footprint_lat.size]
    south = max(-90.0, 15.0 * math.floor((min(lats, default=-60.0) - 5.0) / 15.0))
    south = min(south, -15.0)

    fig = Figure(figsize=(12.0, 12.0 * (90.0 - south) / 360.0 + 1.6))
    ax = fig.add_subplot()
    ax.set_facecolor(OCEAN_COLOR)

    # Land: one compound path (holes are rings of opposite orientation).
    verts: list[FloatArray] = []
    codes: list[NDArray[np.uint8]] = []
    for polygon in load_world_land():
        for ring in polygon:
            c = np.full(len(ring), Path.LINETO, dtype=np.uint8)
            c[0] = Path.MOVETO
            c[-1] = Path.CLOSEPOLY
            verts.append(ring)
            codes.append(c)
    land = Path(np.concatenate(verts), np.concatenate(codes))
    ax.add_patch(PathPatch(land, facecolor=LAND_COLOR, edgecolor=LAND_EDGE, lw=0.5, zorder=1))

    # Radar footprints (drawn at -360, 0 and +360 deg so that rings across the antimeridian
    # show on both edges; the axes clip them).
    for radar in radars:
        color, _ = party_style(parties, radar.party)
        if radar.footprint_lon.size >= 3:
            x, y = _unwrap_ring(radar.footprint_lon, radar.footprint_lat)
            for shift in (-360.0, 0.0, 360.0):
                if x.max() + shift < -180.0 or x.min() + shift > 180.0:
                    continue
                ax.fill(
                    x + shift,
                    y,
                    facecolor=color,
                    alpha=0.07 if radar.fire_control else 0.04,
                    edgecolor="none",
                    zorder=2,
                )
                ax.plot(
                    x + shift,
                    y,
                    color=color,
                    lw=0.8,
                    alpha=0.55,
                    ls="-" if radar.fire_control else "--",
                    zorder=2,
                )
        ax.plot(
            radar.lon,
            radar.lat,
            marker="o",
            ms=4.5,
            mfc="white",
            mec=color,
            mew=1.3,
            ls="none",
            zorder=6,
        )

    # Offensive ground tracks and the engageable segments.
    for track in tracks:
        x, y = split_antimeridian(track.lon, track.lat)
        ax.plot(x, y, color="#555555", lw=0.6, alpha=0.35, zorder=3)
    for seg in engageable:
        if seg.lon.size and np.ptp(seg.lon) < 0.3 and np.ptp(seg.lat) < 0.3:
            # A window of one instant: the intercept point.
            ax.plot(
                seg.lon[:1],
                seg.lat[:1],
                marker="o",
                ms=5,
                mfc=ENGAGEABLE_COLOR,
                mec="black",
                mew=0.5,
                ls="none",
                zorder=9.5,
            )
            continue
        x, y = split_antimeridian(seg.lon, seg.lat)
        ax.plot(x, y, color=ENGAGEABLE_COLOR, lw=1.8, alpha=0.6, solid_capstyle="round", zorder=4)

    for base in bases:
        color, _ = party_style(parties, base.party)
        ax.plot(base.lon, base.lat, marker="v", ms=6, color=color, mec="black", mew=0.5, zorder=7)
    for target in targets:
        color, _ = party_style(parties, target.party)
        ax.plot(target.lon, target.lat, marker="x", ms=5, color=color, mew=1.2, zorder=7)

    def area(count: int) -> float:
        return 25.0 + 20.0 * math.sqrt(count)

    def crowded(site: SiteMarker) -> bool:
        """Another site close to the east: put this one's label on the west side."""
        return any(0.0 < o.lon - site.lon < 20.0 and abs(o.lat - site.lat) < 6.0 for o in sites)

    for site in sites:
        color, marker = party_style(parties, site.party)
        ax.scatter(
            [site.lon],
            [site.lat],
            s=area(site.count),
            marker=marker,
            facecolor=color if site.count > 0 else "white",
            edgecolor="black" if site.count > 0 else color,
            linewidths=0.8,
            alpha=0.85,
            zorder=8,
        )
        if label_sites:
            west = crowded(site)
            ax.annotate(
                site.label,
                (site.lon, site.lat),
                xytext=(-7, 5) if west else (7, 5),
                textcoords="offset points",
                ha="right" if west else "left",
                fontsize=7,
                color="#222222",
                zorder=9,
                bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.7},
            )

    ax.set_xlim(-180.0, 180.0)
    ax.set_ylim(south, 90.0)
    ax.set_aspect("equal")
    ax.set_xticks(np.arange(-180.0, 181.0, 30.0))
    ax.set_yticks(np.arange(south, 91.0, 15.0))
    ax.set_xticklabels([_degrees(v, "E", "W") for v in np.arange(-180.0, 181.0, 30.0)])
    ax.set_yticklabels([_degrees(v, "N", "S") for v in np.arange(south, 91.0, 15.0)])
    ax.tick_params(labelsize=8)
    ax.grid(color="#c8d3dc", lw=0.4, ls=":", zorder=0)
    ax.set_xlabel("longitude (deg)", fontsize=9)
    ax.set_ylabel("latitude (deg)", fontsize=9)
    ax.set_title(title, fontsize=12, fontweight="bold", loc="left")

    handles: list[Any] = []
    site_parties = list(dict.fromkeys(s.party for s in sites))
    for party in site_parties:
        color, marker = party_style(parties, party)
        handles.append(
            Line2D(
                [],
                [],
                marker=marker,
                ls="none",
                ms=9,
                mfc=color,
                mec="black",
                label=f"{party} interceptor sites (area ~ interceptors; hollow: none)",
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
        handles.append(Line2D([], [], color="#555555", lw=1.0, label="ground tracks"))
    if engageable:
        handles.append(
            Line2D(
                [],
                [],
                color=ENGAGEABLE_COLOR,
                lw=2.2,
                marker="o",
                ms=4,
                mec="black",
                mew=0.5,
                label="intercept windows (dot: one instant)",
            )
        )
    for party in dict.fromkeys(b.party for b in bases):
        color, _ = party_style(parties, party)
        handles.append(
            Line2D([], [], marker="v", ls="none", color=color, mec="black", label=f"{party} launch")
        )
    for party in dict.fromkeys(t.party for t in targets):
        color, _ = party_style(parties, party)
        handles.append(Line2D([], [], marker="x", ls="none", color=color, label=f"{party} target"))
    if handles:
        legend = ax.legend(
            handles=handles,
            loc="upper center",
            bbox_to_anchor=(0.5, -0.11),
            ncol=4,
            fontsize=8,
            frameon=False,
            title=coverage_note,
            title_fontsize=8,
        )
        legend.set_zorder(10)
    return _png(fig)


def margin_heatmap_png(
    margins_kms: ArrayLike,
    row_labels: Sequence[str],
    column_labels: Sequence[str],
    *,
    title: str,
    row_title: str = "interceptor site",
    column_title: str = "launch base",
    engages: ArrayLike | None = None,
) -> bytes:
    """A heat map of burnout-velocity margins (km/s; rows x columns) as PNG bytes: diverging
    colours centred on 0 (red: negative, the site can engage; blue: positive), each cell
    annotated; NaN and infinite cells are left blank; cells where ``engages`` (rows x columns,
    bool) is True are outlined (the site can engage)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import colormaps
    from matplotlib.colors import Normalize
    from matplotlib.figure import Figure

    m = np.asarray(margins_kms, dtype=np.float64).reshape(len(row_labels), len(column_labels))
    n_rows, n_cols = m.shape
    if n_rows == 0 or n_cols == 0:
        fig = Figure(figsize=(7.0, 1.2))
        fig.text(0.0, 0.75, title, fontsize=11, fontweight="bold")
        fig.text(0.0, 0.3, f"nothing to show: no {row_title if n_rows == 0 else column_title}")
        return _png(fig)
    finite = np.isfinite(m)
    limit = float(np.max(np.abs(m[finite]))) if finite.any() else 1.0
    limit = max(limit, 0.1)
    cmap = colormaps["RdBu"].with_extremes(bad="#ffffff")
    norm = Normalize(vmin=-limit, vmax=limit)

    cell = min(0.75, 9.0 / max(n_cols, 1))  # inches per column
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
                    fontsize=7.5,
                    color="white" if abs(v) > 0.6 * limit else "#111111",
                )
    if engages is not None:
        from matplotlib.patches import Rectangle

        mask = np.asarray(engages, dtype=bool).reshape(n_rows, n_cols)
        for i, j in zip(*np.nonzero(mask), strict=True):
            ax.add_patch(
                Rectangle((j - 0.45, i - 0.45), 0.9, 0.9, fill=False, lw=1.6, ec="#111111")
            )
    ax.set_xticks(np.arange(n_cols))
    ax.set_xticklabels(column_labels, rotation=40, ha="right", rotation_mode="anchor", fontsize=8)
    ax.set_yticks(np.arange(n_rows))
    ax.set_yticklabels(row_labels, fontsize=8)
    ax.set_xticks(np.arange(-0.5, n_cols, 1.0), minor=True)
    ax.set_yticks(np.arange(-0.5, n_rows, 1.0), minor=True)
    ax.grid(which="minor", color="#dddddd", lw=0.6)
    ax.tick_params(which="minor", length=0)
    ax.set_xlabel(column_title, fontsize=9)
    ax.set_ylabel(row_title, fontsize=9)
    ax.set_title(title, fontsize=11, fontweight="bold", loc="left")
    cax = ax.inset_axes((1.02, 0.0, 0.025 * 14.0 / max(n_cols, 4), 1.0))
    bar = fig.colorbar(image, cax=cax)
    bar.set_label("margin (km/s)\noutlined: can engage", fontsize=8)
    bar.ax.tick_params(labelsize=7)
    return _png(fig)
