"""The engagement search's speed bound (glasnost.defense.engagement_kernel.speed_bound): never
above a speed the search can find, and the search with it gives the tables of the search
without it, exactly; the built-in assessment's digest is unchanged."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from numpy.typing import NDArray

from glasnost.defense import engagement, engagement_kernel
from glasnost.defense.engagement import EngagementTable, engage
from glasnost.defense.engagement_kernel import (
    TAU_MIN_S,
    _candidate,
    _conic_geometry,
    _earth_fixed,
    _floor,
    _later_possible,
    _required_below,
    required_speed,
    speed_bound,
    speed_floor,
)
from glasnost.defense.required_speed import up_ecef
from glasnost.physics import frames, kepler_kernel
from glasnost.physics.constants import WGS84
from glasnost.physics.kepler import lambert
from glasnost.physics.kepler_kernel import least_transfer_energy
from glasnost.scenario.builtin import builtin_scenario
from glasnost.treaty.digest import recompute
from tests.unit.defense.test_engagement import EARLY, SITES, _interceptors, _samples
from tests.unit.defense.test_engagement_kernel import TABLE_VALUES, builtin_engage_calls

BUILTIN_DIGEST = "e18f7a59648a2162ab8f3eda71418b20054736df91399991b944f7d7c5a9ef80"
"""The built-in assessment's result digest. It was ``bddb9ebb...3e9f`` from before issue 13
until the targeting's coarse first pass (``targeting._coarse_first_pass``), which lands each
min-energy route at another point within the solver's tolerance (0.25 deg of the
least-energy burnout angle, 100 m at the target): the verdict, criteria and capacity are the
same; flight times moved by a median of 0.36 s (up to 17 s), critical burnout velocities by
up to 0.032 km/s (docs/performance.md)."""
MU, OMEGA = WGS84.mu, WGS84.rotation_rad_s
FloatArray = NDArray[np.float64]
LAUNCHES = 12  # launch times checked per geometry, evenly over the window


@dataclass(frozen=True)
class Engagement:
    """A site (ECEF, m) and its vertical, a point (ECI, m) reached at ``t_i`` (s), an
    interceptor's burn time (s), and the earliest and latest launch times (s) of the window."""

    site: FloatArray
    up: FloatArray
    r_eci: FloatArray
    t_i: float
    burn: float
    early: float
    last: float

    @property
    def coast_max(self) -> float:
        """The longest coast (s), as the search's drop rule takes it."""
        return (self.t_i - self.burn - self.early) * (1.0 + 1e-9)

    def launches(self) -> FloatArray:
        """12 launch times (s) evenly over the window."""
        return np.linspace(self.early, self.last, LAUNCHES)


@st.composite
def engagements(draw: st.DrawFn) -> Engagement:
    """Random sites and points (10-3,500 km away, 5-2,000 km up), burn times and windows."""
    lat, lon = draw(st.floats(-75.0, 75.0)), draw(st.floats(-180.0, 180.0))
    azimuth, ground = draw(st.floats(0.0, 360.0)), draw(st.floats(10e3, 3500e3))
    alt, t_i = draw(st.floats(5e3, 2000e3)), draw(st.floats(60.0, 1800.0))
    burn, early_frac = draw(st.floats(5.0, 120.0)), draw(st.floats(0.0, 0.9))
    last = t_i - burn - TAU_MIN_S
    assume(last > 0.0)
    site = frames.geodetic_to_vector(lat, lon, 0.0)
    up = up_ecef(site[None], WGS84)[0]
    r_eci = _point(lat, lon, azimuth, ground, alt, t_i)
    return Engagement(site, up, r_eci, t_i, burn, early_frac * last, last)


def _point(
    lat: float, lon: float, azimuth: float, ground: float, alt: float, t_i: float
) -> FloatArray:
    """The point (ECI at ``t_i`` s, m) ``ground`` m along the Earth from (lat, lon) (deg) at
    ``azimuth`` (deg), ``alt`` m up."""
    lat2, lon2 = frames.destination(lat, lon, azimuth, ground)
    r_ecef = frames.geodetic_to_vector(lat2, lon2, alt)
    angle = OMEGA * t_i
    return np.array(
        [
            math.cos(angle) * r_ecef[0] - math.sin(angle) * r_ecef[1],
            math.sin(angle) * r_ecef[0] + math.cos(angle) * r_ecef[1],
            r_ecef[2],
        ]
    )


