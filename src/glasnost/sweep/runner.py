"""Running a sweep on Dask: a LocalCluster by default, or an existing cluster's scheduler.

The scenario and the plan go to the workers once (scattered, broadcast); the plan's rows are
cut into chunks of ``chunk_size`` samples, one task each, so a worker's set-up (its imports, its
flyout-table cache) is paid once per chunk at most. Each completed chunk is written at once
(:class:`~glasnost.sweep.store.SweepStore`); a chunk whose worker dies is run again by the
scheduler (Dask's ``allowed-failures``) and a chunk that raises is retried ``RETRIES`` times.
The result does not depend on the cluster: every sample's values come from the plan alone.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pandas as pd

from glasnost import __version__
from glasnost.scenario.models import Scenario
from glasnost.sweep.evaluate import evaluate_chunk
from glasnost.sweep.plan import Plan
from glasnost.sweep.store import SweepStore

RETRIES = 2
"""Further tries of a chunk that raised on a worker."""

CONNECT_TIMEOUT_S = 10.0
"""How long to wait for an existing scheduler to answer (s)."""

Progress = Callable[[int, int], None]
"""progress(samples done, samples in the plan)."""


class SchedulerError(RuntimeError):
    """The Dask scheduler cannot be reached, or the cluster cannot run the sweep."""


@dataclass(frozen=True)
class SweepRun:
    """The per-sample table and how it was computed."""

    table: pd.DataFrame
    chunks: int
    chunks_resumed: int
    workers: int
    workers_lost: int = 0
    """Workers that left the cluster during the sweep (their chunks were run again)."""


def chunk_bounds(size: int, chunk_size: int) -> list[tuple[int, int]]:
    """[start, stop) of each chunk of a plan of ``size`` samples."""
    if chunk_size < 1:
        raise ValueError(f"--chunk-size {chunk_size}: need at least 1")
    return [(a, min(a + chunk_size, size)) for a in range(0, size, chunk_size)]


@contextmanager
def dask_client(scheduler: str | None, workers: int | None) -> Iterator[Any]:
    """A client of the scheduler at ``scheduler`` (tcp://HOST:PORT), or of a LocalCluster with
    ``workers`` single-threaded worker processes (default: one per core), closed on exit."""
    from distributed import Client, LocalCluster

    if scheduler is not None:
        try:
            client = Client(scheduler, timeout=CONNECT_TIMEOUT_S)
        except (OSError, TimeoutError) as exc:
            raise SchedulerError(
                f"--scheduler {scheduler}: cannot reach the Dask scheduler ({exc})"
            ) from None
        except ValueError as exc:
            raise SchedulerError(f"--scheduler {scheduler}: {exc}") from None
        with client:
            yield client
        return
    count = workers or os.cpu_count() or 1
    with (
        LocalCluster(
            n_workers=count,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            # No dashboard; the scheduler's own HTTP routes on a free port, so that sweeps
            # running side by side do not compete for Dask's default 8787.
            scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
            silence_logs=logging.ERROR,
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client


def sweep_record(
    scenario_sha256: str, plan: Plan, date: dt.date | None, chunk_size: int
) -> dict[str, Any]:
    """What identifies a sweep (``plan.json``): a resumed sweep must match it."""
    return {
        "glasnost_version": __version__,
        "scenario_sha256": scenario_sha256,
        "date": None if date is None else date.isoformat(),
        "chunk_size": chunk_size,
        "plan": plan.to_json(),
    }


def run_chunks(
    scenario: Scenario,
    plan: Plan,
    store: SweepStore,
    done: set[int],
    *,
    chunk_size: int,
    date: dt.date | None = None,
    scheduler: str | None = None,
    workers: int | None = None,
    progress: Progress | None = None,
) -> SweepRun:
    """Compute the chunks not in ``done``, writing each as it completes; the whole table."""
    from distributed import Future, as_completed
    from distributed.client import FutureCancelledError

    bounds = chunk_bounds(plan.size, chunk_size)
    todo = [i for i in range(len(bounds)) if i not in done]
    report = progress or (lambda done, total: None)
    finished = sum(b - a for i, (a, b) in enumerate(bounds) if i in done)
    report(finished, plan.size)
    n_workers = lost = 0
    if todo:
        with dask_client(scheduler, workers) as client:
            started = set(client.scheduler_info()["workers"])
            n_workers = len(started)
            if n_workers == 0:
                raise SchedulerError(f"--scheduler {scheduler}: the cluster has no workers")
            inputs = client.scatter([scenario, plan], broadcast=True)

            def submit(i: int) -> Future[Any]:
                future: Future[Any] = client.submit(
                    evaluate_chunk,
                    *inputs,
                    *bounds[i],
                    date,
                    retries=RETRIES,
                    pure=False,  # a fresh key each run: never a result cached by the cluster
                )
                return future

            futures = {submit(i): i for i in todo}
            resubmitted = 0
            pending = as_completed(futures)
            for future in pending:
                i = futures.pop(future)
                try:
                    result = future.result()
                except FutureCancelledError:
                    # the scattered inputs died with a worker: scatter them again, resubmit
                    resubmitted += 1
                    if resubmitted > RETRIES * len(bounds):
                        raise
                    inputs = client.scatter([scenario, plan], broadcast=True)
                    again = submit(i)
                    futures[again] = i
                    pending.add(again)
                    continue
                store.save_chunk(i, result)
                finished += bounds[i][1] - bounds[i][0]
                report(finished, plan.size)
            lost = len(started - set(client.scheduler_info()["workers"]))
    table = store.read_chunks(len(bounds))
    return SweepRun(table, len(bounds), len(done & set(range(len(bounds)))), n_workers, lost)
