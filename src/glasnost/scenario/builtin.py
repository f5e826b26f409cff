"""The built-in scenarios (``glasnost assess``, ``--builtin NAME``): data files shipped in the
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

from functools import cache
from importlib import resources

import yaml

from glasnost.scenario.loading import Issue, ScenarioError, validate_scenario
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
    text = builtin_text(name)
    return validate_scenario(yaml.safe_load(text), f"built-in scenario {name}")


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
