"""Full ballistic trajectories: boost -> exo-atmospheric coast -> reentry -> impact.

:func:`fly` flies N missiles at once and returns an immutable :class:`Trajectory` that holds
the states of every phase and answers "where is missile k at time t?" for arbitrary times
(vectorized). Times are seconds from launch; states are ECI (aligned with ECEF at launch), SI.

The coast runs from burnout until the descent through the reentry interface (100 km), as an
exact two-body Kepler arc by default or, optionally, integrated with J2 gravity. Reentry is
integrated with the drag of the reentry vehicle (ballistic coefficient) down to the ellipsoid.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import IntEnum
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from glasnost.errors import PhysicsError
from glasnost.physics import atmosphere, flight_kernels, frames, reentry_kernel
from glasnost.physics.coast import (
    MAX_MARCH_S,
    GravityOnly,
    MarchResult,
    NoImpactError,
    ReentryVehicle,
    kepler_time_to_altitude,
    march_to_altitude,
    time_to_radius,
)
from glasnost.physics.constants import WGS84, EarthModel
from glasnost.physics.kepler import propagate
from glasnost.physics.rocket import (
    BoostProblem,
    BoostResult,
    air_velocity,
    approximate_altitude,
    fly_boost,
)
from glasnost.physics.rows import Rows, join_rows
from glasnost.physics.vehicle import VehicleBatch

FloatArray = NDArray[np.float64]
CoastModel = Literal["kepler", "j2"]

REENTRY_INTERFACE_M = 100e3
"""Geodetic height (m) where the integrated reentry takes over from the vacuum coast."""

REENTRY_STEP_SCALE = 0.1
"""Accuracy knob of the reentry step rule (see _reentry_step); smaller is finer. At 0.1 the
impact point moves by under a metre against a 1e-6 run (ICBM reentry, beta 12 t/m^2)."""

J2_COAST_STEP_S = 10.0


class GroundContactError(PhysicsError, ArithmeticError):
    """A trajectory's boost ends below the Earth's surface."""


class Phase(IntEnum):
    PRELAUNCH = 0
    BOOST = 1
    COAST = 2
    REENTRY = 3
    IMPACTED = 4


@dataclass(frozen=True)
class Trajectory:
    """N complete trajectories. Build with :func:`fly`; never mutated.

    Per-row arrays have shape (N,) (times, s) or (N, 3) (ECI states, m and m/s).
    """

    earth: EarthModel
    launch_r_ecef: FloatArray
    boost: BoostResult
    burnout_s: FloatArray
    burnout_r: FloatArray
    burnout_v: FloatArray
    reentry_s: FloatArray
    coast_model: CoastModel
    coast_arc: MarchResult | None
    reentry_arc: MarchResult
    impact_s: FloatArray

    @property
    def size(self) -> int:
        return len(self.burnout_s)

    def take(self, rows: NDArray[np.intp] | NDArray[np.bool_]) -> Trajectory:
        """The selected trajectories (a boolean mask or indices, in that order)."""
        return Trajectory(
            self.earth,
            self.launch_r_ecef[rows],
            self.boost.subset(rows),
            self.burnout_s[rows],
            self.burnout_r[rows],
            self.burnout_v[rows],
            self.reentry_s[rows],
            self.coast_model,
            None if self.coast_arc is None else self.coast_arc.take(rows),
            self.reentry_arc.take(rows),
            self.impact_s[rows],
        )

    @staticmethod
    def concat(parts: Sequence[Trajectory], rows: Rows = None) -> Trajectory:
        """All trajectories of ``parts`` (same Earth and coast models), one after another or
        scattered to ``rows`` (see :func:`glasnost.physics.rocket.join_rows`)."""
        first = parts[0]
        if any(p.earth != first.earth or p.coast_model != first.coast_model for p in parts):
            raise ValueError("trajectories to join must share the Earth and coast models")

        def cat(arrays: Sequence[FloatArray]) -> FloatArray:
            return join_rows(arrays, rows)

        coasts = [p.coast_arc for p in parts]
        return Trajectory(
            first.earth,
            cat([p.launch_r_ecef for p in parts]),
            BoostResult.concat([p.boost for p in parts], rows),
            cat([p.burnout_s for p in parts]),
            cat([p.burnout_r for p in parts]),
            cat([p.burnout_v for p in parts]),
            cat([p.reentry_s for p in parts]),
            first.coast_model,
            None
            if any(c is None for c in coasts)
            else MarchResult.concat([c for c in coasts if c is not None], rows),
            MarchResult.concat([p.reentry_arc for p in parts], rows),
            cat([p.impact_s for p in parts]),
        )

    @property
    def impact_r_eci(self) -> FloatArray:
        return self.reentry_arc.r[:, -1]

    @property
    def impact_v_eci(self) -> FloatArray:
        return self.reentry_arc.v[:, -1]

    def phase_at(self, t_s: FloatArray, rows: NDArray[np.intp] | None = None) -> NDArray[np.int_]:
        """Phase (:class:`Phase` values) at times ``t_s`` (N,) of every row, or (P,) of the rows
        ``rows`` (P,)."""
        t = np.asarray(t_s, dtype=float)
        pick = slice(None) if rows is None else rows
        return np.select(
            [
                t < 0.0,
                t <= self.burnout_s[pick],
                t <= self.reentry_s[pick],
                t <= self.impact_s[pick],
            ],
            [Phase.PRELAUNCH, Phase.BOOST, Phase.COAST, Phase.REENTRY],
            Phase.IMPACTED,
        )

    def state_at(
        self, t_s: FloatArray, rows: NDArray[np.intp] | None = None
    ) -> tuple[FloatArray, FloatArray]:
        """ECI position and velocity (N, 3) of each row at its time ``t_s`` (N,); with
        ``rows`` (P,), of row ``rows[i]`` at time ``t_s[i]`` (P, 3), any number of points per
        row (the same values as :meth:`take` of those rows, without copying their arcs).

        Before launch and after impact the point is fixed on the rotating Earth (the launch
        site, the impact point).
        """
        if rows is None:
            rows = np.arange(self.size)
            t = np.broadcast_to(np.asarray(t_s, dtype=float), (self.size,)).copy()
        else:
            rows = np.asarray(rows, dtype=np.intp)
            t = np.broadcast_to(np.asarray(t_s, dtype=float), rows.shape).copy()
        phase = self.phase_at(t, rows)
        r = np.empty((rows.size, 3))
        v = np.empty((rows.size, 3))
        for p in np.unique(phase):
            m = phase == p
            at = rows[m]
            if p == Phase.PRELAUNCH:
                r[m], v[m] = frames.ecef_to_eci(self.launch_r_ecef[at], t[m], self.earth)
            elif p == Phase.BOOST:
                r[m], v[m] = self.boost.state_at(t[m], rows=at)
            elif p == Phase.COAST and self.coast_arc is None:
                r[m], v[m] = propagate(
                    self.burnout_r[at],
                    self.burnout_v[at],
                    t[m] - self.burnout_s[at],
                    mu=self.earth.mu,
                )
            elif p == Phase.COAST:
                assert self.coast_arc is not None
                r[m], v[m] = self.coast_arc.state_at(t[m], rows=at)
            elif p == Phase.REENTRY:
                r[m], v[m] = self.reentry_arc.state_at(t[m], rows=at)
            else:
                impact_ecef, _ = frames.eci_to_ecef(
                    self.impact_r_eci[at], self.impact_s[at], self.earth
                )
                r[m], v[m] = frames.ecef_to_eci(impact_ecef, t[m], self.earth)
        return r, v

    def sample(self, t_s: FloatArray) -> tuple[FloatArray, FloatArray]:
        """States at several times per row: ``t_s`` of shape (N, M) -> (N, M, 3) each."""
        t = np.asarray(t_s, dtype=float)
        rows = np.repeat(np.arange(self.size), t.shape[1])
        r, v = self.state_at(t.reshape(-1), rows)
        return r.reshape(*t.shape, 3), v.reshape(*t.shape, 3)

    def geodetic_at(self, t_s: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
        """Latitude, longitude (deg) and height (m) of each row's sub-point at times ``t_s``."""
        t = np.broadcast_to(np.asarray(t_s, dtype=float), (self.size,))
        r, _ = self.state_at(t)
        r_ecef, _ = frames.eci_to_ecef(r, t, self.earth)
        return frames.vector_to_geodetic(r_ecef, self.earth)

    # -- summary quantities -------------------------------------------------------------------

    @property
    def flight_time_s(self) -> FloatArray:
        return self.impact_s

    def impact_geodetic(self) -> tuple[FloatArray, FloatArray]:
        """Impact latitude and longitude (deg)."""
        lat, lon, _ = self.geodetic_at(self.impact_s)
        return lat, lon

    def launch_geodetic(self) -> tuple[FloatArray, FloatArray]:
        lat, lon, _ = frames.vector_to_geodetic(self.launch_r_ecef, self.earth)
        return lat, lon

    def ground_range_m(self) -> FloatArray:
        """Great-circle distance (m, mean-radius sphere) from launch point to impact point."""
        lat0, lon0 = self.launch_geodetic()
        lat1, lon1 = self.impact_geodetic()
        return frames.great_circle(lat0, lon0, lat1, lon1)[0]

    def burnout_ground_state(self) -> tuple[FloatArray, FloatArray, FloatArray]:
        """Burnout height (m), ground-relative speed (m/s) and flight-path angle (deg) above
        the local horizontal (:func:`ground_flight_path_angle_deg`)."""
        r_e, v_e = frames.eci_to_ecef(
            self.burnout_r, self.burnout_s, self.earth, v_eci=self.burnout_v
        )
        _, _, h = frames.vector_to_geodetic(r_e, self.earth)
        speed = np.linalg.norm(v_e, axis=-1)
        fpa = ground_flight_path_angle_deg(
            self.burnout_r, self.burnout_v, self.burnout_s, self.earth
        )
        return h, speed, fpa

    def apogee_m(self) -> FloatArray:
        """Greatest geodetic height (m) reached by each row."""
        # The stored boost may run on past a thrust termination (stages flown to depletion):
        # only its nodes up to burnout belong to the flight.
        heights = frames.altitude(self.boost.r.reshape(-1, 3), self.earth).reshape(self.size, -1)
        flown = self.boost.t <= self.burnout_s[:, None]
        best = np.where(flown, heights, -np.inf).max(1)
        best = np.maximum(best, frames.altitude(self.burnout_r, self.earth))
        # A burnout below the reentry interface climbs on in the drag-integrated arc (its
        # nodes are at most 5 s apart: the top between nodes is within g/8 (5 s)^2 = 31 m).
        arc = self.reentry_arc.r
        best = np.maximum(
            best, frames.altitude(arc.reshape(-1, 3), self.earth).reshape(arc.shape[:2]).max(1)
        )
        # Apogee of the coast conic, when it is passed during the coast.
        r0, v0 = self.burnout_r, self.burnout_v
        ascending = np.einsum("ij,ij->i", r0, v0) > 0.0
        if np.any(ascending):
            rn = np.linalg.norm(r0[ascending], axis=-1)
            energy = 0.5 * np.sum(v0[ascending] ** 2, axis=-1) - self.earth.mu / rn
            h = np.linalg.norm(np.cross(r0[ascending], v0[ascending]), axis=-1)
            a = -self.earth.mu / (2.0 * energy)
            e = np.sqrt(np.maximum(1.0 - h * h / (self.earth.mu * a), 0.0))
            dt = time_to_radius(
                r0[ascending], v0[ascending], a * (1.0 + e) * (1 - 1e-12), self.earth.mu
            )
            # time_to_radius gives the descending crossing of (almost) the apogee radius.
            t_apo = np.minimum(
                np.nan_to_num(dt, nan=0.0), self.reentry_s[ascending] - self.burnout_s[ascending]
            )
            ra, _ = self.state_at(self.burnout_s[ascending] + t_apo, np.flatnonzero(ascending))
            best[ascending] = np.maximum(best[ascending], frames.altitude(ra, self.earth))
        return best


