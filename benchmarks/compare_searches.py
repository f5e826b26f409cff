"""Check: every candidate's least speed and latest launch, this tree against another, bit for bit.

Not a timing. A change to the engagement search that should not change its results is checked
here on more than the tables: every call of ``engagement_kernel.search`` (one kernel call per
search, no threads) on ``bench_engagement.py``'s problem under both closed interceptor models
and on the built-in assessment under all three, recorded in a child process per tree
(``PYTHONPATH=<tree>/src``), then compared array by array: the candidates searched, their
least speeds and their latest launches. It prints, per problem, the candidates searched and
how many results differ (0 where the two searches agree bit for bit).

Run:  .venv/bin/python benchmarks/compare_searches.py --base /tmp/base/src
"""

from __future__ import annotations

import argparse
import os
import pickle
import subprocess
import sys
import tempfile
from typing import Any

import numpy as np

import bench_engagement as bench
from glasnost.defense import assessment, candidate_rules
from glasnost.defense import engagement_kernel as kernel
from glasnost.defense.engagement import engage

Record = dict[str, list[tuple[Any, ...]]]


def record_here(path: str) -> None:
    """Record every search's results of this process's tree into ``path`` (a pickle)."""
    calls: list[tuple[Any, ...]] = []
    search = kernel.search

    def recording(*args: Any) -> Any:
        speed, latest, searched = search(*args)
        calls.append((speed.copy(), latest.copy(), searched.copy()))
        return speed, latest, searched

    kernel.search = recording  # type: ignore[assignment]
    candidate_rules.SPLIT_MIN_CANDIDATES = sys.maxsize  # one kernel call per search
    out: Record = {}
    sites, inter, samples, early = bench.problem(120)
    for model in ("straight-boost", "burnout-delay"):
        engage(sites, inter, samples, early, 60.0, model=model)  # type: ignore[arg-type]
        out[f"benchmark's problem, {model}"], calls[:] = list(calls), []
    for model in ("flyout", "straight-boost", "burnout-delay"):
        assessment.assess(bench.builtin_with(model))
        out[f"built-in assessment, {model}"], calls[:] = list(calls), []
    with open(path, "wb") as f:
        pickle.dump(out, f)


def recorded(src: str | None, folder: str, name: str) -> Record:
    """The records of the tree at ``src`` (None: this tree), from a child process."""
    path = os.path.join(folder, name)
    env = dict(os.environ)
    if src is not None:
        env["PYTHONPATH"] = src
    subprocess.run([sys.executable, __file__, "--record-here", path], env=env, check=True)
    with open(path, "rb") as f:
        out: Record = pickle.load(f)
    return out


def differing(a: np.ndarray, b: np.ndarray) -> int:
    """How many entries differ, NaN equal to NaN."""
    return int(np.sum(~((a == b) | (np.isnan(a) & np.isnan(b)))))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", help="source tree to compare with (its src folder)")
    parser.add_argument("--record-here", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.record_here:
        record_here(args.record_here)
        return
    if not args.base:
        parser.error("--base is required")
    with tempfile.TemporaryDirectory() as folder:
        mine, theirs = recorded(None, folder, "this"), recorded(args.base, folder, "base")
    for problem, calls in mine.items():
        other = theirs[problem]
        if len(other) != len(calls):
            print(f"{problem}: {len(calls)} searches against {len(other)}")
            continue
        searched = sum(int(s.sum()) for _, _, s in calls)
        flags = sum(int(np.sum(s != t)) for (_, _, s), (_, _, t) in zip(calls, other, strict=True))
        speeds = sum(differing(a[0], b[0]) for a, b in zip(calls, other, strict=True))
        latest = sum(differing(a[1], b[1]) for a, b in zip(calls, other, strict=True))
        print(
            f"{problem}: {len(calls)} searches, {searched:,} candidates searched; differing: "
            f"{flags} searched flags, {speeds} least speeds, {latest} latest launches"
        )


if __name__ == "__main__":
    main()
