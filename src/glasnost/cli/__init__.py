"""The ``glasnost`` command line: a thin shell that parses, calls the library and prints.

The commands live in :mod:`glasnost.cli.analysis` (trajectories, missiles, scenarios, the
assessment), :mod:`glasnost.cli.exchange` (keys, the node, the logs, the witness) and
:mod:`glasnost.cli.service` (serve, sync) and :mod:`glasnost.cli.treaty` (the agreement);
importing them registers them on
:data:`glasnost.cli.common.app`.
"""

from glasnost.cli import analysis, exchange, service, treaty
from glasnost.cli.common import app, main

__all__ = ["analysis", "app", "exchange", "main", "service", "treaty"]