@settings(max_examples=400, deadline=None)
@given(case=engagements(), delay=st.booleans(), headroom=st.sampled_from([1.0, 1.3, 3.0]))
def test_bound_is_below_the_required_speed_at_every_launch_time(
    case: Engagement, delay: bool, headroom: float
) -> None:
    """Both models: the bound over the window (with a limit at or above the need, as the
    search calls it) is at most the speed the search's own required-speed kernel (the exact
    path: the Lambert fixed point) returns at each of 12 launch times across the window,
    with no slack; and the search's one-evaluation test does not drop it."""
    site, r_eci, t_i, coast_max = case.site, case.r_eci, case.t_i, case.coast_max
    lever = 0.0 if delay else case.burn
    for launch in case.launches():
        need = required_speed(site, case.up, case.burn, float(launch), t_i, r_eci, MU, OMEGA, delay)
        if not math.isfinite(need):
            continue
        limit = need * headroom
        bound = speed_bound(site, lever, t_i, r_eci, coast_max, MU, OMEGA, limit, 40)
        assert bound <= need, (bound, need, launch)
        # The search's test: one evaluation of the conic bound at the limit.
        assert speed_bound(site, lever, t_i, r_eci, coast_max, MU, OMEGA, limit, 0) <= limit


@settings(max_examples=300, deadline=None)
@given(case=engagements(), delay=st.booleans(), share=st.floats(0.05, 3.0))
def test_search_test_without_the_root_decides_as_with_it(
    case: Engagement, delay: bool, share: float
) -> None:
    """The search's test (no bisection step) tries the least energy of any conic before the
    root of Lagrange's equation: it finds the speed above the limit exactly where the test
    with the root does (``steps`` = 1: the root's test, else one bisection step, which stays
    at or below the limit), and its value then is at most the root's (to 1e-12 relative, the
    rounding where the two energies are the same), so still a bound.
    Limits from a twentieth to three times the bisected bound, so both answers occur."""
    site, r_eci, t_i, coast_max = case.site, case.r_eci, case.t_i, case.coast_max
    lever = 0.0 if delay else case.burn
    whole = speed_bound(site, lever, t_i, r_eci, coast_max, MU, OMEGA, 20e3, 40)
    assume(whole > 0.0)
    limit = share * whole
    quick = speed_bound(site, lever, t_i, r_eci, coast_max, MU, OMEGA, limit, 0)
    rooted = speed_bound(site, lever, t_i, r_eci, coast_max, MU, OMEGA, limit, 1)
    assert (quick > limit) == (rooted > limit), (quick, rooted, limit)
    if quick > limit:  # equal where the longest coast is beyond the least energy's (rounding)
        assert quick <= rooted * (1.0 + 1e-12), (quick, rooted)


def test_search_test_without_the_root_decides_far_points() -> None:
    """A point 3,000 km from the site against a limit of 1 km/s: the test without the root
    shows the speed above it (a value below the root's: that level decided)."""
    case = Engagement(
        site=frames.geodetic_to_vector(50.0, 10.0, 0.0),
        up=up_ecef(frames.geodetic_to_vector(50.0, 10.0, 0.0)[None], WGS84)[0],
        r_eci=_point(50.0, 10.0, 80.0, 3000e3, 300e3, 900.0),
        t_i=900.0,
        burn=60.0,
        early=100.0,
        last=839.0,
    )
    args = (case.site, case.burn, case.t_i, case.r_eci, case.coast_max, MU, OMEGA, 1000.0)
    quick, rooted = speed_bound(*args, 0), speed_bound(*args, 1)
    assert 1000.0 < quick < rooted, (quick, rooted)


@settings(max_examples=300, deadline=None)
@given(case=engagements())
def test_floor_is_below_the_required_speed_and_not_below_the_bisected_bound(
    case: Engagement,
) -> None:
    """The burnout delay's floor (the bound at every speed at once, with the direction of the
    departure velocity): at most the speed the required-speed kernel returns at each of 12
    launch times across the window, with no slack; and at least the bisected bound it
    refines (60 steps, with a limit just above the floor; 1e-8 relative: its last step, the
    rounding and the tolerance taken at the limit instead of at the floor)."""
    site, r_eci, t_i, coast_max = case.site, case.r_eci, case.t_i, case.coast_max
    floor = speed_floor(site, t_i, r_eci, coast_max, MU, OMEGA)
    for launch in case.launches():
        need = required_speed(site, case.up, case.burn, float(launch), t_i, r_eci, MU, OMEGA, True)
        assert floor <= need, (floor, need, launch)
    limit = floor * (1.0 + 1e-9) + 1e-6
    bisected = speed_bound(site, 0.0, t_i, r_eci, coast_max, MU, OMEGA, limit, 60)
    assert floor >= bisected * (1.0 - 1e-8) - 1e-5


