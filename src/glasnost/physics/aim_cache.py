"""Targeting results kept on disk by their inputs: :func:`cached_aim`.

What :func:`~glasnost.physics.parallel.aim_parallel` returns for a batch is a deterministic
function of the batch (its vehicle types and rows), the launch and target points, the options
and the physics code. Searching for the controls is most of its cost (several boost flights
and root solves a row); flying controls once is a fraction of it. So the controls found
(per row: the azimuth as flown, kick, termination time, whether reachable, whether flown from
an interpolated boost; and the iterations used) are kept in the table cache
(:mod:`glasnost.common.table_cache`: keyed by every input and the source of
``glasnost.physics``, written atomically, a damaged file is a miss), and a later call with the
same inputs flies them again as targeting flew them (:func:`fly_again`): the same
trajectories and result, bit for bit (tested).

An assessment whose attacker forces and settings did not change (a question about the
defenses, or a sweep over interceptor parameters) thus flies its trajectories once instead of
searching for them again; within one process (:func:`cached_aim`) it does not fly them again
at all.
"""

from __future__ import annotations

import hashlib
from dataclasses import fields
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from glasnost.common.memo import remembered
from glasnost.common.table_cache import cached_arrays, code_version
from glasnost.physics import frames, parallel
from glasnost.physics.constants import WGS84, EarthModel
from glasnost.physics.impact import surface_distance
from glasnost.physics.parallel import aim_parallel
from glasnost.physics.rocket import BoostProblem, fly_boost
from glasnost.physics.targeted import FlownControls, TargetingResult
from glasnost.physics.trajectory import CoastModel, Trajectory, fly
from glasnost.physics.vehicle import VehicleBatch

__all__ = ["cached_aim", "fly_again", "stored_aim"]

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

_KIND = "aim"


def stored_aim(
    vehicles: VehicleBatch,
    launch_lat_deg: ArrayLike,
    launch_lon_deg: ArrayLike,
    target_lat_deg: ArrayLike,
    target_lon_deg: ArrayLike,
    **options: Any,
) -> TargetingResult:
    """:func:`~glasnost.physics.parallel.aim_parallel` (``options`` as there, per-row options
    scalars), its controls kept in the table cache and flown again on a later call with the
    same inputs (module doc)."""
    n = vehicles.size
    points = [
        np.broadcast_to(np.asarray(x, dtype=float), (n,)).copy()
        for x in (launch_lat_deg, launch_lon_deg, target_lat_deg, target_lon_deg)
    ]
    found: list[TargetingResult] = []

    def compute() -> dict[str, NDArray[Any]]:
        result = aim_parallel(vehicles, points[0], points[1], points[2], points[3], **options)
        found.append(result)
        if result.flown is None:  # pragma: no cover - aim always records it
            raise RuntimeError("targeting did not record how it flew")
        return {
            "azimuth_deg": result.flown.azimuth_deg,
            "kick_deg": result.kick_deg,
            "cutoff_s": result.cutoff_s,
            "reachable": result.reachable,
            "interpolated": result.flown.interpolated,
            "outer_iterations": np.array(result.outer_iterations),
        }

    stored = cached_arrays(
        _KIND, _describe(vehicles, points, options), code_version("glasnost.physics"), compute
    )
    if found:  # computed in this call
        return found[0]
    earth: EarthModel = options.get("earth", WGS84)
    coast: CoastModel = options.get("coast", "kepler")
    flown = FlownControls(stored["azimuth_deg"].copy(), stored["interpolated"].copy())
    kick, cutoff = stored["kick_deg"].copy(), stored["cutoff_s"].copy()
    traj = fly_again(vehicles, points[0], points[1], flown, kick, cutoff, earth, coast)
    lat_i, lon_i = traj.impact_geodetic()
    miss = surface_distance(lat_i, lon_i, points[2], points[3], earth)
    return TargetingResult(
        traj,
        flown.azimuth_deg % 360.0,
        kick,
        cutoff,
        miss,
        stored["reachable"].copy(),
        int(stored["outer_iterations"]),
        flown,
    )


cached_aim = remembered(size=2)(stored_aim)
""":func:`stored_aim`, its last results also kept in memory (:mod:`glasnost.common.memo`): the
same inputs again in this process (a sweep's next sample) return the same result, read-only,
without flying the controls again."""


def fly_again(
    vehicles: VehicleBatch,
    launch_lat_deg: FloatArray,
    launch_lon_deg: FloatArray,
    flown: FlownControls,
    kick_deg: FloatArray,
    cutoff_s: FloatArray,
    earth: EarthModel = WGS84,
    coast: CoastModel = "kepler",
) -> Trajectory:
    """The trajectories (N,) that targeting flew with these controls, as it flew them: per
    vehicle type, the converged rows from one boost flown to depletion and interpolated at
    their cutoffs, the rest flown to their cutoffs (:class:`FlownControls`). Each row's flight
    depends only on its own controls and type, so this is the targeting's flight bit for bit."""
    pieces: list[Trajectory] = []
    rows: list[NDArray[np.intp]] = []
    for _, group in vehicles.groups():
        for interpolated in (True, False):
            idx = group[flown.interpolated[group] == interpolated]
            if idx.size == 0:
                continue
            sub = vehicles.take(idx)
            boost = None
            if interpolated:
                launch = frames.geodetic_to_vector(
                    launch_lat_deg[idx], launch_lon_deg[idx], 0.0, earth
                )
                r0, v0 = frames.ecef_to_eci(launch, 0.0, earth)
                problem = BoostProblem(
                    sub, np.radians(flown.azimuth_deg[idx]), np.radians(kick_deg[idx]), earth
                )
                boost = fly_boost(problem, r0, v0)
            pieces.append(
                fly(
                    sub,
                    launch_lat_deg[idx],
                    launch_lon_deg[idx],
                    flown.azimuth_deg[idx],
                    kick_deg[idx],
                    cutoff_s[idx],
                    earth=earth,
                    coast=coast,
                    boost=boost,
                )
            )
            rows.append(idx)
    return Trajectory.concat(pieces, rows)


def _describe(vehicles: VehicleBatch, points: list[FloatArray], options: dict[str, Any]) -> str:
    """Every input of one targeting batch, exactly: the distinct vehicle types (frozen
    dataclasses, whose ``repr`` writes every float exactly) with the digest of their rows, the
    digest of the batch's arrays and of the points, the options (sorted by name; arrays as
    lists) and the chunk size of :func:`~glasnost.physics.parallel.aim_parallel` (a row's
    last digits depend on the rows solved with it)."""
    digest = hashlib.sha256()
    kinds = []
    for kind, rows in vehicles.groups():
        kinds.append(kind)
        digest.update(np.ascontiguousarray(rows, dtype=np.int64).tobytes())
    for array in (*_batch_arrays(vehicles), *points):
        digest.update(repr((array.dtype.str, array.shape)).encode())
        digest.update(np.ascontiguousarray(array).tobytes())
    shown = {
        name: value.tolist() if isinstance(value, np.ndarray) else value
        for name, value in sorted(options.items())
    }
    return repr((kinds, digest.hexdigest(), shown, parallel.CHUNK_ROWS))


def _batch_arrays(vehicles: VehicleBatch) -> list[NDArray[Any]]:
    """The batch's numeric arrays (every field but the vehicle objects)."""
    return [np.asarray(getattr(vehicles, f.name)) for f in fields(vehicles) if f.name != "vehicles"]