def ground_flight_path_angle_deg(
    r_eci: FloatArray, v_eci: FloatArray, t_s: FloatArray, earth: EarthModel
) -> FloatArray:
    """Earth-relative flight-path angle (deg) of ECI states (N, 3) at times ``t_s`` (N,): the
    angle of the velocity relative to the rotating ground (v - omega x r) above the local
    horizontal, the plane normal to the ellipsoid normal (geodetic vertical) through the
    point. This is the angle the CLI reports and the angle ``--fpa-deg`` asks for."""
    r_e, v_e = frames.eci_to_ecef(r_eci, t_s, earth, v_eci=v_eci)
    a2, b2 = earth.equatorial_radius_m**2, earth.polar_radius_m**2
    normal = r_e / np.array([a2, a2, b2])
    normal /= np.linalg.norm(normal, axis=-1, keepdims=True)
    speed = np.linalg.norm(v_e, axis=-1)
    sin_g = np.sum(normal * v_e, axis=-1) / speed
    return np.asarray(np.degrees(np.arcsin(np.clip(sin_g, -1.0, 1.0))), dtype=np.float64)


def _reentry_step(
    earth: EarthModel, beta_kg_m2: FloatArray
) -> Callable[[FloatArray, FloatArray, NDArray[np.intp]], FloatArray]:
    """Step rule of the drag-affected arc, from the local RK4 error of a drag force that grows
    exponentially along the path: h = (scale tau / (|v| lambda^4))^(1/5), with tau = beta /
    (rho |v|) the drag e-folding time of the speed and lambda = |v_vertical| / 7 km the rate at
    which the density changes. Between 0.02 s and 5 s; long where the air is thin. The
    constant is REENTRY_STEP_SCALE."""

    def step(r: FloatArray, v: FloatArray, rows: NDArray[np.intp]) -> FloatArray:
        scale = REENTRY_STEP_SCALE  # read at call time, so that a study can vary it
        rho, _ = atmosphere.properties_tabulated(approximate_altitude(r, earth))
        v_air = air_velocity(r, v, earth)
        speed = np.sqrt(np.sum(v_air * v_air, axis=0))
        vertical = np.abs(np.sum(r * v, axis=0)) / np.sqrt(np.sum(r * r, axis=0))
        tau = beta_kg_m2[rows] / np.maximum(rho * speed, 1e-300)
        lam = np.maximum(vertical, 1.0) / 7000.0
        h = (scale * tau / (np.maximum(speed, 1.0) * lam**4)) ** 0.2
        return np.clip(h, 0.02, 5.0)

    return step


