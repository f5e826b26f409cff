"""Benchmark: where one run's time goes, by time marks or compile events (three problems).

``assess``: ``glasnost assess`` on the built-in scenario in a fresh process (warm caches, as a
user's second run), with a mark when the command line is imported, when the assessment module
is imported, at each stage of the assessment and when the command returns; the parent process
times the whole process, so the time after the last mark is the interpreter's exit. Baseline,
alternating in the same run: the same command run through the Typer app that ``main`` runs
(:func:`glasnost.cli.common.app_for`, the command alone) directly, which ends with the
interpreter's normal teardown instead of :func:`glasnost.cli.common.main`'s early end
(``end_without_teardown``).

``aim``: 10,000 targeted trajectories (``bench_trajectories.py``'s pairs) by ``aim_parallel``
on 2 threads, with the start and end of each chunk and of the final join. Baseline in the same
run, the order alternating from round to round: the join on one thread
(``rows.THREADED_JOIN_BYTES`` out of reach), and whether the two results are identical.

``compile``: where a cold run's compilation goes: ``glasnost assess`` in a fresh process with
empty kernel and table caches, timing each compile from the events Numba broadcasts
(``numba.core.event``, kind ``numba:compile``), each less the compiles nested in it (a kernel
compiles the kernels it calls first); the functions that took longest and the total. Baseline
(``--base SRC``, optional): the same with another source tree first on ``PYTHONPATH``,
alternating.

Run:  .venv/bin/python benchmarks/bench_phases.py assess [--runs 3]
      .venv/bin/python benchmarks/bench_phases.py aim [--runs 2]
      .venv/bin/python benchmarks/bench_phases.py compile [--runs 1] [--base /tmp/base/src]
"""

from __future__ import annotations

import argparse
import ast
import os
import statistics
import subprocess
import sys
import time
from typing import Any

import numpy as np

MARKED = """
import atexit, sys, time
T0 = time.perf_counter()
marks = []
def mark(name): marks.append((name, time.perf_counter() - T0))
from glasnost.cli import app, main
from glasnost.cli.common import app_for
mark("command line imported")
import glasnost.defense.assessment as A
mark("assessment imported")
run = A.assess
def marked(*args, **kwargs):
    kwargs["progress"] = lambda stage, done: mark(stage.split(" ")[0])
    mark("assessment starts")
    out = run(*args, **kwargs)
    mark("assessment returns")
    return out
A.assess = marked
@atexit.register
def report():
    mark("exit handlers")
    sys.stderr.write("MARKS " + repr(marks) + "\\n")
sys.argv = ["glasnost", "assess"]
main() if "{mode}" == "main" else app_for(sys.argv[1:])()
"""


