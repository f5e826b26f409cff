"""Demonstration flights: catalog missiles from catalog launch areas to catalog aim points.

Launch and aim coordinates are those of ../shared/catalog (reference.yaml and the labelled
assumptions of assumptions.yaml: submarine patrol points and city aim points are assumptions).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from rich.console import Console

from glasnost.physics.targeting import Shape, aim
from glasnost.physics.vehicle import stack
from glasnost.scenario.missiles import missile

PLACES: dict[str, tuple[float, float]] = {
    # Launch areas (reference.yaml base coordinates; patrol points are assumptions).
    "malmstrom_341mw": (47.505, -111.183),
    "us_atlantic_patrol": (40.0, -45.0),
    "kozelsk": (54.0347, 35.7808),
    "uzhur": (55.31, 89.83),
    "barents_bastion": (73.0, 40.0),
    "okhotsk_bastion": (52.0, 150.0),
    # Aim points (assumptions.yaml targets).
    "moscow": (55.76, 37.62),
    "washington": (38.90, -77.04),
    "chicago": (41.88, -87.63),
    "boston": (42.36, -71.06),
    "seattle": (47.61, -122.33),
}


@dataclass(frozen=True)
class DemoFlight:
    missile: str
    launch: str
    target: str
    shape: Shape
    apogee_km: float | None = None


FLIGHTS: tuple[DemoFlight, ...] = (
    DemoFlight("minuteman_iii", "malmstrom_341mw", "moscow", "min-energy"),
    DemoFlight("trident_ii_d5", "us_atlantic_patrol", "moscow", "min-energy"),
    DemoFlight("rs24_yars", "kozelsk", "washington", "min-energy"),
    DemoFlight("r36m2_ss18", "uzhur", "chicago", "min-energy"),
    DemoFlight("r29rmu_sineva", "barents_bastion", "boston", "min-energy"),
    DemoFlight("r30_bulava", "okhotsk_bastion", "seattle", "min-energy"),
    DemoFlight("minuteman_iii", "malmstrom_341mw", "moscow", "lofted"),
    DemoFlight("r30_bulava", "okhotsk_bastion", "seattle", "depressed", apogee_km=400.0),
)


def demonstration_flights(progress: bool = True) -> list[dict[str, Any]]:
    """Fly :data:`FLIGHTS` (batched by shape) and return one summary row per flight."""
    rows: list[dict[str, Any] | None] = [None] * len(FLIGHTS)
    groups: dict[tuple[str, float | None], list[int]] = {}
    for i, f in enumerate(FLIGHTS):
        groups.setdefault((f.shape, f.apogee_km), []).append(i)
    console = Console(stderr=True)
    with (
        console.status("flying demonstration trajectories", spinner="dots") if progress else _Null()
    ):
        for (_, apogee_km), idx in groups.items():
            flights = [FLIGHTS[i] for i in idx]
            launch = np.array([PLACES[f.launch] for f in flights])
            target = np.array([PLACES[f.target] for f in flights])
            result = aim(
                stack([missile(f.missile).vehicle() for f in flights]),
                launch[:, 0],
                launch[:, 1],
                target[:, 0],
                target[:, 1],
                shape=flights[0].shape,
                apogee_m=None if apogee_km is None else apogee_km * 1e3,
            )
            traj = result.trajectory
            rng = traj.ground_range_m()
            apogee = traj.apogee_m()
            _, speed, _ = traj.burnout_ground_state()
            for j, i in enumerate(idx):
                f = FLIGHTS[i]
                rows[i] = {
                    "missile": f.missile,
                    "from": f.launch,
                    "to": f.target,
                    "shape": f.shape
                    if f.apogee_km is None
                    else f"{f.shape} ({f.apogee_km:.0f} km)",
                    "reachable": bool(result.reachable[j]),
                    "ground_range_km": float(rng[j]) / 1e3,
                    "flight_time_s": float(traj.flight_time_s[j]),
                    "apogee_km": float(apogee[j]) / 1e3,
                    "burnout_speed_kms": float(speed[j]) / 1e3,
                    "miss_m": float(result.miss_m[j]),
                }
    return [r for r in rows if r is not None]


class _Null:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *args: object) -> None:
        return None