def _reentry_march_numpy(
    beta_kg_m2: FloatArray, t0: FloatArray, r0: FloatArray, v0: FloatArray, earth: EarthModel
) -> MarchResult:
    """The reentry arcs (N rows from states (N, 3) at ``t0``) down to the ground, in NumPy:
    the reference of :func:`_reentry_march`."""
    return march_to_altitude(
        ReentryVehicle(earth, beta_kg_m2), t0, r0, v0, 0.0, earth, _reentry_step(earth, beta_kg_m2)
    )


def _reentry_march(
    beta_kg_m2: FloatArray, t0: FloatArray, r0: FloatArray, v0: FloatArray, earth: EarthModel
) -> MarchResult:
    """The reentry arcs of :func:`_reentry_march_numpy`, by the compiled kernel."""
    t, r, v, end_s, ok = reentry_kernel.reentry_march(
        np.ascontiguousarray(t0, dtype=float),
        np.ascontiguousarray(r0, dtype=float),
        np.ascontiguousarray(v0, dtype=float),
        np.ascontiguousarray(beta_kg_m2, dtype=float),
        0.0,
        REENTRY_STEP_SCALE,
        MAX_MARCH_S,
        flight_kernels.earth_parameters(earth),
        flight_kernels.ATMOSPHERE,
    )
    if not ok:
        raise ArithmeticError("a trajectory did not come down within the time limit")
    return MarchResult(t, r, v, end_s, ReentryVehicle(earth, beta_kg_m2))


