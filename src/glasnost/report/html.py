"""The HTML report of an assessment (``glasnost assess --html FILE``): one self-contained file.

Header with the verdict and the criteria, a world map and a margin heat map per direction
(defender vs attacker), the capacity, each site's closest engagement, the warnings and every
assumption. Pictures are PNGs embedded as base64 ``data:`` URIs and the styles are inline, so
the file opens without a network. The tables read :meth:`Assessment.to_dict` (the same data as
the terminal summary and ``--json``); the pictures take positions from the scenario, ground
tracks, intercept segments and radar footprints from :mod:`glasnost.defense.geometry` (as the
GIS export and the dashboard) and margins from the engagement table. Rendered with Jinja2
(``templates/assessment.html.j2``, autoescaped).
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

from glasnost.defense.assessment import Assessment, Direction, critical_velocity_model
from glasnost.defense.geometry import (
    Samples,
    Segment,
    footprint_note,
    ground_tracks,
    intercept_segments,
    party_footprints,
)
from glasnost.report import maps
from glasnost.report.heatmap import margin_heatmap_figure

FloatArray = NDArray[np.float64]

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
    tracks = ground_tracks(assessment.trajectories.trajectory)
    return [
        (
            f"{d.defender} defenses against {d.attacker} forces{_shape(d)}",
            [world_map(assessment, d, tracks, style), heatmap(assessment, d, style)],
        )
        for d in assessment.directions
    ]


def _highlighted(
    d: Direction, segments: list[Segment], windows: list[maps.Track]
) -> list[maps.Engagement]:
    """Each site's :data:`HIGHLIGHT_PER_SITE` intercept segments of least margin, with their
    windows (``windows[k]`` is the window of ``segments[k]``)."""
    margin = np.array(
        [d.table.critical_burnout_velocity_ms[g.site, g.route] / 1e3 for g in segments]
    )
    sites = np.array([g.site for g in segments], dtype=np.intp)
    out: list[maps.Engagement] = []
    for i, site in enumerate(d.sites):
        mine = np.flatnonzero(sites == i)
        for k in mine[np.argsort(margin[mine], kind="stable")][:HIGHLIGHT_PER_SITE]:
            route = d.routes[segments[int(k)].route]
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


def _engageable(assessment: Assessment, d: Direction) -> tuple[list[Segment], list[maps.Track]]:
    """For each feasible (site, route): its segment and the ground track between the earliest
    and the latest intercept times."""
    segments, samples = intercept_segments(assessment.trajectories.trajectory, d)
    tracks = [
        maps.Track(lon, lat) for lat, lon in zip(samples.lat_deg, samples.lon_deg, strict=True)
    ]
    return segments, tracks


def world_map(
    assessment: Assessment,
    d: Direction,
    tracks: Samples,
    style: maps.Style = maps.SCREEN,
) -> Picture:
    scenario = assessment.scenario
    defender = scenario.party(d.defender)
    attacker = scenario.party(d.attacker)
    parties = [p.id for p in scenario.parties]
    lat, lon = tracks.lat_deg, tracks.lon_deg
    footprints = party_footprints(scenario, d.defender)
    note = footprint_note(footprints)
    sites = [maps.SiteMarker(s.lon_deg, s.lat_deg, s.id, d.defender, s.count) for s in d.sites]
    segments, windows = _engageable(assessment, d)
    n_feasible = len(segments)
    figure = maps.world_map_figure(
        title=f"{d.defender} interceptor sites and radars vs {d.attacker} trajectories{_shape(d)}",
        parties=parties,
        sites=sites,
        radars=maps.radar_markers(defender.id, footprints),
        tracks=[maps.Track(lon[r.index], lat[r.index]) for r in d.routes],
        engageable=windows,
        highlighted=_highlighted(d, segments, windows),
        bases=[
            maps.PointMarker(b.lon_deg, b.lat_deg, b.id, attacker.id) for b in attacker.launch_bases
        ],
        targets=[
            maps.PointMarker(t.lon_deg, t.lat_deg, t.id, defender.id) for t in defender.targets
        ],
        coverage_note=f"radar coverage of {note}",
        style=style,
    )
    caption = (
        f"{len(d.routes)} {d.attacker} ground tracks (launch to impact, minimum-energy) to "
        f"{d.defender} targets; {n_feasible} feasible (site, route) pairs, their intercept "
        "windows drawn thin and each site's closest one (least burnout-velocity margin) in "
        f"its own colour, joined to the site. Radar footprints: where each {d.defender} radar "
        f"sees {note} (solid: fire control, dashed: early warning). Azimuthal equidistant "
        "projection centred on the North Pole."
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
    figure = margin_heatmap_figure(
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
