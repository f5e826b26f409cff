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
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from glasnost import __version__
from glasnost.defense.capacity import Capacity, max_warheads_defeated
from glasnost.defense.engagement import EngagementTable, Interceptors, Samples, engage
from glasnost.defense.flyout import FlyoutTable, staged_flyout_table
from glasnost.defense.sensors import Radars, earliest_launch_s, first_detection_s
from glasnost.physics import frames
from glasnost.physics.constants import EARTH_MODELS, EarthModel
from glasnost.physics.parallel import aim_parallel
from glasnost.physics.targeting import TargetingResult
from glasnost.physics.trajectory import Phase
from glasnost.physics.vehicle import stack
from glasnost.scenario.models import (
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


@functools.lru_cache(maxsize=32)
def flyout_table(itype: InterceptorType) -> FlyoutTable:
    """The flyout table of a staged interceptor type (computed once per distinct type): its
    vehicle flown with drag over a fan of pitch-over kicks, out to its maximum range (or
    ``FLYOUT_MAX_RANGE_KM``) and its highest intercept altitude."""
    max_range_km = FLYOUT_MAX_RANGE_KM if itype.max_range_km is None else itype.max_range_km
    return staged_flyout_table(
        itype.vehicle(),
        max_range_km * 1e3,
        itype.max_intercept_altitude_km * 1e3,
        max_time_s=FLYOUT_MAX_TIME_S,
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
    """The flyout table of each staged interceptor type in service, by type id."""

    @property
    def verdict(self) -> bool:
        """True when every criterion passes (no threat by the agreement's criteria)."""
        return all(c.passed for c in self.criteria)

    def interceptor_burnout_velocity_kms(self, type_id: str) -> float:
        """Burnout velocity (km/s) of an interceptor type: the declared one (simple model) or
        the one derived from its flyout table (staged)."""
        if type_id in self.flyout_tables:
            return self.flyout_tables[type_id].burnout_speed_ms / 1e3
        return _declared_kms(self.scenario.interceptor_type(type_id))

    def engagements(self) -> list[dict[str, Any]]:
        """One record per (site, route) of every direction (km, km/s and degrees)."""
        traj = self.trajectories.trajectory
        out: list[dict[str, Any]] = []
        for d in self.directions:
            tb = d.table
            for i, site in enumerate(d.sites):
                speed = self.interceptor_burnout_velocity_kms(site.interceptor)
                for j, route in enumerate(d.routes):
                    crit = float(tb.critical_burnout_velocity_ms[i, j])
                    out.append(
                        {
                            "defender": d.defender,
                            "site": site.id,
                            "interceptor": site.interceptor,
                            "interceptor_burnout_velocity_kms": speed,
                            "attacker": d.attacker,
                            "launch": route.base.id,
                            "missile": route.missile,
                            "target": route.target.id,
                            "feasible": bool(tb.feasible[i, j]),
                            "window_s": _num(tb.window_s[i, j]),
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
            "verdict": "no threat" if self.verdict else "threat",
            "verdict_passed": self.verdict,
            "criteria": [
                {
                    "id": c.id,
                    "subject": c.subject,
                    "value": c.value,
                    "threshold": c.threshold,
                    "passed": c.passed,
                    "drivers": list(c.drivers),
                }
                for c in self.criteria
            ],
            "capacity": [
                {
                    "defender": d.defender,
                    "attacker": d.attacker,
                    "deployed_warheads": d.deployed_warheads,
                    "warheads_defeatable": d.capacity.warheads_defeatable,
                    "fraction_defeatable": d.defeatable_fraction,
                    "by_site": {
                        s.id: int(n) for s, n in zip(d.sites, d.capacity.by_site, strict=True)
                    },
                    "by_base": _by_base(d),
                    "by_target": _by_target(d),
                }
                for d in self.directions
            ],
            "routes": [
                {
                    "attacker": r.attacker,
                    "launch": r.base.id,
                    "missile": r.missile,
                    "target": r.target.id,
                    "reachable": bool(self.trajectories.on_target[r.index]),
                    "flight_time_s": float(self.trajectories.trajectory.impact_s[r.index]),
                }
                for r in self.routes
            ],
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
    "after burnout, then the reentry vehicle; interceptors launch after the first track by a "
    "fire-control radar of their party that may cue them, plus the decision delay."
)


FLYOUT_ASSUMPTION = (
    "Staged interceptor types: the vehicle flies with drag, a pitch-over and a gravity turn to "
    "depletion of its stages; a flyout table of the least time to reach each ground range and "
    "altitude decides their engagements (the interceptor's own Coriolis acceleration is "
    "neglected); their burnout velocity is the best over the fan of pitch-over kicks, and "
    "their critical burnout velocity is that of an equivalent simple interceptor."
)


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

    routes: list[Route] = []
    for a, b in posture.assessment.dyads:
        for attacker, defender in ((a, b), (b, a)):
            for base in parties[attacker].launch_bases:
                per_missile = base.warheads_per_missile or missiles[base.missile].warheads or 1
                for target in parties[defender].targets:
                    routes.append(
                        Route(
                            len(routes), attacker, defender, base, target, base.missile, per_missile
                        )
                    )
    if not routes:
        raise ValueError("the scenario has no launch base and target to fly between on this date")
    report(f"flying {len(routes)} trajectories", 0.0)
    vehicles = stack([missiles[r.missile].missile().vehicle() for r in routes])
    result = aim_parallel(
        vehicles,
        [r.base.lat_deg for r in routes],
        [r.base.lon_deg for r in routes],
        [r.target.lat_deg for r in routes],
        [r.target.lon_deg for r in routes],
        shape=posture.assessment.trajectory_shape,
        earth=earth,
    )
    out_of_reach = [r for r in routes if not result.on_target[r.index]]
    if out_of_reach:
        warnings.append(
            f"{len(out_of_reach)} of {len(routes)} routes are beyond the missile's reach and "
            "are left out: "
            + ", ".join(f"{r.base.id}->{r.target.id}" for r in out_of_reach[:8])
            + (" ..." if len(out_of_reach) > 8 else "")
        )
    report("sampling trajectories", 0.5)
    samples, phase = _sample(result, posture.assessment.sample_step_s, earth)
    in_service = {s.interceptor for p in posture.parties for s in p.interceptor_sites}
    staged = [t for t in posture.interceptor_types if t.model == "staged" and t.id in in_service]
    if staged:
        report(f"flyout tables of {len(staged)} staged interceptor types", 0.52)
    tables = {t.id: flyout_table(t) for t in staged}

    directions: list[Direction] = []
    pairs = [(a, b) for a, b in posture.assessment.dyads]
    pairs += [(b, a) for a, b in posture.assessment.dyads]
    for k, (attacker, defender) in enumerate(pairs):
        report(f"{defender} defenses against {attacker} forces", 0.55 + 0.4 * k / len(pairs))
        directions.append(
            _direction(
                posture,
                parties[defender],
                parties[attacker],
                routes,
                result,
                samples,
                phase,
                earth,
                warnings,
                tables,
            )
        )
    criteria = _criteria(posture, directions, tables)
    report("done", 1.0)
    return Assessment(
        posture, when, tuple(routes), result, tuple(directions), criteria, tuple(warnings), tables
    )


def _sample(
    result: TargetingResult, step_s: float, earth: EarthModel
) -> tuple[Samples, NDArray[np.int_]]:
    """Every trajectory sampled every ``step_s`` from launch to impact (the impact included)."""
    traj = result.trajectory
    end = float(np.max(traj.impact_s))
    times = np.arange(0.0, end + step_s, step_s)
    t = np.broadcast_to(times, (traj.size, times.size)).copy()
    last = np.searchsorted(times, traj.impact_s)  # first grid time at or after impact
    rows = np.arange(traj.size)
    t[rows, np.minimum(last, times.size - 1)] = traj.impact_s
    valid = t <= traj.impact_s[:, None]
    r, _ = traj.sample(np.minimum(t, traj.impact_s[:, None]))
    alt = frames.altitude(r.reshape(-1, 3), earth).reshape(t.shape)
    phase = np.stack([traj.phase_at(t[:, j]) for j in range(t.shape[1])], axis=1)
    return Samples(t, r, alt, valid), phase


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
) -> Direction:
    settings = scenario.assessment
    mine = [r for r in routes if r.attacker == attacker.id and r.defender == defender.id]
    live = [r for r in mine if result.on_target[r.index]]
    dead = [r for r in mine if not result.on_target[r.index]]
    cols = np.array([r.index for r in live], dtype=np.intp)
    sub = Samples(
        samples.t_s[cols], samples.r_eci[cols], samples.altitude_m[cols], samples.valid[cols]
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
    fire_control = np.array([r.role == "fire_control" for r in radars], dtype=bool)
    near = np.linalg.norm(site_ecef[:, None, :] - radar_ecef[None, :, :], axis=-1) <= CO_LOCATED_M
    can_cue = fire_control[None, :] & (near | settings.launch_on_remote)
    infrared = defender.space_based_infrared
    ir_s = None
    if infrared is not None and infrared.fire_control:
        ir_s = np.full(n_t, infrared.detection_delay_s)
    launch = earliest_launch_s(
        detection,
        can_cue,
        settings.decision_delay_s,
        ir_s,
        None if ir_s is None else np.ones(n_s, dtype=bool),
    )
    for i, site in enumerate(sites):
        if not can_cue[i].any() and ir_s is None:
            warnings.append(
                f"{defender.id} site {site.id}: no fire-control sensor can cue it; it cannot "
                "engage anything in this assessment"
            )
    flyout = [tables.get(s.interceptor) for s in sites]
    interceptors = Interceptors(
        np.array(
            [
                _declared_kms(types[s.interceptor]) * 1e3 if f is None else f.burnout_speed_ms
                for s, f in zip(sites, flyout, strict=True)
            ]
        ),
        np.array(
            [
                types[s.interceptor].burn_time_s if f is None else f.burn_time_s
                for s, f in zip(sites, flyout, strict=True)
            ]
        ),
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
    table = engage(
        site_ecef,
        interceptors,
        sub,
        launch,
        settings.shoot_look_shoot_assessment_s,
        earth,
        flyout=flyout,
    )
    bases = list({r.base.id: r.base for r in mine}.values())
    targets = list({r.target.id: r.target for r in mine}.values())
    base_index = {b.id: i for i, b in enumerate(bases)}
    target_index = {t.id: i for i, t in enumerate(targets)}
    per_missile = {r.base.id: r.warheads for r in mine}
    base_warheads = np.array([b.launchers * per_missile[b.id] for b in bases], dtype=np.int64)
    capacity = max_warheads_defeated(
        table.feasible,
        np.array([s.count for s in sites], dtype=np.int64),
        np.array([base_index[r.base.id] for r in live], dtype=np.int64),
        np.array([target_index[r.target.id] for r in live], dtype=np.int64),
        base_warheads,
        len(targets),
        settings.shots_per_warhead,
    )
    deployed = sum(
        b.launchers * (b.warheads_per_missile or missiles[b.missile].warheads or 1)
        for b in attacker.launch_bases
    )
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
    )


def _criteria(
    scenario: Scenario, directions: list[Direction], tables: dict[str, FlyoutTable]
) -> tuple[CriterionResult, ...]:
    """Each criterion of the agreement per direction (fraction) or per defender (velocities;
    a staged type's velocity is the one derived from its flyout table)."""
    out: list[CriterionResult] = []
    types = {t.id: t for t in scenario.interceptor_types}

    def speed_kms(type_id: str) -> float:
        if type_id in tables:
            return tables[type_id].burnout_speed_ms / 1e3
        return _declared_kms(types[type_id])

    parties = {p.id: p for p in scenario.parties}
    defenders = list(dict.fromkeys(d.defender for d in directions))
    for crit in scenario.assessment.criteria:
        if crit.id == "deployed_warheads_defeatable_fraction":
            for d in directions:
                top = np.argsort(-d.capacity.by_site)[:3]
                drivers = tuple(
                    f"{d.sites[i].id}: {int(d.capacity.by_site[i])} warheads"
                    for i in top
                    if d.capacity.by_site[i] > 0
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