def assess_run(mode: str) -> tuple[float, list[tuple[str, float]]]:
    """Wall seconds of one ``glasnost assess`` process and its marks (s from its start)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", MARKED.replace("{mode}", mode)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - start
    line = next(x for x in done.stderr.splitlines() if x.startswith("MARKS "))
    marks: list[tuple[str, float]] = ast.literal_eval(line[6:])
    return wall, marks


def assess(runs: int) -> None:
    assess_run("main")  # fills the caches and the bytecode
    early, normal = [], []
    for _ in range(runs):
        early.append(assess_run("main"))
        normal.append(assess_run("app"))
    for name, results in (("ends early (main)", early), ("normal exit (app)", normal)):
        wall = statistics.median(w for w, _ in results)
        print(f"glasnost assess, {name}: median {wall:.2f} s wall of {runs}")
    wall, marks = early[len(early) // 2]
    previous = 0.0
    for name, at in marks:
        print(f"  {name:28s} at {at:6.3f} s  (+{at - previous:.3f})")
        previous = at
    print(f"  {'process ends':28s} at {wall:6.3f} s  (+{wall - previous:.3f}, with start-up)")
    ratio = statistics.median(w for w, _ in normal) / statistics.median(w for w, _ in early)
    print(f"ratio normal exit / early end: {ratio:.2f}x wall")


def aim(runs: int) -> None:
    sys.path.insert(0, os.path.dirname(__file__))
    import bench_trajectories as bench
    from glasnost.physics import parallel, rows
    from glasnost.physics.envelope import envelope
    from glasnost.physics.targeted import TargetingResult

    lat0, lon0, lat1, lon1, distance = bench.pairs(10_000, 1)
    vehicles = bench.choose_missiles(distance)
    for kind in set(vehicles.vehicles):
        envelope(kind)
    bench.aim(vehicles.take(np.arange(4)), lat0[:4], lon0[:4], lat1[:4], lon1[:4])
    marks: list[tuple[Any, float, float]] = []
    start = 0.0
    solve, join = parallel.aim, TargetingResult.join

    def marked_aim(vehicles: Any, *args: Any, **kwargs: Any) -> TargetingResult:
        t = time.perf_counter()
        out = solve(vehicles, *args, **kwargs)
        marks.append((vehicles.size, t - start, time.perf_counter() - start))
        return out

    def marked_join(parts: Any, where: Any) -> TargetingResult:
        t = time.perf_counter()
        out = join(parts, where)
        marks.append(("join", t - start, time.perf_counter() - start))
        return out

    parallel.aim = marked_aim  # type: ignore[assignment]
    parallel.TargetingResult.join = staticmethod(marked_join)  # type: ignore[method-assign]
    threaded = rows.THREADED_JOIN_BYTES
    results: dict[str, TargetingResult] = {}
    plan = [("join on 2 threads", threaded), ("join on 1 thread", sys.maxsize)]
    for k in range(runs):  # the order alternates: the first run of a round gets fresh memory
        for label, limit in plan if k % 2 == 0 else plan[::-1]:
            rows.THREADED_JOIN_BYTES = limit
            marks.clear()
            start = time.perf_counter()
            result = parallel.aim_parallel(vehicles, lat0, lon0, lat1, lon1, workers=2)
            total = time.perf_counter() - start
            results.setdefault(label, result)
            del result
            chunks = sorted(m for m in marks if m[0] != "join")
            joined = next(m for m in marks if m[0] == "join")
            ends = ", ".join(f"{n} rows {a:.2f}-{b:.2f}" for n, a, b in chunks)
            print(f"{label}: {total:.3f} s wall; chunks {ends}; join {joined[2] - joined[1]:.3f} s")
    rows.THREADED_JOIN_BYTES = threaded
    a, b = results.values()
    print(f"identical results: {bench.identical(a, b)}")


COMPILES = """
import atexit, os, sys, tempfile, time
os.environ["NUMBA_CACHE_DIR"] = tempfile.mkdtemp()
os.environ["GLASNOST_CACHE_DIR"] = tempfile.mkdtemp()
from numba.core import event
events = []
class Listener(event.Listener):
    def on_start(self, ev):
        f = ev.data["dispatcher"].py_func
        events.append((True, time.perf_counter(), f.__module__ + "." + f.__qualname__))
    def on_end(self, ev):
        events.append((False, time.perf_counter(), ""))
event.register("numba:compile", Listener())
T0 = time.perf_counter()
@atexit.register
def report():
    sys.stderr.write("COMPILES " + repr((time.perf_counter() - T0, events)) + "\\n")
from glasnost.cli import main
sys.argv = ["glasnost", "assess", "-q"]
main()
"""


def compile_run(base: str | None) -> tuple[float, dict[str, float], int]:
    """One cold ``glasnost assess`` (``base``: the source tree first on ``PYTHONPATH``): its
    wall seconds, each compiled function's seconds less the compiles nested in it, and the
    number of compiles (printed in parentheses)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = base or ""
    done = subprocess.run(
        [sys.executable, "-c", COMPILES], env=env, capture_output=True, text=True, check=False
    )
    line = next(x for x in done.stderr.splitlines() if x.startswith("COMPILES "))
    wall, events = ast.literal_eval(line[9:])
    own: dict[str, float] = {}
    stack: list[list[Any]] = []
    for starts, at, name in events:
        if starts:
            stack.append([name, at, 0.0])
            continue
        name, began, nested = stack.pop()
        took = at - began
        own[name] = own.get(name, 0.0) + took - nested
        if stack:
            stack[-1][2] += took
    return wall, own, sum(1 for starts, _, _ in events if starts)


def compiles(runs: int, base: str | None) -> None:
    trees = [("this tree", None)] + ([("baseline", base)] if base else [])
    totals: dict[str, list[float]] = {label: [] for label, _ in trees}
    for k in range(runs):
        for label, tree in trees:
            wall, own, count = compile_run(tree)
            total = sum(own.values())
            totals[label].append(total)
            print(f"{label}, run {k + 1}: {wall:.1f} s wall, {total:.1f} s compiling ({count})")
            if k == 0:
                for name, took in sorted(own.items(), key=lambda item: -item[1])[:12]:
                    print(f"  {took:6.2f} s  {name}")
    if base:
        ratio = statistics.median(totals["baseline"]) / statistics.median(totals["this tree"])
        print(f"ratio baseline / this tree, compile seconds: {ratio:.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("problem", choices=("assess", "aim", "compile"))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--base", help="compile: source tree of the baseline (on PYTHONPATH)")
    args = parser.parse_args()
    if args.problem == "assess":
        assess(args.runs)
    elif args.problem == "aim":
        aim(args.runs)
    else:
        compiles(args.runs, args.base)


if __name__ == "__main__":
    main()