@settings(max_examples=300, deadline=None)
@given(case=engagements(), share=st.floats(0.0, 1.0))
def test_floor_stops_early_only_above_the_cap(case: Engagement, share: float) -> None:
    """The floor's cheaper levels (``_floor``) end it early only with a value above the cap
    the search gives it, and at most the whole floor; otherwise it is the whole floor."""
    site, r_eci, t_i, coast_max = case.site, case.r_eci, case.t_i, case.coast_max
    whole = speed_floor(site, t_i, r_eci, coast_max, MU, OMEGA)
    cap = share * 1.2 * whole
    early = _floor(site, t_i, r_eci, coast_max, MU, OMEGA, cap)
    assert early == whole or cap < early <= whole, (early, whole, cap)


@settings(max_examples=300, deadline=None)
@given(case=engagements(), boost=st.booleans())
def test_conic_geometry_bounds_the_arc(case: Engagement, boost: bool) -> None:
    """The bound's ranges over the arc of p's positions (``_conic_geometry``, from cosines
    without an inverse tangent) against 2,001 points of the arc, p = R(-phi) p_0, p_0 = s +
    omega t_b z x s, phi in [omega t_b, omega (t_b + coast_max)] (t_b the burn time with
    ``boost``, else 0): the least chord, the least |r_E . R(-phi) k| (k = omega (s_z s -
    |s|^2 z)) and, without the boost, the least r_E . R(-phi) s at most the sampled least
    and the largest r_E . R(-phi) (omega z x s) at least the sampled largest, each within
    the sampling's step of it (the extremes are at the ends or where the derivative
    vanishes, so the sampled value, or the squared chord's, is within |s| |r_I|
    (omega step)^2 of the extreme, the second derivative in phi being at most |s| |r_I|;
    and the cosines' ranges are widened by 1e-15 for the rounding, so each may be that much
    of |s| |r_I| further, twice over in the squared chord)."""
    site, t_i, coast_max = case.site, case.t_i, case.coast_max
    lever = case.burn if boost else 0.0
    r_e = np.array(_earth_fixed(case.r_eci, OMEGA * t_i))
    r2 = float(np.linalg.norm(case.r_eci))
    width = OMEGA * coast_max
    turn = (math.cos(width), math.sin(width))
    geometry, along, dot_lo = _conic_geometry(site, lever, tuple(r_e), r2, width, turn, OMEGA)
    phi = OMEGA * lever + np.linspace(0.0, width, 2001)

    def turned(v: FloatArray) -> FloatArray:
        """R(-phi) v at every phi (n, 3)."""
        return np.stack(
            [
                np.cos(phi) * v[0] + np.sin(phi) * v[1],
                -np.sin(phi) * v[0] + np.cos(phi) * v[1],
                np.full_like(phi, v[2]),
            ],
            axis=1,
        )

    p0 = site + OMEGA * lever * np.array([-site[1], site[0], 0.0])
    k = OMEGA * (site[2] * site - float(site @ site) * np.array([0.0, 0.0, 1.0]))
    chords = np.linalg.norm(r_e - turned(p0), axis=1)
    twists = np.abs(turned(k) @ r_e)
    scale = float(np.linalg.norm(p0) * r2)
    slack = (width / 2000) ** 2 + 2e-15
    assert geometry[2] <= chords.min() * (1 + 1e-12) + 1e-6
    assert geometry[2] ** 2 >= chords.min() ** 2 - slack * scale
    assert geometry[4] <= twists.min() * (1 + 1e-12) + 1e-12 * OMEGA * scale * scale / r2
    if boost:
        return
    dots = turned(site) @ r_e
    alongs = turned(OMEGA * np.array([-site[1], site[0], 0.0])) @ r_e
    assert dot_lo <= dots.min() + 1e-12 * scale
    assert dot_lo >= dots.min() - slack * scale
    assert along >= alongs.max() - 1e-12 * OMEGA * scale
    assert along <= alongs.max() + slack * OMEGA * scale


