"""Benchmark: samples per second of ``glasnost sweep`` on 1 and 2 local Dask workers, and the
cost of one sample against one ``glasnost assess`` run.

The built-in us-ru scenario, two uncertain inputs (the SM-3 Block IIA's burnout velocity,
uniform 4-6 km/s, so its flyout table is rebuilt for every sample, and the commit time
``assessment.launch_delay_s``, uniform 60-300 s), a Sobol' plan of ``--samples`` samples, one
sample per chunk. A first sweep of the same plan, not timed, fills the on-disk table cache with
the flyout tables of the plan's samples (each sample's SM-3 Block IIA table is new the first
time, about 0.1-0.3 s), so that both timed sweeps meet the same, warm cache; without it the
first timed sweep would pay for every table and the second reuse them. For each worker count
the sweep's wall time is measured, and separately the time to start and stop the LocalCluster
alone; the steady rate is samples / (wall - start-up), which still includes each worker's own
start (its imports and the kernels' first use, about 1 s).
Baseline, in the same run: the wall time of ``glasnost assess --builtin us-ru --json`` as a
process (what a user would otherwise run per sample, start-up included).

Printed: both rates, the 2-worker / 1-worker ratio (the scaling), and the time of one sample
on one worker divided by the time of one ``glasnost assess``.

In one process (what a worker does, without Dask): the median time per sample of the plan's
samples assessed one after the other (``evaluate_chunk``), with the results that do not
change between samples kept in memory (targeting, threat samples, radar detections:
``glasnost.common.memo``) against the same samples with them forgotten before each sample
(``memo.forget_all``: every sample computes them again, as before they were kept), alternating
sample by sample, and whether the two tables are identical.

Run:  .venv/bin/python benchmarks/bench_sweep.py [--samples 4]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from glasnost.common import memo
from glasnost.scenario.builtin import builtin_scenario
from glasnost.sweep import Plan, run_sweep
from glasnost.sweep.evaluate import evaluate_chunk
from glasnost.sweep.inputs import vary_variable
from glasnost.sweep.runner import dask_client

VARY = (
    "interceptor_types.sm3_block_iia.burnout_velocity_kms=uniform(4, 6)",
    "assessment.launch_delay_s=uniform(60, 300)",
)


def cluster_start_s(workers: int) -> float:
    """Wall time to start and stop a LocalCluster of ``workers`` processes, no work."""
    t0 = time.perf_counter()
    with dask_client(None, workers) as client:
        client.wait_for_workers(workers)
    return time.perf_counter() - t0


def sweep_s(samples: int, workers: int) -> float:
    scenario = builtin_scenario("us-ru")
    plan = Plan(tuple(vary_variable(scenario, v) for v in VARY), "sobol", samples, seed=1)
    with tempfile.TemporaryDirectory() as folder:
        t0 = time.perf_counter()
        run_sweep(scenario, plan, Path(folder) / "sweep", workers=workers, chunk_size=1)
        return time.perf_counter() - t0


def assess_s() -> float:
    glasnost = Path(sys.executable).parent / "glasnost"
    t0 = time.perf_counter()
    subprocess.run(
        [glasnost, "assess", "--builtin", "us-ru", "--json"],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - t0


def in_process(samples: int) -> tuple[float, float, bool]:
    """Median seconds per sample assessed in this process with the kept results and with them
    forgotten before each sample (alternating), and whether the rows are identical."""
    scenario = builtin_scenario("us-ru")
    plan = Plan(tuple(vary_variable(scenario, v) for v in VARY), "sobol", samples, seed=1)
    evaluate_chunk(scenario, plan, 0, 1)  # imports, kernels and disk caches: not counted
    kept, forgotten, rows_kept, rows_forgotten = [], [], [], []
    for k in range(samples):
        for forget, times, rows in ((True, forgotten, rows_forgotten), (False, kept, rows_kept)):
            if forget:
                memo.forget_all()
            else:  # the sample before, as a sweep's worker has just assessed
                evaluate_chunk(scenario, plan, max(k - 1, 0), max(k - 1, 0) + 1)
            t0 = time.perf_counter()
            rows.append(evaluate_chunk(scenario, plan, k, k + 1))
            times.append(time.perf_counter() - t0)
    same = pd.concat(rows_kept).equals(pd.concat(rows_forgotten))
    return statistics.median(kept), statistics.median(forgotten), same


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=4)
    args = parser.parse_args()
    baseline = assess_s()
    print(f"glasnost assess (one process, us-ru): {baseline:.2f} s")
    sweep_s(args.samples, 1)  # the plan's flyout tables into the table cache: not timed
    rates = {}
    per_sample = {}
    for workers in (1, 2):
        start = cluster_start_s(workers)
        wall = sweep_s(args.samples, workers)
        steady = max(wall - start, 1e-9)
        rates[workers] = args.samples / steady
        per_sample[workers] = steady / args.samples
        print(
            f"{workers} worker(s): {args.samples} samples in {wall:.1f} s "
            f"(cluster start/stop {start:.1f} s): {rates[workers]:.3f} samples/s, "
            f"{per_sample[workers]:.2f} s per sample"
        )
    print(f"scaling, 2 workers / 1 worker: {rates[2] / rates[1]:.2f}x")
    print(f"one sample (1 worker) / one glasnost assess: {per_sample[1] / baseline:.2f}")
    kept, forgotten, same = in_process(args.samples)
    print(
        f"in one process, median per sample: {kept:.3f} s with kept results, {forgotten:.3f} s "
        f"with them forgotten before each sample ({forgotten / kept:.2f}x); identical rows: {same}"
    )


if __name__ == "__main__":
    main()
