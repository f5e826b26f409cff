"""The HTML report of an assessment (``glasnost assess --html FILE``): one self-contained file.

Header with the verdict and the criteria, a world map and a margin heat map per direction
(defender vs attacker), the capacity, each site's closest engagement, the warnings and every
assumption. Pictures are PNGs embedded as base64 ``data:`` URIs and the styles are inline, so
the file opens without a network. The tables read :meth:`Assessment.to_dict` (the same data as
the terminal summary and ``--json``); the pictures take positions from the scenario, ground
tracks from the trajectories, radar footprints from :func:`defense.sensors.coverage_polygon` and
margins from the engagement table. Rendered with Jinja2 (``templates/assessment.html.j2``,
autoescaped).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path
from typing import Any

import numpy as np
from jinja2 import Environment, PackageLoader, StrictUndefined
from numpy.typing import NDArray

from glasnost.defense.assessment import (
    Assessment,
    Direction,
    critical_velocity_model,
    sensor_radars,
)
from glasnost.defense.sensors import coverage_polygon
from glasnost.physics.constants import EARTH_MODELS
from glasnost.report import maps
from glasnost.scenario.models import Party

FloatArray = NDArray[np.float64]

TRACK_POINTS = 60
"""Points per ground track on the map."""

SEGMENT_POINTS = 24
"""Points per engageable segment (earliest to latest intercept time)."""

FOOTPRINT_ALTITUDE_KM = 300.0
"""Height of the reentry vehicle for which the radar footprints are drawn."""

LABELS = {
    "deployed_warheads_defeatable_fraction": "Warheads defeatable",
    "land_interceptor_burnout_velocity_kms": "Land-based interceptor speed",
    "sea_interceptor_burnout_velocity_kms": "Sea-based interceptor speed",
    "purpose": "Purpose (declared threats vs the partner's deterrent)",
}


HIGHLIGHT_PER_SITE = 1
"""Intercept windows highlighted on the map for each site: its closest (least margin)."""


@dataclass(frozen=True)
class Picture:
    """A figure with its title, caption and alternative text; ``name`` is its file stem."""

    name: str
    title: str
    caption: str
    alt: str
    figure: Any

    @cached_property
    def png(self) -> bytes:
        return maps.figure_bytes(self.figure, "png")

    @property
    def data_uri(self) -> str:
        return "data:image/png;base64," + base64.b64encode(self.png).decode("ascii")


@cache
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("glasnost.report", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["value"] = _value
    env.filters["pct"] = lambda x: f"{x:.1%}"
    return env


def render_html(assessment: Assessment) -> str:
    """The report as one self-contained HTML document."""
    data = assessment.to_dict()
    figures = pictures(assessment, maps.SCREEN)
    template = _environment().get_template("assessment.html.j2")
    return template.render(
        data=data,
        summary=assessment.scenario.summary(),
        labels=LABELS,
        directions=figures,
        closest=_closest(data["engagements"], assessment),
        settings=assessment.scenario.assessment,
    )


def write_html(assessment: Assessment, path: str | Path) -> None:
    """Write :func:`render_html` to ``path`` (UTF-8)."""
    Path(path).write_text(render_html(assessment), encoding="utf-8")


# --- figures ------------------------------------------------------------------------------------


def pictures(assessment: Assessment, style: maps.Style) -> list[tuple[str, list[Picture]]]:
    """The figures of every direction (a heading, then its map and heat map) in ``style``."""
    tracks = ground_tracks(assessment)
    return [
        (
            f"{d.defender} defenses against {d.attacker} forces{_shape(d)}",
            [world_map(assessment, d, tracks, style), heatmap(assessment, d, style)],
        )
        for d in assessment.directions
    ]


def ground_tracks(assessment: Assessment) -> tuple[FloatArray, FloatArray]:
    """Latitude and longitude (deg) of every route's sub-point, (routes, TRACK_POINTS), from
    launch to impact."""
    traj = assessment.trajectories.trajectory
    fractions = np.linspace(0.0, 1.0, TRACK_POINTS)
    lat = np.empty((traj.size, TRACK_POINTS))
    lon = np.empty((traj.size, TRACK_POINTS))
    for k, f in enumerate(fractions):
        lat[:, k], lon[:, k], _ = traj.geodetic_at(f * traj.impact_s)
    return lat, lon


def _highlighted(
    assessment: Assessment, d: Direction, windows: list[maps.Track]
) -> list[maps.Engagement]:
    """Each site's :data:`HIGHLIGHT_PER_SITE` feasible pairs of least margin, with their windows
    (``windows`` in the order of ``np.nonzero(d.table.feasible)``)."""
    rows, cols = np.nonzero(d.table.feasible)
    margin = d.table.critical_burnout_velocity_ms[rows, cols] / 1e3
    out: list[maps.Engagement] = []
    for i, site in enumerate(d.sites):
        mine = np.flatnonzero(rows == i)
        for k in mine[np.argsort(margin[mine], kind="stable")][:HIGHLIGHT_PER_SITE]:
            route = d.routes[int(cols[k])]
            out.append(
                maps.Engagement(
                    site.id,
                    site.lon_deg,
                    site.lat_deg,
                    windows[int(k)],
                    f"{route.base.id} -> {route.target.id}",
                )
            )
    return out


def _engageable(assessment: Assessment, d: Direction) -> list[maps.Track]:
    """For each feasible (site, route): the ground track between the earliest and the latest
    intercept times."""
    tb = d.table
    rows, cols = np.nonzero(tb.feasible)
    if rows.size == 0:
        return []
    start = tb.earliest_intercept_s[rows, cols]
    end = tb.latest_intercept_s[rows, cols]
    route_index = np.array([d.routes[j].index for j in cols], dtype=np.intp)
    sub = assessment.trajectories.trajectory.take(route_index)
    fractions = np.linspace(0.0, 1.0, SEGMENT_POINTS)
    lat = np.empty((rows.size, SEGMENT_POINTS))
    lon = np.empty((rows.size, SEGMENT_POINTS))
    for k, f in enumerate(fractions):
        lat[:, k], lon[:, k], _ = sub.geodetic_at(start + f * (end - start))
    return [maps.Track(lon[n], lat[n]) for n in range(rows.size)]


def _radars(assessment: Assessment, defender: Party, rcs_m2: float) -> list[maps.RadarMarker]:
    radars = defender.radars
    if not radars:
        return []
    earth = EARTH_MODELS[assessment.scenario.earth]
    sensor = sensor_radars(radars, earth)
    out: list[maps.RadarMarker] = []
    for k, r in enumerate(radars):
        lat, lon = coverage_polygon(sensor, k, rcs_m2, FOOTPRINT_ALTITUDE_KM * 1e3, earth=earth)
        out.append(
            maps.RadarMarker(
                r.lon_deg, r.lat_deg, r.id, defender.id, r.role == "fire_control", lon, lat
            )
        )
    return out


def _reentry_rcs_m2(assessment: Assessment, d: Direction) -> float:
    """The median reentry-vehicle cross-section of the attacker's routes (a representative
    object for the radar footprints)."""
    missiles = {m.id: m for m in assessment.scenario.missile_types}
    values = [missiles[r.missile].rcs_reentry_vehicle_m2 for r in (*d.routes, *d.unreachable)]
    return float(np.median(values)) if values else 0.01


def world_map(
    assessment: Assessment,
    d: Direction,
    tracks: tuple[FloatArray, FloatArray],
    style: maps.Style = maps.SCREEN,
) -> Picture:
    scenario = assessment.scenario
    defender = scenario.party(d.defender)
    attacker = scenario.party(d.attacker)
    parties = [p.id for p in scenario.parties]
    lat, lon = tracks
    rcs = _reentry_rcs_m2(assessment, d)
    sites = [maps.SiteMarker(s.lon_deg, s.lat_deg, s.id, d.defender, s.count) for s in d.sites]
    segments = _engageable(assessment, d)
    n_feasible = len(segments)
    note = (
        f"radar coverage of a reentry vehicle ({rcs:g} m²) at {FOOTPRINT_ALTITUDE_KM:.0f} km "
        "altitude"
    )
    figure = maps.world_map_figure(
        title=f"{d.defender} interceptor sites and radars vs {d.attacker} trajectories{_shape(d)}",
        parties=parties,
        sites=sites,
        radars=_radars(assessment, defender, rcs),
        tracks=[maps.Track(lon[r.index], lat[r.index]) for r in d.routes],
        engageable=segments,
        highlighted=_highlighted(assessment, d, segments),
        bases=[
            maps.PointMarker(b.lon_deg, b.lat_deg, b.id, attacker.id) for b in attacker.launch_bases
        ],
        targets=[
            maps.PointMarker(t.lon_deg, t.lat_deg, t.id, defender.id) for t in defender.targets
        ],
        coverage_note=note,
        style=style,
    )
    caption = (
        f"{len(d.routes)} {d.attacker} ground tracks (launch to impact, minimum-energy) to "
        f"{d.defender} targets; {n_feasible} feasible (site, route) pairs, their intercept "
        "windows drawn thin and each site's closest one (least burnout-velocity margin) in "
        f"its own colour, joined to the site. Radar footprints: where each {d.defender} radar "
        "sees a reentry "
        f"vehicle of {rcs:g} m² at {FOOTPRINT_ALTITUDE_KM:.0f} km (solid: fire control, dashed: "
        "early warning). Azimuthal equidistant projection centred on the North Pole."
    )
    return Picture(
        f"map_{d.defender}_vs_{d.attacker}{_stem(d)}",
        f"Map: {d.defender} defenses, {d.attacker} trajectories{_shape(d)}",
        caption,
        f"World map of {d.defender} interceptor sites and radars with {d.attacker} trajectories",
        figure,
    )


def _stem(d: Direction) -> str:
    """A direction's threat shape for file names, when it is not the default min-energy."""
    return "" if d.shape == "min-energy" else f"_{d.shape}"


