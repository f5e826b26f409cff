"""Uncertain inputs from ``--vary`` and from the scenario's declared uncertainties: the
``--set`` paths, and the scenario's own validation refusing values outside a field's range."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from glasnost.scenario.loading import ScenarioError, validate_scenario
from glasnost.scenario.models import Scenario
from glasnost.sweep.distributions import Distribution
from glasnost.sweep.inputs import (
    check_ranges,
    declared_variables,
    sample_scenario,
    vary_variable,
)
from glasnost.sweep.plan import Plan
from tests.unit.scenario.conftest import MINIMAL


@pytest.fixture(scope="module")
def mini() -> Scenario:
    return validate_scenario(MINIMAL)


def test_a_sample_scenario_holds_the_sampled_values(mini: Scenario) -> None:
    speed = vary_variable(mini, "interceptor_types.gbi.burnout_velocity_kms=uniform(4,6)")
    count = vary_variable(mini, "parties.US.interceptor_sites.greely.count=[10, 20]")
    assert count.integer
    assert not speed.integer
    plan = Plan((speed, count), "grid", levels=2)
    s = sample_scenario(mini, plan, plan.values()[-1])
    assert s.interceptor_type("gbi").burnout_velocity_kms == 6.0
    assert s.parties[0].interceptor_sites[0].count == 20


def test_declared_plus_minus_reads_the_declared_value(mini: Scenario) -> None:
    v = vary_variable(mini, "interceptor_types.gbi.burnout_velocity_kms=declared+-10%")
    assert v.distribution.params == pytest.approx((6.75, 8.25))


def test_the_scenario_declares_its_own_uncertainty() -> None:
    data = copy.deepcopy(MINIMAL)
    data["uncertainty"] = [
        {"path": "interceptor_types.gbi.burnout_velocity_kms", "plus_minus": 0.3},
        {
            "path": "assessment.decision_delay_s",
            "plus_minus": 20,
            "percent": True,
            "distribution": "normal",
        },
    ]
    (speed, delay) = declared_variables(validate_scenario(data))
    assert speed.distribution == Distribution("uniform", (7.2, 7.8))
    assert delay.distribution == Distribution("normal", (60.0, 12.0))


def test_unknown_path_names_the_valid_keys(mini: Scenario) -> None:
    with pytest.raises(ScenarioError, match=r"no key 'burnout_speed' .*valid: .*burnout_velocity"):
        vary_variable(mini, "interceptor_types.gbi.burnout_speed=uniform(4,6)")
    with pytest.raises(ScenarioError, match="no item 'sm3'"):
        vary_variable(mini, "interceptor_types.sm3.burnout_velocity_kms=uniform(4,6)")


def test_a_negative_count_is_refused_by_the_scenario_validation(mini: Scenario) -> None:
    count = vary_variable(mini, "parties.US.interceptor_sites.greely.count=uniform(-5, 10)")
    plan = Plan((count,), "lhs", 8)
    with pytest.raises(ScenarioError) as err:
        check_ranges(mini, plan, plan.values())
    message = str(err.value)
    assert "--vary parties.US.interceptor_sites.greely.count=uniform(-5, 10)" in message
    assert "parties[0].interceptor_sites[0].count: must be >= 0, got -5" in message


def test_a_delay_past_the_field_limit_is_refused(mini: Scenario) -> None:
    delay = vary_variable(mini, "assessment.launch_delay_s=normal(3500, 200)")
    plan = Plan((delay,), "sobol", 16)
    with pytest.raises(ScenarioError, match="launch_delay_s: must be <= 3600"):
        check_ranges(mini, plan, plan.values())


def test_values_within_range_pass(mini: Scenario) -> None:
    delay = vary_variable(mini, "assessment.launch_delay_s=uniform(60, 300)")
    plan = Plan((delay,), "sobol", 16)
    check_ranges(mini, plan, plan.values())  # raises on any value out of range
    assert np.all((plan.values() >= 60) & (plan.values() <= 300))


def test_a_value_that_is_not_a_number_cannot_vary(mini: Scenario) -> None:
    with pytest.raises(ScenarioError, match="not a number"):
        vary_variable(mini, "parties.US.name=declared+-1")


def test_a_declared_uncertainty_must_name_a_number_of_the_scenario() -> None:
    data = copy.deepcopy(MINIMAL)
    data["uncertainty"] = [
        {"path": "interceptor_types.gbi.burnout_speed_kms", "plus_minus": 0.3},
        {"path": "parties.US.name", "plus_minus": 1},
    ]
    with pytest.raises(ScenarioError) as err:
        validate_scenario(data)
    lines = str(err.value).splitlines()
    assert lines[0].startswith(
        "scenario: uncertainty[0].path: no key 'burnout_speed_kms' at interceptor_types.gbi; "
    )
    assert (
        lines[1]
        == "scenario: uncertainty[1].path: parties.US.name holds 'United States', not a number"
    )
