"""Interceptor flyout tables: the least time from launch to reach a (ground range, altitude).

Pure NumPy on SI arrays (docs/assessment.md, "Engagement"). A :class:`FlyoutTable` holds, on a
grid of ground ranges (along the sphere from the site) and altitudes (above the site's radius),
the least time from launch at which the interceptor's kill vehicle can be at that point. It is
computed once per interceptor type and looked up by :func:`time_to_reach` (bilinear).

Construction (shared by both interceptor models, :func:`_fan_table`):

- A fan of ``kicks`` (60) flights from one site, all in one vertical plane: launched from the
  equator of a non-rotating sphere of mean radius (:data:`SPHERE`, point-mass gravity) towards
  north, from vertical to flat. The staged model (:func:`staged_flyout_table`) flies the
  vehicle with :func:`glasnost.physics.rocket.fly_boost`: thrust, mass flow, drag on the way up
  (US 1976 atmosphere, the stages' Cd(Mach)), back-pressure loss, a vertical rise, a pitch-over
  by the kick angle, then a gravity turn until the last stage burns out. A probe fan (kicks 0 to
  90 deg by 1 deg) finds the flattest kick whose boost stays above ground; the fan's kicks are
  spaced uniformly from 0 (vertical) to it. The simple model (:func:`simple_flyout_table`)
  boosts in a straight line at constant acceleration to the burnout speed at elevations spaced
  uniformly from 90 to 0 deg (burnout point r_site + u t_b / 2, as in
  :mod:`glasnost.defense.engagement`).
- The coast from burnout (:func:`glasnost.defense.coast_drag.coast_samples`) with
  :func:`glasnost.physics.kepler.propagate`, sampled every ``step_s`` (2 s) from burnout to
  ``max_time_s`` (1,800 s) after launch, all kicks in one batch. Only the coast counts: the
  kill vehicle separates at burnout, as in the kernel's simple model (whose coasts last at
  least ``TAU_MIN_S``); the stages burn to depletion (no early thrust termination), so points
  that the booster passes while still burning -- low and close to the site -- are reached only
  by a coast that comes back through them, or not at all. A flight ends at its first sample
  below ground or near the antipode.
- The staged model's kill vehicle coasts with drag below 120 km unless ``coast_drag`` is False
  (:mod:`glasnost.defense.coast_drag`: the method, its effect on the table and its accuracy).
- Every sample gives (ground range d = R_mean * central angle, altitude h = |r| - R_mean, time
  t). The samples form a mesh in (kick, time): each quadrilateral between two neighbouring kicks
  and two successive samples is cut into two triangles, and the time is interpolated linearly
  inside each. Every grid node takes the least time of the triangles that cover it -- a node is
  reached no sooner than the fan reaches it, and where flights cross (lofted and depressed arcs
  through one point) the earliest wins; nodes that no triangle covers are unreachable (inf).

Resolution. The grid is uniform with ``cell_m`` (10 km) cells in range and altitude. Between
nodes :func:`time_to_reach` interpolates bilinearly and returns inf when a corner with non-zero
weight is inf, so the reachable region shrinks by at most one cell at its edge (the
conservative side). Inside it, the error is that of the linear interpolation across the fan
and of the bilinear grid, far below the naive cell size / speed (~2 s): against the
Lambert-based kernel on a non-rotating Earth (the simple model, 4.5 and 7 km/s, 12 points at
200-3,000 km range and 100-1,500 km altitude; tests/validation/test_flyout_validation.py) the
table's least time is within 0.06 s (the tolerance tested), and straight
above the site within 0.002 s of the closed-form vertical flight. Near the outer envelope of the
fan (the farthest reach at any time, where neighbouring flights cross) the interpolation is
coarser.

The rotating Earth. The table is computed in the site's frame as if it were inertial. The
engagement kernel (:func:`glasnost.defense.engagement.engage`) measures each intercept point in
the Earth-fixed frame at the intercept time -- the central angle between the site and the
point, and the point's radius minus the site's -- so the site's motion with the Earth during the
interceptor's flight is accounted for. Neglected is the Coriolis (and centrifugal) acceleration
of the interceptor's own flight relative to the rotating Earth. Measured for the simple model
against the Lambert-based kernel on a rotating sphere (sites at 0, 55 and 80 deg N, Earth-fixed
points 300-3,000 km away in the four cardinal directions at 200-1,500 km altitude): at the
table's least time the kernel needs a burnout speed within 1.3 % of the table's at 4.5 km/s
and 6 km/s, 0.2 % at 7.5 km/s within 2,000 km (0.4 % at 3,000 km; one flat-boost point, 3,000
km east of the equator at 200 km altitude, needs a boost below the horizontal there). In time
(site at 55 deg N): under 1 s out to about half the reach (1,000 km and 500 km altitude at
4.5 km/s; within 0.4 s everywhere to 2,000 km at 7.5 km/s), growing towards the edge of the
reach, where the least time rises steeply: 6 s at 2,000 km / 200 km altitude and 24-30 s at
2,000 km / 500 km altitude for 4.5 km/s (eastward flights are faster on the rotating Earth,
westward ones slower).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from glasnost.common.table_cache import cached_arrays, code_version
from glasnost.defense.coast_drag import CoastDrag, coast_samples
from glasnost.defense.raster_kernel import rasterize
from glasnost.physics.constants import SPHERE, EarthModel
from glasnost.physics.rocket import BoostProblem, fly_boost
from glasnost.physics.vehicle import Vehicle, stack

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

__all__ = [
    "FlyoutTable",
    "StagedFan",
    "best_burnout_speed",
    "simple_flyout_table",
    "staged_fan",
    "staged_flyout_table",
    "time_to_reach",
]

CELL_M = 10e3
"""Default grid cell (m) in ground range and altitude."""

STEP_S = 2.0
"""Default time between coast samples (s)."""

KICKS = 60
"""Default number of flights in the fan."""

MAX_TIME_S = 1800.0
"""Default time limit (s after launch): about the flight time of an ICBM."""

MAX_KICK_DEG = 90.0
"""Default largest pitch-over kick of the staged fan (deg from vertical). Kicks up to 180 deg
(thrust below the horizontal at the end of the pitch-over, then the gravity turn) are
accepted: the probe keeps those whose boost stays above ground. A fast vehicle's flattest arc
at 90 deg still climbs steeply, so the low, long-range region below it is out of the fan's
reach (a faster vehicle can then reach fewer nodes than a slower one); larger kicks fill it."""

PROBE_KICKS = 91
"""Kicks of the probe fan that finds the flattest kick still clear of the ground."""

_MAX_PAIRS = 1 << 21
"""Bound on the (triangle, grid node) pairs tested at once."""

_EDGE = 1e-9
"""Barycentric tolerance: nodes on a triangle's edge count as inside."""


