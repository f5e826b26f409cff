"""The reading commands start without the numeric stack: building the command line and reading
a node (``log show``, ``agreement status``, ``compliance``) imports no NumPy, which costs a
noticeable share of an interactive command's start-up (benchmarks/bench_cli_latency.py)."""

from __future__ import annotations

import subprocess
import sys

READING = """
import sys
import glasnost.cli
import glasnost.cli.log, glasnost.cli.treaty
import glasnost.exchange.node, glasnost.treaty.compliance, glasnost.treaty.lifecycle
import glasnost.treaty.logs
print(sorted(m for m in ("numpy", "scipy", "glasnost.physics.targeting") if m in sys.modules))
"""


def test_reading_commands_import_no_numeric_stack() -> None:
    out = subprocess.run(
        [sys.executable, "-c", READING], check=True, capture_output=True, text=True
    ).stdout
    assert out.strip() == "[]"
