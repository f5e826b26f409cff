"""Benchmark: the default assessment (``glasnost assess``), cold and warm, in fresh processes.

``--model NAME`` assesses the built-in scenario under another interceptor model
(``glasnost assess --set assessment.interceptor_model=NAME``: ``burnout-delay`` or
``straight-boost``; the default is ``flyout``), the digest too.

Each run is a new process (as a user's command is), timed in wall-clock and CPU seconds
(user + system of the child, from ``resource``): the compiled kernels' cache
(``NUMBA_CACHE_DIR``) and the table cache (``GLASNOST_CACHE_DIR``: envelopes, flyout tables,
derived stacks), one new empty folder, are empty on the cold run, which compiles every kernel,
flies every table and writes both caches, and filled on the warm runs, which load them.

Baseline (``--base SRC``, optional): the same command with another source tree first on
``PYTHONPATH`` (a checkout of an earlier release, e.g. ``git archive <commit> src | tar -x -C
/tmp/base``), run alternately with the warm runs so that both see the same load on a shared
machine. The ratio is of median CPU seconds; the script also prints whether the two give the
same result digest (``treaty.digest.recompute`` of the built-in scenario). The baseline first
runs once uncounted, which fills its own kernel, table and bytecode caches (its kernels are
other source files, so the cold run of this tree does not).

The processes run as on a user's machine: with Python's bytecode cache (a fresh
``PYTHONPYCACHEPREFIX`` in the same temporary folder, ``PYTHONDONTWRITEBYTECODE`` dropped), as
``bench_cli_latency.py`` does; without it every start compiles glasnost's modules again (about
0.1 s on this machine, which sets ``PYTHONDONTWRITEBYTECODE``).

The warm runs find the targeting controls that the cold run stored
(:mod:`glasnost.physics.aim_cache`: the same attacker forces, so the same trajectories are
flown once instead of searched for); a further set of warm runs removes them before each run,
as a change of the attacker's forces would, and searches again (alternating with the same
runs of the baseline, when one is given).

Cold start (``--cold N``): N pairs of cold runs only, each in a new empty folder, in turn with
the engagement search compiled ahead in a second process (:mod:`glasnost.physics.compile_ahead`,
the command's default on two cores or more) and with it turned off
(``GLASNOST_COMPILE_AHEAD=0``: every kernel compiled in the command's own process, as a
single-core machine does). That baseline is the same command and tree, so the ratio is the
second process's alone; the runs alternate so that both see the same load. Each prints the
result as JSON, and the script says whether every run printed the same.

Run:  .venv/bin/python benchmarks/bench_assess.py [--runs 3] [--base /tmp/base/src]
      [--model burnout-delay] [--cold 3]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ASSESS = "import sys; from glasnost.cli import main; sys.argv = {argv!r}; main()"
DIGEST = (
    "from glasnost.scenario.builtin import builtin_scenario\n"
    "from glasnost.treaty.digest import recompute\n"
    "scenario = builtin_scenario()\n"
    "settings = scenario.assessment.model_copy(update={{'interceptor_model': {model!r}}})\n"
    "print(recompute(scenario.model_copy(update={{'assessment': settings}})).result_sha256)"
)


def run(code: str, env: dict[str, str]) -> tuple[float, float, str]:
    """Wall and CPU seconds of ``python -c code`` in a fresh process, and its output."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, done.stdout