@dataclass(frozen=True, eq=False)
class FlyoutTable:
    """Least time (s) from launch to reach each (ground range, altitude) node; SI units.

    Compared and hashed by identity (one table per interceptor type)."""

    ground_range_m: FloatArray
    """(G,) increasing ground ranges along the sphere from the site."""
    altitude_m: FloatArray
    """(H,) increasing altitudes above the site's radius."""
    time_s: FloatArray
    """(G, H) least time from launch; inf where the fan never reaches the node."""
    burnout_speed_ms: float
    """Best burnout speed relative to the site over the fan: the vehicle's declared-speed
    equivalent (the simple model's burnout velocity)."""
    burn_time_s: float
    """Boost duration (s): the simple model's burn time, the staged vehicle's total burn."""

    def __post_init__(self) -> None:
        g, h = self.ground_range_m, self.altitude_m
        if g.ndim != 1 or h.ndim != 1 or g.size < 2 or h.size < 2:
            raise ValueError("the grids must be one-dimensional with at least two nodes")
        if np.any(np.diff(g) <= 0.0) or np.any(np.diff(h) <= 0.0):
            raise ValueError("the grids must be strictly increasing")
        if self.time_s.shape != (g.size, h.size):
            raise ValueError(f"time_s must have shape ({g.size}, {h.size})")


