"""One defender facing one attacker (:class:`Direction`): the routes flown (:class:`Route`),
which sensors cue which site and when, the engagement table of every (site, route) and the
maximum flow of warheads the defender could defeat.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np
from numpy.typing import NDArray

from glasnost.defense.capacity import Capacity, max_warheads_defeated
from glasnost.defense.engagement import EngagementTable, Interceptors, Samples, engage
from glasnost.defense.flyout import FlyoutTable
from glasnost.defense.interceptor_performance import (
    critical_velocity_model,
    type_burn_time_s,
    type_burnout_kms,
)
from glasnost.defense.sensors import Radars, earliest_cue_s, first_detection_s
from glasnost.physics import frames
from glasnost.physics.constants import EarthModel
from glasnost.physics.targeting import TargetingResult
from glasnost.physics.trajectory import Phase
from glasnost.scenario.models import Scenario
from glasnost.scenario.posture import InterceptorSite, LaunchBase, Party, Radar, Target
from glasnost.scenario.settings import AssessmentSettings

FloatArray = NDArray[np.float64]

POST_BOOST_S = 300.0
"""How long after burnout the post-boost vehicle (bus) is the radar object, before the
reentry vehicles are released (an assumption: a few minutes of bus manoeuvres)."""


CO_LOCATED_M = 50e3
"""Without launch-on-remote, a site may be cued only by fire-control radars this close."""


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


def assess_direction(
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
    speeds = [type_burnout_kms(types[s.interceptor], tables) * 1e3 for s in sites]
    burns = [type_burn_time_s(types[s.interceptor], tables) for s in sites]
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
    capacity = direction_capacity(sites, mine, live, table.feasible, settings.shots_per_warhead)
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


def direction_capacity(
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
