"""The ``glasnost`` command line: a thin shell that parses, calls the library and prints.

The commands live in :mod:`glasnost.cli.missiles` (trajectory, missiles),
:mod:`glasnost.cli.demo` (the demos), :mod:`glasnost.cli.scenario` (scenarios, and the scenario
options the other commands share), :mod:`glasnost.cli.analysis` (the assessment),
:mod:`glasnost.cli.keys`, :mod:`glasnost.cli.node`, :mod:`glasnost.cli.exchange` (declare,
notify), :mod:`glasnost.cli.log` (the logs, the witness), :mod:`glasnost.cli.service` (serve,
sync), :mod:`glasnost.cli.sweep` (uncertainty and sensitivity) and :mod:`glasnost.cli.treaty`
(the agreement, compliance, confirmation); importing them registers them on
:data:`glasnost.cli.common.app`, in the order ``--help`` lists them. Their shared options and
helpers are in :mod:`glasnost.cli.shared`.
"""

# isort: off
from glasnost.cli import missiles, demo, scenario, analysis
from glasnost.cli import exchange, keys, log, node, service, sweep, treaty

# isort: on
from glasnost.cli.common import app, main

__all__ = [
    "analysis",
    "app",
    "demo",
    "exchange",
    "keys",
    "log",
    "main",
    "missiles",
    "node",
    "scenario",
    "service",
    "sweep",
    "treaty",
]