def time_to_reach(
    table: FlyoutTable, ground_range_m: ArrayLike, altitude_m: ArrayLike
) -> FloatArray:
    """Least time (s) from launch to reach (ground range, altitude), bilinear in the grid.

    Broadcasts its arguments. inf outside the grid, for non-finite input, and where a grid node
    with non-zero weight is inf (unreachable); on a node, its own value.
    """
    d = np.asarray(ground_range_m, dtype=np.float64)
    h = np.asarray(altitude_m, dtype=np.float64)
    d, h = np.broadcast_arrays(d, h)
    g, a, t = table.ground_range_m, table.altitude_m, table.time_s
    inside = (d >= g[0]) & (d <= g[-1]) & (h >= a[0]) & (h <= a[-1])
    dd = np.where(inside, d, g[0])
    hh = np.where(inside, h, a[0])
    j = np.clip(np.searchsorted(g, dd, side="right") - 1, 0, g.size - 2)
    k = np.clip(np.searchsorted(a, hh, side="right") - 1, 0, a.size - 2)
    wd = (dd - g[j]) / (g[j + 1] - g[j])
    wh = (hh - a[k]) / (a[k + 1] - a[k])
    out = np.zeros(d.shape)
    reachable = inside.copy()
    for dj, dk, w in (
        (0, 0, (1.0 - wd) * (1.0 - wh)),
        (1, 0, wd * (1.0 - wh)),
        (0, 1, (1.0 - wd) * wh),
        (1, 1, wd * wh),
    ):
        corner = t[j + dj, k + dk]
        finite = np.isfinite(corner)
        reachable &= (w <= 0.0) | finite
        out += w * np.where(finite, corner, 0.0)
    result: FloatArray = np.where(reachable, out, np.inf)
    return result


# --------------------------------------------------------------------------------------------
# The shared machinery: a fan of burnout states -> coast samples -> triangles -> grid
# --------------------------------------------------------------------------------------------


def _grid(max_m: float, cell_m: float) -> FloatArray:
    n = max(1, math.ceil(max_m / cell_m - 1e-9))
    out: FloatArray = np.arange(n + 1, dtype=np.float64) * cell_m
    return out


def _fan_table(
    r_bo: FloatArray,
    v_bo: FloatArray,
    usable: BoolArray,
    burn_s: float,
    burnout_speed_ms: float,
    max_range_m: float,
    max_altitude_m: float,
    cell_m: float,
    step_s: float,
    max_time_s: float,
    earth: EarthModel,
    drag: CoastDrag | None = None,
) -> FlyoutTable:
    """The table of a fan of burnout states (n_kicks, 3), ordered from vertical to flat."""
    if not (max_time_s > burn_s):
        raise ValueError("max_time_s must exceed the burn time")
    ground, alt, times, valid = coast_samples(r_bo, v_bo, burn_s, max_time_s, step_s, earth, drag)
    valid &= usable[:, None]
    d_grid = _grid(max_range_m, cell_m)
    h_grid = _grid(max_altitude_m, cell_m)
    best = np.full(d_grid.size * h_grid.size, np.inf)

    # Triangles of the (kick, time) mesh: quad (i, k), (i+1, k), (i, k+1), (i+1, k+1) as
    # (A, B, C) and (B, D, C).
    n, k = ground.shape
    i2, k2 = np.meshgrid(np.arange(n - 1), np.arange(k - 1), indexing="ij")
    ii, kk = i2.ravel(), k2.ravel()
    corners = [
        ((ii, kk), (ii + 1, kk), (ii, kk + 1)),
        ((ii + 1, kk), (ii + 1, kk + 1), (ii, kk + 1)),
    ]
    tri_d, tri_h, tri_t = [], [], []
    for tri in corners:
        ok = np.logical_and.reduce([valid[c] for c in tri])
        tri_d.append(np.stack([ground[c][ok] for c in tri], axis=1))
        tri_h.append(np.stack([alt[c][ok] for c in tri], axis=1))
        tri_t.append(np.stack([times[c[1]][ok] for c in tri], axis=1))
    rasterize(
        np.concatenate(tri_d),
        np.concatenate(tri_h),
        np.concatenate(tri_t),
        cell_m,
        d_grid.size,
        h_grid.size,
        best,
    )
    return FlyoutTable(
        d_grid,
        h_grid,
        best.reshape(d_grid.size, h_grid.size),
        float(burnout_speed_ms),
        float(burn_s),
    )


