"""The ``glasnost`` command line: a thin shell that parses, calls the library and prints.

The commands live in :mod:`glasnost.cli.analysis` (trajectories, missiles, scenarios, the
assessment, the demos), :mod:`glasnost.cli.keys`, :mod:`glasnost.cli.node`,
:mod:`glasnost.cli.exchange` (declare, notify), :mod:`glasnost.cli.log` (the logs, the
witness), :mod:`glasnost.cli.service` (serve, sync), :mod:`glasnost.cli.sweep` (uncertainty and
sensitivity) and :mod:`glasnost.cli.treaty` (the agreement, compliance, confirmation);
importing them registers them on :data:`glasnost.cli.common.app`. Their shared options and
helpers are in :mod:`glasnost.cli.shared`.
"""

from glasnost.cli import analysis, exchange, keys, log, node, service, sweep, treaty
from glasnost.cli.common import app, main

__all__ = [
    "analysis",
    "app",
    "exchange",
    "keys",
    "log",
    "main",
    "node",
    "service",
    "sweep",
    "treaty",
]
