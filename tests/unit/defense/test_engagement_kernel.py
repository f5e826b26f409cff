"""The compiled engagement search (glasnost.defense.engagement_kernel) against the NumPy path
of glasnost.defense.engagement, its reference: the same feasible pairs, and critical
velocities, windows, latest launches and shots within stated tolerances."""

from __future__ import annotations

import math
from typing import Any

import numba
import numpy as np
import pytest

from glasnost.defense import (
    assessment,
    candidate_rules,
    direction,
    engagement,
    engagement_kernel,
    required_speed,
)
from glasnost.defense.engagement import EngagementTable, engage
from glasnost.defense.engagement_kernel import speed_bound
from glasnost.physics.constants import WGS84
from glasnost.scenario.builtin import builtin_scenario
from tests.unit.defense.test_engagement import EARLY, SITES, _interceptors, _samples

# Both paths run the same arithmetic per candidate; they differ by the order of floating-point
# operations (NumPy's norms and einsum against scalar sums) and by the Lambert warm start
# (the same solution to the solver's 1e-13): 1e-9 relative bounds both.
REL = 1e-9


TABLE_VALUES = (
    "critical_burnout_velocity_ms",
    "earliest_intercept_s",
    "latest_intercept_s",
    "earliest_intercept_altitude_m",
    "latest_intercept_altitude_m",
    "latest_launch_s",
    "window_s",
)
"""The real-valued fields of an engagement table."""


def _same(compiled: EngagementTable, reference: EngagementTable) -> None:
    np.testing.assert_array_equal(compiled.feasible, reference.feasible)
    np.testing.assert_array_equal(compiled.shots, reference.shots)
    np.testing.assert_array_equal(compiled.best_sample, reference.best_sample)
    for name in TABLE_VALUES:
        np.testing.assert_allclose(
            getattr(compiled, name), getattr(reference, name), rtol=REL, atol=1e-6, err_msg=name
        )


def builtin_engage_calls(
    monkeypatch: pytest.MonkeyPatch, interceptor_model: str = "flyout"
) -> list[tuple[tuple[Any, ...], dict[str, Any]]]:
    """The arguments of each ``engage`` call of the built-in assessment (both directions),
    with the scenario's interceptor model set to ``interceptor_model``."""
    calls: list[tuple[tuple[Any, ...], dict[str, Any]]] = []

    def recording(*args: Any, **kwargs: Any) -> EngagementTable:
        calls.append((args, kwargs))
        return engagement.engage(*args, **kwargs)

    monkeypatch.setattr(direction, "engage", recording)
    scenario = builtin_scenario("us-ru")
    settings = scenario.assessment.model_copy(update={"interceptor_model": interceptor_model})
    assessment.assess(scenario.model_copy(update={"assessment": settings}))
    assert len(calls) == 2
    return calls


@pytest.mark.parametrize("model", ["straight-boost", "burnout-delay"])
@pytest.mark.parametrize("speed", [3000.0, 4500.0, 6000.0])
def test_compiled_search_matches_numpy_path(model: Any, speed: float) -> None:
    samples = _samples()
    args = (SITES, _interceptors(speed), samples, EARLY, 60.0)
    _same(
        engage(*args, model=model),
        engage(*args, model=model, compiled=False),
    )


def test_compiled_search_matches_numpy_path_with_a_commit_time() -> None:
    samples = _samples()
    args = (SITES, _interceptors(), samples, EARLY, 60.0)
    _same(
        engage(*args, latest_launch_s=EARLY + 30.0),
        engage(*args, latest_launch_s=EARLY + 30.0, compiled=False),
    )