def _rasterize(
    tri_d: FloatArray,
    tri_h: FloatArray,
    tri_t: FloatArray,
    cell_m: float,
    n_d: int,
    n_h: int,
    best: FloatArray,
) -> None:
    """Fold the linearly interpolated times of triangles (M, 3) into ``best`` (n_d * n_h,), the
    least over the triangles covering each node of the uniform grid (node (j, k) at
    (j cell, k cell)). The NumPy reference of the compiled
    :func:`glasnost.defense.raster_kernel.rasterize` that the tables use."""
    j_lo = np.clip(np.ceil(tri_d.min(axis=1) / cell_m - 1e-9), 0, n_d).astype(np.int64)
    j_hi = np.clip(np.floor(tri_d.max(axis=1) / cell_m + 1e-9), -1, n_d - 1).astype(np.int64)
    k_lo = np.clip(np.ceil(tri_h.min(axis=1) / cell_m - 1e-9), 0, n_h).astype(np.int64)
    k_hi = np.clip(np.floor(tri_h.max(axis=1) / cell_m + 1e-9), -1, n_h - 1).astype(np.int64)
    nj = np.maximum(j_hi - j_lo + 1, 0)
    nk = np.maximum(k_hi - k_lo + 1, 0)
    x0, y0 = tri_d[:, 0], tri_h[:, 0]
    e1x, e1y = tri_d[:, 1] - x0, tri_h[:, 1] - y0
    e2x, e2y = tri_d[:, 2] - x0, tri_h[:, 2] - y0
    den = e1x * e2y - e2x * e1y
    keep = np.flatnonzero((nj * nk > 0) & (np.abs(den) > 1e-12 * cell_m * cell_m))
    count = (nj * nk)[keep]
    ends = np.cumsum(count)
    start = 0
    while start < keep.size:
        stop = int(np.searchsorted(ends, ends[start] - count[start] + _MAX_PAIRS, side="right"))
        stop = max(stop, start + 1)
        sel = keep[start:stop]
        cnt = count[start:stop]
        tri = np.repeat(sel, cnt)
        first = np.repeat(np.cumsum(cnt) - cnt, cnt)
        q = np.arange(tri.size) - first
        j = j_lo[tri] + q // nk[tri]
        kk = k_lo[tri] + q % nk[tri]
        px, py = j * cell_m - x0[tri], kk * cell_m - y0[tri]
        l1 = (px * e2y[tri] - e2x[tri] * py) / den[tri]
        l2 = (e1x[tri] * py - px * e1y[tri]) / den[tri]
        l0 = 1.0 - l1 - l2
        inside = (l0 >= -_EDGE) & (l1 >= -_EDGE) & (l2 >= -_EDGE)
        t = tri_t[tri]
        time = l0 * t[:, 0] + l1 * t[:, 1] + l2 * t[:, 2]
        np.minimum.at(best, (j * n_h + kk)[inside], time[inside])
        start = stop


def _check(max_range_m: float, max_altitude_m: float, cell_m: float, step_s: float) -> None:
    if not (max_range_m > 0.0 and max_altitude_m > 0.0 and cell_m > 0.0 and step_s > 0.0):
        raise ValueError("max_range_m, max_altitude_m, cell_m and step_s must be positive")


# --------------------------------------------------------------------------------------------
# The two interceptor models
# --------------------------------------------------------------------------------------------


def simple_flyout_table(
    burnout_velocity_ms: float,
    burn_time_s: float,
    max_range_m: float,
    max_altitude_m: float,
    *,
    kicks: int = KICKS,
    cell_m: float = CELL_M,
    step_s: float = STEP_S,
    max_time_s: float = MAX_TIME_S,
) -> FlyoutTable:
    """Flyout table of the simple model: a straight boost at constant acceleration for
    ``burn_time_s`` to ``burnout_velocity_ms`` at elevations from 90 to 0 deg (``kicks`` of
    them, uniformly spaced), then a Kepler coast (module doc)."""
    _check(max_range_m, max_altitude_m, cell_m, step_s)
    if not (burnout_velocity_ms > 0.0 and burn_time_s >= 0.0 and kicks >= 2):
        raise ValueError("need a positive burnout velocity, burn time >= 0 and kicks >= 2")
    elev = np.radians(np.linspace(90.0, 0.0, kicks))
    u = burnout_velocity_ms * np.stack([np.sin(elev), np.zeros(kicks), np.cos(elev)], axis=1)
    site = np.array([SPHERE.equatorial_radius_m, 0.0, 0.0])
    r_bo = site + 0.5 * burn_time_s * u
    return _fan_table(
        r_bo,
        u,
        np.ones(kicks, dtype=bool),
        burn_time_s,
        burnout_velocity_ms,
        max_range_m,
        max_altitude_m,
        cell_m,
        step_s,
        max_time_s,
        SPHERE,
    )