@settings(max_examples=300, deadline=None)
@given(case=engagements(), delay=st.booleans(), share=st.floats(0.05, 1.0))
def test_a_launch_time_is_skipped_only_above_the_cap(
    case: Engagement, delay: bool, share: float
) -> None:
    """Both models: the grid skips a launch time (``_required_below`` gives NaN, no Lambert
    solve) only where its straight line shows the speed above the cap: with the cap at the
    speed the required-speed kernel returns, never (no slack); with any cap, either skipped
    where that speed is above it, or that speed exactly."""
    site, up, r_eci, t_i, burn = case.site, case.up, case.r_eci, case.t_i, case.burn
    for launch in case.launches():
        args = (site, up, burn, float(launch), t_i, r_eci, MU, OMEGA, delay)
        need = required_speed(*args)
        if math.isfinite(need):
            assert _required_below(*args, need, math.nan)[0] == need
        cap = share * need if math.isfinite(need) else 5e3 * share
        below = _required_below(*args, cap, math.nan)[0]
        assert below == need or (math.isnan(below) and need > share * min(need, 5e3))


def _candidate_of(
    cands: tuple[FloatArray, ...], want_latest: bool, capped: bool, *rules: Any
) -> tuple[float, float]:
    """``_candidate`` of the one candidate of ``cands`` (one-row arrays as ``search`` takes:
    site, vertical, burn time, intercept time and point, launch bounds, burnout speed);
    ``rules``: fractions, mu, omega, burnout_delay, after."""
    site, up, burn, t_i, r_i, early, late, v_bo = (row[0] for row in cands)
    scalars = (float(burn), float(t_i), r_i, float(early), float(late), float(v_bo))
    return _candidate(site, up, *scalars, want_latest, capped, *rules)


def _feasible_candidate(
    case: Engagement, delay: bool, headroom: float, launch_times: int
) -> tuple[tuple[FloatArray, ...], tuple[Any, ...], float, float]:
    """The candidate of ``case`` as the one-row arrays of ``search``, its burnout speed
    ``headroom`` times its least speed (the case assumed to have one); the search's rules
    (fractions, mu, omega, burnout_delay); its least speed and its latest launch by the
    search without skips (``_candidate`` uncapped, no launch found before). Asserts that
    search finds that least speed again and a finite latest launch."""
    common = (np.linspace(0.0, 1.0, launch_times), MU, OMEGA, delay)

    def one(v_bo: float) -> tuple[FloatArray, ...]:
        """The candidate as the arrays of ``search``, with burnout speed ``v_bo``."""
        rows = (case.site, case.up, case.burn, case.t_i, case.r_eci, case.early, case.last, v_bo)
        return tuple(np.array([row], dtype=np.float64) for row in rows)

    least, _ = _candidate_of(one(math.inf), False, False, *common, -math.inf)
    assume(math.isfinite(least))
    cands = one(least * headroom)
    found, latest = _candidate_of(cands, True, False, *common, -math.inf)
    assert found == least
    assert math.isfinite(latest)
    return cands, common, least, latest


feasible_candidates = given(
    case=engagements(),
    delay=st.booleans(),
    headroom=st.floats(1.0, 1.5),
    launch_times=st.sampled_from([4, 8, 16]),
)


@settings(max_examples=300, deadline=None)
@feasible_candidates
def test_a_later_launch_is_never_ruled_out(
    case: Engagement, delay: bool, headroom: float, launch_times: int
) -> None:
    """Both models: where the search of a candidate (``_candidate``, burnout speed
    ``headroom`` times its least speed) finds a latest launch L, the rule by which the
    search skips a latest launch (``_later_possible``) does not rule out a launch after the
    float just below L: no slack. (The rule's own 1e-9 margins are all it has.)"""
    cands, common, _, latest = _feasible_candidate(case, delay, headroom, launch_times)
    assert _later_possible(0, cands, math.nextafter(latest, -math.inf), *common)
    assert not _later_possible(0, cands, case.t_i - case.burn, *common)