def test_compiled_search_matches_numpy_path_on_the_builtin_scenario(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every engagement table of the built-in assessment, both directions (flyout tables at
    the sites of staged types, the burnout-delay critical velocity)."""
    calls = builtin_engage_calls(monkeypatch)
    feasible = 0
    for args, kwargs in calls:
        compiled = engagement.engage(*args, **kwargs)
        _same(compiled, engagement.engage(*args, **{**kwargs, "compiled": False}))
        feasible += int(compiled.feasible.sum())
    assert feasible > 0


def test_threaded_search_is_one_kernel_call_bit_for_bit(monkeypatch: pytest.MonkeyPatch) -> None:
    """The search split into runs of pairs on worker threads (forced here for every search, two
    workers, one pair per run where there are few) against one kernel call: every table of
    the built-in assessment identical, bit for bit."""
    calls = builtin_engage_calls(monkeypatch)
    one = [engagement.engage(*args, **kwargs) for args, kwargs in calls]
    monkeypatch.setattr(candidate_rules, "SPLIT_MIN_CANDIDATES", 0)
    monkeypatch.setattr(candidate_rules, "default_workers", lambda: 2)
    split = [engagement.engage(*args, **kwargs) for args, kwargs in calls]
    for a, b in zip(one, split, strict=True):
        for name in ("feasible", "shots", "best_sample", *TABLE_VALUES):
            assert getattr(a, name).tobytes() == getattr(b, name).tobytes(), name


def _points_around(rng: np.random.Generator, site: np.ndarray, n: int) -> np.ndarray:
    """n random points (ECEF, m) 50-3,000 km from ``site`` along its horizontal and 20-1,500 km
    above it (the site's radial direction as its vertical)."""
    up = site / np.linalg.norm(site)
    dist = rng.uniform(50e3, 3000e3, n)
    lateral = rng.normal(size=(n, 3))
    lateral -= np.outer(lateral @ up, up)
    lateral /= np.linalg.norm(lateral, axis=1)[:, None]
    out: np.ndarray = site + dist[:, None] * lateral + rng.uniform(20e3, 1500e3, n)[:, None] * up
    return out


@pytest.mark.parametrize("model", ["straight-boost", "burnout-delay"])
def test_speed_bound_is_below_every_required_speed(model: Any) -> None:
    """The bound (the least energy of a Lambert transfer; straight line with gravity bounded)
    against the NumPy path's required speeds at launch times over the
    window, for points 50-3,000 km from the site and 20-1,500 km up."""
    rng = np.random.default_rng(3)
    site = SITES[0]
    n = 500
    r_ecef = _points_around(rng, site, n)
    t_i = rng.uniform(100.0, 900.0, n)
    r_eci = required_speed._rotate(r_ecef, WGS84.rotation_rad_s * t_i)
    lever = 0.0 if model == "burnout-delay" else 50.0
    checked = 0
    for frac in (0.0, 0.3, 0.6, 0.9, 0.99):
        launch = frac * (t_i - 51.0)
        need = engagement.required_burnout_velocity(site, 50.0, launch, t_i, r_eci, model=model)
        for i in np.flatnonzero(np.isfinite(need)):
            coast = t_i[i] - launch[i] - 50.0
            bound = speed_bound(
                site, lever, t_i[i], r_eci[i], coast, WGS84.mu, WGS84.rotation_rad_s, need[i], 30
            )
            assert bound <= need[i]
            checked += 1
    assert checked > 1000


@pytest.mark.parametrize("interceptor_model", ["flyout", "straight-boost", "burnout-delay"])
def test_the_compile_probe_has_the_types_of_the_assessments_search(
    monkeypatch: pytest.MonkeyPatch, interceptor_model: str
) -> None:
    """``search_probe``'s arguments have the Numba types of every search call of the built-in
    assessment, so the search a child process compiles from them is the one the assessment
    loads from the cache (glasnost.physics.compile_ahead)."""
    calls = builtin_engage_calls(monkeypatch, interceptor_model)
    searches: list[tuple[Any, ...]] = []
    real_search = engagement_kernel.search

    def recording(*args: Any) -> Any:
        searches.append(args)
        return real_search(*args)

    monkeypatch.setattr(engagement_kernel, "search", recording)
    for args, kwargs in calls:
        engagement.engage(*args, **kwargs)
    probe = tuple(numba.typeof(a) for a in engagement_kernel.search_probe())
    assert searches
    for arguments in searches:
        assert tuple(numba.typeof(a) for a in arguments) == probe


def test_end_refinement_point_is_the_last_golden_section() -> None:
    """With b at an end of its bracket every step of the refinement is a golden section
    towards b (the parabola through two equal ends is 0 / 0): from the top end the points
    are b - 0.382^n (b - a), n = 1..5, from the bottom end b + 0.382^n (c - b), each the same
    arithmetic on the step before; a bracket narrower than X_TOL takes no step."""
    gold = engagement_kernel.GOLD
    a, b = 5.1, 6.3
    x = a
    for _ in range(engagement_kernel.MIN_SEARCH_STEPS):
        x = b - gold * (b - x)
    assert engagement_kernel.end_refinement_point(a, b, b) == x
    assert b - x == pytest.approx(gold**5 * (b - a), rel=1e-9)
    c = 7.0
    x = c
    for _ in range(engagement_kernel.MIN_SEARCH_STEPS):
        x = b + gold * (x - b)
    assert engagement_kernel.end_refinement_point(b, b, c) == x
    assert np.isnan(engagement_kernel.end_refinement_point(b, b, b + 0.5e-6))
    # The steps stop once the bracket is X_TOL narrow: the last point is then an earlier one.
    # (2e-6 wide: one step, to 0.76e-6 from b, and no second).
    narrow = engagement_kernel.end_refinement_point(b - 2e-6, b, b)
    assert b - narrow == pytest.approx(gold * 2e-6, rel=1e-6)


def _refined_least(speed: Any, grid: np.ndarray) -> tuple[float, bool]:
    """The least of ``speed`` (a function of ln coast) on ``grid`` refined by the search's
    five safeguarded parabolic / golden steps, all of them (the refinement as it was before
    decision 28, written again here); and whether the grid's least is at an end of the
    window with the refinement's last point needing no less (where the rule settles it)."""
    k = engagement_kernel
    vals = [speed(x) for x in grid]
    kb = int(np.argmin(vals))
    ka, kc = max(kb - 1, 0), min(kb + 1, len(grid) - 1)
    a, b, c = grid[ka], grid[kb], grid[kc]
    fa, fb, fc = vals[ka], vals[kb], vals[kc]
    end = kb in (0, len(grid) - 1) and math.isfinite(fb)
    last = math.nan
    for _ in range(k.MIN_SEARCH_STEPS):
        if not (math.isfinite(fb) and c - a > k.X_TOL):
            break
        d1, d2 = b - a, b - c
        with np.errstate(all="ignore"):
            num = np.float64(d1 * d1) * (fb - fc) - np.float64(d2 * d2) * (fb - fa)
            den = np.float64(d1) * (fb - fc) - np.float64(d2) * (fb - fa)
            x = b - 0.5 * num / den
        golden = b - k.GOLD * (b - a) if b - a > c - b else b + k.GOLD * (c - b)
        inside = a + 0.5 * k.X_TOL < x < c - 0.5 * k.X_TOL and abs(x - b) > 0.5 * k.X_TOL
        x = x if math.isfinite(x) and inside else golden
        fx, last = speed(x), x
        if fx < fb:
            a, fa, c, fc = (a, fa, b, fb) if x < b else (b, fb, c, fc)
            b, fb, end = x, fx, False
        elif x < b:
            a, fa = x, fx
        else:
            c, fc = x, fx
    return float(fb), end and last == k.end_refinement_point(grid[ka], grid[kb], grid[kc])


@pytest.mark.parametrize("model", ["straight-boost", "burnout-delay"])
def test_least_speed_at_a_window_end_is_the_full_refinements(model: str) -> None:
    """A candidate whose grid least is at an end of the window is settled by the refinement's
    last point alone where that point needs no less (``_candidate``'s rule, decision 28).
    Against the five steps run in full (:func:`_refined_least`, on the compiled
    ``required_speed``) at 600 random intercept points 50-3,000 km from the site and
    20-1,500 km up: the same least speed to 1e-12 relative (the refinement's Lambert warm
    start gives the same solution to the solver's 1e-13), the search's own least speed, with
    and without its latest launch wanted; and the rule settles a good share of them."""
    rng = np.random.default_rng(11)
    site = SITES[0]
    up = site / np.linalg.norm(site)
    n = 600
    r_ecef = _points_around(rng, site, n)
    t_i = rng.uniform(150.0, 1500.0, n)
    early = rng.uniform(0.0, 0.5, n) * t_i
    r_eci = required_speed._rotate(r_ecef, WGS84.rotation_rad_s * t_i)
    burnout_delay = model == "burnout-delay"
    burn = 50.0
    fractions = np.linspace(0.0, 1.0, 8)
    mu, omega = WGS84.mu, WGS84.rotation_rad_s
    k = engagement_kernel
    settled = compared = 0
    for i in range(n):
        base = t_i[i] - burn

        def speed(x: float, i: int = i, base: float = base) -> float:
            launch = base - math.exp(x)
            return float(
                k.required_speed(site, up, burn, launch, t_i[i], r_eci[i], mu, omega, burnout_delay)
            )

        x_hi = math.log(base - early[i])
        x_lo = min(math.log(k._shortest_coast(site, burn, r_eci[i], omega, burnout_delay)), x_hi)
        grid = x_lo + (x_hi - x_lo) * fractions
        grid[-1] = x_hi
        full, settles = _refined_least(speed, grid)
        for want_latest, v_bo in ((False, 0.0), (True, 1.02 * full)):
            args = (site, up, burn, t_i[i], r_eci[i], early[i], math.inf, v_bo, want_latest, True)
            least = k._candidate(*args, fractions, mu, omega, burnout_delay, -math.inf)[0]
            if math.isfinite(full):
                assert least == pytest.approx(full, rel=1e-12), i
            else:
                assert not math.isfinite(least), i
        compared += math.isfinite(full)
        settled += settles
    assert compared > 300
    assert settled > compared // 5
