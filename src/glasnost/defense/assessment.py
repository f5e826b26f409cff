"""The threat assessment: scenario -> trajectories -> sensors -> engagements -> capacity ->
criteria and verdict (docs/assessment.md).

For every dyad of the scenario, both ways, each launch base of the attacker is flown to every
target of the defender (one min-energy trajectory per route, all routes in one batch), the
trajectories are sampled, the defender's radars and satellites give the earliest interceptor
launch per (site, route), the engagement kernel decides what each site could intercept, and a
maximum flow bounds the warheads the defender could defeat. The criteria of the agreement are
then evaluated, each with the engagements or sites that drive it.

Staged interceptor types (``model: staged``) get one flyout table each
(:func:`flyout_table`, cached by type), which decides their sites' engagements; their burnout
velocity -- in the velocity criteria and the engagement records -- is the one derived from the
flyout (the best burnout speed over the fan of pitch-over kicks).
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from glasnost import __version__
from glasnost.defense.capacity import Capacity, max_warheads_defeated
from glasnost.defense.derived_stack import interceptor_stack, interceptor_vehicle
from glasnost.defense.engagement import (
    EngagementTable,
    Interceptors,
    LambertModel,
    Samples,
    engage,
)
from glasnost.defense.flyout import FlyoutTable, staged_flyout_table
from glasnost.defense.sensors import Radars, earliest_cue_s, first_detection_s
from glasnost.physics import frames
from glasnost.physics.constants import EARTH_MODELS, EarthModel
from glasnost.physics.parallel import aim_parallel
from glasnost.physics.targeting import TargetingResult
from glasnost.physics.trajectory import Phase, Trajectory
from glasnost.physics.vehicle import stack
from glasnost.scenario.models import (
    AssessmentSettings,
    InterceptorSite,
    InterceptorType,
    LaunchBase,
    Party,
    Radar,
    Scenario,
    Target,
)

FloatArray = NDArray[np.float64]
Progress = Callable[[str, float], None]
"""progress(stage description, fraction done in [0, 1])."""

POST_BOOST_S = 300.0
"""How long after burnout the post-boost vehicle (bus) is the radar object, before the
reentry vehicles are released (an assumption: a few minutes of bus manoeuvres)."""

CO_LOCATED_M = 50e3
"""Without launch-on-remote, a site may be cued only by fire-control radars this close."""

FLYOUT_MAX_RANGE_KM = 8000.0
"""Ground range covered by the flyout table of a staged type that states no maximum range
(km); intercept points farther away are out of its reach."""

FLYOUT_MAX_TIME_S = 1800.0
"""Flight time covered by the flyout tables (s after the interceptor's launch)."""

FLYOUT_MAX_KICK_DEG = 180.0
"""Largest pitch-over kick flown (deg from vertical); the fan stops at the flattest kick whose
boost stays above ground. Kicks past 90 deg shape flat and depressed arcs: with a 90-deg cap a
fast vehicle's flattest arc still climbs steeply and low, distant points lie below the whole
fan, so a faster interceptor would reach fewer points than a slower one."""


def critical_velocity_model(interceptor_model: str) -> LambertModel:
    """The closed model behind the critical burnout velocity (and behind feasibility at sites
    without a flyout table): the literature's burnout delay, except under ``straight-boost``."""
    return "straight-boost" if interceptor_model == "straight-boost" else "burnout-delay"


def _flown(itype: InterceptorType, model: str) -> bool:
    """Whether a type gets a flyout table: staged types always (their burnout speed comes from
    it), simple types under the flyout model (through a derived stack)."""
    return itype.model == "staged" or model == "flyout"


@functools.lru_cache(maxsize=32)
def flyout_table(itype: InterceptorType) -> FlyoutTable:
    """The flyout table of an interceptor type (computed once per distinct type): its vehicle
    (published stages, or the stack derived from its burnout speed, burn time and launch mass)
    flown with drag over a fan of pitch-over kicks, out to its maximum range (or
    ``FLYOUT_MAX_RANGE_KM``) and its highest intercept altitude."""
    max_range_km = FLYOUT_MAX_RANGE_KM if itype.max_range_km is None else itype.max_range_km
    return staged_flyout_table(
        interceptor_vehicle(itype),
        max_range_km * 1e3,
        itype.max_intercept_altitude_km * 1e3,
        max_time_s=FLYOUT_MAX_TIME_S,
        max_kick_deg=FLYOUT_MAX_KICK_DEG,
    )


@dataclass(frozen=True)
class Route:
    """One offensive trajectory: a launch base of the attacker flying to a defender target."""

    index: int  # row in the batch of trajectories
    attacker: str
    defender: str
    base: LaunchBase
    target: Target
    missile: str
    warheads: int  # per missile
    shape: str = "min-energy"


@dataclass(frozen=True)
class Direction:
    """One defender facing one attacker: the engagement table and the capacity."""

    defender: str
    attacker: str
    sites: tuple[InterceptorSite, ...]
    routes: tuple[Route, ...]  # reachable routes only, the columns of ``table``
    unreachable: tuple[Route, ...]
    table: EngagementTable  # (sites, routes)
    earliest_launch_s: FloatArray  # (sites, routes)
    first_detection_s: FloatArray  # (routes,) by any of the defender's radars
    capacity: Capacity
    deployed_warheads: int
    cue_names: tuple[str, ...] = ()
    """The sensors that may cue (radar ids, then the satellites), or the fixed launch time."""
    cued_by: NDArray[np.int64] = field(default_factory=lambda: np.zeros((0, 0), dtype=np.int64))
    """(sites, routes) index into ``cue_names`` of the sensor that cued each pair (-1: none)."""
    samples: Samples | None = None
    """The routes' trajectory samples (rows: ``routes``)."""
    shape: str = "min-energy"
    """The threat shape all of this direction's routes are flown in."""

    def cue(self, i: int, j: int) -> str | None:
        """The sensor that cued site ``i`` against route ``j`` (None: nothing could)."""
        k = int(self.cued_by[i, j]) if self.cued_by.size else -1
        return self.cue_names[k] if k >= 0 else None

    @property
    def defeatable_fraction(self) -> float:
        if self.deployed_warheads == 0:
            return 0.0
        return self.capacity.warheads_defeatable / self.deployed_warheads


@dataclass(frozen=True)
class CriterionResult:
    id: str
    subject: str  # e.g. "RU defenses vs US warheads" or "US land-based interceptors"
    value: float
    threshold: float
    passed: bool
    drivers: tuple[str, ...]


@dataclass(frozen=True)
class Assessment:
    scenario: Scenario  # the posture on ``date``
    date: dt.date
    routes: tuple[Route, ...]
    trajectories: TargetingResult
    directions: tuple[Direction, ...]
    criteria: tuple[CriterionResult, ...]
    warnings: tuple[str, ...] = field(default=())
    flyout_tables: dict[str, FlyoutTable] = field(default_factory=dict)
    """The flyout table of each interceptor type flown, by type id."""
    purposes: tuple[Purpose, ...] = ()
    """The purpose test of each party that declares what its defenses are for."""

    @property
    def no_threat(self) -> bool:
        """True when every criterion passes: no threat by the agreement's criteria; False
        when at least one fails (a threat)."""
        return all(c.passed for c in self.criteria)

    @property
    def verdict_label(self) -> str:
        """The verdict in words, as the JSON field ``verdict`` gives it: "no threat" or
        "threat"."""
        return "no threat" if self.no_threat else "threat"

    def interceptor_burnout_velocity_kms(self, type_id: str) -> float:
        """Burnout velocity (km/s) of an interceptor type: the declared one (simple model) or
        the one derived from its flyout table (staged)."""
        return _burnout_kms(self.scenario.interceptor_type(type_id), self.flyout_tables)

    def settings_summary(self) -> dict[str, Any]:
        """The conventions behind the numbers: interceptor model, critical-velocity model,
        commit time, threat shapes and the window resolution (s)."""
        settings = self.scenario.assessment
        return {
            "interceptor_model": settings.interceptor_model,
            "critical_velocity_model": critical_velocity_model(settings.interceptor_model),
            "launch_delay_s": settings.launch_delay_s,
            "threat_shapes": list(settings.shapes()),
            "window_resolution_s": max(
                (d.table.window_resolution_s for d in self.directions), default=0.0
            ),
        }

    # The result records: the one serialisation of the result, which the JSON output
    # (:meth:`to_dict`), the digest (:func:`glasnost.treaty.digest.result_json`) and the flat
    # tables (:mod:`glasnost.report.tables`) all read.

    def criteria_records(self) -> list[dict[str, Any]]:
        """One record per evaluated criterion, in evaluation order."""
        return [
            {
                "id": c.id,
                "subject": c.subject,
                "value": c.value,
                "threshold": c.threshold,
                "passed": c.passed,
                "drivers": list(c.drivers),
            }
            for c in self.criteria
        ]

    def capacity_records(self) -> list[dict[str, Any]]:
        """One record per direction: warheads deployed and defeatable, and the split of the
        maximum flow by site, base and target."""
        return [
            {
                "defender": d.defender,
                "attacker": d.attacker,
                "shape": d.shape,
                "deployed_warheads": d.deployed_warheads,
                "warheads_defeatable": d.capacity.warheads_defeatable,
                "fraction_defeatable": d.defeatable_fraction,
                "by_site": {s.id: int(n) for s, n in zip(d.sites, d.capacity.by_site, strict=True)},
                "by_base": _by_base(d),
                "by_target": _by_target(d),
            }
            for d in self.directions
        ]

    def route_records(self) -> list[dict[str, Any]]:
        """One record per route flown, reachable or not, in batch order."""
        result = self.trajectories
        return [
            {
                "attacker": r.attacker,
                "shape": r.shape,
                "launch": r.base.id,
                "missile": r.missile,
                "target": r.target.id,
                "reachable": bool(result.on_target[r.index]),
                "flight_time_s": float(result.trajectory.impact_s[r.index]),
            }
            for r in self.routes
        ]

    def engagements(self) -> list[dict[str, Any]]:
        """One record per (site, route) of every direction (km, km/s and degrees)."""
        traj = self.trajectories.trajectory
        model = self.scenario.assessment.interceptor_model
        out: list[dict[str, Any]] = []
        for d in self.directions:
            tb = d.table
            point = _least_speed_points(d, traj)
            for i, site in enumerate(d.sites):
                speed = self.interceptor_burnout_velocity_kms(site.interceptor)
                for j, route in enumerate(d.routes):
                    crit = float(tb.critical_burnout_velocity_ms[i, j])
                    intercept = point(i, j)
                    out.append(
                        {
                            "defender": d.defender,
                            "shape": d.shape,
                            "site": site.id,
                            "interceptor": site.interceptor,
                            "interceptors_at_site": site.count,
                            "interceptor_model": _site_model(site.interceptor, model, self),
                            "interceptor_burnout_velocity_kms": speed,
                            "attacker": d.attacker,
                            "launch": route.base.id,
                            "missile": route.missile,
                            "target": route.target.id,
                            "feasible": bool(tb.feasible[i, j]),
                            "cued_by": d.cue(i, j),
                            "window_start_s": _num(tb.earliest_intercept_s[i, j]),
                            "window_end_s": _num(tb.latest_intercept_s[i, j]),
                            "window_s": _num(tb.window_s[i, j]),
                            "window_resolution_s": tb.window_resolution_s,
                            "earliest_intercept_s": _num(tb.earliest_intercept_s[i, j]),
                            "latest_intercept_s": _num(tb.latest_intercept_s[i, j]),
                            "earliest_intercept_altitude_km": _num(
                                tb.earliest_intercept_altitude_m[i, j] / 1e3
                            ),
                            "latest_launch_s": _num(tb.latest_launch_s[i, j]),
                            "earliest_launch_s": _num(d.earliest_launch_s[i, j]),
                            "shots": int(tb.shots[i, j]),
                            "critical_burnout_velocity_kms": _num(crit / 1e3),
                            "margin_kms": _num((crit / 1e3) - speed),
                            "intercept": intercept,
                            "phase": None if intercept is None else intercept["phase"],
                            "flight_time_s": float(traj.impact_s[route.index]),
                        }
                    )
        return out

    def to_dict(self) -> dict[str, Any]:
        """The whole result as plain data (the ``--json`` output)."""
        return {
            "glasnost_version": __version__,
            "scenario": self.scenario.name,
            "date": self.date.isoformat(),
            "verdict": self.verdict_label,
            "verdict_passed": self.no_threat,
            **self.settings_summary(),
            "criteria": self.criteria_records(),
            "capacity": self.capacity_records(),
            "routes": self.route_records(),
            "purpose": [
                {
                    "defender": p.defender,
                    "serves_declared_purpose": p.serves_declared_purpose,
                    **{
                        key: {
                            "attackers": list(c.attackers),
                            "routes": c.routes,
                            "routes_engageable": c.routes_engageable,
                            "warheads": c.warheads,
                            "warheads_defeatable": c.warheads_defeatable,
                            "fraction_defeatable": c.fraction,
                            "routes_engageable_by_site": c.by_site,
                        }
                        for key, c in (
                            ("declared_threat", p.declared),
                            ("treaty_partner", p.partners),
                        )
                    },
                }
                for p in self.purposes
            ],
            "interceptor_stacks": {
                type_id: _stack_note(self.scenario.interceptor_type(type_id))
                for type_id in self.flyout_tables
            },
            "engagements": self.engagements(),
            "assumptions": [
                *self.scenario.assumptions,
                ASSESSMENT_ASSUMPTION,
                *([FLYOUT_ASSUMPTION] if self.flyout_tables else []),
            ],
            "warnings": list(self.warnings),
        }


ASSESSMENT_ASSUMPTION = (
    f"Radar cross-section: booster while thrusting, post-boost vehicle for {POST_BOOST_S:.0f} s "
    "after burnout, then the reentry vehicle. Interceptors launch after the first detection by "
    "a sensor of their party that may cue them, plus the decision delay: with launch-on-remote "
    "any own radar (fire control or early warning) or the space-based infrared satellites; "
    f"without it, fire-control radars within {CO_LOCATED_M / 1e3:.0f} km of the site and the "
    "satellites only where declared fire control; with assessment.launch_delay_s every "
    "interceptor launches exactly then. Intercept windows are found between trajectory "
    "samples by bisection; a site without interceptors engages nothing."
)


FLYOUT_ASSUMPTION = (
    "Flyout tables (interceptor model flyout, and staged types under straight-boost): each "
    "interceptor type flies as a staged vehicle with thrust, drag, a pitch-over and a gravity "
    "turn to depletion of its stages, then coasts (with drag below 120 km); a table of the "
    "least time to reach each ground range and altitude decides its engagements (the "
    "interceptor's own Coriolis acceleration is neglected). Types without published stages fly "
    "a stack derived from their burnout speed, burn time and launch mass (interceptor_stacks); "
    "the critical burnout velocity is that of an equivalent interceptor in the burnout-delay "
    "convention."
)


def _stack_note(itype: InterceptorType) -> str:
    """Where the stack a type flies comes from: its published stages or the derivation."""
    if itype.model == "staged":
        return "published stages (model: staged)"
    return interceptor_stack(itype).derivation


def _burnout_kms(itype: InterceptorType, tables: dict[str, FlyoutTable]) -> float:
    """Burnout velocity (km/s) of a type: the declared one, or for a staged type the one its
    flyout table derives."""
    if itype.burnout_velocity_kms is None and itype.id in tables:
        return tables[itype.id].burnout_speed_ms / 1e3
    return _declared_kms(itype)


def _burn_time_s(itype: InterceptorType, tables: dict[str, FlyoutTable]) -> float:
    """Burn time (s) of a type: its flyout table's where it has one, else declared."""
    if itype.id in tables:
        return tables[itype.id].burn_time_s
    if itype.burn_time_s is None:
        raise ValueError(f"interceptor type {itype.id!r} declares no burn time (staged)")
    return itype.burn_time_s


PHASES = ("boost", "ascent", "midcourse", "terminal")
"""Phase of the threat at an intercept: boost (thrusting), ascent (after burnout, before
apogee), midcourse (after apogee, above the reentry interface), terminal (below it, 100 km)."""


def _site_model(type_id: str, model: str, assessment: Assessment) -> str:
    """The interceptor model that decided a site's engagements."""
    if type_id in assessment.flyout_tables and model != "burnout-delay":
        return "flyout"
    return critical_velocity_model(model)


def _least_speed_points(
    d: Direction, traj: Trajectory
) -> Callable[[int, int], dict[str, Any] | None]:
    """The least-speed intercept point of each (site, route) of a direction: latitude,
    longitude (deg), altitude (km), time (s) and the threat's phase there."""
    tb, sub = d.table, d.samples
    if sub is None or not d.routes:
        return lambda i, j: None
    best = tb.best_sample
    j_idx = np.broadcast_to(np.arange(best.shape[1]), best.shape)
    ok = best >= 0
    p = np.maximum(best, 0)
    t = sub.t_s[j_idx, p]
    r = sub.r_eci[j_idx, p]
    r_ecef, _ = frames.eci_to_ecef(r.reshape(-1, 3), t.reshape(-1), traj.earth)
    lat, lon, alt = (x.reshape(best.shape) for x in frames.vector_to_geodetic(r_ecef, traj.earth))
    rows = np.array([route.index for route in d.routes], dtype=np.intp)
    apogee_s = _apogee_times(sub)
    burnout = traj.burnout_s[rows][j_idx]
    reentry = traj.reentry_s[rows][j_idx]
    phase = np.select([t <= burnout, t >= reentry, t < apogee_s[j_idx]], [0, 3, 1], default=2)

    def point(i: int, j: int) -> dict[str, Any] | None:
        if not ok[i, j]:
            return None
        return {
            "latitude": float(lat[i, j]),
            "longitude": float(lon[i, j]),
            "altitude_km": float(alt[i, j] / 1e3),
            "time_s": float(t[i, j]),
            "phase": PHASES[int(phase[i, j])],
        }

    return point


def _apogee_times(sub: Samples) -> FloatArray:
    """Time of each trajectory's highest point (T,): the vertex of the parabola through the
    highest sample and its neighbours."""
    alt = np.where(sub.valid, sub.altitude_m, -np.inf)
    k = np.argmax(alt, axis=1)
    rows = np.arange(alt.shape[0])
    lo, hi = np.maximum(k - 1, 0), np.minimum(k + 1, alt.shape[1] - 1)
    t0, t1, t2 = sub.t_s[rows, lo], sub.t_s[rows, k], sub.t_s[rows, hi]
    h0, h1, h2 = sub.altitude_m[rows, lo], sub.altitude_m[rows, k], sub.altitude_m[rows, hi]
    with np.errstate(invalid="ignore", divide="ignore"):
        num = (t1 - t0) ** 2 * (h1 - h2) - (t1 - t2) ** 2 * (h1 - h0)
        den = (t1 - t0) * (h1 - h2) - (t1 - t2) * (h1 - h0)
        vertex = t1 - 0.5 * num / den
    inside = np.isfinite(vertex) & (vertex >= t0) & (vertex <= t2) & sub.valid[rows, hi]
    out: FloatArray = np.where(inside, vertex, t1)
    return out


def _declared_kms(itype: InterceptorType) -> float:
    """The declared burnout velocity (km/s) of a simple interceptor type."""
    if itype.burnout_velocity_kms is None:
        raise ValueError(f"interceptor type {itype.id!r} declares no burnout velocity (staged)")
    return itype.burnout_velocity_kms


def _num(x: float) -> float | None:
    x = float(x)
    return x if np.isfinite(x) else None


def _by_base(d: Direction) -> dict[str, int]:
    bases = _bases(d)
    return {b.id: int(n) for b, n in zip(bases, d.capacity.by_base, strict=True)}


def _by_target(d: Direction) -> dict[str, int]:
    targets = _targets(d)
    return {t.id: int(n) for t, n in zip(targets, d.capacity.by_target, strict=True)}


def _bases(d: Direction) -> list[LaunchBase]:
    return list({r.base.id: r.base for r in (*d.routes, *d.unreachable)}.values())


def _targets(d: Direction) -> list[Target]:
    return list({r.target.id: r.target for r in (*d.routes, *d.unreachable)}.values())


def sensor_radars(radars: Sequence[Radar], earth: EarthModel) -> Radars:
    """The scenario's radars as the sensor model's arrays (SI units)."""
    return Radars.from_geodetic(
        [r.lat_deg for r in radars],
        [r.lon_deg for r in radars],
        azimuth_min_deg=[r.azimuth_min_deg for r in radars],
        azimuth_max_deg=[r.azimuth_max_deg for r in radars],
        elevation_min_deg=[r.elevation_min_deg for r in radars],
        elevation_max_deg=[r.elevation_max_deg for r in radars],
        range_m=[r.range_km * 1e3 for r in radars],
        reference_rcs_m2=[r.reference_rcs_m2 for r in radars],
        fire_control=[r.role == "fire_control" for r in radars],
        alt_m=[r.alt_m for r in radars],
        range_min_m=[r.range_min_km * 1e3 for r in radars],
        earth=earth,
    )


def assess(
    scenario: Scenario, date: dt.date | None = None, progress: Progress | None = None
) -> Assessment:
    """Run the assessment of ``scenario`` on ``date`` (default: the scenario's date)."""
    report = progress or (lambda stage, done: None)
    when = date or scenario.date
    posture = scenario.model_copy(update={"parties": tuple(p.on(when) for p in scenario.parties)})
    earth = EARTH_MODELS[posture.earth]
    parties = {p.id: p for p in posture.parties}
    missiles = {m.id: m for m in posture.missile_types}
    warnings: list[str] = []

    settings = posture.assessment
    pairs = _pairs(posture)
    routes: list[Route] = []
    for shape in settings.shapes():
        for attacker, defender in pairs:
            for base in parties[attacker].launch_bases:
                per_missile = posture.warheads_per_missile(base)
                for target in posture.targets_of(parties[attacker], parties[defender]):
                    routes.append(
                        Route(
                            len(routes),
                            attacker,
                            defender,
                            base,
                            target,
                            base.missile,
                            per_missile,
                            shape,
                        )
                    )
    if not routes:
        raise ValueError("the scenario has no launch base and target to fly between on this date")
    report(f"flying {len(routes)} trajectories", 0.0)
    parts, rows = [], []
    for shape in settings.shapes():
        mine = [r for r in routes if r.shape == shape]
        vehicles = stack([missiles[r.missile].missile().vehicle() for r in mine])
        options: dict[str, Any] = {"shape": shape, "earth": earth}
        options.update(settings.shape_options(shape))
        parts.append(
            aim_parallel(
                vehicles,
                [r.base.lat_deg for r in mine],
                [r.base.lon_deg for r in mine],
                [r.target.lat_deg for r in mine],
                [r.target.lon_deg for r in mine],
                **options,
            )
        )
        rows.append(np.array([r.index for r in mine], dtype=np.intp))
    result = parts[0] if len(parts) == 1 else TargetingResult.join(parts, rows)
    out_of_reach = [r for r in routes if not result.on_target[r.index]]
    if out_of_reach:
        many = len(settings.shapes()) > 1
        warnings.append(
            f"{len(out_of_reach)} of {len(routes)} routes are beyond the missile's reach and "
            "are left out: "
            + ", ".join(
                f"{r.base.id}->{r.target.id}" + (f" ({r.shape})" if many else "")
                for r in out_of_reach[:8]
            )
            + (" ..." if len(out_of_reach) > 8 else "")
        )
    report("sampling trajectories", 0.5)
    in_service = {s.interceptor for p in posture.parties for s in p.interceptor_sites}
    used = [t for t in posture.interceptor_types if t.id in in_service]
    edges = {(t.min_intercept_altitude_km * 1e3, True) for t in used}
    edges |= {(t.max_intercept_altitude_km * 1e3, False) for t in used}
    samples, phase = _sample(result, posture.assessment.sample_step_s, earth, sorted(edges))
    flown = [t for t in used if _flown(t, posture.assessment.interceptor_model)]
    if flown:
        report(f"flyout tables of {len(flown)} interceptor types", 0.52)
    tables = {t.id: flyout_table(t) for t in flown}

    directions: list[Direction] = []
    jobs = [(shape, a, d) for shape in settings.shapes() for a, d in pairs]
    for k, (shape, attacker, defender) in enumerate(jobs):
        label = f" ({shape})" if len(settings.shapes()) > 1 else ""
        report(f"{defender} defenses against {attacker} forces{label}", 0.55 + 0.4 * k / len(jobs))
        directions.append(
            _direction(
                posture,
                parties[defender],
                parties[attacker],
                [r for r in routes if r.shape == shape],
                result,
                samples,
                phase,
                earth,
                warnings,
                tables,
                shape,
            )
        )
    criteria = _criteria(posture, directions, tables)
    report("done", 1.0)
    return Assessment(
        posture,
        when,
        tuple(routes),
        result,
        tuple(directions),
        criteria,
        tuple(warnings),
        tables,
        _purposes(posture, directions),
    )


def _pairs(scenario: Scenario) -> list[tuple[str, str]]:
    """The (attacker, defender) directions assessed (:meth:`Scenario.directions`)."""
    return [(a.id, d.id) for a, d in scenario.directions()]


def _is_dyad(scenario: Scenario, d: Direction) -> bool:
    """Whether a direction is between treaty partners (not a declared third-party threat)."""
    return any({d.attacker, d.defender} == {a, b} for a, b in scenario.assessment.dyads)


@dataclass(frozen=True)
class Coverage:
    """What a party's defenses could do against one group of attackers' missiles."""

    attackers: tuple[str, ...]
    routes: int
    """Reachable routes (base, target, shape) of those attackers to this party's targets."""
    routes_engageable: int
    warheads: int
    """Deployed warheads of those attackers."""
    warheads_defeatable: int
    by_site: dict[str, int]
    """Routes each site could engage."""

    @property
    def fraction(self) -> float:
        return self.warheads_defeatable / self.warheads if self.warheads else 0.0


@dataclass(frozen=True)
class Purpose:
    """The purpose test of a party that declares the threats its defenses are for: coverage
    of the declared threats beside coverage of the treaty partners' deterrent."""

    defender: str
    declared: Coverage
    partners: Coverage

    @property
    def serves_declared_purpose(self) -> bool:
        return self.declared.routes_engageable > 0


def _coverage(
    directions: list[Direction], attackers: tuple[str, ...], shots_per_warhead: int
) -> Coverage:
    """Coverage over the least-defeatable plan of each attacker (:func:`_least_defeatable`)."""
    mine = [p for p, _ in _least_defeatable(directions, shots_per_warhead)]
    mine = [p for p in mine if p.attacker in attackers]
    by_site: dict[str, int] = {}
    for p in mine:
        for i, site in enumerate(p.sites):
            by_site[site.id] = by_site.get(site.id, 0) + int(p.feasible[i].sum())
    return Coverage(
        attackers,
        sum(len(p.routes) for p in mine),
        sum(int(p.feasible.any(axis=0).sum()) for p in mine),
        sum(p.deployed_warheads for p in mine),
        sum(p.capacity.warheads_defeatable for p in mine),
        by_site,
    )


def _purposes(scenario: Scenario, directions: list[Direction]) -> tuple[Purpose, ...]:
    """The purpose test of every party that declares what its defenses are for."""
    shots = scenario.assessment.shots_per_warhead
    out = []
    for party in scenario.parties:
        declared = party.declared_against
        if not declared:
            continue
        partners = tuple(
            b if a == party.id else a for a, b in scenario.assessment.dyads if party.id in (a, b)
        )
        mine = [d for d in directions if d.defender == party.id]
        out.append(
            Purpose(party.id, _coverage(mine, declared, shots), _coverage(mine, partners, shots))
        )
    return tuple(out)


def _sample(
    result: TargetingResult,
    step_s: float,
    earth: EarthModel,
    edges_m: Sequence[tuple[float, bool]] = (),
) -> tuple[Samples, NDArray[np.int_]]:
    """Every trajectory sampled every ``step_s`` from launch to impact (the impact included),
    plus the instants where it crosses each altitude of ``edges_m`` (the intercept bands'
    floors, flagged True, and ceilings, bisected to ``EDGE_TOLERANCE_S`` and taken on the
    band's side), so that a band that a trajectory crosses between two samples still has
    samples; with ``sample_at`` for the window edges between samples."""
    traj = result.trajectory
    end = float(np.max(traj.impact_s))
    times = np.arange(0.0, end + step_s, step_s)
    t = np.broadcast_to(times, (traj.size, times.size)).copy()
    last = np.searchsorted(times, traj.impact_s)  # first grid time at or after impact
    rows = np.arange(traj.size)
    t[rows, np.minimum(last, times.size - 1)] = traj.impact_s
    t = np.minimum(t, traj.impact_s[:, None])
    r, _ = traj.sample(t)
    alt = frames.altitude(r.reshape(-1, 3), earth).reshape(t.shape)
    extra = _band_crossings(traj, t, alt, edges_m, earth)
    if extra is not None:
        t = np.concatenate([t, extra], axis=1)
        order = np.argsort(t, axis=1, kind="stable")
        t = np.take_along_axis(t, order, axis=1)
        r, _ = traj.sample(t)
        alt = frames.altitude(r.reshape(-1, 3), earth).reshape(t.shape)
    # Samples at or after impact repeat the impact point: only the first one is valid.
    valid = np.ones(t.shape, dtype=bool)
    valid[:, 1:] = t[:, :-1] < traj.impact_s[:, None]
    phase = np.stack([traj.phase_at(t[:, j]) for j in range(t.shape[1])], axis=1)

    def sample_at(rows: NDArray[np.int64], t_s: FloatArray) -> FloatArray:
        out, _ = traj.take(rows).state_at(t_s)
        return out

    return Samples(t, r, alt, valid, sample_at), phase


EDGE_TOLERANCE_S = 1e-2
"""Bisection tolerance (s) of the instants where a trajectory crosses an intercept band's edge."""


def _band_crossings(
    traj: Trajectory,
    t: FloatArray,
    alt: FloatArray,
    edges_m: Sequence[tuple[float, bool]],
    earth: EarthModel,
) -> FloatArray | None:
    """Times (N, K) at which each trajectory crosses each edge altitude between two samples
    (``t``, ``alt`` (N, M)): the end of the final bisection bracket at or above a floor
    (flag True), at or below a ceiling; padded with the impact time. None when none."""
    rows_all: list[NDArray[np.intp]] = []
    lo_all: list[FloatArray] = []
    hi_all: list[FloatArray] = []
    h_all: list[FloatArray] = []
    floor_all: list[NDArray[np.bool_]] = []
    moving = t[:, 1:] > t[:, :-1]
    for h_m, is_floor in edges_m:
        below = alt < h_m
        cross = (below[:, 1:] != below[:, :-1]) & moving
        n_idx, j_idx = np.nonzero(cross)
        rows_all.append(n_idx)
        lo_all.append(t[n_idx, j_idx])
        hi_all.append(t[n_idx, j_idx + 1])
        h_all.append(np.full(n_idx.size, h_m))
        floor_all.append(np.full(n_idx.size, is_floor))
    if sum(x.size for x in rows_all) == 0:
        return None
    rows = np.concatenate(rows_all)
    lo, hi, h = np.concatenate(lo_all), np.concatenate(hi_all), np.concatenate(h_all)
    floor = np.concatenate(floor_all)
    sub = traj.take(rows)
    lo_below = frames.altitude(sub.state_at(lo)[0], earth) < h
    gap = float(np.max(hi - lo))
    for _ in range(max(0, math.ceil(math.log2(gap / EDGE_TOLERANCE_S)))):
        mid = 0.5 * (lo + hi)
        mid_below = frames.altitude(sub.state_at(mid)[0], earth) < h
        same = mid_below == lo_below
        lo, hi = np.where(same, mid, lo), np.where(same, hi, mid)
    # lo stays on lo_below's side: take the end above a floor, below a ceiling.
    edge = np.where(lo_below == floor, hi, lo)
    counts = np.bincount(rows, minlength=traj.size)
    out = np.broadcast_to(traj.impact_s[:, None], (traj.size, int(counts.max()))).copy()
    order = np.argsort(rows, kind="stable")
    rows_s = rows[order]
    first = np.searchsorted(rows_s, np.arange(traj.size))
    out[rows_s, np.arange(rows_s.size) - first[rows_s]] = edge[order]
    return out


SATELLITE_CUE = "space_based_infrared"
"""``cued_by`` of an engagement cued by the party's space-based infrared satellites."""

COMMIT_CUE = "launch_delay_s"
"""``cued_by`` of every engagement when the scenario fixes the interceptors' launch time."""


def _cueing(
    defender: Party,
    settings: AssessmentSettings,
    detection: FloatArray,
    site_ecef: FloatArray,
    radar_ecef: FloatArray,
    n_t: int,
) -> tuple[FloatArray, FloatArray, tuple[str, ...], NDArray[np.int64]]:
    """Earliest and latest launch (S, T), the cueing sensors' names and, per (site, route),
    the index of the one that cued it (-1: none).

    Launch-on-remote: any own radar (fire control or early warning) and the satellites cue
    every site. Otherwise a site is cued only by fire-control radars within ``CO_LOCATED_M``
    and by the satellites when they are declared fire control. A fixed ``launch_delay_s``
    replaces all of this: every interceptor launches exactly then."""
    radars = defender.radars
    n_s = site_ecef.shape[0]
    names = (*(r.id for r in radars), SATELLITE_CUE)
    if settings.launch_delay_s is not None:
        fixed = np.full((n_s, n_t), float(settings.launch_delay_s))
        return fixed, fixed, (COMMIT_CUE,), np.zeros((n_s, n_t), dtype=np.int64)
    fire_control = np.array([r.role == "fire_control" for r in radars], dtype=bool)
    near = np.linalg.norm(site_ecef[:, None, :] - radar_ecef[None, :, :], axis=-1) <= CO_LOCATED_M
    can_cue = near & fire_control[None, :]
    if settings.launch_on_remote:
        can_cue = np.ones((n_s, len(radars)), dtype=bool)
    infrared = defender.space_based_infrared
    ir_s = None
    if infrared is not None and (settings.launch_on_remote or infrared.fire_control):
        ir_s = np.full(n_t, infrared.detection_delay_s)
    cue_s, by = earliest_cue_s(detection, can_cue, ir_s)
    early = cue_s + settings.decision_delay_s
    return early, np.full((n_s, n_t), np.inf), names, by


def _direction(
    scenario: Scenario,
    defender: Party,
    attacker: Party,
    routes: list[Route],
    result: TargetingResult,
    samples: Samples,
    phase: NDArray[np.int_],
    earth: EarthModel,
    warnings: list[str],
    tables: dict[str, FlyoutTable],
    shape: str = "min-energy",
) -> Direction:
    settings = scenario.assessment
    mine = [r for r in routes if r.attacker == attacker.id and r.defender == defender.id]
    live = [r for r in mine if result.on_target[r.index]]
    dead = [r for r in mine if not result.on_target[r.index]]
    cols = np.array([r.index for r in live], dtype=np.intp)
    sample_at = samples.sample_at

    def sub_sample_at(rows: NDArray[np.int64], t_s: FloatArray) -> FloatArray:
        assert sample_at is not None
        return sample_at(cols[rows].astype(np.int64), t_s)

    sub = Samples(
        samples.t_s[cols],
        samples.r_eci[cols],
        samples.altitude_m[cols],
        samples.valid[cols],
        None if sample_at is None else sub_sample_at,
    )
    sites = defender.interceptor_sites
    types = {t.id: t for t in scenario.interceptor_types}
    missiles = {m.id: m for m in scenario.missile_types}

    # Sensors: radar cross-section by phase and time since burnout.
    traj = result.trajectory
    burnout = traj.burnout_s[cols][:, None]
    booster = np.array([missiles[r.missile].rcs_booster_m2 for r in live])[:, None]
    bus = np.array(
        [
            missiles[r.missile].rcs_post_boost_vehicle_m2
            or missiles[r.missile].rcs_reentry_vehicle_m2
            for r in live
        ]
    )[:, None]
    rv = np.array([missiles[r.missile].rcs_reentry_vehicle_m2 for r in live])[:, None]
    ph = phase[cols]
    rcs = np.where(ph == Phase.BOOST, booster, np.where(sub.t_s <= burnout + POST_BOOST_S, bus, rv))
    rcs = np.where((ph == Phase.PRELAUNCH) | (ph == Phase.IMPACTED), 0.0, rcs)
    radars = defender.radars
    n_s, n_t = len(sites), len(live)
    if radars and n_t:
        sensor = sensor_radars(radars, earth)
        detection = first_detection_s(sensor, sub.r_eci, sub.t_s, rcs, sub.valid, earth)
    else:
        detection = np.full((len(radars), n_t), np.inf)
    site_ecef = frames.geodetic_to_vector(
        [s.lat_deg for s in sites], [s.lon_deg for s in sites], [s.alt_m for s in sites], earth
    ).reshape(n_s, 3)
    radar_ecef = frames.geodetic_to_vector(
        [r.lat_deg for r in radars], [r.lon_deg for r in radars], [r.alt_m for r in radars], earth
    ).reshape(len(radars), 3)
    launch, latest, cue_names, cued = _cueing(
        defender, settings, detection, site_ecef, radar_ecef, n_t
    )
    for i, site in enumerate(sites):
        if n_t and not np.isfinite(launch[i]).any():
            warnings.append(
                f"{defender.id} site {site.id}: no sensor can cue it; it cannot engage anything "
                "in this assessment"
            )
    flyout = [tables.get(s.interceptor) for s in sites]
    speeds = [_burnout_kms(types[s.interceptor], tables) * 1e3 for s in sites]
    burns = [_burn_time_s(types[s.interceptor], tables) for s in sites]
    model = critical_velocity_model(settings.interceptor_model)
    interceptors = Interceptors(
        np.array(speeds, dtype=np.float64),
        np.array(burns, dtype=np.float64),
        np.array([types[s.interceptor].min_intercept_altitude_km * 1e3 for s in sites]),
        np.array([types[s.interceptor].max_intercept_altitude_km * 1e3 for s in sites]),
        np.array(
            [
                np.inf
                if types[s.interceptor].max_range_km is None
                else types[s.interceptor].max_range_km * 1e3  # type: ignore[operator]
                for s in sites
            ]
        ),
    )
    table = _without_empty_sites(
        engage(
            site_ecef,
            interceptors,
            sub,
            launch,
            settings.shoot_look_shoot_assessment_s,
            earth,
            flyout=flyout if settings.interceptor_model != "burnout-delay" else None,
            latest_launch_s=latest,
            model=model,
        ),
        np.array([s.count for s in sites], dtype=np.int64),
    )
    capacity = _capacity(sites, mine, live, table.feasible, settings.shots_per_warhead)
    deployed = sum(b.launchers * scenario.warheads_per_missile(b) for b in attacker.launch_bases)
    first = detection.min(axis=0) if detection.size else np.full(n_t, np.inf)
    return Direction(
        defender.id,
        attacker.id,
        sites,
        tuple(live),
        tuple(dead),
        table,
        launch,
        first,
        capacity,
        int(deployed),
        cue_names,
        cued,
        sub,
        shape,
    )


def _capacity(
    sites: Sequence[InterceptorSite],
    routes: Sequence[Route],
    live: Sequence[Route],
    feasible: NDArray[np.bool_],
    shots_per_warhead: int,
) -> Capacity:
    """The warheads the sites could defeat (:mod:`glasnost.defense.capacity`): ``routes`` are
    every route of one attacker against one defender (their bases hold the warheads),
    ``live`` the flown ones, the columns of ``feasible`` (sites, live)."""
    bases = list({r.base.id: r.base for r in routes}.values())
    targets = list({r.target.id: r.target for r in routes}.values())
    base_index = {b.id: i for i, b in enumerate(bases)}
    target_index = {t.id: i for i, t in enumerate(targets)}
    per_missile = {r.base.id: r.warheads for r in routes}
    base_warheads = np.array([b.launchers * per_missile[b.id] for b in bases], dtype=np.int64)
    return max_warheads_defeated(
        feasible,
        np.array([s.count for s in sites], dtype=np.int64),
        np.array([base_index[r.base.id] for r in live], dtype=np.int64),
        np.array([target_index[r.target.id] for r in live], dtype=np.int64),
        base_warheads,
        len(targets),
        shots_per_warhead,
    )


def _without_empty_sites(table: EngagementTable, counts: NDArray[np.int64]) -> EngagementTable:
    """The table with every pair of a site that holds no interceptor marked infeasible (no
    window, no shots); its critical burnout velocity is kept (what-if information)."""
    empty = counts <= 0
    if not np.any(empty):
        return table
    e = empty[:, None]
    nan = np.nan
    return replace(
        table,
        feasible=table.feasible & ~e,
        earliest_intercept_s=np.where(e, nan, table.earliest_intercept_s),
        latest_intercept_s=np.where(e, nan, table.latest_intercept_s),
        earliest_intercept_altitude_m=np.where(e, nan, table.earliest_intercept_altitude_m),
        latest_intercept_altitude_m=np.where(e, nan, table.latest_intercept_altitude_m),
        latest_launch_s=np.where(e, nan, table.latest_launch_s),
        window_s=np.where(e, nan, table.window_s),
        shots=np.where(e, 0, table.shots),
    )


def _purpose_drivers(p: Purpose) -> tuple[str, ...]:
    def line(c: Coverage, what: str) -> str:
        return (
            f"{what} {', '.join(c.attackers) or '-'}: {c.routes_engageable} of {c.routes} "
            f"routes engageable, {c.warheads_defeatable} of {c.warheads} warheads defeatable "
            f"({c.fraction:.1%})"
        )

    return (
        line(p.declared, "declared threat"),
        line(p.partners, "treaty partner"),
        *(() if p.serves_declared_purpose else ("no route of a declared threat is engageable",)),
    )


PER_ROUTE = "per route"
"""The label of the plan in which the attacker picks each route's shape."""


@dataclass(frozen=True)
class ThreatPlan:
    """How an attacker flies its routes against one defender, as the defeatable-fraction
    criterion weighs it: one threat shape for every route (a direction), or, per route, the
    shape that the fewest of the defender's sites could engage (``PER_ROUTE``)."""

    defender: str
    attacker: str
    label: str
    sites: tuple[InterceptorSite, ...]
    routes: tuple[Route, ...]  # the flown routes, the columns of ``feasible``
    feasible: NDArray[np.bool_]  # (sites, routes)
    capacity: Capacity
    deployed_warheads: int

    @property
    def defeatable_fraction(self) -> float:
        if self.deployed_warheads == 0:
            return 0.0
        return self.capacity.warheads_defeatable / self.deployed_warheads

    @staticmethod
    def of(d: Direction) -> ThreatPlan:
        """The plan in which every route flies the direction's shape."""
        return ThreatPlan(
            d.defender,
            d.attacker,
            d.shape,
            d.sites,
            d.routes,
            d.table.feasible,
            d.capacity,
            d.deployed_warheads,
        )


def _per_route_plan(group: list[Direction], shots_per_warhead: int) -> ThreatPlan:
    """Per (base, target), the shape that the fewest sites could engage; ties go to the shape
    whose engaging sites hold the fewest interceptors, then to the order of ``threat_shapes``.
    A route that no shape reaches is left out, as in every plan."""
    first = group[0]
    ids = [s.id for s in first.sites]
    counts = np.array([s.count for s in first.sites], dtype=np.int64)
    chosen: dict[tuple[str, str], tuple[tuple[int, int, int], Route, NDArray[np.bool_]]] = {}
    for k, d in enumerate(group):
        if [s.id for s in d.sites] != ids:
            raise ValueError("the shapes of one direction were assessed with different sites")
        for j, r in enumerate(d.routes):
            column = d.table.feasible[:, j]
            rank = (int(column.sum()), int(counts[column].sum()), k)
            key = (r.base.id, r.target.id)
            if key not in chosen or rank < chosen[key][0]:
                chosen[key] = (rank, r, column)
    live = [r for _, r, _ in chosen.values()]
    feasible = (
        np.stack([c for _, _, c in chosen.values()], axis=1)
        if chosen
        else np.zeros((len(ids), 0), dtype=bool)
    )
    everything = [r for d in group for r in (*d.routes, *d.unreachable)]
    return ThreatPlan(
        first.defender,
        first.attacker,
        PER_ROUTE,
        first.sites,
        tuple(live),
        feasible,
        _capacity(first.sites, everything, live, feasible, shots_per_warhead),
        first.deployed_warheads,
    )


def _least_defeatable(
    directions: list[Direction], shots_per_warhead: int
) -> list[tuple[ThreatPlan, dict[str, float]]]:
    """Per (defender, attacker), the plan whose warheads the defender could defeat the least
    of (the attacker flies the way that suits it: the worst case for the defended party),
    with every plan's fraction. With several threat shapes the plans are each shape for
    every route and the per-route choice (:func:`_per_route_plan`)."""
    groups: dict[tuple[str, str], list[Direction]] = {}
    for d in directions:
        groups.setdefault((d.defender, d.attacker), []).append(d)
    out = []
    for group in groups.values():
        plans = [ThreatPlan.of(d) for d in group]
        if len(group) > 1:
            plans.append(_per_route_plan(group, shots_per_warhead))
        least = min(plans, key=lambda p: p.defeatable_fraction)
        out.append((least, {p.label: p.defeatable_fraction for p in plans}))
    return out


def _criteria(
    scenario: Scenario, directions: list[Direction], tables: dict[str, FlyoutTable]
) -> tuple[CriterionResult, ...]:
    """Each criterion of the agreement per direction (fraction) or per defender (velocities;
    a staged type's velocity is the one derived from its flyout table)."""
    out: list[CriterionResult] = []
    types = {t.id: t for t in scenario.interceptor_types}

    def speed_kms(type_id: str) -> float:
        return _burnout_kms(types[type_id], tables)

    parties = {p.id: p for p in scenario.parties}
    treaty = [d for d in directions if _is_dyad(scenario, d)]
    defenders = list(dict.fromkeys(d.defender for d in treaty))
    for crit in scenario.assessment.criteria:
        if crit.id == "purpose":
            for p in _purposes(scenario, directions):
                value = p.partners.fraction
                out.append(
                    CriterionResult(
                        crit.id,
                        f"{p.defender} defenses: declared against "
                        f"{', '.join(p.declared.attackers)}",
                        value,
                        crit.threshold,
                        value <= crit.threshold and p.serves_declared_purpose,
                        _purpose_drivers(p),
                    )
                )
        elif crit.id == "deployed_warheads_defeatable_fraction":
            shots = scenario.assessment.shots_per_warhead
            for d, by_plan in _least_defeatable(treaty, shots):
                top = np.argsort(-d.capacity.by_site)[:3]
                drivers = tuple(
                    f"{d.sites[i].id}: {int(d.capacity.by_site[i])} warheads"
                    for i in top
                    if d.capacity.by_site[i] > 0
                )
                if len(by_plan) > 1:
                    drivers = (
                        f"least defeatable shape: {d.label} ("
                        + ", ".join(f"{k} {v:.1%}" for k, v in by_plan.items())
                        + ")",
                        *drivers,
                    )
                value = d.defeatable_fraction
                out.append(
                    CriterionResult(
                        crit.id,
                        f"{d.defender} defenses vs {d.attacker} warheads",
                        value,
                        crit.threshold,
                        value <= crit.threshold,
                        drivers,
                    )
                )
        else:
            basing = "land" if crit.id.startswith("land") else "sea"
            for pid in defenders:
                sites = [s for s in parties[pid].interceptor_sites if s.basing == basing]
                speeds = {s.interceptor: speed_kms(s.interceptor) for s in sites}
                value = max(speeds.values(), default=0.0)
                drivers = tuple(
                    f"{k}: {v:.2f} km/s"
                    for k, v in sorted(speeds.items(), key=lambda kv: -kv[1])
                    if v > crit.threshold
                )
                out.append(
                    CriterionResult(
                        crit.id,
                        f"{pid} {basing}-based interceptors",
                        value,
                        crit.threshold,
                        value <= crit.threshold,
                        drivers,
                    )
                )
    return tuple(out)
