"""Targeting on several CPU cores: :func:`aim_parallel`.

:func:`glasnost.physics.targeting.aim` already solves each vehicle type on its own (its rows
iterate until every row of that type has converged, so a row's last digits depend on the other
rows of its type in the batch). :func:`aim_parallel` makes the same cut explicitly: the rows of
each vehicle type are split into the fewest chunks of at most :data:`CHUNK_ROWS` rows (equal
sizes, consecutive rows), each chunk is one ``aim`` call, and the chunks run on worker
threads, the largest first. The chunks depend only on the rows, never on the number of
cores, so the results are bit-identical with any number of workers; and where no type has
more than :data:`CHUNK_ROWS` rows, they are bit-identical to one ``aim`` call.

Threads, not processes: most of a targeting iteration runs in the compiled kernels (the boost,
the vacuum impact, the reentry march), which release the interpreter lock (decision 9), so the
chunks' kernels run on separate cores while the NumPy glue between them takes turns; the
flights stay in this process instead of being pickled back (about 24 MB per 2,500-row chunk)
and no interpreter is forked. Chunks share nothing mutable: each builds its own boost problems,
and the per-type envelope tables are built before the threads start.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from glasnost.physics.cores import default_workers
from glasnost.physics.envelope import envelope
from glasnost.physics.targeted import TargetingResult
from glasnost.physics.targeting import aim
from glasnost.physics.vehicle import VehicleBatch

CHUNK_ROWS = 2500
"""Most rows of one vehicle type solved together: large enough that the per-iteration cost of
the batch is spread over many rows (at 1,000 rows a row costs about 1.4 times what it costs at
4,000), fixed so that the results do not depend on the machine."""

PARALLEL_MIN_ROWS = 2000
"""Batches smaller than this are solved on the calling thread: at tens of rows per type the
NumPy glue, which holds the interpreter lock, outweighs the kernels, and a second thread would
only take turns with the first."""


def chunks(vehicles: VehicleBatch) -> list[NDArray[np.intp]]:
    """The row indices of each chunk: per vehicle type (in order of first appearance), the
    fewest equal runs of at most :data:`CHUNK_ROWS` of that type's rows."""
    out: list[NDArray[np.intp]] = []
    for _, rows in vehicles.groups():
        pieces = -(-rows.size // CHUNK_ROWS)
        out += [np.asarray(p, dtype=np.intp) for p in np.array_split(rows, pieces)]
    return out


def aim_parallel(
    vehicles: VehicleBatch,
    launch_lat_deg: ArrayLike,
    launch_lon_deg: ArrayLike,
    target_lat_deg: ArrayLike,
    target_lon_deg: ArrayLike,
    workers: int | None = None,
    **options: Any,
) -> TargetingResult:
    """:func:`glasnost.physics.targeting.aim` in the chunks of :func:`chunks` over ``workers``
    threads (default: all cores); the result does not depend on ``workers``.

    ``options`` are passed to ``aim`` (shape, apogee_m, flight_path_angle_deg, earth, ...);
    per-row options must be scalars here.
    """
    n = vehicles.size
    lat0, lon0, lat1, lon1 = (
        np.broadcast_to(np.asarray(x, dtype=float), (n,))
        for x in (launch_lat_deg, launch_lon_deg, target_lat_deg, target_lon_deg)
    )
    parts_rows = chunks(vehicles)
    count = min(workers or default_workers(), len(parts_rows))
    if count <= 1 or n < PARALLEL_MIN_ROWS:
        if len(parts_rows) == len(vehicles.groups()):  # one chunk per type: one batch
            return aim(vehicles, lat0, lon0, lat1, lon1, **options)
        parts = [
            aim(vehicles.take(c), lat0[c], lon0[c], lat1[c], lon1[c], **options) for c in parts_rows
        ]
        return TargetingResult.join(parts, parts_rows)
    for kind, _ in vehicles.groups():  # build the per-type tables before the threads
        envelope(kind)
    largest_first = sorted(range(len(parts_rows)), key=lambda i: -parts_rows[i].size)
    with ThreadPoolExecutor(count, thread_name_prefix="aim") as pool:
        futures = {
            i: pool.submit(
                aim,
                vehicles.take(parts_rows[i]),
                lat0[parts_rows[i]],
                lon0[parts_rows[i]],
                lat1[parts_rows[i]],
                lon1[parts_rows[i]],
                **options,
            )
            for i in largest_first
        }
        parts = [futures[i].result() for i in range(len(parts_rows))]
    return TargetingResult.join(parts, parts_rows)
