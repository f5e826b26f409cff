"""Benchmark: how long the reading commands take on a small node database, as a user meets
them (a new process per command, wall clock): ``glasnost log show``, ``agreement status``,
``compliance``.

Where the time goes on a small database is start-up, not the replay: every command used to
import the trajectory stack (``glasnost.physics.targeting``, NumPy and the numeric kernels) when
the command line was built, whatever the command. Baseline, in the same run: the same command
in a process that imports ``glasnost.physics.targeting`` first, as the command line did before.
The goal (issue 15) is an interactive command, under 1 s. A second baseline, also in the same
run: the command run through the whole Typer app (``app()``), which builds every command of the
command line before running one, as ``main`` did before it built only the command it runs
(:func:`glasnost.cli.common.app_for`).

The processes run as on a user's machine: with Python's bytecode cache (a fresh
``PYTHONPYCACHEPREFIX``, filled by a first run that is not counted; ``PYTHONDONTWRITEBYTECODE``
dropped), since without it every start compiles glasnost's modules again (about 0.05-0.1 s).
A last row, the floor, is a process that only imports the libraries that reading a node needs
(SQLAlchemy, pydantic, Typer and Rich, cryptography, PyYAML): what no change to glasnost's own
imports can remove. ``--importtime`` prints where ``agreement status`` spends its import time
(``python -X importtime``, self time summed per package).

Run:  .venv/bin/python benchmarks/bench_cli_latency.py [--runs 7] [--importtime]
"""

from __future__ import annotations

import argparse
import collections
import os
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
WHOLE = "from glasnost.cli import app; app()"
"""The command run through the whole app: every command built first."""
FLOOR = (
    "import sqlalchemy, sqlalchemy.orm, pydantic, typer, rich.table, yaml, "
    "cryptography.hazmat.primitives.serialization"
)
"""The libraries a reading command needs, imported and nothing else."""


def environment(cache: Path) -> dict[str, str]:
    """The processes' environment: bytecode cached in ``cache``, as an installed package has."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return env | {"PYTHONPYCACHEPREFIX": str(cache)}


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


def timed(code: str, args: list[str], runs: int, env: dict[str, str]) -> tuple[float, float]:
    """Median wall clock and median CPU time (user + system) of ``runs`` processes running
    ``code`` with ``args`` (after one that is not counted). CPU time is what a command costs on
    a machine shared with other work; on an idle machine the wall clock is close to it."""
    command = [sys.executable, "-c", code, *args]
    subprocess.run(command, check=True, capture_output=True, env=env)  # fills the cache
    walls, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True, env=env)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return statistics.median(walls), statistics.median(cpus)


def import_profile(args: list[str], env: dict[str, str]) -> list[tuple[str, float]]:
    """Import time (self, seconds) per top-level package (per glasnost subpackage) of the
    command, from ``python -X importtime``, largest first."""
    command = [sys.executable, "-X", "importtime", "-c", CURRENT, *args]
    err = subprocess.run(command, check=True, capture_output=True, text=True, env=env).stderr
    totals: collections.Counter[str] = collections.Counter()
    for line in err.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        self_us, _, name = line.removeprefix("import time:").split("|")
        parts = name.strip().split(".")
        totals[".".join(parts[:2]) if parts[0] == "glasnost" else parts[0]] += int(self_us)
    return [(name, us / 1e6) for name, us in totals.most_common()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="processes per command (median)")
    parser.add_argument("--importtime", action="store_true", help="where the imports go")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        db = small_node(Path(folder))
        env = environment(Path(folder) / "pycache")
        load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
        print(f"seconds, median of {options.runs} processes; baseline: the eager import")
        print(f"load average before: {load} ({os.cpu_count()} CPUs)")
        print(
            f"{'command':<18} {'cpu':>6} {'wall':>6} {'base cpu':>9} {'base wall':>10} ratio"
            f"  {'whole-app cpu':>13} {'wall':>6} ratio"
        )
        for command in COMMANDS:
            args = [*command, "--db", str(db)]
            wall, cpu = timed(CURRENT, args, options.runs, env)
            base_wall, base_cpu = timed(EAGER, args, options.runs, env)
            whole_wall, whole_cpu = timed(WHOLE, args, options.runs, env)
            name = " ".join(command)
            print(
                f"{name:<18} {cpu:6.3f} {wall:6.3f} {base_cpu:9.3f} {base_wall:10.3f} "
                f"{base_cpu / cpu:5.2f}x  {whole_cpu:13.3f} {whole_wall:6.3f} "
                f"{whole_cpu / cpu:5.2f}x  (wall {'under' if wall < 1.0 else 'over'} 1 s)"
            )
        wall, cpu = timed(FLOOR, [], options.runs, env)
        print(f"{'floor (libraries)':<18} {cpu:6.3f} {wall:6.3f}")
        print(f"load average after: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
        if options.importtime:
            args = ["agreement", "status", "--db", str(db)]
            profile = import_profile(args, env)
            total = sum(s for _, s in profile)
            print(f"\nagreement status: imports {total:.2f} s (-X importtime, self time)")
            for name, seconds in profile[:15]:
                print(f"  {seconds:6.3f} s  {seconds / total:4.0%}  {name}")


if __name__ == "__main__":
    main()
