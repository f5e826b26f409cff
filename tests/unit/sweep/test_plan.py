"""Sample plans: sizes, reproducibility by seed, the space-filling properties, bad plans."""

from __future__ import annotations

import numpy as np
import pytest

from glasnost.sweep.distributions import parse_distribution
from glasnost.sweep.plan import Plan, PlanError, Variable

SPEED = Variable("interceptor_types.gbi.burnout_velocity_kms", parse_distribution("uniform(4, 6)"))
DELAY = Variable("assessment.launch_delay_s", parse_distribution("uniform(60, 300)"))
COUNT = Variable(
    "parties.US.interceptor_sites.greely.count", parse_distribution("uniform(0, 44)"), True
)


def test_the_same_seed_gives_the_same_values_and_another_seed_others() -> None:
    a = Plan((SPEED, DELAY), "sobol", 16, seed=3).values()
    assert np.array_equal(a, Plan((SPEED, DELAY), "sobol", 16, seed=3).values())
    assert not np.array_equal(a, Plan((SPEED, DELAY), "sobol", 16, seed=4).values())


def test_latin_hypercube_puts_one_sample_in_every_stratum() -> None:
    n = 20
    u = Plan((SPEED, DELAY), "lhs", n, seed=1).unit()
    for k in range(2):
        # The defining property of a Latin hypercube (McKay et al. 1979).
        assert sorted(np.floor(u[:, k] * n).astype(int).tolist()) == list(range(n))


def test_sobol_points_are_balanced_in_each_input() -> None:
    u = Plan((SPEED, DELAY), "sobol", 64, seed=2).unit()
    for k in range(2):
        # A (t, m, s)-net in base 2: 64 points, 8 in each eighth of every axis.
        assert np.bincount(np.floor(u[:, k] * 8).astype(int), minlength=8).tolist() == [8] * 8


def test_saltelli_runs_n_times_inputs_plus_two() -> None:
    plan = Plan((SPEED, DELAY), "saltelli", 8)
    assert plan.size == 8 * (2 + 2)
    assert plan.values().shape == (32, 2)


def test_grid_is_the_full_factorial_in_row_major_order() -> None:
    plan = Plan((SPEED, DELAY), "grid", levels=3)
    values = plan.values()
    assert plan.size == 9
    assert values[:3].tolist() == [[4.0, 60.0], [4.0, 180.0], [4.0, 300.0]]
    assert values[-1].tolist() == [6.0, 300.0]


def test_integer_inputs_are_whole_numbers() -> None:
    values = Plan((COUNT,), "lhs", 16, seed=0).values()[:, 0]
    assert np.array_equal(values, np.round(values))
    assert Plan((COUNT,), "grid", levels=4).grid_levels(COUNT).tolist() == [0, 15, 29, 44]


def test_plan_round_trips_through_json() -> None:
    plan = Plan((SPEED, COUNT), "lhs", 10, seed=9)
    again = Plan.from_json(plan.to_json())
    assert again == plan
    assert np.array_equal(again.values(), plan.values())


@pytest.mark.parametrize(
    ("kwargs", "reason"),
    [
        ({"variables": ()}, "nothing varies"),
        ({"variables": (SPEED, SPEED)}, "varied twice"),
        ({"method": "grid", "levels": 1}, "empty grid"),
        ({"method": "saltelli", "samples": 100}, "power of 2 .e.g. 64 or 128"),
        ({"samples": 1}, "at least 2"),
        ({"method": "random"}, "choose one of"),
    ],
)
def test_bad_plans_are_refused(kwargs: dict[str, object], reason: str) -> None:
    args: dict[str, object] = {"variables": (SPEED, DELAY), **kwargs}
    with pytest.raises(PlanError, match=reason):
        Plan(**args)  # type: ignore[arg-type]
