"""The public Python API: load a scenario, assess it, get tables.

These four names are re-exported by the package, so that a notebook needs only ``import
glasnost``::

    import glasnost

    scenario = glasnost.builtin("us-ru")            # or glasnost.load_scenario("my.yaml")
    result = glasnost.assess(scenario, date="2030-01-01")
    frames = glasnost.to_dataframes(result)         # pandas DataFrames by table name
    frames["sites"].sort_values("best_margin_kms")

A scenario is an immutable :class:`glasnost.scenario.models.Scenario`; what-if questions are
``overrides`` in the ``--set`` syntax of the command line (``PATH=VALUE``, list items by id).
Bad input raises :class:`glasnost.scenario.loading.ScenarioError` (a ``ValueError`` whose message
names the file, the field and the reason).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable

from glasnost.defense.assessment import Assessment, Progress
from glasnost.defense.assessment import assess as _assess
from glasnost.report.tables import to_dataframes
from glasnost.scenario.builtin import BUILTIN_NAMES, builtin_scenario
from glasnost.scenario.loading import Issue, ScenarioError, apply_overrides
from glasnost.scenario.loading import load_scenario as _load_file
from glasnost.scenario.models import Scenario

__all__ = [
    "BUILTIN_NAMES",
    "Assessment",
    "Scenario",
    "ScenarioError",
    "assess",
    "builtin",
    "load_scenario",
    "to_dataframes",
]


def load_scenario(path: str | os.PathLike[str], overrides: Iterable[str] = ()) -> Scenario:
    """Read and validate a scenario file (.yaml, .yml or .json), then apply ``overrides``
    (``PATH=VALUE`` strings, as ``--set``)."""
    return apply_overrides(_load_file(os.fspath(path)), tuple(overrides))


def builtin(name: str = "us-ru", overrides: Iterable[str] = ()) -> Scenario:
    """A built-in scenario (one of :data:`BUILTIN_NAMES`), with ``overrides`` applied."""
    return apply_overrides(builtin_scenario(name), tuple(overrides))


def assess(
    scenario: Scenario | str | os.PathLike[str] | None = None,
    date: dt.date | str | None = None,
    *,
    progress: Progress | None = None,
) -> Assessment:
    """Assess a scenario (a :class:`Scenario`, a file path, or None for the built-in us-ru) on
    ``date`` (a date or ``YYYY-MM-DD``; default: the scenario's own date). ``progress(stage,
    fraction)`` is called as the stages run."""
    model = _scenario(scenario)
    return _assess(model, _date(date), progress)


def _scenario(scenario: Scenario | str | os.PathLike[str] | None) -> Scenario:
    if scenario is None:
        return builtin_scenario("us-ru")
    if isinstance(scenario, Scenario):
        return scenario
    return load_scenario(scenario)


def _date(value: dt.date | str | None) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ScenarioError("date", [Issue("", f"{value!r} is not a date YYYY-MM-DD")]) from None
