"""The compiled vacuum impact (``physics/impact_kernel.py``, what ``impact.vacuum_impact`` and
``impact.range_and_bearing`` run) against their NumPy reference (``compiled=False``): the same
steps in the same order, so they agree to the last bits of the elementary functions (measured:
bit for bit on this machine). Tolerances: latitude and longitude 1e-9 deg, apogee 1e-6 m,
flight-path angles and bearing 1e-9 deg, range 2e-4 m (1e-9 deg of arc on the range sphere,
1.1e-4 m); NaN exactly where the reference has NaN (the coast does not come down)."""

from __future__ import annotations

import numpy as np
import pytest

from glasnost.physics import frames, impact, rocket
from glasnost.physics.constants import SPHERE, WGS84, EarthModel
from tests.unit.physics.test_flight_kernels import random_boosts

pytestmark = pytest.mark.unit

MISSILES = ("minuteman_iii", "rs24_yars", "df41", "trident_ii_d5", "r30_bulava", "rs28_sarmat")
ANGLE_TOL_DEG = 1e-9
APOGEE_TOL_M = 1e-6
RANGE_TOL_M = 2e-4


def case(
    earth: EarthModel, n: int = 120, seed: int = 5
) -> tuple[rocket.BoostResult, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Random boosts (thrust terminated between 0.3 and 1.2 times the full burn, so that many
    rows have zero-length steps after their termination), termination times over each boost
    (among them its start on the rotating Earth, its burnout, beyond it, and node times),
    launch and aim points. Aim points near each row's full-burn vacuum impact (0.8 to 1.2
    times its range, within 3 deg of its bearing), random where it does not come down."""
    problem, r0, v0, end = random_boosts(earth, n=n, seed=seed, missiles=MISSILES)
    boost = rocket.fly_boost(problem, r0, v0, end)
    lat0, lon0, _ = frames.vector_to_geodetic(r0, earth)  # ECI is ECEF at t = 0
    rng = np.random.default_rng(seed + 100)
    cutoff = boost.burnout_s * rng.uniform(0.05, 1.0, n)  # after the vertical rise (2 s)
    if earth.rotating:  # the start (at rest on a non-rotating Earth: no flight-path angle)
        cutoff[:5] = 0.0
    cutoff[5:10] = boost.burnout_s[5:10]  # t_hi: the (terminated) burnout, a repeated node
    cutoff[10:13] = boost.t[10:13, 7]  # a node time
    cutoff[13:15] = boost.burnout_s[13:15] + 50.0  # beyond the boost: clipped to its end
    aim_lat, aim_lon = rng.uniform(-85.0, 85.0, n), rng.uniform(-180.0, 180.0, n)
    radius = np.linalg.norm(r0, axis=-1)
    full = impact.vacuum_impact(boost, boost.burnout_s, radius, earth, compiled=False)
    down = np.isfinite(full.lat_deg)
    reach, bearing = frames.great_circle(lat0, lon0, np.nan_to_num(full.lat_deg), full.lon_deg)
    near_lat, near_lon = frames.destination(
        lat0, lon0, bearing + rng.uniform(-3.0, 3.0, n), reach * rng.uniform(0.8, 1.2, n)
    )
    aim_lat, aim_lon = np.where(down, near_lat, aim_lat), np.where(down, near_lon, aim_lon)
    return boost, cutoff, lat0, lon0, aim_lat, aim_lon


@pytest.mark.parametrize("earth", [WGS84, SPHERE], ids=["wgs84", "sphere"])
def test_compiled_vacuum_impact_matches_the_numpy_reference(earth: EarthModel) -> None:
    boost, cutoff, _, _, aim_lat, aim_lon = case(earth)
    assert np.any(np.diff(boost.t, axis=1) == 0.0)  # zero-length steps are there
    radius = np.linalg.norm(frames.geodetic_to_vector(aim_lat, aim_lon, 0.0, earth), axis=-1)
    radius[15:20] = 1e8  # above every apogee
    got = impact.vacuum_impact(boost, cutoff, radius, earth)
    want = impact.vacuum_impact(boost, cutoff, radius, earth, compiled=False)
    tolerances = (ANGLE_TOL_DEG, ANGLE_TOL_DEG, APOGEE_TOL_M, ANGLE_TOL_DEG, ANGLE_TOL_DEG)
    for name, a, b, tol in zip(want._fields, got, want, tolerances, strict=True):
        assert np.array_equal(np.isnan(a), np.isnan(b)), name
        assert np.nanmax(np.abs(a - b)) <= tol, name
    down = np.isfinite(want.lat_deg)
    assert not np.any(down[15:20])  # the unreachable radius
    assert np.count_nonzero(down) > 60  # most rows come down
    assert np.nanmax(want.apogee_m) > 500e3  # real flights, not launch pads


@pytest.mark.parametrize("earth", [WGS84, SPHERE], ids=["wgs84", "sphere"])
def test_compiled_range_and_bearing_match_the_numpy_reference(earth: EarthModel) -> None:
    boost, cutoff, lat0, lon0, aim_lat, aim_lon = case(earth, seed=6)
    got = impact.range_and_bearing(boost, cutoff, lat0, lon0, aim_lat, aim_lon, earth)
    want = impact.range_and_bearing(
        boost, cutoff, lat0, lon0, aim_lat, aim_lon, earth, compiled=False
    )
    tolerances = (RANGE_TOL_M, ANGLE_TOL_DEG, APOGEE_TOL_M, ANGLE_TOL_DEG)
    for a, b, tol in zip(got, want, tolerances, strict=True):
        assert np.array_equal(np.isnan(a), np.isnan(b))
        assert np.nanmax(np.abs(a - b)) <= tol
    short = want[0] < 0.0
    assert np.any(short)  # both sides of the aim
    assert np.any(~short)
    assert np.count_nonzero(np.abs(want[0]) < 500e3) > 20  # many near the aim
    assert np.any(want[1] != 0.0)


def test_compiled_vacuum_impact_takes_one_value_for_every_row_and_no_rows() -> None:
    boost, cutoff, *_ = case(WGS84, n=12)
    got = impact.vacuum_impact(boost, cutoff, 6.4e6, WGS84)
    want = impact.vacuum_impact(boost, cutoff, np.full(12, 6.4e6), WGS84, compiled=False)
    for a, b in zip(got, want, strict=True):
        np.testing.assert_allclose(a, b, rtol=0.0, atol=APOGEE_TOL_M)
    none = boost.subset(np.zeros(12, dtype=bool))
    empty = impact.vacuum_impact(none, np.empty(0), np.empty(0), WGS84)
    assert all(part.shape == (0,) for part in empty)