def _shape(d: Direction) -> str:
    """A direction's threat shape for titles, when it is not the default min-energy."""
    return "" if d.shape == "min-energy" else f" ({d.shape} trajectories)"


def site_base_margins(
    assessment: Assessment, d: Direction
) -> tuple[FloatArray, list[str], list[str]]:
    """The heat map's matrix: for each defender site (rows) and attacker launch base
    (columns), the least margin over the base's routes, km/s (critical burnout velocity minus
    the site's declared burnout velocity); inf when no route of the base has an intercept
    candidate, NaN when the base has no reachable route. Returns (margins, site ids, base ids)."""
    bases = [b.id for b in assessment.scenario.party(d.attacker).launch_bases]
    speed = np.array([assessment.interceptor_burnout_velocity_kms(s.interceptor) for s in d.sites])
    margin = d.table.critical_burnout_velocity_ms / 1e3 - speed[:, None]  # (sites, routes)
    grid = np.full((len(d.sites), len(bases)), np.nan)
    for b, base in enumerate(bases):
        cols = [j for j, r in enumerate(d.routes) if r.base.id == base]
        if cols and len(d.sites):
            grid[:, b] = np.min(margin[:, cols], axis=1)
    empty = np.array([s.count == 0 for s in d.sites], dtype=bool)
    grid[empty] = np.nan  # a site without interceptors engages nothing
    return grid, [s.id for s in d.sites], bases


