"""Distributions from their text forms, and their inverse CDFs against SciPy's own."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from glasnost.sweep.distributions import (
    Distribution,
    DistributionError,
    declared_distribution,
    parse_distribution,
)

U = np.linspace(0.01, 0.99, 99)


def test_uniform_maps_the_unit_interval_linearly() -> None:
    d = parse_distribution("uniform(4.0, 6.0)")
    assert d == Distribution("uniform", (4.0, 6.0))
    # Reference: the uniform inverse CDF lo + (hi - lo) u (exact up to rounding).
    np.testing.assert_allclose(d.ppf(U), 4.0 + 2.0 * U, rtol=0, atol=1e-12)


def test_normal_and_triangular_follow_scipy() -> None:
    normal = parse_distribution("normal(4.5, 0.3)")
    # Reference: scipy.stats.norm.ppf and triang.ppf, evaluated independently (1e-12).
    np.testing.assert_allclose(normal.ppf(U), stats.norm(4.5, 0.3).ppf(U), atol=1e-12)
    tri = parse_distribution("triangular(60, 120, 300)")
    np.testing.assert_allclose(
        tri.ppf(U), stats.triang(60 / 240, loc=60, scale=240).ppf(U), atol=1e-9
    )


def test_a_discrete_list_draws_each_value_equally() -> None:
    d = parse_distribution("[1, 2, 4]")
    drawn = d.ppf(np.linspace(0, 1, 3000, endpoint=False))
    values, counts = np.unique(drawn, return_counts=True)
    assert values.tolist() == [1.0, 2.0, 4.0]
    assert counts.tolist() == [1000, 1000, 1000]
    assert d.levels(5).tolist() == [1.0, 2.0, 4.0]


def test_declared_plus_minus_is_an_interval_around_the_declared_value() -> None:
    assert parse_distribution("declared+-0.3", 4.5) == Distribution("uniform", (4.2, 4.8))
    percent = parse_distribution("declared ± 10%", 200.0)
    assert percent.params == pytest.approx((180.0, 220.0))
    assert declared_distribution(4.5, 0.3, False, "normal") == Distribution("normal", (4.5, 0.3))


def test_grid_levels_span_the_support() -> None:
    assert parse_distribution("uniform(60, 300)").levels(3).tolist() == [60.0, 180.0, 300.0]
    assert parse_distribution("normal(10, 1)").levels(3).tolist() == [8.0, 10.0, 12.0]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("uniform(6, 4)", "lo < hi"),
        ("uniform(4)", "takes 2 numbers"),
        ("normal(4.5, 0)", "sigma > 0"),
        ("triangular(1, 5, 3)", "lo <= mode <= hi"),
        ("uniform(a, b)", "must be numbers"),
        ("uniform(nan, 1)", "finite"),
        ("[]", "empty list"),
        ("gamma(1, 2)", "is not a distribution"),
        ("declared+-0.3", "declares no value"),
        ("declared+--1", "positive"),
    ],
)
def test_bad_forms_say_what_is_wrong(text: str, reason: str) -> None:
    with pytest.raises(DistributionError, match=reason):
        parse_distribution(text)
