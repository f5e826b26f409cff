"""The longest flight of a vehicle along a launch azimuth (the ``max-range`` shape)."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from glasnost.physics import frames
from glasnost.physics.constants import WGS84, EarthModel
from glasnost.physics.envelope import envelope
from glasnost.physics.impact import vacuum_impact
from glasnost.physics.rocket import BoostProblem, fly_boost
from glasnost.physics.targeted import TargetingError, TargetingResult, check_points
from glasnost.physics.trajectory import CoastModel, fly
from glasnost.physics.vehicle import VehicleBatch

FloatArray = NDArray[np.float64]


_GOLDEN = (np.sqrt(5.0) - 1.0) / 2.0
_MAX_RANGE_ITER = 14


def max_range(
    vehicles: VehicleBatch,
    launch_lat_deg: ArrayLike,
    launch_lon_deg: ArrayLike,
    azimuth_deg: ArrayLike,
    earth: EarthModel = WGS84,
    coast: CoastModel = "kepler",
) -> TargetingResult:
    """The longest full-burn trajectory of each row along a launch azimuth (deg, (N,)).

    Golden-section search over the kick, 6 degrees either side of the envelope's best kick
    (clipped to the valid kicks), each probe a batched boost with a vacuum coast to the radius
    of the ellipsoid under the launch point; the chosen kick is then flown in full (reentry
    with drag), and that trajectory's ground range is the result.
    """
    n = vehicles.size
    lat0, lon0, az = (
        np.broadcast_to(np.asarray(x, dtype=float), (n,)).copy()
        for x in (launch_lat_deg, launch_lon_deg, azimuth_deg)
    )
    check_points("launch point", lat0, lon0, vehicles)
    if not np.all(np.isfinite(az)):
        raise TargetingError(
            "must be a finite number",
            where=f"azimuth of {vehicles.rows_named(np.flatnonzero(~np.isfinite(az)))}",
        )
    lo = np.empty(n)
    hi = np.empty(n)
    for veh, m in vehicles.groups():
        env = envelope(veh)
        kicks = env.kicks_deg[env.valid]
        k_star = env.max_range_kick_deg
        lo[m], hi[m] = max(kicks[0], k_star - 6.0), min(kicks[-1], k_star + 6.0)
    launch_ecef = frames.geodetic_to_vector(lat0, lon0, 0.0, earth)
    r0, v0 = frames.ecef_to_eci(launch_ecef, 0.0, earth)
    radius = np.linalg.norm(launch_ecef, axis=-1)
    t_end = vehicles.burnout_s[:, -1]

    def reach(kick: FloatArray) -> FloatArray:
        problem = BoostProblem(vehicles, np.radians(az), np.radians(kick), earth)
        boost = fly_boost(problem, r0, v0)
        lat, lon, *_ = vacuum_impact(boost, t_end, radius, earth)
        got, _ = frames.great_circle(lat0, lon0, np.nan_to_num(lat), lon)
        return np.where(np.isfinite(lat), got, 0.0)

    a, b = lo, hi
    c, d = b - _GOLDEN * (b - a), a + _GOLDEN * (b - a)
    fc, fd = reach(c), reach(d)
    for _ in range(_MAX_RANGE_ITER):
        left = fc >= fd  # the maximum lies in [a, d]
        a, b = np.where(left, a, c), np.where(left, d, b)
        c_new = np.where(left, b - _GOLDEN * (b - a), d)
        d_new = np.where(left, c, a + _GOLDEN * (b - a))
        probe = np.where(left, c_new, d_new)
        fp = reach(probe)
        fc, fd = np.where(left, fp, fd), np.where(left, fc, fp)
        c, d = c_new, d_new
    kick = np.where(fc >= fd, c, d)
    traj = fly(vehicles, lat0, lon0, az, kick, None, earth=earth, coast=coast)
    return TargetingResult(
        traj,
        az % 360.0,
        kick,
        t_end.copy(),
        np.zeros(n),
        np.ones(n, dtype=bool),
        _MAX_RANGE_ITER + 2,
    )
