"""The compiled radar visibility (``defense/radar_kernel.py``) against its NumPy reference
(``sensors.visible(..., compiled=False)``): the same answer for every (radar, sample) pair,
with sectors across north and full circles, radars allowed below the horizon (the line of
sight to the Earth's limb), minimum ranges, odd cross-sections (negative, zero, NaN, huge)
and invalid samples."""

from __future__ import annotations

import numpy as np
import pytest

from glasnost.defense.sensors import Radars, visible
from glasnost.physics import frames

pytestmark = pytest.mark.unit


def _radars(rng: np.random.Generator, n: int) -> Radars:
    az_min = rng.uniform(0.0, 360.0, n)
    az_max = np.where(rng.random(n) < 0.2, az_min + 360.0, rng.uniform(0.0, 360.0, n))
    el_min = np.where(rng.random(n) < 0.4, rng.uniform(-5.0, 0.0, n), rng.uniform(0.0, 10.0, n))
    return Radars.from_geodetic(
        rng.uniform(20.0, 70.0, n),
        rng.uniform(-30.0, 50.0, n),
        azimuth_min_deg=az_min,
        azimuth_max_deg=az_max,
        elevation_min_deg=el_min,
        elevation_max_deg=rng.uniform(40.0, 90.0, n),
        range_m=rng.uniform(1e6, 5e6, n),
        reference_rcs_m2=rng.uniform(0.05, 1.0, n),
        alt_m=rng.uniform(0.0, 3e4, n),
        range_min_m=np.where(rng.random(n) < 0.3, rng.uniform(0.0, 3e5, n), 0.0),
    )


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_compiled_visibility_is_the_reference(seed: int) -> None:
    rng = np.random.default_rng(seed)
    radars = _radars(rng, 17)
    shape = (40, 150)
    lat = rng.uniform(0.0, 80.0, shape)
    lon = rng.uniform(-60.0, 90.0, shape)
    t = rng.uniform(0.0, 2500.0, shape)
    r_ecef = frames.geodetic_to_vector(lat, lon, rng.uniform(-1e3, 2e6, shape))
    r_eci, _ = frames.ecef_to_eci(r_ecef, t)
    rcs = rng.choice([-1.0, 0.0, np.nan, 1e300, 0.01, 0.1, 1.0, 10.0], size=shape)
    valid = rng.random(shape) < 0.9
    compiled = visible(radars, r_eci, t, rcs, valid, compiled=True)
    reference = visible(radars, r_eci, t, rcs, valid, compiled=False)
    assert compiled.shape == (17, *shape)
    assert compiled.tobytes() == reference.tobytes()
    assert 0.01 < reference.mean() < 0.5  # both answers are common


def test_below_the_horizon_the_line_of_sight_decides() -> None:
    # One radar looking down to -5 deg: objects below its horizon are seen only where the
    # segment clears the Earth, and the two paths agree on each.
    radar = Radars.from_geodetic(
        [60.0],
        [10.0],
        azimuth_min_deg=0.0,
        azimuth_max_deg=360.0,
        elevation_min_deg=-5.0,
        elevation_max_deg=90.0,
        range_m=6e6,
        reference_rcs_m2=1.0,
        alt_m=2e3,
    )
    lat = np.linspace(60.0, 90.0, 400)
    low = frames.geodetic_to_vector(lat, np.full(400, 10.0), np.full(400, 5e3))[None]
    t = np.zeros((1, 400))
    out = visible(radar, low, t, np.ones((1, 400)), np.ones((1, 400), dtype=bool))
    ref = visible(radar, low, t, np.ones((1, 400)), np.ones((1, 400), dtype=bool), compiled=False)
    assert out.tobytes() == ref.tobytes()
    assert out.any()
    assert not out.all()
