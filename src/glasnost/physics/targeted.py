"""What targeting returns: the targeted trajectories with their controls, the contract they are
judged by, and the checks and error of targeting inputs. Shared by :mod:`glasnost.physics.targeting`
(aim at a target) and :mod:`glasnost.physics.max_range` (fly farthest along an azimuth).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from glasnost.errors import PhysicsError
from glasnost.physics.rows import join_rows
from glasnost.physics.trajectory import Trajectory
from glasnost.physics.vehicle import VehicleBatch

__all__ = [
    "CONTRACT_MISS_M",
    "FlownControls",
    "TargetingError",
    "TargetingResult",
    "check_points",
]

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

CONTRACT_MISS_M = 1000.0
"""A targeted trajectory is on target when it lands within 1 km."""


class TargetingError(PhysicsError, ValueError):
    """Raised for inputs that cannot describe a targeting problem."""


@dataclass(frozen=True)
class FlownControls:
    """How targeting flew each row's trajectory (N,), so that the same controls fly the same
    trajectory again bit for bit (:mod:`glasnost.physics.aim_cache`): the azimuth as flown
    (deg, before it is wrapped to [0, 360) for :attr:`TargetingResult.azimuth_deg`), and
    whether the boost was flown to depletion and its state interpolated at the cutoff (the
    rows that converged) rather than flown to the cutoff (the rest)."""

    azimuth_deg: FloatArray
    interpolated: BoolArray


@dataclass(frozen=True)
class TargetingResult:
    """Targeted trajectories and the controls found, per row (N,); ``flown``: how they were
    flown (None where not recorded, as for :func:`glasnost.physics.max_range.max_range`)."""

    trajectory: Trajectory
    azimuth_deg: FloatArray
    kick_deg: FloatArray
    cutoff_s: FloatArray
    miss_m: FloatArray
    reachable: BoolArray
    outer_iterations: int
    flown: FlownControls | None = None

    @staticmethod
    def join(parts: list[TargetingResult], rows: list[NDArray[np.intp]]) -> TargetingResult:
        """Results of disjoint row groups (``rows[i]`` for ``parts[i]``) as one, in row order."""
        return TargetingResult(
            Trajectory.concat([p.trajectory for p in parts], rows),
            join_rows([p.azimuth_deg for p in parts], rows),
            join_rows([p.kick_deg for p in parts], rows),
            join_rows([p.cutoff_s for p in parts], rows),
            join_rows([p.miss_m for p in parts], rows),
            join_rows([p.reachable for p in parts], rows),
            max(p.outer_iterations for p in parts),
            None
            if any(p.flown is None for p in parts)
            else FlownControls(
                join_rows([p.flown.azimuth_deg for p in parts if p.flown is not None], rows),
                join_rows([p.flown.interpolated for p in parts if p.flown is not None], rows),
            ),
        )

    @property
    def on_target(self) -> BoolArray:
        """Rows that reached their target within the 1 km contract."""
        return self.reachable & (self.miss_m <= CONTRACT_MISS_M)


def check_points(
    name: str, lat_deg: FloatArray, lon_deg: FloatArray, vehicles: VehicleBatch
) -> None:
    """Raise :class:`TargetingError` for non-finite or out-of-range coordinates (N,), its
    ``where`` naming the point and the rows (with their vehicles) that have it."""
    for bad, reason in (
        (~(np.isfinite(lat_deg) & np.isfinite(lon_deg)), "coordinates must be finite numbers"),
        (np.abs(lat_deg) > 90.0, "latitude must be within [-90, 90] degrees"),
        (np.abs(lon_deg) > 180.0, "longitude must be within [-180, 180] degrees"),
    ):
        if np.any(bad):
            raise TargetingError(
                reason, where=f"{name} of {vehicles.rows_named(np.flatnonzero(bad))}"
            )