@settings(max_examples=300, deadline=None)
@feasible_candidates
def test_the_bounded_search_of_a_candidate_hides_no_later_launch(
    case: Engagement, delay: bool, headroom: float, launch_times: int
) -> None:
    """Both models, a candidate with burnout speed ``headroom`` times its least speed: its
    bounded search (``_candidate`` with ``capped``: the grid skips points
    above both the least so far and the burnout speed, and evaluates the bracket's lower
    end after) finds the same least speed and latest launch L as the search without; given
    a launch found before (``after``) just below L it still reports L (no slack: the
    Illinois steps are skipped only where the bracket shows the result not after it); given
    L itself or later, L or -inf."""
    cands, common, found, latest = _feasible_candidate(case, delay, headroom, launch_times)
    assert (found, latest) == _candidate_of(cands, True, True, *common, -math.inf)
    just_below = math.nextafter(latest, -math.inf)
    assert _candidate_of(cands, True, True, *common, just_below) == (found, latest)
    for after in (latest, latest + 1.0, case.t_i):
        shown = _candidate_of(cands, True, True, *common, after)
        assert shown[0] == found
        assert shown[1] in (latest, -math.inf)


@pytest.mark.parametrize(("azimuth", "gain"), [(270.0, 1.1), (90.0, 1.0)])
def test_floor_takes_the_direction_of_the_departure(azimuth: float, gain: float) -> None:
    """A site on the equator and a point 1,500 km away, 300 km up, reached 900 s after the
    earliest launch: the least speed over 2,000 launch times (the required-speed kernel) is
    at least the floor. Westward the site moves away from the point, so the departure
    cannot use its velocity: the floor is more than 1.1 times the bound without the
    direction (0.90 against 0.77 of the least speed, as measured); eastward it can, and the
    floor is that bound (both 0.89)."""
    site = frames.geodetic_to_vector(0.0, 0.0, 0.0)
    up = up_ecef(site[None], WGS84)[0]
    t_i, burn = 900.0, 30.0
    r_eci = _point(0.0, 0.0, azimuth, 1500e3, 300e3, t_i)
    coast_max = (t_i - burn) * (1.0 + 1e-9)
    least = min(
        required_speed(site, up, burn, float(launch), t_i, r_eci, MU, OMEGA, True)
        for launch in np.linspace(0.0, t_i - burn - TAU_MIN_S, 2000)
    )
    floor = speed_floor(site, t_i, r_eci, coast_max, MU, OMEGA)
    without = speed_bound(site, 0.0, t_i, r_eci, coast_max, MU, OMEGA, least, 60)
    assert floor <= least
    assert floor >= gain * without * (1.0 - 1e-9)


@settings(max_examples=300, deadline=None)
@given(
    r1=st.floats(6.3e6, 8.5e6),
    r2=st.floats(6.3e6, 8.5e6),
    theta=st.floats(1e-3, math.pi - 1e-3),
    tof=st.floats(5.0, 5000.0),
    shorter=st.floats(0.05, 1.0),
)
def test_least_transfer_energy_is_below_the_lambert_energy(
    r1: float, r2: float, theta: float, tof: float, shorter: float
) -> None:
    """Against the Lambert solver (kepler.lambert, the independent NumPy path): the energy
    v^2 / 2 - mu / r of the short-way transfer in any time up to ``tof`` is at least the bound
    (to 1e-9 of mu / r, the solvers' rounding)."""
    a = np.array([r1, 0.0, 0.0])
    b = r2 * np.array([math.cos(theta), math.sin(theta), 0.0])
    c = float(np.linalg.norm(b - a))
    s = 0.5 * (r1 + r2 + c)
    least = least_transfer_energy(s, c, tof, MU)
    v1, _ = lambert(a, b, tof * shorter, mu=MU, prograde=True)
    energy = 0.5 * float(v1 @ v1) - MU / r1
    assert least <= energy + 1e-9 * MU / r1
    assert least >= -MU / s


@settings(max_examples=300, deadline=None)
@given(
    s=st.floats(6.5e6, 9e6),
    c_frac=st.floats(0.0, 1.0),
    tof=st.floats(5.0, 5000.0),
    more_s=st.floats(0.0, 1e6),
    more_c=st.floats(0.0, 1.0),
    less_t=st.floats(0.05, 1.0),
)
def test_least_transfer_energy_does_not_fall_as_the_geometry_grows_or_the_time_shrinks(
    s: float, c_frac: float, tof: float, more_s: float, more_c: float, less_t: float
) -> None:
    """The monotony the bound rests on (Lagrange's equation): a larger semi-perimeter or
    chord, or a shorter time, never lowers the least energy (to 1e-9 of mu / s)."""
    c = c_frac * s
    s2 = s + more_s
    c2 = c + more_c * (s2 - c)  # at most s2
    least = least_transfer_energy(s, c, tof, MU)
    assert least <= least_transfer_energy(s2, c2, tof * less_t, MU) + 1e-9 * MU / s


