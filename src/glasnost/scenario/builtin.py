"""The built-in scenarios (``glasnost assess``, ``--scenario NAME``): data files shipped in the
package, ``data/builtin/<name>.yaml``.

* ``us-ru``: the United States and Russia, one dyad (the default).
* ``us-ru-cn``: the same plus China (radars, two silo fields, aim points), dyads US-RU, US-CN
  and RU-CN.
* ``us-ru-ir``: ``us-ru`` plus Iran (``IR``) as a third party, in no dyad, with missile types
  defined from open-source figures and the US declaring its defenses against IR.

The files are generated from the open-source catalog by ``scripts/build_builtin_scenarios.py``
(:mod:`glasnost.scenario.from_catalog`: which catalog entry becomes what, and every assumption
marked ``basis: assumed``); edit the catalog or the generator, never the files.
``examples/us-ru.yaml`` and ``examples/us-ru-ir.yaml`` hold the same text.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from importlib import resources
from pathlib import Path

from glasnost.scenario.loading import Issue, ScenarioError, load_scenario, validate_scenario
from glasnost.scenario.missiles import packaged_yaml
from glasnost.scenario.models import Scenario

BUILTIN_NAMES = ("us-ru", "us-ru-cn", "us-ru-ir")


def builtin_text(name: str) -> str:
    """The text of the data file of built-in scenario ``name``."""
    if name not in BUILTIN_NAMES:
        raise ScenarioError(
            f"--builtin {name}",
            [Issue("", f"unknown built-in scenario; choose one of {', '.join(BUILTIN_NAMES)}")],
        )
    path = resources.files("glasnost.scenario").joinpath("data", "builtin", f"{name}.yaml")
    return path.read_text("utf-8")


@cache
def builtin_scenario(name: str = "us-ru") -> Scenario:
    """The built-in scenario ``us-ru`` (default), ``us-ru-cn`` or ``us-ru-ir``."""
    return validate_scenario(packaged_yaml(builtin_text(name)), f"built-in scenario {name}")


def header(name: str) -> str:
    """The comment at the top of built-in scenario ``name``'s file."""
    return (
        f"glasnost scenario {name!r}: the built-in scenario as an editable file.\n"
        "Generated from the open-source catalog by scripts/build_builtin_scenarios.py (do not\n"
        "edit here; copy it). Check a copy with `glasnost scenario validate FILE`; the JSON\n"
        "Schema is printed by `glasnost scenario schema`. Values with basis: assumed are\n"
        "modelling assumptions (assumed_fields says which); see `assumptions` at the end."
    )


def example_yaml(name: str = "us-ru") -> str:
    """The text of ``examples/<name>.yaml``: the built-in scenario's data file, an editable
    scenario."""
    return builtin_text(name)


def scenario_by_name(source: str | Path, option: str = "--scenario") -> Scenario:
    """The scenario ``--scenario`` names: a built-in name (:data:`BUILTIN_NAMES`, which wins:
    a scenario file has a .yaml, .yml or .json suffix) or a scenario file."""
    text = str(source)
    if text in BUILTIN_NAMES:
        return builtin_scenario(text)
    path = Path(text)
    if not path.exists() and not path.suffix:
        raise ScenarioError(
            f"{option} {text}",
            [
                Issue(
                    "",
                    f"neither a built-in scenario ({', '.join(BUILTIN_NAMES)}) nor a scenario file",
                )
            ],
        )
    return load_scenario(path)


def catalog_years(scenario: Scenario) -> tuple[int, int]:
    """First and last year whose posture a built-in scenario describes: from the earliest
    in-service date its catalog records to its own date (the catalog's forces as of 2024,
    assessed on 2025-01-01). Outside them, only entries with in-service dates come or go: what
    was retired before or built after is not in the catalog."""
    starts = [
        start.year
        for party in scenario.parties
        for entry in (*party.interceptor_sites, *party.radars, *party.launch_bases)
        if (start := getattr(entry, "in_service_from", None)) is not None
    ]
    return min(starts, default=scenario.date.year), scenario.date.year


def outside_catalog_years(scenario: Scenario, date: dt.date) -> str | None:
    """Why the posture of built-in ``scenario`` on ``date`` is not the catalog's (a date
    outside :func:`catalog_years`), or None."""
    first, last = catalog_years(scenario)
    if first <= date.year <= last:
        return None
    return (
        f"{date} is outside the years the built-in catalog describes ({first}-{last}): the "
        "posture keeps every system without in-service dates, as of the catalog"
    )