def fly(
    vehicles: VehicleBatch,
    launch_lat_deg: FloatArray,
    launch_lon_deg: FloatArray,
    azimuth_deg: FloatArray,
    kick_deg: FloatArray,
    cutoff_s: FloatArray | None = None,
    earth: EarthModel = WGS84,
    coast: CoastModel = "kepler",
    boost_step_s: float = 1.0,
    boost: BoostResult | None = None,
) -> Trajectory:
    """Fly N trajectories from launch to impact on the ellipsoid.

    Launch points (deg, on the surface), launch azimuths and pitch-over kick angles (deg) and
    thrust-termination times (s, None: burn to depletion) are arrays of shape (N,). A boost
    already flown to depletion with the same steering may be passed as ``boost``: the burnout
    state is then interpolated at each cutoff instead of integrating again.
    """
    lat = np.asarray(launch_lat_deg, dtype=float)
    lon = np.asarray(launch_lon_deg, dtype=float)
    launch_ecef = frames.geodetic_to_vector(lat, lon, 0.0, earth)
    if boost is None:
        problem = BoostProblem(
            vehicles,
            np.radians(np.asarray(azimuth_deg, dtype=float)),
            np.radians(np.asarray(kick_deg, dtype=float)),
            earth,
        )
        r0, v0 = frames.ecef_to_eci(launch_ecef, 0.0, earth)
        boost = fly_boost(problem, r0, v0, cutoff_s, step_s=boost_step_s)
    end = boost.burnout_s if cutoff_s is None else np.minimum(cutoff_s, boost.burnout_s)
    r_bo, v_bo = boost.state_at(end)
    return coast_and_reenter(vehicles, launch_ecef, boost, end, r_bo, v_bo, earth, coast)