@settings(max_examples=500, deadline=None)
@given(s=st.floats(6.5e6, 9e6), c_frac=st.floats(0.0, 1.0), tof=st.floats(5.0, 5000.0))
def test_least_transfer_energy_is_within_a_micro_part_of_the_root(
    s: float, c_frac: float, tof: float
) -> None:
    """The bound's one step from Izzo's starting point (where it is taken) against the
    energy at the root of the full iteration (kepler_kernel._solve_x): never above it, and
    below by at most 1e-6 of |E| + mu / s (the step is taken 1e-7 of max(1, |x|) low in x,
    which moves the energy by 2e-7 mu max(1, x^2) / s at most)."""
    c = c_frac * s
    lam = math.sqrt(max(1.0 - c / s, 0.0))
    t = math.sqrt(2.0 * MU / s**3) * tof
    x = kepler_kernel._solve_x(t, lam, math.nan)
    at_root = -MU * (1.0 - x * x) / s if t < kepler_kernel._tof(0.0, lam) else -MU / s
    least = least_transfer_energy(s, c, tof, MU)
    assert least <= max(at_root, -MU / s) + 1e-12 * MU / s
    assert least >= max(at_root, -MU / s) - 1e-6 * (abs(at_root) + MU / s)


def test_least_transfer_energy_is_the_lambert_energy_at_the_time() -> None:
    """Tight where it should be: at the time itself (below the minimum-energy time) the bound
    is the transfer's energy (1e-6 relative, the bound's 1e-9 step in x), and the
    minimum-energy conic's beyond."""
    a = np.array([6.5e6, 0.0, 0.0])
    b = 6.7e6 * np.array([math.cos(0.3), math.sin(0.3), 0.0])
    c = float(np.linalg.norm(b - a))
    s = 0.5 * (6.5e6 + 6.7e6 + c)
    for tof in (100.0, 400.0, 700.0):
        v1, _ = lambert(a, b, tof, mu=MU, prograde=True)
        energy = 0.5 * float(v1 @ v1) - MU / 6.5e6
        assert least_transfer_energy(s, c, tof, MU) == pytest.approx(energy, rel=1e-6)
    assert least_transfer_energy(s, c, 1e5, MU) == -MU / s


def _unbounded(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make every compiled search run without the bound (the last argument of ``search``)."""
    original: Callable[..., Any] = engagement_kernel.search
    monkeypatch.setattr(engagement_kernel, "search", lambda *args: original(*args[:-1], False))


def _identical(bounded: EngagementTable, unbounded: EngagementTable) -> None:
    for name in ("feasible", "shots", "best_sample", *TABLE_VALUES):
        np.testing.assert_array_equal(
            getattr(bounded, name), getattr(unbounded, name), err_msg=name
        )


@pytest.mark.parametrize("model", ["straight-boost", "burnout-delay"])
@pytest.mark.parametrize("speed", [3000.0, 4500.0, 6000.0])
def test_search_with_the_bound_equals_the_search_without(
    monkeypatch: pytest.MonkeyPatch, model: Any, speed: float
) -> None:
    args = (SITES, _interceptors(speed), _samples(), EARLY, 60.0)
    bounded = engage(*args, model=model)
    _unbounded(monkeypatch)
    _identical(bounded, engage(*args, model=model))


@pytest.mark.parametrize("interceptor_model", ["flyout", "burnout-delay", "straight-boost"])
def test_search_with_the_bound_equals_the_search_without_on_the_builtin_scenario(
    monkeypatch: pytest.MonkeyPatch, interceptor_model: str
) -> None:
    """Both directions of the built-in assessment: the same tables, bit for bit. With flyout
    tables only the least speed is searched; without (the other two models) the window's
    ends, the latest launches and the pairs with no feasible candidate too."""
    calls = builtin_engage_calls(monkeypatch, interceptor_model)
    bounded = [engagement.engage(*args, **kwargs) for args, kwargs in calls]
    _unbounded(monkeypatch)
    for table, (args, kwargs) in zip(bounded, calls, strict=True):
        _identical(table, engagement.engage(*args, **kwargs))
    assert sum(int(t.feasible.sum()) for t in bounded) > 0


def test_builtin_assessment_digest_is_unchanged() -> None:
    assert recompute(builtin_scenario()).result_sha256 == BUILTIN_DIGEST
