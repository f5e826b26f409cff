"""The polar azimuthal equidistant projection of the maps, against independent formulas."""

from __future__ import annotations

import math

import numpy as np
import pytest
from matplotlib.path import Path

from glasnost.report.projection import MEAN_RADIUS_KM, PolarAzimuthal, densify

R = MEAN_RADIUS_KM


def _haversine_km(lat1: float, lon1: float, lat2: np.ndarray, lon2: np.ndarray) -> np.ndarray:
    """Great-circle distance on the sphere of radius R (Sinnott, Sky & Telescope 68, 1984)."""
    p1, p2 = math.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(lon2 - lon1)
    a = np.sin(dp / 2) ** 2 + math.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * R * np.arcsin(np.sqrt(a))


def _great_circle(lat1: float, lon1: float, lat2: float, lon2: float, n: int) -> np.ndarray:
    """n points (lat, lon deg) along the great circle, by spherical linear interpolation."""

    def unit(lat: float, lon: float) -> np.ndarray:
        a, b = math.radians(lat), math.radians(lon)
        return np.array([math.cos(a) * math.cos(b), math.cos(a) * math.sin(b), math.sin(a)])

    u, v = unit(lat1, lon1), unit(lat2, lon2)
    omega = math.acos(float(np.dot(u, v)))
    t = np.linspace(0.0, 1.0, n)[:, None]
    p = (np.sin((1 - t) * omega) * u + np.sin(t * omega) * v) / math.sin(omega)
    return np.column_stack(
        [np.degrees(np.arcsin(p[:, 2])), np.degrees(np.arctan2(p[:, 1], p[:, 0]))]
    )


@pytest.mark.parametrize("central", [0.0, -100.0, 150.0])
def test_distance_and_azimuth_from_the_pole_are_true(central: float) -> None:
    """Azimuthal equidistant: the map radius is the great-circle distance from the pole
    (haversine, to 1 mm) and the map angle is the longitude from the central meridian."""
    rng = np.random.default_rng(1)
    lat = rng.uniform(-60.0, 89.0, 200)
    lon = rng.uniform(-180.0, 180.0, 200)
    x, y = PolarAzimuthal(central_lon_deg=central).project(lon, lat)
    assert np.hypot(x, y) == pytest.approx(_haversine_km(90.0, 0.0, lat, lon), abs=1e-6)
    angle = np.degrees(np.arctan2(x, -y))  # from the central meridian (down)
    diff = (angle - (lon - central) + 180.0) % 360.0 - 180.0
    assert np.all(np.abs(diff) < 1e-9)


def test_snyder_polar_formulas() -> None:
    """Snyder (1987) eqs. 25-2..25-4, polar aspect: a point on the central meridian at 60 N is
    R pi/6 below the pole; at lon0 + 90 deg it is as far to the right; the south aspect mirrors."""
    north = PolarAzimuthal(central_lon_deg=10.0)
    x, y = north.project([10.0, 100.0], [60.0, 60.0])
    assert (x[0], y[0]) == pytest.approx((0.0, -R * math.pi / 6), abs=1e-9)
    assert (x[1], y[1]) == pytest.approx((R * math.pi / 6, 0.0), abs=1e-9)
    south = PolarAzimuthal(central_lon_deg=10.0, north=False)
    xs, ys = south.project(10.0, -60.0)
    assert (float(xs), float(ys)) == pytest.approx((0.0, R * math.pi / 6), abs=1e-9)


def test_a_polar_route_stays_continuous() -> None:
    """An Okhotsk -> Seattle great circle crosses the antimeridian: on an equirectangular map
    it jumps 360 deg; on the polar map no step is longer than the step on the ground
    (1 % slack: the projection stretches along parallels away from the pole)."""
    path = _great_circle(52.0, 150.0, 47.6, -122.3, 200)
    lat, lon = path[:, 0], path[:, 1]
    assert np.max(np.abs(np.diff(lon))) > 300.0  # the equirectangular jump
    x, y = PolarAzimuthal().project(lon, lat)
    map_step = np.hypot(np.diff(x), np.diff(y))
    ground_step = _haversine_km(float(lat[0]), float(lon[0]), lat[1:2], lon[1:2])[0]
    assert map_step.max() < 1.6 * ground_step
    assert map_step.max() < 100.0  # km, for 200 points over ~6,500 km