def coast_and_reenter(
    vehicles: VehicleBatch,
    launch_ecef: FloatArray,
    boost: BoostResult,
    burnout_s: FloatArray,
    r_bo: FloatArray,
    v_bo: FloatArray,
    earth: EarthModel,
    coast: CoastModel = "kepler",
    *,
    compiled: bool = True,
) -> Trajectory:
    """Complete trajectories from burnout states (N, 3) at ``burnout_s``.

    The reentry is marched by the compiled kernel
    (:func:`glasnost.physics.reentry_kernel.reentry_march`), or with ``compiled=False`` by its
    NumPy reference (:func:`glasnost.physics.coast.march_to_altitude` with the step rule of
    :func:`_reentry_step`).

    Raises :class:`GroundContactError` when a boost ends below the surface (a pitch-over so
    steep that the vehicle flies into the ground); its ``where`` names the rows, their vehicles
    and the burnout time.
    """
    height = frames.altitude(r_bo, earth)
    if np.any(height <= 0.0):
        rows = np.flatnonzero(height <= 0.0)
        raise GroundContactError(
            f"the boost ends {-height[rows[0]] / 1e3:.1f} km below the surface: the pitch-over "
            "kick is too large for this vehicle",
            where=f"{vehicles.rows_named(rows)}, burnout at t = {burnout_s[rows[0]]:.1f} s",
        )
    above = frames.altitude(r_bo, earth) > REENTRY_INTERFACE_M
    coast_arc: MarchResult | None = None
    if coast == "kepler":
        dt = np.zeros(len(burnout_s))
        if np.any(above):
            dt[above] = kepler_time_to_altitude(
                r_bo[above], v_bo[above], REENTRY_INTERFACE_M, earth
            )
        if np.any(~np.isfinite(dt)):
            raise NoImpactError(
                "the coast does not come back down (burnout speed is orbital)",
                where=vehicles.rows_named(np.flatnonzero(~np.isfinite(dt))),
            )
        reentry_s = burnout_s + dt
        r_ri, v_ri = propagate(r_bo, v_bo, dt, mu=earth.mu)
    else:
        coast_arc = march_to_altitude(
            GravityOnly(earth),
            burnout_s,
            r_bo,
            v_bo,
            REENTRY_INTERFACE_M,
            earth,
            lambda r, v, rows: np.full(r.shape[1], J2_COAST_STEP_S),
            active=above,
        )
        reentry_s = np.where(above, coast_arc.end_s, burnout_s)
        r_ri = np.where(above[:, None], coast_arc.r[:, -1], r_bo)
        v_ri = np.where(above[:, None], coast_arc.v[:, -1], v_bo)
    reenter = _reentry_march if compiled else _reentry_march_numpy
    reentry_arc = reenter(vehicles.reentry_beta_kg_m2, reentry_s, r_ri, v_ri, earth)
    return Trajectory(
        earth,
        launch_ecef,
        boost,
        burnout_s,
        r_bo,
        v_bo,
        reentry_s,
        coast,
        coast_arc,
        reentry_arc,
        reentry_arc.end_s,
    )
