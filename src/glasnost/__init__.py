"""glasnost: missile-defense transparency between states.

Validated trajectory physics, threat assessment from declared postures, and a verifiable
exchange of declarations between the parties to an agreement.

The Python API (:mod:`glasnost.api`) is available from the package itself, loaded on first use
so that ``import glasnost`` stays light::

    import glasnost
    result = glasnost.assess(glasnost.builtin("us-ru"))
    frames = glasnost.to_dataframes(result)
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:  # the names below, for type checkers; loaded lazily at run time
    from glasnost.api import (
        BUILTIN_NAMES,
        Assessment,
        Scenario,
        ScenarioError,
        assess,
        builtin,
        load_scenario,
        to_dataframes,
    )

__all__ = [
    "BUILTIN_NAMES",
    "Assessment",
    "Scenario",
    "ScenarioError",
    "__version__",
    "assess",
    "builtin",
    "load_scenario",
    "to_dataframes",
]


def __getattr__(name: str) -> Any:
    """The API names, imported from :mod:`glasnost.api` when first asked for (PEP 562)."""
    if name in __all__:
        return getattr(importlib.import_module("glasnost.api"), name)
    raise AttributeError(f"module 'glasnost' has no attribute {name!r}")
