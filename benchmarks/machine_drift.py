"""How steady this machine's speed is: the same fixed work timed again and again.

Not a benchmark of glasnost: a check to run before one. On a shared machine the speed of a
core moves from one second to the next (other tenants, frequency), and a figure in seconds
or per second from one moment says little. This times a fixed pure-Python loop (3e6
additions of squares) ``--runs`` times, ``--pause`` seconds apart, in CPU seconds of this
process, and prints each time, the least, the median, the most and the most over the least.
Where that last ratio is well above 1, only ratios between runs made in turn (as every
benchmark here prints) compare trees.

Run:  .venv/bin/python benchmarks/machine_drift.py [--runs 20] [--pause 1]
"""

from __future__ import annotations

import argparse
import statistics
import time


def fixed_work(n: int = 3_000_000) -> int:
    """A loop of n additions of squares: interpreter work of a fixed size."""
    total = 0
    for i in range(n):
        total += i * i
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--pause", type=float, default=1.0, help="seconds between runs")
    args = parser.parse_args()
    times = []
    for _ in range(args.runs):
        start = time.process_time()
        fixed_work()
        times.append(time.process_time() - start)
        time.sleep(args.pause)
    print("fixed work, CPU s: " + " ".join(f"{t:.3f}" for t in times))
    print(
        f"least {min(times):.3f} s, median {statistics.median(times):.3f} s, most "
        f"{max(times):.3f} s; most / least {max(times) / min(times):.2f}"
    )


if __name__ == "__main__":
    main()
