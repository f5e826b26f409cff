"""The compiled flyout-table times (``defense/reach_kernel.py``) against their NumPy reference
(``candidate_rules._reach_times(..., compiled=False)``): the same times bit for bit, for
points inside and outside the tables' grids, on grid nodes, behind unreachable corners, with
non-finite input, and for sites without a table (NaN)."""

from __future__ import annotations

import numpy as np
import pytest

from glasnost.defense.candidate_rules import _reach_times
from glasnost.defense.flyout import FlyoutTable
from glasnost.physics import frames
from glasnost.physics.constants import WGS84

pytestmark = pytest.mark.unit


def _table(rng: np.random.Generator, reach_m: float, ceiling_m: float) -> FlyoutTable:
    ground = np.linspace(0.0, reach_m, 41)
    altitude = np.linspace(0.0, ceiling_m, 23)
    times = 30.0 + 400.0 * rng.random((ground.size, altitude.size))
    times[rng.random(times.shape) < 0.08] = np.inf  # unreachable nodes
    return FlyoutTable(ground, altitude, times, 5000.0, 60.0)


def _candidates(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """ECI points over Europe and the Atlantic at 0-2,500 km, and their times (s)."""
    lat, lon = rng.uniform(30.0, 70.0, n), rng.uniform(-40.0, 40.0, n)
    t = rng.uniform(0.0, 3000.0, n)
    r_ecef = frames.geodetic_to_vector(lat, lon, rng.uniform(0.0, 2.5e6, n))
    r_eci, _ = frames.ecef_to_eci(r_ecef, t)
    return r_eci, t


def test_compiled_times_are_the_reference_bit_for_bit() -> None:
    rng = np.random.default_rng(5)
    sites = frames.geodetic_to_vector(
        np.array([54.5, 44.1, 60.0, 51.0]), np.array([17.1, 24.4, 10.0, 0.0])
    )
    shared = _table(rng, 3e6, 1.6e6)
    tables = [shared, _table(rng, 1.5e6, 0.6e6), None, shared]  # one table for two sites
    n = 20_000
    r_eci, t = _candidates(n, rng)
    s_idx = rng.integers(0, len(sites), n)
    # Points exactly on grid nodes: straight above each site at node heights, at t = 0.
    up = sites / np.linalg.norm(sites, axis=-1, keepdims=True)
    k = rng.integers(0, shared.altitude_m.size, 50)
    r_eci[:50] = sites[0] + up[0] * shared.altitude_m[k][:, None]
    t[:50], s_idx[:50] = 0.0, 0
    r_eci[50:70] = np.nan  # non-finite input (a candidate's time is always finite)
    s_idx[50:70] = 1
    compiled = _reach_times(sites, tables, s_idx, r_eci, t, WGS84, compiled=True)
    reference = _reach_times(sites, tables, s_idx, r_eci, t, WGS84, compiled=False)
    assert compiled.tobytes() == reference.tobytes()
    # The cases are all there: times, unreachable or outside (inf), and no table (NaN).
    assert np.isnan(compiled[s_idx == 2]).all()
    assert np.isinf(compiled[50:70]).all()
    finite = np.isfinite(compiled)
    assert 0.1 * n < finite.sum() < 0.9 * n
    assert np.isinf(compiled[(s_idx != 2) & ~finite]).all()
    assert np.isfinite(compiled[:50]).any()


def test_no_table_gives_nan_alike() -> None:
    sites = frames.geodetic_to_vector(np.array([54.5]), np.array([17.1]))
    r_eci, t = _candidates(10, np.random.default_rng(1))
    s_idx = np.zeros(10, dtype=np.int64)
    for compiled in (True, False):
        out = _reach_times(sites, [None], s_idx, r_eci, t, WGS84, compiled=compiled)
        assert np.isnan(out).all()
