"""Single-missile flights for the CLI and reports: catalog missile + geometry -> summary.

Wraps the physics (targeting, max range) with the catalog's missile types and turns the
result into plain numbers with units in their names (km, km/s, degrees at this edge).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from glasnost.errors import PhysicsError
from glasnost.physics import frames
from glasnost.physics.constants import EARTH_MODELS, EarthModel
from glasnost.physics.max_range import max_range
from glasnost.physics.targeting import Shape, TargetingError, TargetingResult, aim
from glasnost.physics.trajectory import Phase
from glasnost.physics.vehicle import stack
from glasnost.scenario.missiles import MissileType, missile

MIN_SEPARATION_M = 100e3
"""Targets closer than this to the launch point are refused before any flight."""


class OutOfRangeError(PhysicsError, ValueError):
    """The target cannot be reached with the requested missile and shape."""


@dataclass(frozen=True)
class Flight:
    """One flown trajectory with the request that produced it."""

    missile: MissileType
    shape: str
    earth: EarthModel
    launch_lat_deg: float
    launch_lon_deg: float
    target_lat_deg: float | None
    target_lon_deg: float | None
    result: TargetingResult

    def summary(self) -> dict[str, Any]:
        """JSON-ready summary (kilometres, km/s and degrees at this edge)."""
        traj = self.result.trajectory
        lat_i, lon_i = traj.impact_geodetic()
        h_bo, v_bo, fpa_bo = traj.burnout_ground_state()
        reentry_speed = float(np.linalg.norm(traj.reentry_arc.v[0, 0]))
        miss_km = float(self.result.miss_m[0]) / 1e3 if self.target_lat_deg is not None else None
        return {
            "missile": self.missile.id,
            "missile_name": self.missile.name,
            "stack_basis": self.missile.basis,
            "shape": self.shape,
            "earth": self.earth.name,
            "launch": {"lat_deg": self.launch_lat_deg, "lon_deg": self.launch_lon_deg},
            "target": None
            if self.target_lat_deg is None
            else {"lat_deg": self.target_lat_deg, "lon_deg": self.target_lon_deg},
            "azimuth_deg": float(self.result.azimuth_deg[0]),
            "pitch_over_kick_deg": float(self.result.kick_deg[0]),
            "thrust_termination_s": float(self.result.cutoff_s[0]),
            "flight_time_s": float(traj.flight_time_s[0]),
            "ground_range_km": float(traj.ground_range_m()[0]) / 1e3,
            "apogee_km": float(traj.apogee_m()[0]) / 1e3,
            "miss_km": miss_km,
            "impact": {"lat_deg": float(lat_i[0]), "lon_deg": float(lon_i[0])},
            "burnout": {
                "time_s": float(traj.burnout_s[0]),
                "altitude_km": float(h_bo[0]) / 1e3,
                "speed_kms": float(v_bo[0]) / 1e3,
                "flight_path_angle_deg": float(fpa_bo[0]),
            },
            "reentry": {
                "time_s": float(traj.reentry_s[0]),
                "speed_kms": reentry_speed / 1e3,
            },
        }

    def samples(self, step_s: float = 1.0) -> list[dict[str, float | str]]:
        """The trajectory every ``step_s`` seconds from launch to impact (for CSV export)."""
        traj = self.result.trajectory
        end = float(traj.impact_s[0])
        times = np.append(np.arange(0.0, end, step_s), end)
        rows: list[dict[str, float | str]] = []
        for t in times:
            tt = np.array([t])
            r, v = traj.state_at(tt)
            lat, lon, alt = traj.geodetic_at(tt)
            _, v_e = frames.eci_to_ecef(r, tt, traj.earth, v_eci=v)
            rows.append(
                {
                    "t_s": float(t),
                    "phase": Phase(int(traj.phase_at(tt)[0])).name.lower(),
                    "lat_deg": float(lat[0]),
                    "lon_deg": float(lon[0]),
                    "alt_m": float(alt[0]),
                    "ground_speed_ms": float(np.linalg.norm(v_e[0])),
                    "x_eci_m": float(r[0, 0]),
                    "y_eci_m": float(r[0, 1]),
                    "z_eci_m": float(r[0, 2]),
                    "vx_eci_ms": float(v[0, 0]),
                    "vy_eci_ms": float(v[0, 1]),
                    "vz_eci_ms": float(v[0, 2]),
                }
            )
        return rows


def fly_missile(
    missile_id: str,
    launch_lat_deg: float,
    launch_lon_deg: float,
    *,
    target: tuple[float, float] | None = None,
    azimuth_deg: float | None = None,
    shape: str = "min-energy",
    apogee_km: float | None = None,
    flight_path_angle_deg: float | None = None,
    earth: str = "wgs84",
) -> Flight:
    """Fly a catalog missile at a target (or, for ``max-range``, along an azimuth).

    Raises :class:`glasnost.scenario.missiles.UnknownMissileError`,
    :class:`glasnost.physics.targeting.TargetingError` for invalid geometry and
    :class:`OutOfRangeError` when no trajectory of that shape reaches the target; their
    ``where`` names the missile and the route.
    """
    mt = missile(missile_id)
    model = EARTH_MODELS[earth]
    batch = stack([mt.vehicle()])
    if shape == "max-range":
        if azimuth_deg is None:
            raise ValueError("the max-range shape needs an azimuth")
        result = max_range(batch, [launch_lat_deg], [launch_lon_deg], [azimuth_deg], earth=model)
        return Flight(mt, shape, model, launch_lat_deg, launch_lon_deg, None, None, result)
    if target is None:
        raise ValueError("a target is needed for this shape (or use --shape max-range)")
    route = f"{mt.id} from {launch_lat_deg:g},{launch_lon_deg:g} to {target[0]:g},{target[1]:g}"
    separation, _ = frames.great_circle(launch_lat_deg, launch_lon_deg, *target)
    if float(separation) < MIN_SEPARATION_M:
        raise TargetingError(
            f"the target is {float(separation):.0f} m from the launch point; "
            "a ballistic flight needs a target at least 100 km away",
            where=route,
        )
    result = aim(
        batch,
        [launch_lat_deg],
        [launch_lon_deg],
        [target[0]],
        [target[1]],
        shape=_shape(shape),
        apogee_m=None if apogee_km is None else apogee_km * 1e3,
        flight_path_angle_deg=flight_path_angle_deg,
        earth=model,
    )
    if not result.on_target[0]:
        distance, bearing = frames.great_circle(launch_lat_deg, launch_lon_deg, *target)
        longest = max_range(batch, [launch_lat_deg], [launch_lon_deg], [bearing], earth=model)
        reach_km = float(longest.trajectory.ground_range_m()[0]) / 1e3
        away = float(distance) / 1e3
        if away > reach_km:
            why = f"the longest flight on that bearing is {reach_km:,.0f} km"
        elif (
            shape in ("lofted", "depressed") and apogee_km is None and flight_path_angle_deg is None
        ):
            why = (
                f"no full-burn {shape} trajectory lands there (give --apogee-km or --fpa-deg "
                "to shape it with thrust termination)"
            )
        else:
            why = f"no {shape} trajectory of this missile lands that close or meets that shape"
        raise OutOfRangeError(f"target out of reach: it is {away:,.0f} km away; {why}", where=route)
    return Flight(mt, shape, model, launch_lat_deg, launch_lon_deg, target[0], target[1], result)


def _shape(name: str) -> Shape:
    if name == "min-energy":
        return "min-energy"
    if name == "lofted":
        return "lofted"
    if name == "depressed":
        return "depressed"
    raise ValueError(f"unknown shape {name!r}")