def site_base_engages(assessment: Assessment, d: Direction) -> NDArray[np.bool_]:
    """Per (site, launch base): whether the site can engage some route of the base (by the
    assessment's interceptor model)."""
    bases = [b.id for b in assessment.scenario.party(d.attacker).launch_bases]
    out = np.zeros((len(d.sites), len(bases)), dtype=bool)
    for b, base in enumerate(bases):
        cols = [j for j, r in enumerate(d.routes) if r.base.id == base]
        if cols and len(d.sites):
            out[:, b] = np.any(d.table.feasible[:, cols], axis=1)
    return out


def heatmap(assessment: Assessment, d: Direction, style: maps.Style = maps.SCREEN) -> Picture:
    """Per (site, base): the least margin over the base's routes (km/s)."""
    grid, _, bases = site_base_margins(assessment, d)
    settings = assessment.scenario.assessment
    figure = maps.margin_heatmap_figure(
        grid,
        [
            f"{s.id} (no interceptors)"
            if s.count == 0
            else f"{s.id} ({assessment.interceptor_burnout_velocity_kms(s.interceptor):.2f} km/s)"
            for s in d.sites
        ],
        bases,
        title=f"{d.defender} sites vs {d.attacker} launch bases: least burnout-velocity margin",
        engages=site_base_engages(assessment, d),
        empty_rows=[s.count == 0 for s in d.sites],
        style=style,
    )
    caption = (
        "Each cell: over the base's routes to every target, the least (critical burnout "
        "velocity needed to intercept, "
        f"{critical_velocity_model(settings.interceptor_model)} convention − the site's "
        "burnout velocity), km/s. Outlined: the site can engage some route from that base "
        f"(interceptor model {settings.interceptor_model}); blank: no intercept candidate "
        "(out of the altitude band or range, or no cue) or no reachable route; hatched and "
        "labelled: a site without interceptors."
    )
    return Picture(
        f"margins_{d.defender}_vs_{d.attacker}{_stem(d)}",
        f"Margins: {d.defender} sites vs {d.attacker} bases{_shape(d)}",
        caption,
        f"Heat map of burnout-velocity margins, {d.defender} sites by {d.attacker} bases",
        figure,
    )


# --- tables -------------------------------------------------------------------------------------


def _closest(engagements: list[dict[str, Any]], assessment: Assessment) -> list[dict[str, Any]]:
    """Each site's engagement with the least margin (as the terminal summary), then the sites
    with no intercept candidate at all."""
    best: dict[tuple[str, str], dict[str, Any]] = {}
    for e in engagements:
        if e["margin_kms"] is None:
            continue
        key = (e["defender"], e["site"])
        if key not in best or e["margin_kms"] < best[key]["margin_kms"]:
            best[key] = e
    rows = sorted(best.values(), key=lambda e: e["margin_kms"])
    for d in assessment.directions:
        for s in d.sites:
            if (d.defender, s.id) not in best:
                best[(d.defender, s.id)] = {"defender": d.defender, "site": s.id, "none": True}
                rows.append(best[(d.defender, s.id)])
    return rows


def _value(value: float | None, criterion: str) -> str:
    if value is None:
        return "–"
    if criterion.endswith("_fraction") or criterion == "purpose":
        return f"{value:.1%}"
    return f"{value:.2f} km/s"
