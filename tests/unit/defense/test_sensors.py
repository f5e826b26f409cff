"""Sensors: visibility conditions, first detection and track, cueing, infrared, footprints."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.typing import NDArray

from glasnost.defense import sensors
from glasnost.defense.sensors import (
    Radars,
    coverage_polygon,
    detection_range_m,
    earliest_launch_s,
    first_detection_s,
    in_sector,
    infrared_detection_s,
    rcs_by_phase,
    sector_span_deg,
    visible,
)
from glasnost.physics import frames
from glasnost.physics.constants import SPHERE, WGS84, EarthModel
from glasnost.physics.trajectory import Phase

FloatArray = NDArray[np.float64]

LAT, LON = 41.75, -70.54  # a radar on the US east coast


def radar(
    az_min: float = 0.0,
    az_max: float = 360.0,
    el_min: float = 0.0,
    el_max: float = 90.0,
    range_m: float = 1e9,
    ref_rcs: float = 10.0,
    alt_m: float = 0.0,
    earth: EarthModel = WGS84,
) -> Radars:
    return Radars.from_geodetic(
        LAT,
        LON,
        alt_m=alt_m,
        azimuth_min_deg=az_min,
        azimuth_max_deg=az_max,
        elevation_min_deg=el_min,
        elevation_max_deg=el_max,
        range_m=range_m,
        reference_rcs_m2=ref_rcs,
        fire_control=True,
        earth=earth,
    )


def place(
    az_deg: FloatArray | list[float],
    el_deg: FloatArray | list[float],
    slant_m: FloatArray | list[float],
    alt_m: float = 0.0,
    earth: EarthModel = WGS84,
) -> FloatArray:
    """ECEF points (N, 3) at azimuth, elevation, slant range from the radar at (LAT, LON)."""
    az, el = np.radians(np.asarray(az_deg, float)), np.radians(np.asarray(el_deg, float))
    rng = np.asarray(slant_m, float)
    enu = np.stack([np.sin(az) * np.cos(el), np.cos(az) * np.cos(el), np.sin(el)], -1)
    basis = frames.enu_basis(LAT, LON)  # rows east, north, up
    origin = frames.geodetic_to_vector(LAT, LON, alt_m, earth)
    return np.asarray(origin + (enu * rng[:, None]) @ basis)


def seen(
    radars: Radars,
    points_ecef: FloatArray,
    rcs: float = 10.0,
    t_s: float = 0.0,
    earth: EarthModel = WGS84,
) -> list[bool]:
    """Visibility of single-sample trajectories (one per point) at time t_s."""
    n = len(points_ecef)
    t = np.full((n, 1), t_s)
    r_eci, _ = frames.ecef_to_eci(points_ecef[:, None, :], t, earth)
    vis = visible(radars, r_eci, t, np.full((n, 1), rcs), np.ones((n, 1), bool), earth)
    assert vis.shape == (radars.size, n, 1)
    return [bool(v) for v in vis[0, :, 0]]


# -- azimuth sectors -----------------------------------------------------------------------------


def test_sector_wraps_through_north() -> None:
    assert sector_span_deg(347.0, 227.0) == pytest.approx(240.0)
    assert sector_span_deg(0.0, 360.0) == 360.0
    assert sector_span_deg(10.0, 10.0) == 0.0
    inside = in_sector(np.array([0.0, 90.0, 200.0, 347.0, 227.0, 300.0, 346.9, 227.1]), 347, 227)
    assert inside.tolist() == [True, True, True, True, True, False, False, False]
    assert in_sector(np.array([0.0, 123.0, 359.9]), 0.0, 360.0).all()


def test_visible_respects_a_wrapping_sector() -> None:
    r = radar(347.0, 227.0, el_min=3.0, el_max=85.0, range_m=5556e3)
    az = [0.0, 90.0, 200.0, 300.0, 346.0, 348.0, 226.0, 228.0]
    assert seen(r, place(az, [10.0] * 8, [500e3] * 8)) == [
        True,
        True,
        True,
        False,
        False,
        True,
        True,
        False,
    ]


def test_visibility_is_the_same_at_a_later_time() -> None:
    # The radar turns with the Earth: a point fixed in ECEF is seen at any time.
    r = radar(347.0, 227.0, el_min=3.0)
    pts = place([10.0, 300.0], [20.0, 20.0], [800e3, 800e3])
    assert seen(r, pts, t_s=1234.5) == [True, False]


# -- elevation, horizon, range -------------------------------------------------------------------


def test_elevation_limits() -> None:
    r = radar(el_min=3.0, el_max=85.0)
    el = [2.9, 3.1, 45.0, 84.9, 85.1, 89.0]
    assert seen(r, place([30.0] * 6, el, [1000e3] * 6)) == [False, True, True, True, False, False]


def test_object_behind_the_earth_is_not_visible_even_within_range() -> None:
    r = radar(el_min=0.0, range_m=1e9)
    far = frames.geodetic_to_vector(-LAT, LON + 180.0, 1000e3)[None]  # antipode, 1000 km up
    near = frames.geodetic_to_vector(LAT + 5.0, LON, 1000e3)[None]
    assert seen(r, np.concatenate([far, near])) == [False, True]


def test_negative_minimum_elevation_still_stops_at_the_earth() -> None:
    # An elevated radar looking down: from 3 km the horizon dips sqrt(2 h / R) = 1.76 deg. A
    # point at -1 deg, 50 km away, is above the ground; lines of sight at -1.5 deg clear the
    # Earth, those at -1.9 deg pass through it (points 10,000 km away are far out in space).
    r = radar(el_min=-2.5, alt_m=3000.0)
    pts = place([90.0] * 3, [-1.0, -1.5, -1.9], [50e3, 10_000e3, 10_000e3], alt_m=3000.0)
    assert np.all(frames.altitude(pts) > 0.0)
    assert seen(r, pts) == [True, True, False]


def test_range_scales_with_the_fourth_root_of_the_cross_section() -> None:
    r = radar(range_m=1000e3, ref_rcs=10.0)
    factor = 1000.0**0.25
    assert factor == pytest.approx(5.623, abs=1e-3)
    assert detection_range_m(r, np.array([10.0, 0.01]))[0] == pytest.approx(
        [1000e3, 1000e3 / factor]
    )
    pts = place([45.0, 45.0], [30.0, 30.0], [999e3, 1000e3 / factor * 0.999])
    assert seen(r, pts, rcs=10.0) == [True, True]
    assert seen(r, pts, rcs=0.01) == [False, True]
    assert seen(r, pts[:1], rcs=0.0) == [False]


def test_minimum_range() -> None:
    r = Radars.from_geodetic(
        LAT,
        LON,
        azimuth_min_deg=0,
        azimuth_max_deg=360,
        elevation_min_deg=0,
        elevation_max_deg=90,
        range_m=5556e3,
        reference_rcs_m2=10,
        range_min_m=200e3,
    )
    assert seen(r, place([0.0, 0.0], [20.0, 20.0], [150e3, 250e3])) == [False, True]


def test_invalid_samples_are_never_visible_and_shapes() -> None:
    r = Radars.from_geodetic(
        [LAT, LAT],
        [LON, LON],
        azimuth_min_deg=[0.0, 90.0],
        azimuth_max_deg=[360.0, 180.0],
        elevation_min_deg=0.0,
        elevation_max_deg=90.0,
        range_m=5556e3,
        reference_rcs_m2=10.0,
    )
    pts = place([45.0, 135.0, 135.0], [30.0, 30.0, 30.0], [500e3] * 3).reshape(1, 3, 3)
    valid = np.array([[True, True, False]])
    vis = visible(r, pts, np.zeros((1, 3)), np.full((1, 3), 10.0), valid)
    assert vis.shape == (2, 1, 3)
    assert vis[:, 0].tolist() == [[True, True, False], [False, True, False]]
    empty = r.take(np.zeros(2, bool))
    assert visible(empty, pts, np.zeros((1, 3)), np.ones((1, 3)), valid).shape == (0, 1, 3)


def test_chunking_does_not_change_the_result(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(3)
    n_radars, n_traj, n_samples = 4, 6, 40
    r = Radars.from_geodetic(
        rng.uniform(40, 60, n_radars),
        rng.uniform(-20, 20, n_radars),
        azimuth_min_deg=rng.uniform(0, 360, n_radars),
        azimuth_max_deg=rng.uniform(0, 360, n_radars),
        elevation_min_deg=rng.uniform(-1, 5, n_radars),
        elevation_max_deg=85.0,
        range_m=rng.uniform(2000e3, 6000e3, n_radars),
        reference_rcs_m2=10.0,
    )
    lat = rng.uniform(30, 70, (n_traj, n_samples))
    lon = rng.uniform(-40, 40, (n_traj, n_samples))
    pos = frames.geodetic_to_vector(lat, lon, rng.uniform(0, 1500e3, (n_traj, n_samples)))
    t = np.cumsum(rng.uniform(5, 20, (n_traj, n_samples)), axis=1)
    rcs = rng.choice([0.01, 10.0, 100.0], (n_traj, n_samples))
    ok = rng.random((n_traj, n_samples)) < 0.9
    whole = visible(r, pos, t, rcs, ok)
    first = [first_detection_s(r, pos, t, rcs, ok, min_dwell_samples=k) for k in (1, 2)]
    monkeypatch.setattr(sensors, "CHUNK_ELEMENTS", 5)
    assert np.array_equal(visible(r, pos, t, rcs, ok), whole)
    for k, expected in zip((1, 2), first, strict=True):
        assert np.array_equal(first_detection_s(r, pos, t, rcs, ok, min_dwell_samples=k), expected)
    assert 0.05 < whole.mean() < 0.95
    assert np.isfinite(first[0]).sum() > 5
    assert np.isfinite(first[1]).any()


# -- first detection and track --------------------------------------------------------------------


def _sequence() -> tuple[Radars, FloatArray, FloatArray, FloatArray, NDArray[np.bool_]]:
    """Two trajectories of 8 samples: the first seen as F F T T F T T T, the second never."""
    r = radar(range_m=1000e3)
    slant = np.array([2000, 1500, 900, 800, 1200, 700, 600, 500]) * 1e3
    pts = np.stack([place([60.0] * 8, [20.0] * 8, slant), place([60.0] * 8, [20.0] * 8, slant * 3)])
    t = np.tile(np.arange(8) * 10.0, (2, 1))
    return r, pts, t, np.full((2, 8), 10.0), np.ones((2, 8), bool)


def test_first_detection_picks_the_first_visible_sample() -> None:
    r, pts, t, rcs, ok = _sequence()
    first = first_detection_s(r, pts, t, rcs, ok)
    assert first.shape == (1, 2)
    assert first[0, 0] == 20.0
    assert first[0, 1] == np.inf
    ok2 = ok.copy()
    ok2[0, 2] = False  # an invalid sample is not a detection
    assert first_detection_s(r, pts, t, rcs, ok2)[0, 0] == 30.0


def test_dwell_requires_consecutive_samples_and_returns_the_kth() -> None:
    r, pts, t, rcs, ok = _sequence()
    times = [first_detection_s(r, pts, t, rcs, ok, min_dwell_samples=k)[0, 0] for k in (1, 2, 3)]
    assert times == [20.0, 30.0, 70.0]
    assert first_detection_s(r, pts, t, rcs, ok, min_dwell_samples=4)[0, 0] == np.inf
    with pytest.raises(ValueError, match="min_dwell_samples"):
        first_detection_s(r, pts, t, rcs, ok, min_dwell_samples=0)


# -- cueing, infrared, cross-sections ------------------------------------------------------------


def test_earliest_launch_takes_the_min_over_cueing_radars_plus_delay() -> None:
    det = np.array([[100.0, np.inf], [50.0, 300.0], [10.0, 20.0]])  # (R=3, T=2)
    cue = np.array([[True, True, False], [False, False, True], [False, False, False]])  # (S=3, R)
    out = earliest_launch_s(det, cue, 60.0)
    assert out.tolist() == [[110.0, 360.0], [70.0, 80.0], [np.inf, np.inf]]
    ir = infrared_detection_s(np.zeros(2), 30.0)
    with_ir = earliest_launch_s(det, cue, 60.0, ir, np.array([True, False, True]))
    assert with_ir.tolist() == [[90.0, 90.0], [70.0, 80.0], [90.0, 90.0]]
    all_ir = earliest_launch_s(det, cue, 60.0, ir)  # infrared cues every site by default
    assert all_ir.tolist() == [[90.0, 90.0], [70.0, 80.0], [90.0, 90.0]]
    no_radar = earliest_launch_s(np.zeros((0, 2)), np.zeros((2, 0), bool), 60.0)
    assert no_radar.tolist() == [[np.inf, np.inf], [np.inf, np.inf]]


def test_infrared_detection() -> None:
    assert infrared_detection_s(np.array([0.0, 5.0]), 60.0).tolist() == [60.0, 65.0]
    assert infrared_detection_s(np.array([0.0, 5.0]), None).tolist() == [np.inf, np.inf]


def test_rcs_by_phase() -> None:
    phase = np.array(
        [
            [Phase.PRELAUNCH, Phase.BOOST, Phase.COAST, Phase.REENTRY, Phase.IMPACTED],
            [Phase.BOOST, Phase.BOOST, Phase.BOOST, Phase.COAST, Phase.COAST],
        ]
    )
    rcs = rcs_by_phase(phase, np.array([10.0, 5.0]), np.array([0.01, 0.1]))
    assert rcs.tolist() == [[0.0, 10.0, 0.01, 0.01, 0.0], [5.0, 5.0, 5.0, 0.1, 0.1]]


# -- footprint ------------------------------------------------------------------------------------


def test_coverage_polygon_bounds_what_the_radar_sees() -> None:
    r = radar(347.0, 227.0, el_min=3.0, el_max=85.0, range_m=5556e3, earth=SPHERE)
    alt = 500e3
    lat, lon = coverage_polygon(r, 0, 0.01, alt, n=16, earth=SPHERE)
    assert len(lat) == 16 + 16 + 1
    assert (lat[0], lon[0]) == (lat[-1], lon[-1])
    # Outer arc (inside the sector's edges): just inside its points is visible, just outside
    # is not (on a sphere the construction is exact).
    rng, az = frames.great_circle(LAT, LON, lat[1:15], lon[1:15], SPHERE.equatorial_radius_m)
    for scale, expected in ((0.995, True), (1.005, False)):
        la, lo = frames.destination(LAT, LON, az, rng * scale, SPHERE.equatorial_radius_m)
        pts = frames.geodetic_to_vector(la, lo, alt, SPHERE)
        assert seen(r, pts, rcs=0.01, earth=SPHERE) == [expected] * 14
    # The range against 0.01 m^2 (988 km) limits the outer boundary at 500 km altitude.
    assert np.max(rng) < 988e3
    full = radar(el_min=3.0, range_m=5556e3, earth=SPHERE)
    lat_f, _ = coverage_polygon(full, 0, 10.0, alt, n=32, earth=SPHERE)
    assert len(lat_f) == 33
    empty = coverage_polygon(radar(range_m=100e3), 0, 10.0, 500e3)
    assert len(empty[0]) == 0
