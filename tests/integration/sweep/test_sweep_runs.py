"""Sweeps on real Dask clusters: a LocalCluster, a scheduler and two workers started as
separate processes on loopback, and a sweep killed half way then resumed."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from glasnost.cli import common
from glasnost.cli.sweep import _print_summary
from glasnost.scenario.models import Scenario
from glasnost.sweep import SweepResult, run_sweep
from glasnost.sweep.evaluate import ERROR, PASSED, VERDICT, evaluate_chunk
from tests.integration.sweep.conftest import VARY, mini_plan

BIN = Path(sys.executable).parent
START_TIMEOUT_S = 60.0


@pytest.fixture(scope="module")
def local_run(mini: Scenario, tmp_path_factory: pytest.TempPathFactory) -> SweepResult:
    out = tmp_path_factory.mktemp("local") / "sweep"
    return run_sweep(mini, mini_plan(mini), out, workers=1, chunk_size=2)


def test_local_cluster_rows_equal_the_assessments_run_in_process(
    mini: Scenario, local_run: SweepResult
) -> None:
    plan = mini_plan(mini)
    direct = evaluate_chunk(mini, plan, 0, plan.size)
    table = local_run.table
    pd.testing.assert_frame_equal(table, direct, check_dtype=False)
    assert (table[ERROR] == "").all()
    # The verdict is the conjunction of the criteria, sample by sample.
    passed = table[[c for c in table.columns if c.endswith(PASSED)]].astype(bool)
    assert (table[VERDICT].astype(bool) == passed.all(axis=1)).all()
    # What was written is what was returned.
    on_disk = json.loads((local_run.folder / "summary.json").read_text())
    assert on_disk["sha256"] == local_run.summary["sha256"]
    pd.testing.assert_frame_equal(pd.read_parquet(local_run.folder / "samples.parquet"), table)


@pytest.fixture
def dask_cluster(tmp_path: Path) -> Iterator[tuple[str, list[subprocess.Popen[bytes]]]]:
    """A `dask scheduler` and two `dask worker` processes (no nanny) on loopback: the
    scheduler's address and the two workers' processes."""
    info = tmp_path / "scheduler.json"
    env = {**os.environ, "DASK_DISTRIBUTED__WORKER__DAEMON": "False"}
    common = ["--no-dashboard", "--dashboard-address", "127.0.0.1:0"]
    procs = [
        subprocess.Popen(
            [
                BIN / "dask",
                "scheduler",
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--scheduler-file",
                info,
                *common,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
        )
    ]
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while not info.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        address = json.loads(info.read_text())["address"]
        for _ in range(2):
            procs.append(
                subprocess.Popen(
                    [
                        BIN / "dask",
                        "worker",
                        address,
                        "--nthreads",
                        "1",
                        "--nworkers",
                        "1",
                        "--host",
                        "127.0.0.1",
                        "--no-nanny",
                        *common,
                    ],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                    env=env,
                )
            )
        from distributed import Client

        with Client(address, timeout=START_TIMEOUT_S) as client:
            client.wait_for_workers(2, timeout=START_TIMEOUT_S)
        yield address, procs[1:]
    finally:
        for proc in reversed(procs):
            proc.send_signal(signal.SIGINT)
        for proc in reversed(procs):
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def test_scheduler_and_two_worker_processes_give_the_local_result_even_when_one_dies(
    mini: Scenario,
    local_run: SweepResult,
    dask_cluster: tuple[str, list[subprocess.Popen[bytes]]],
    tmp_path: Path,
) -> None:
    address, workers = dask_cluster
    from distributed import Client

    def kill_a_worker_after_the_first_chunk(done: int, total: int) -> None:
        # Killed, and gone from the scheduler before the sweep goes on: otherwise the other
        # worker can finish every chunk left before the scheduler notices (a race the test
        # would only sometimes win).
        if done >= 1 and workers[0].poll() is None:
            workers[0].kill()
            deadline = time.monotonic() + START_TIMEOUT_S
            while len(watcher.scheduler_info()["workers"]) > 1:
                assert time.monotonic() < deadline, "the scheduler kept the killed worker"
                time.sleep(0.05)

    with Client(address, timeout=START_TIMEOUT_S) as watcher:
        result = run_sweep(
            mini,
            mini_plan(mini),
            tmp_path / "remote",
            scheduler=address,
            chunk_size=1,
            progress=kill_a_worker_after_the_first_chunk,
        )
    assert workers[0].poll() is not None
    assert result.summary["run"]["workers"] == 2
    # The killed worker at least (a loaded machine can lose the other's connection too).
    assert result.summary["run"]["workers_lost"] >= 1
    assert result.summary["run"]["scheduler"] == address
    pd.testing.assert_frame_equal(result.table, local_run.table)
    assert result.summary["sha256"] == local_run.summary["sha256"]
    # and the command says so (glasnost sweep prints this summary)
    with common.console.capture() as printed:
        _print_summary(result.summary)
    assert "worker(s) left the cluster during the sweep; their chunks were run again" in (
        " ".join(printed.get().split())
    )


def _sweep_command(scenario: Path, out: Path, *extra: str, samples: int = 4) -> list[str]:
    """The CLI form of :func:`mini_plan` (``samples`` Sobol' samples, seed 11), one sample a
    chunk."""
    args = [str(BIN / "glasnost"), "sweep", "--scenario", str(scenario), "--out", str(out)]
    for text in VARY:
        args += ["--vary", text]
    return [
        *args,
        *("--samples", str(samples), "--seed", "11", "--chunk-size", "1", "--workers", "1"),
        *extra,
    ]


KILLED_SAMPLES = 64
"""Samples of the sweep that is killed: a mini sample takes milliseconds once the worker has
started, so the kill, as soon as the first chunk is written, must leave most chunks to do."""


@pytest.fixture(scope="module")
def long_run(mini: Scenario, tmp_path_factory: pytest.TempPathFactory) -> SweepResult:
    """The uninterrupted sweep of KILLED_SAMPLES samples (its own chunks: the result does not
    depend on them)."""
    out = tmp_path_factory.mktemp("long") / "sweep"
    return run_sweep(mini, mini_plan(mini, samples=KILLED_SAMPLES), out, workers=1, chunk_size=16)


def test_a_killed_sweep_resumes_to_the_uninterrupted_result(
    mini_file: Path, long_run: SweepResult, tmp_path: Path
) -> None:
    out = tmp_path / "killed"
    proc = subprocess.Popen(
        _sweep_command(mini_file, out, samples=KILLED_SAMPLES),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 240
    while not list((out / "chunks").glob("*.parquet")) and time.monotonic() < deadline:
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)  # the command, its cluster and workers: nothing left
    proc.wait()
    kept = len(list((out / "chunks").glob("*.parquet")))
    assert 1 <= kept < KILLED_SAMPLES
    assert not (out / "summary.json").exists()

    resumed = subprocess.run(
        _sweep_command(mini_file, out, "--resume", "--json", samples=KILLED_SAMPLES),
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    summary = json.loads(resumed.stdout)
    assert summary["run"]["chunks_resumed"] == kept
    assert summary["sha256"] == long_run.summary["sha256"]
    pd.testing.assert_frame_equal(pd.read_parquet(out / "samples.parquet"), long_run.table)


def test_the_table_as_a_dask_dataframe_reads_the_chunks_lazily(local_run: SweepResult) -> None:
    lazy = local_run.dask_table()
    assert lazy.npartitions == local_run.summary["run"]["chunks"] == 2
    assert list(lazy.columns) == list(local_run.table.columns)
    # the same values; dask holds text as Arrow strings (missing is NA rather than NaN)
    pd.testing.assert_frame_equal(
        lazy.compute().reset_index(drop=True), local_run.table, check_dtype=False
    )
    # a lazy reduction over the partitions agrees with pandas on the whole table
    assert lazy[VERDICT].astype(int).sum().compute() == local_run.table[VERDICT].astype(int).sum()
