"""Targeting on several CPU cores: the rows of a batch are independent, so they are split into
chunks of :data:`CHUNK_ROWS` consecutive rows, solved by worker processes, and the results
joined in row order.

The chunks do not depend on the number of cores: the targeting iterations run until every
row of a batch has converged, so a row's last digits depend on the batch it is solved in, and
fixed chunks make the results bit-identical on any machine (the confirmation workflow
recomputes an assessment on the other party's machine). NumPy runs element-wise arithmetic on
one core; a process per core is the simple way to use the others (threads would contend for
the interpreter between the many small array operations). A batch of at most one chunk is
exactly :func:`targeting.aim`.
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

CHUNK_ROWS = 1000
"""Rows per chunk: large enough that vectorization and process start-up pay off, fixed so that
the results do not depend on the machine."""


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
    """:func:`glasnost.physics.targeting.aim` in chunks of :data:`CHUNK_ROWS` rows over
    ``workers`` processes (default: all cores); the result does not depend on ``workers``.

    ``options`` are passed to ``aim`` (shape, apogee_m, flight_path_angle_deg, earth, ...);
    per-row options must be scalars here.
    """
    n = vehicles.size
    lat0, lon0, lat1, lon1 = (
        np.broadcast_to(np.asarray(x, dtype=float), (n,))
        for x in (launch_lat_deg, launch_lon_deg, target_lat_deg, target_lon_deg)
    )
    if n <= CHUNK_ROWS:
        return aim(vehicles, lat0, lon0, lat1, lon1, **options)
    chunks = [np.arange(start, min(start + CHUNK_ROWS, n)) for start in range(0, n, CHUNK_ROWS)]
    count = min(workers or default_workers(), len(chunks))
    if count <= 1:
        parts = [
            aim(vehicles.take(c), lat0[c], lon0[c], lat1[c], lon1[c], **options) for c in chunks
        ]
        return TargetingResult.join(parts, chunks)
    for kind in set(vehicles.vehicles):  # build the per-type tables once, before forking
        envelope(kind)
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    with ProcessPoolExecutor(count, mp_context=context) as pool:
        futures = [
            pool.submit(aim, vehicles.take(c), lat0[c], lon0[c], lat1[c], lon1[c], **options)
            for c in chunks
        ]
        parts = [f.result() for f in futures]
    return TargetingResult.join(parts, chunks)
