"""From ``--vary PATH=DISTRIBUTION`` texts and the scenario's declared uncertainties to checked
:class:`~glasnost.sweep.plan.Variable` s, and from a sample's values to its scenario.

Paths are the ``--set`` paths (:func:`glasnost.scenario.loading.value_at`, one rule). Before
anything runs, each input is set to the extremes of its values in the plan and the scenario is
validated: a distribution outside a field's allowed range (a negative count, a delay past the
limit) is refused by the scenario's own validation, naming the field and the bound.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from glasnost.scenario.loading import Issue, ScenarioError, apply_values, value_at
from glasnost.scenario.models import Scenario
from glasnost.sweep.distributions import (
    DistributionError,
    declared_distribution,
    parse_distribution,
)
from glasnost.sweep.plan import Method, Plan, Variable


def _declared_number(value: Any, origin: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ScenarioError(origin, [_issue(f"the value there is {value!r}, not a number")])
    return float(value)


def _issue(message: str) -> Issue:
    return Issue("", message)


def vary_variable(scenario: Scenario, text: str) -> Variable:
    """One ``PATH=DISTRIBUTION`` (``--vary``)."""
    origin = f"--vary {text}"
    path, sep, form = text.partition("=")
    path = path.strip()
    if not sep or not path or not form.strip():
        raise ScenarioError(origin, [_issue("expected PATH=DISTRIBUTION")])
    current = value_at(scenario, path, origin)
    declared = _declared_number(current, origin)
    try:
        dist = parse_distribution(form, declared)
    except DistributionError as exc:
        raise ScenarioError(origin, [_issue(str(exc))]) from None
    return Variable(path, dist, _is_integer(current))


def _is_integer(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def declared_variables(scenario: Scenario) -> list[Variable]:
    """The scenario's own stated uncertainties (``uncertainty:``), as inputs."""
    out = []
    for k, u in enumerate(scenario.uncertainty or ()):
        origin = f"scenario uncertainty[{k}] ({u.path})"
        declared = _declared_number(value_at(scenario, u.path, origin), origin)
        if declared is None:
            raise ScenarioError(origin, [_issue("the scenario declares no value at this path")])
        try:
            dist = declared_distribution(declared, u.plus_minus, u.percent, u.distribution)
        except DistributionError as exc:
            raise ScenarioError(origin, [_issue(f"no interval: {exc}")]) from None
        out.append(Variable(u.path, dist, _is_integer(value_at(scenario, u.path, origin))))
    return out


def build_plan(
    scenario: Scenario,
    vary: Sequence[str] = (),
    *,
    declared: bool = False,
    method: Method = "sobol",
    samples: int = 64,
    levels: int = 5,
    seed: int = 0,
) -> Plan:
    """The plan of ``--vary`` texts (and with ``declared``, the scenario's stated uncertainties);
    a :class:`ScenarioError` or :class:`~glasnost.sweep.plan.PlanError` says what is wrong."""
    variables = [vary_variable(scenario, text) for text in vary]
    if declared:
        variables += declared_variables(scenario)
    return Plan(tuple(variables), method, samples, levels, seed)


def check_ranges(scenario: Scenario, plan: Plan, values: np.ndarray[Any, Any]) -> None:
    """Validate the scenario with each input at the least and the greatest of its values in the
    plan (the others as declared): a :class:`ScenarioError` names the field and its bound."""
    for k, v in enumerate(plan.variables):
        for extreme in (values[:, k].min(), values[:, k].max()):
            origin = f"--vary {v.path}={v.distribution.describe()} (at {extreme:g})"
            apply_values(scenario, {v.path: sample_value(v, float(extreme))}, origin)


def sample_value(variable: Variable, value: float) -> float | int:
    """A sampled value as the field takes it (whole numbers for integer fields)."""
    return round(value) if variable.integer else float(value)


def sample_scenario(scenario: Scenario, plan: Plan, row: np.ndarray[Any, Any]) -> Scenario:
    """The scenario of one sample: every input at its value in ``row``."""
    values = {v.path: sample_value(v, float(x)) for v, x in zip(plan.variables, row, strict=True)}
    origin = "sample " + ", ".join(f"{p}={x}" for p, x in values.items())
    return apply_values(scenario, values, origin)