def cached_in(cache: str) -> dict[str, str]:
    """This environment with every cache (kernels, tables, bytecode) in the folder ``cache``
    and Python's bytecode cache on (module doc)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return env | {
        "NUMBA_CACHE_DIR": cache,
        "GLASNOST_CACHE_DIR": cache,
        "PYTHONPYCACHEPREFIX": os.path.join(cache, "pycache"),
    }


def cold_pairs(argv: list[str], pairs: int) -> None:
    """Cold runs (every cache empty, a new folder each) of ``argv`` with ``--json``, in turn
    with the search compiled ahead (the default) and without (``GLASNOST_COMPILE_AHEAD=0``:
    everything compiled in the command's own process, as before); their medians, the ratio,
    and whether all printed the same result."""
    code = ASSESS.format(argv=[*argv, "--json"])
    times: dict[str, list[tuple[float, float]]] = {"1": [], "0": []}
    results = set()
    for _ in range(pairs):
        for ahead in ("1", "0"):
            with tempfile.TemporaryDirectory() as cache:
                env = cached_in(cache) | {"GLASNOST_COMPILE_AHEAD": ahead}
                wall, cpu, out = run(code, env)
            times[ahead].append((wall, cpu))
            results.add(out)
            label = "compiled ahead" if ahead == "1" else "one process"
            print(f"cold, {label}: {wall:.2f} s wall, {cpu:.2f} s CPU")
    ahead_wall = statistics.median(w for w, _ in times["1"])
    alone_wall = statistics.median(w for w, _ in times["0"])
    print(
        f"median of {pairs}: compiled ahead {ahead_wall:.2f} s wall, one process "
        f"{alone_wall:.2f} s wall; ratio {alone_wall / ahead_wall:.2f}x wall; CPU "
        f"{statistics.median(c for _, c in times['1']):.2f} s against "
        f"{statistics.median(c for _, c in times['0']):.2f} s"
    )
    print(f"every run printed the same result: {len(results) == 1}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--base", help="source tree of the baseline (put first on PYTHONPATH)")
    parser.add_argument(
        "--model",
        choices=["flyout", "burnout-delay", "straight-boost"],
        default="flyout",
        help="interceptor model of the assessment (default: flyout, the scenario's)",
    )
    parser.add_argument(
        "--cold",
        type=int,
        default=0,
        metavar="N",
        help="only N pairs of cold runs, the search compiled ahead or not (module doc)",
    )
    args = parser.parse_args()
    argv = ["glasnost", "assess"]
    if args.model != "flyout":
        argv += ["--set", f"assessment.interceptor_model={args.model}"]
    if args.cold:
        cold_pairs(argv, args.cold)
        return
    assess = ASSESS.format(argv=argv)
    digest = DIGEST.format(model=args.model)
    with tempfile.TemporaryDirectory() as cache:
        env = cached_in(cache)
        wall, cpu, _ = run(assess, env)
        print(f"cold (empty kernel, table and bytecode caches): {wall:.2f} s wall, {cpu:.2f} s CPU")
        base_env = {**env, "PYTHONPATH": args.base or ""}
        if args.base:
            run(assess, base_env)  # uncounted: fills the baseline's own caches
        warm: list[tuple[float, float]] = []
        base: list[tuple[float, float]] = []
        for _ in range(args.runs):
            warm.append(run(assess, env)[:2])
            if args.base:
                base.append(run(assess, base_env)[:2])
        searched: list[tuple[float, float]] = []
        base_searched: list[tuple[float, float]] = []
        for _ in range(args.runs):  # the stored targeting controls removed before each run
            for stored in Path(cache).glob("aim-*.npz"):
                stored.unlink()
            searched.append(run(assess, env)[:2])
            if args.base:
                for stored in Path(cache).glob("aim-*.npz"):
                    stored.unlink()
                base_searched.append(run(assess, base_env)[:2])
        w_wall = statistics.median(w for w, _ in warm)
        w_cpu = statistics.median(c for _, c in warm)
        print(f"warm, median of {args.runs}: {w_wall:.2f} s wall, {w_cpu:.2f} s CPU")
        s_wall = statistics.median(w for w, _ in searched)
        s_cpu = statistics.median(c for _, c in searched)
        print(
            f"warm, targeting searched again (no stored controls: the attacker's forces "
            f"changed), median of {args.runs}: {s_wall:.2f} s wall, {s_cpu:.2f} s CPU"
        )
        print(f"cold / warm CPU: {cpu / w_cpu:.2f}x")
        if args.base:
            b_wall = statistics.median(w for w, _ in base)
            b_cpu = statistics.median(c for _, c in base)
            print(f"baseline, median of {args.runs}: {b_wall:.2f} s wall, {b_cpu:.2f} s CPU")
            print(f"ratio baseline / warm: {b_cpu / w_cpu:.2f}x CPU, {b_wall / w_wall:.2f}x wall")
            bs_wall = statistics.median(w for w, _ in base_searched)
            bs_cpu = statistics.median(c for _, c in base_searched)
            print(
                f"baseline, targeting searched again, median of {args.runs}: {bs_wall:.2f} s "
                f"wall, {bs_cpu:.2f} s CPU; ratio baseline / searched: {bs_cpu / s_cpu:.2f}x CPU, "
                f"{bs_wall / s_wall:.2f}x wall"
            )
            mine = run(digest, env)[2].strip()
            theirs = run(digest, base_env)[2].strip()
            print(f"result digest: {mine}; the same as the baseline's: {mine == theirs}")


if __name__ == "__main__":
    main()