def _staged_burnout(
    vehicle: Vehicle, kicks_rad: FloatArray, *, drag: bool = True
) -> tuple[FloatArray, FloatArray, BoolArray]:
    """Burnout positions and velocities (n, 3) of ``vehicle`` flown with pitch-over kicks
    ``kicks_rad`` (n,) from the equator of the non-rotating sphere towards north, and whether
    each flight stayed above ground through the boost."""
    n = kicks_rad.size
    batch = stack([vehicle] * n)
    problem = BoostProblem(
        batch, np.zeros(n), np.asarray(kicks_rad, dtype=np.float64), SPHERE, drag
    )
    r0 = np.tile([SPHERE.equatorial_radius_m, 0.0, 0.0], (n, 1))
    boost = fly_boost(problem, r0, np.zeros((n, 3)))
    alt = np.linalg.norm(boost.r, axis=-1) - SPHERE.equatorial_radius_m
    above: BoolArray = np.all(alt[:, 1:] > 0.0, axis=1)
    return boost.r[:, -1].copy(), boost.v[:, -1].copy(), above


@dataclass(frozen=True, eq=False)
class StagedFan:
    """The burnout states of a staged vehicle's fan of pitch-over kicks (SI units)."""

    kick_rad: FloatArray
    """(n,) kicks from 0 (vertical) to the flattest probe kick that stays above ground."""
    r_bo: FloatArray
    """(n, 3) burnout positions, launched from (R, 0, 0) towards +z."""
    v_bo: FloatArray
    """(n, 3) burnout velocities."""
    above: BoolArray
    """(n,) whether each flight stayed above ground through the boost."""

    @property
    def burnout_speed_ms(self) -> float:
        """Best burnout speed over the kicks that stay above ground (relative to the site)."""
        return float(np.max(np.linalg.norm(self.v_bo[self.above], axis=-1)))


@functools.lru_cache(maxsize=64)
def staged_fan(
    vehicle: Vehicle,
    *,
    kicks: int = KICKS,
    max_kick_deg: float = MAX_KICK_DEG,
    drag: bool = True,
) -> StagedFan:
    """The fan of a staged flyout table (module doc): a probe fan of :data:`PROBE_KICKS`
    kicks from 0 to ``max_kick_deg`` finds the flattest kick whose boost stays above ground;
    ``kicks`` kicks spaced uniformly from 0 to it are flown with
    :func:`glasnost.physics.rocket.fly_boost` (drag on the way up unless ``drag`` is False).
    Cached per vehicle (its arrays are read-only)."""
    if not (kicks >= 2 and 0.0 < max_kick_deg <= 180.0):
        raise ValueError("need kicks >= 2 and 0 < max_kick_deg <= 180")
    probe = np.radians(np.linspace(0.0, max_kick_deg, PROBE_KICKS))
    _, _, above = _staged_burnout(vehicle, probe, drag=drag)
    if not above[0]:
        raise ValueError(f"{vehicle.name}: even the vertical flight hits the ground in the boost")
    usable = int(np.argmin(above)) - 1 if not np.all(above) else PROBE_KICKS - 1
    kick = np.linspace(0.0, probe[max(usable, 1)], kicks)
    r_bo, v_bo, above = _staged_burnout(vehicle, kick, drag=drag)
    for array in (kick, r_bo, v_bo, above):
        array.flags.writeable = False
    return StagedFan(kick, r_bo, v_bo, above)


