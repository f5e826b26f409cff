"""Benchmark: how long the reading commands take on a small node database, as a user meets
them (a new process per command, wall clock): ``glasnost log show``, ``agreement status``,
``compliance``.

Where the time goes on a small database is start-up, not the replay: every command used to
import the trajectory stack (``glasnost.physics.targeting``, NumPy and the numeric kernels) when
the command line was built, whatever the command. Baseline, in the same run: the same command
in a process that imports ``glasnost.physics.targeting`` first, as the command line did before.
The goal (issue 15) is an interactive command, under 1 s.

Run:  .venv/bin/python benchmarks/bench_cli_latency.py [--runs 7]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from typer.testing import CliRunner

from glasnost.cli import app

COMMANDS = (
    ("log", "show"),
    ("agreement", "status"),
    ("compliance",),
)
CURRENT = "from glasnost.cli import main; main()"
EAGER = "import glasnost.physics.targeting; from glasnost.cli import main; main()"


def small_node(folder: Path) -> Path:
    """A node of the US with three notifications, following Russia's (empty) log."""
    runner = CliRunner()
    db, key = folder / "us.db", folder / "us.key"

    def cli(*args: str) -> None:
        result = runner.invoke(app, list(args))
        assert result.exit_code == 0, result.output

    cli("keys", "generate", "--party", "US", "--out", str(key))
    cli("node", "init", "--db", str(db), "--party", "US", "--key", str(key))
    cli("keys", "generate", "--party", "RU", "--out", str(folder / "ru.key"))
    cli(
        "node",
        "init",
        "--db",
        str(folder / "ru.db"),
        "--party",
        "RU",
        "--key",
        str(folder / "ru.key"),
    )
    cli("node", "keys", "--db", str(folder / "ru.db"), "--out", str(folder / "ru.json"))
    cli("node", "follow", str(folder / "ru.json"), "--db", str(db))
    for day in (10, 11, 12):
        cli(
            *("notify", "--db", str(db), "--key", str(key), "--event", "interceptor_test"),
            *("--window-start", f"2030-06-{day}", "--window-end", f"2030-06-{day + 1}"),
            *("--details", "intercept test"),
        )
    return db


def timed(code: str, args: list[str], runs: int) -> tuple[float, float]:
    """Median wall clock and median CPU time (user + system) of ``runs`` processes running
    ``code`` with ``args``. CPU time is what a command costs on a machine shared with other
    work; on an idle machine the wall clock is close to it."""
    walls, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code, *args], check=True, capture_output=True)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return statistics.median(walls), statistics.median(cpus)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="processes per command (median)")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        db = small_node(Path(folder))
        print(f"seconds, median of {options.runs} processes; baseline: the eager import")
        print(f"{'command':<18} {'cpu':>6} {'wall':>6} {'base cpu':>9} {'base wall':>10} ratio")
        for command in COMMANDS:
            args = [*command, "--db", str(db)]
            wall, cpu = timed(CURRENT, args, options.runs)
            base_wall, base_cpu = timed(EAGER, args, options.runs)
            name = " ".join(command)
            print(
                f"{name:<18} {cpu:6.2f} {wall:6.2f} {base_cpu:9.2f} {base_wall:10.2f} "
                f"{base_cpu / cpu:5.2f}x  ({'under' if cpu < 1.0 else 'over'} 1 s of CPU)"
            )


if __name__ == "__main__":
    main()
