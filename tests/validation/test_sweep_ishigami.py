"""The sweep's sensitivity estimators against the Ishigami function, whose Sobol' indices are
known in closed form (docs/uncertainty.md).

f(x) = sin x1 + a sin^2 x2 + b x3^4 sin x1, x_i ~ U(-pi, pi), a = 7, b = 0.1
(Ishigami & Homma 1990; closed-form variances in Saltelli et al. 2008, *Global Sensitivity
Analysis: The Primer*, section 4.9, and Sobol' & Levitan 1999):

    V1 = 1/2 (1 + b pi^4 / 5)^2,  V2 = a^2 / 8,  V13 = b^2 pi^8 (1/18 - 1/50),  V3 = 0
    V = V1 + V2 + V13;  S_i = V_i / V;  ST1 = (V1 + V13) / V, ST2 = S2, ST3 = V13 / V.

The plan draws the points through the same code as a sweep (Distribution.ppf of the unit
points), the indices come from :func:`glasnost.sweep.analysis.indices`.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from glasnost.sweep.analysis import indices
from glasnost.sweep.distributions import parse_distribution
from glasnost.sweep.plan import Plan, Variable
from tests.validation.conftest import Reference

A, B = 7.0, 0.1


def ishigami(x: np.ndarray) -> np.ndarray:
    return np.sin(x[:, 0]) + A * np.sin(x[:, 1]) ** 2 + B * x[:, 2] ** 4 * np.sin(x[:, 0])


def closed_form() -> tuple[list[float], list[float]]:
    v1 = 0.5 * (1.0 + B * math.pi**4 / 5.0) ** 2
    v2 = A**2 / 8.0
    v13 = B**2 * math.pi**8 * (1.0 / 18.0 - 1.0 / 50.0)
    v = v1 + v2 + v13
    return [v1 / v, v2 / v, 0.0], [(v1 + v13) / v, v2 / v, v13 / v]


def _plan(method: str, samples: int) -> Plan:
    dist = parse_distribution(f"uniform({-math.pi}, {math.pi})")
    variables = tuple(Variable(f"x{i}", dist) for i in (1, 2, 3))
    return Plan(variables, method, samples, seed=7)  # type: ignore[arg-type]


SOURCE = "Ishigami function, closed form (Sobol' & Levitan 1999; Saltelli et al. 2008, 4.9)"
NAMES = ("x1", "x2", "x3")


def test_closed_form_matches_the_published_values(reference: Reference) -> None:
    s1, st = closed_form()
    # The published values, four decimals: S1 = 0.3139, 0.4424, 0; ST = 0.5576, 0.4424, 0.2437.
    published = {"S1": (0.3139, 0.4424, 0.0), "ST": (0.5576, 0.4424, 0.2437)}
    for index, ours in (("S1", s1), ("ST", st)):
        for k, name in enumerate(NAMES):
            reference(
                f"Ishigami {index} of {name}, closed form",
                ours[k],
                published[index][k],
                5e-5,
                "Saltelli et al. 2008, section 4.9 (four decimals)",
                kind="published",
                basis="the published values' last decimal",
            )


def test_saltelli_indices_match_the_closed_form(reference: Reference) -> None:
    plan = _plan("saltelli", 4096)
    x = plan.values()
    ranking = indices(plan, x, ishigami(x))
    rows = {r["input"]: r for r in ranking}
    s1, st = closed_form()
    for k, name in enumerate(NAMES):
        for index, exact in (("S1", s1[k]), ("ST", st[k])):
            reference(
                f"Ishigami {index} of {name}, Saltelli plan N = 4096",
                rows[name][index],
                exact,
                0.03,
                SOURCE,
                kind="closed form",
                basis="about the estimator's 95% bootstrap half-width at N = 4096 (0.025-0.027)",
            )
    assert [r["input"] for r in ranking] == ["x1", "x2", "x3"]


@pytest.mark.parametrize("method", ["sobol", "lhs"])
def test_rbd_fast_first_order_indices_match_the_closed_form(
    method: str, reference: Reference
) -> None:
    plan = _plan(method, 4096)
    x = plan.values()
    rows = {r["input"]: r for r in indices(plan, x, ishigami(x))}
    s1, _ = closed_form()
    for k, name in enumerate(NAMES):
        reference(
            f"Ishigami S1 of {name}, RBD-FAST on a {method} plan N = 4096",
            rows[name]["S1"],
            s1[k],
            0.03,
            SOURCE,
            kind="closed form",
            basis="RBD-FAST's bias at M = 10 plus its 95% bootstrap half-width (up to 0.036)",
        )
