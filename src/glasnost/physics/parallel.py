"""Targeting on several CPU cores: the rows of a batch are independent, so they are split into
one chunk per worker process and the results joined in row order.

NumPy runs element-wise arithmetic on one core; a process per core is the simple way to use
the others (threads would contend for the interpreter between the many small array
operations). On one core, or for small batches, this is exactly :func:`targeting.aim`.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from glasnost.physics.targeting import TargetingResult, aim, envelope
from glasnost.physics.vehicle import VehicleBatch

MIN_ROWS_PER_WORKER = 500
"""Below this many rows per worker the start-up and transfer costs outweigh the gain."""


def default_workers() -> int:
    """The CPU cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def aim_parallel(
    vehicles: VehicleBatch,
    launch_lat_deg: ArrayLike,
    launch_lon_deg: ArrayLike,
    target_lat_deg: ArrayLike,
    target_lon_deg: ArrayLike,
    workers: int | None = None,
    **options: Any,
) -> TargetingResult:
    """:func:`glasnost.physics.targeting.aim` over ``workers`` processes (default: all cores).

    ``options`` are passed to ``aim`` (shape, apogee_m, flight_path_angle_deg, earth, ...);
    per-row options must be scalars here.
    """
    n = vehicles.size
    count = min(workers or default_workers(), max(1, n // MIN_ROWS_PER_WORKER))
    lat0, lon0, lat1, lon1 = (
        np.broadcast_to(np.asarray(x, dtype=float), (n,))
        for x in (launch_lat_deg, launch_lon_deg, target_lat_deg, target_lon_deg)
    )
    if count <= 1:
        return aim(vehicles, lat0, lon0, lat1, lon1, **options)
    for kind in set(vehicles.vehicles):  # build the per-type tables once, before forking
        envelope(kind)
    chunks = np.array_split(np.arange(n), count)
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    with ProcessPoolExecutor(count, mp_context=context) as pool:
        futures = [
            pool.submit(aim, vehicles.take(c), lat0[c], lon0[c], lat1[c], lon1[c], **options)
            for c in chunks
        ]
        parts = [f.result() for f in futures]
    return TargetingResult.join(parts, chunks)