def test_a_footprint_around_the_pole_is_a_closed_ring_around_it() -> None:
    """A ring at 70 N projects to a circle of radius R * 20 deg that holds the pole."""
    lon = np.linspace(-180.0, 180.0, 73)
    x, y = PolarAzimuthal().project(lon, np.full(73, 70.0))
    assert np.hypot(x, y) == pytest.approx(R * math.radians(20.0), rel=1e-12)
    assert Path(np.column_stack([x, y])).contains_point((0.0, 0.0))
    assert not Path(np.column_stack([x, y])).contains_point((R * math.radians(30.0), 0.0))


def test_densify() -> None:
    lon, lat = densify([-120.0, -95.0, -95.0], [49.0, 49.0, 60.0], step_deg=1.0)
    assert len(lon) == 25 + 11 + 1
    assert np.all(lat[:26] == 49.0)
    assert np.max(np.abs(np.diff(lon))) <= 1.0 + 1e-12
    across, _ = densify([179.0, -179.0], [0.0, 0.0], step_deg=0.5)
    assert across.tolist() == [179.0, 179.5, 180.0, 180.5, -179.0]


def _footprint_patch(ring_lat: np.ndarray, ring_lon: np.ndarray) -> tuple[Path, PolarAzimuthal]:
    """The filled footprint the map draws for one radar with this ring (its only Polygon)."""
    from matplotlib.patches import Polygon

    from glasnost.report import maps

    radar = maps.RadarMarker(0.0, 89.0, "r", "A", True, ring_lon, ring_lat)
    fig = maps.world_map_figure(title="t", parties=["A"], radars=[radar])
    polygons = [p for p in fig.axes[0].patches if isinstance(p, Polygon)]
    assert len(polygons) == 1
    return polygons[0].get_path(), PolarAzimuthal()


def test_the_map_fills_a_footprint_around_the_pole_around_it() -> None:
    """A radar footprint ring at 75 N (as coverage_polygon gives for a radar near the pole)
    is filled over the pole and nowhere south of its ring."""
    lon = np.linspace(-180.0, 180.0, 65)
    path, proj = _footprint_patch(np.full(65, 75.0), lon)
    assert path.contains_point(proj.project(0.0, 90.0))
    assert path.contains_point(proj.project(123.0, 80.0))
    assert not path.contains_point(proj.project(123.0, 70.0))


def test_the_map_fills_a_footprint_across_the_antimeridian_once() -> None:
    """A 1,500 km circle centred on the antimeridian at 60 N: one filled region holding its
    centre and both sides, of the cap's area (2 pi R^2 (1 - cos(d/R))) times the projection's
    area scale at the centre (Snyder 1987, ch. 25, polar aspect: h = 1 along meridians,
    k = c / sin c along parallels at colatitude c), to 1 % (the scale varies across the cap;
    the 64-gon's chords)."""
    radius_km = 1500.0
    bearings = np.radians(np.linspace(0.0, 360.0, 65))
    d = radius_km / R
    lat0 = math.radians(60.0)
    lat = np.arcsin(math.sin(lat0) * math.cos(d) + math.cos(lat0) * math.sin(d) * np.cos(bearings))
    dlon = np.arctan2(
        np.sin(bearings) * math.sin(d) * math.cos(lat0),
        math.cos(d) - math.sin(lat0) * np.sin(lat),
    )
    lon = (180.0 + np.degrees(dlon) + 180.0) % 360.0 - 180.0  # wraps at the antimeridian
    path, proj = _footprint_patch(np.degrees(lat), lon)
    for point in ((180.0, 60.0), (175.0, 60.0), (-175.0, 60.0)):
        assert path.contains_point(proj.project(*point)), point
    x, y = path.vertices[:, 0], path.vertices[:, 1]
    area = 0.5 * abs(float(np.sum(x * np.roll(y, -1) - np.roll(x, -1) * y)))
    cap = 2 * math.pi * R**2 * (1 - math.cos(d))
    colat = math.radians(30.0)
    assert area == pytest.approx(cap * colat / math.sin(colat), rel=0.01)