def best_burnout_speed(
    vehicle: Vehicle,
    *,
    kicks: int = KICKS,
    max_kick_deg: float = MAX_KICK_DEG,
    drag: bool = True,
) -> float:
    """The burnout speed (m/s) of :func:`staged_flyout_table` with the same arguments: the
    best over its fan of kicks that stay above ground, relative to the site."""
    return staged_fan(vehicle, kicks=kicks, max_kick_deg=max_kick_deg, drag=drag).burnout_speed_ms


def staged_flyout_table(
    vehicle: Vehicle,
    max_range_m: float,
    max_altitude_m: float,
    *,
    kicks: int = KICKS,
    max_kick_deg: float = MAX_KICK_DEG,
    cell_m: float = CELL_M,
    step_s: float = STEP_S,
    max_time_s: float = MAX_TIME_S,
    drag: bool = True,
    coast_drag: bool = True,
    kill_vehicle_beta_kg_m2: float | None = None,
) -> FlyoutTable:
    """Flyout table of a staged interceptor: ``vehicle`` flown with
    :func:`glasnost.physics.rocket.fly_boost` (drag on the way up unless ``drag`` is False) over
    a fan of pitch-over kicks from 0 to ``max_kick_deg`` (:func:`staged_fan`), then the kill
    vehicle's coast: with drag below 120 km (:class:`~glasnost.defense.coast_drag.CoastDrag`, of
    ``kill_vehicle_beta_kg_m2`` or by default the payload with the last stage's cross-section
    and drag curve) unless ``coast_drag`` is False, when it is the Kepler coast (module doc).

    The table's burnout speed is the best over the kicks that stay above ground (relative to
    the site: the sphere does not rotate); its burn time is the vehicle's total burn time.

    The table depends only on its arguments and the code, so it is kept on disk
    (:mod:`glasnost.common.table_cache`, keyed by the arguments and the source of
    :mod:`glasnost.physics` and :mod:`glasnost.defense`) and flown only on a miss.
    """
    _check(max_range_m, max_altitude_m, cell_m, step_s)
    inputs = (vehicle, max_range_m, max_altitude_m, kicks, max_kick_deg, cell_m, step_s)
    more = (max_time_s, drag, coast_drag, kill_vehicle_beta_kg_m2)
    arrays = cached_arrays(
        "flyout",
        repr(inputs + more),
        code_version("glasnost.physics", "glasnost.defense"),
        lambda: _table_arrays(
            _fly_staged_table(
                vehicle,
                max_range_m,
                max_altitude_m,
                kicks,
                max_kick_deg,
                cell_m,
                step_s,
                max_time_s,
                drag,
                coast_drag,
                kill_vehicle_beta_kg_m2,
            )
        ),
    )
    return FlyoutTable(
        arrays["ground_range_m"],
        arrays["altitude_m"],
        arrays["time_s"],
        float(arrays["burnout_speed_ms"]),
        float(arrays["burn_time_s"]),
    )


def _table_arrays(table: FlyoutTable) -> dict[str, FloatArray]:
    """The table as named arrays (its two numbers as 0-d arrays), as the cache keeps it."""
    return {
        "ground_range_m": table.ground_range_m,
        "altitude_m": table.altitude_m,
        "time_s": table.time_s,
        "burnout_speed_ms": np.asarray(table.burnout_speed_ms, dtype=np.float64),
        "burn_time_s": np.asarray(table.burn_time_s, dtype=np.float64),
    }


def _fly_staged_table(
    vehicle: Vehicle,
    max_range_m: float,
    max_altitude_m: float,
    kicks: int,
    max_kick_deg: float,
    cell_m: float,
    step_s: float,
    max_time_s: float,
    drag: bool,
    coast_drag: bool,
    kill_vehicle_beta_kg_m2: float | None,
) -> FlyoutTable:
    """The flights behind :func:`staged_flyout_table` (its arguments), without the cache."""
    fan = staged_fan(vehicle, kicks=kicks, max_kick_deg=max_kick_deg, drag=drag)
    return _fan_table(
        fan.r_bo,
        fan.v_bo,
        fan.above,
        vehicle.burn_time_s,
        fan.burnout_speed_ms,
        max_range_m,
        max_altitude_m,
        cell_m,
        step_s,
        max_time_s,
        SPHERE,
        CoastDrag.kill_vehicle(vehicle, kill_vehicle_beta_kg_m2) if coast_drag else None,
    )
