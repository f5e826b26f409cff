"""Validation of ``glasnost.defense.sensors`` (docs/assessment.md, "Sensors").

* Radar horizon on a sphere: the greatest ground range at which a radar on the surface sees an
  object at height h, found by scanning points along a great circle, against the geometric
  horizon R arccos(R / (R + h)) and, with a minimum elevation e, against the elevation-limited
  Earth central angle psi = arccos(R cos e / (R + h)) - e (Wertz & Larson, Space Mission
  Analysis and Design, 3rd ed., sec. 5.2: lambda = 90 deg - eps - eta, sin eta = sin rho cos eps,
  sin rho = R / (R + h); with e = 0 it is the geometric horizon).
* A real geometry: the Fylingdales and Cape Cod UEWRs (reference.yaml: position, sector,
  elevation 3-85 deg; 5,556 km against 10 m^2 per assumptions.yaml) watching an RS-24 Yars
  flown from Kozelsk to Washington, sampled every 10 s, against a plain per-sample loop written
  here with explicit trigonometry from latitude and longitude (not ``frames``).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pytest
from numpy.typing import NDArray

from glasnost.defense.sensors import Radars, first_detection_s, rcs_by_phase, visible
from glasnost.physics import frames
from glasnost.physics.constants import OMEGA_EARTH, R_EQUATOR, SPHERE, WGS84
from glasnost.physics.targeting import aim
from glasnost.physics.trajectory import Phase, Trajectory
from glasnost.physics.vehicle import stack
from glasnost.scenario.missiles import missile

Reference = Callable[..., None]  # the `reference` fixture of tests/validation/conftest.py
FloatArray = NDArray[np.float64]

SMAD = "Wertz & Larson, SMAD 3rd ed. sec. 5.2 (Earth central angle to a point seen at elevation e)"
HORIZON = "geometric horizon R arccos(R / (R + h)) (SMAD sec. 5.2 with e = 0)"
LOOP = "independent per-sample loop: explicit WGS84 trigonometry from lat/lon (this file)"
SCAN_STEP_M = 250.0  # the scan's resolution: the greatest visible point is within one step
SCAN = "the scan's 250 m step: the greatest visible scan point lies within one step inside"

# -- (a) radar horizon on a sphere ---------------------------------------------------------------


def _greatest_visible_ground_range(
    h: float, el_min_deg: float, step_m: float = SCAN_STEP_M
) -> float:
    """Scan points at height h due east of a radar at (0, 0) on the sphere, every ``step_m``."""
    radius = SPHERE.equatorial_radius_m
    radar = Radars.from_geodetic(
        0.0,
        0.0,
        azimuth_min_deg=0.0,
        azimuth_max_deg=360.0,
        elevation_min_deg=el_min_deg,
        elevation_max_deg=90.0,
        range_m=1e9,
        reference_rcs_m2=10.0,
        earth=SPHERE,
    )
    ground = np.arange(0.0, 5000e3, step_m)
    pts = frames.geodetic_to_vector(0.0, np.degrees(ground / radius), h, SPHERE)[None]
    shape = pts.shape[:2]
    vis = visible(radar, pts, np.zeros(shape), np.full(shape, 10.0), np.ones(shape, bool), SPHERE)
    assert vis[0, 0].any()
    return float(ground[vis[0, 0]].max())


@pytest.mark.parametrize("h_km", [100.0, 500.0, 1000.0])
def test_radar_horizon_on_a_sphere(reference: Reference, h_km: float) -> None:
    radius, h = SPHERE.equatorial_radius_m, h_km * 1e3
    expected = radius * math.acos(radius / (radius + h))
    ours = _greatest_visible_ground_range(h, 0.0)
    assert ours <= expected  # nothing beyond the horizon is visible
    reference(  # one scan step, 0.25 km (SCAN_STEP_M)
        f"radar horizon ground range, h = {h_km:.0f} km",
        ours / 1e3,
        expected / 1e3,
        SCAN_STEP_M / 1e3,
        HORIZON,
        unit="km",
        kind="closed form",
        basis=SCAN,
    )
    e = math.radians(3.0)
    expected_e = radius * (math.acos(radius * math.cos(e) / (radius + h)) - e)
    ours_e = _greatest_visible_ground_range(h, 3.0)
    assert ours_e <= expected_e  # nothing below the minimum elevation is visible
    reference(  # one scan step, 0.25 km (SCAN_STEP_M)
        f"elevation-limited ground range, e = 3 deg, h = {h_km:.0f} km",
        ours_e / 1e3,
        expected_e / 1e3,
        SCAN_STEP_M / 1e3,
        SMAD,
        unit="km",
        kind="closed form",
        basis=SCAN,
    )


# -- (b) UEWRs watching a Yars from Kozelsk to Washington ----------------------------------------

UEWRS = {  # reference.yaml radars: lat, lon, azimuth min -> max, elevation min / max
    "Fylingdales": (54.3618, -0.6701, 0.0, 360.0, 3.0, 85.0),
    "Cape Cod": (41.7548, -70.5392, 347.0, 227.0, 3.0, 85.0),
}
UEWR_RANGE_M = 5556e3  # against the reference 10 m^2 (assumptions.yaml sensors)
REF_RCS, BOOSTER_RCS, RV_RCS = 10.0, 10.0, 0.01
KOZELSK, WASHINGTON = (54.03, 35.78), (38.90, -77.04)
STEP_S = 10.0


@pytest.fixture(scope="module")
def yars() -> tuple[Trajectory, FloatArray]:
    vehicle = missile("rs24_yars").vehicle()
    res = aim(stack([vehicle]), [KOZELSK[0]], [KOZELSK[1]], [WASHINGTON[0]], [WASHINGTON[1]])
    assert res.on_target[0]
    traj = res.trajectory
    t = np.arange(0.0, float(traj.impact_s[0]) + STEP_S, STEP_S)[None]
    return traj, t


def _radars() -> Radars:
    lat, lon, az0, az1, el0, el1 = (np.array(c) for c in zip(*UEWRS.values(), strict=True))
    return Radars.from_geodetic(
        lat,
        lon,
        azimuth_min_deg=az0,
        azimuth_max_deg=az1,
        elevation_min_deg=el0,
        elevation_max_deg=el1,
        range_m=UEWR_RANGE_M,
        reference_rcs_m2=REF_RCS,
    )


def _loop_visible(
    site: tuple[float, float, float, float, float, float],
    r_eci: FloatArray,
    t_s: FloatArray,
    rcs: FloatArray,
    valid: NDArray[np.bool_],
) -> list[bool]:
    """Plain per-sample visibility with explicit trigonometry (WGS84, radar on the ellipsoid)."""
    lat_deg, lon_deg, az_min, az_max, el_min, el_max = site
    phi, lam = math.radians(lat_deg), math.radians(lon_deg)
    f = 1.0 / 298.257223563
    e2 = f * (2.0 - f)
    n_curv = R_EQUATOR / math.sqrt(1.0 - e2 * math.sin(phi) ** 2)
    rx = n_curv * math.cos(phi) * math.cos(lam)
    ry = n_curv * math.cos(phi) * math.sin(lam)
    rz = n_curv * (1.0 - e2) * math.sin(phi)
    span = (az_max - az_min) % 360.0
    full = span == 0.0 and az_max != az_min
    out = []
    for (xi, yi, zi), t, sigma, ok in zip(r_eci, t_s, rcs, valid, strict=True):
        theta = OMEGA_EARTH * t  # ECEF = Rz(-theta) ECI
        x = math.cos(theta) * xi + math.sin(theta) * yi
        y = -math.sin(theta) * xi + math.cos(theta) * yi
        dx, dy, dz = x - rx, y - ry, zi - rz
        east = -math.sin(lam) * dx + math.cos(lam) * dy
        north = (
            -math.sin(phi) * math.cos(lam) * dx
            - math.sin(phi) * math.sin(lam) * dy
            + math.cos(phi) * dz
        )
        up = (
            math.cos(phi) * math.cos(lam) * dx
            + math.cos(phi) * math.sin(lam) * dy
            + math.sin(phi) * dz
        )
        slant = math.sqrt(dx * dx + dy * dy + dz * dz)
        el = math.degrees(math.asin(up / slant))
        az = math.degrees(math.atan2(east, north)) % 360.0
        max_range = UEWR_RANGE_M * (sigma / REF_RCS) ** 0.25 if sigma > 0.0 else 0.0
        out.append(
            bool(ok)
            and el_min <= el <= el_max
            and (full or (az - az_min) % 360.0 <= span)
            and slant <= max_range
        )
    return out


def test_uewrs_watching_a_yars(reference: Reference, yars: tuple[Trajectory, FloatArray]) -> None:
    traj, t = yars
    r_eci, _ = traj.sample(t)
    phase = traj.phase_at(t.T).T
    valid = t <= traj.impact_s[:, None]
    radars = _radars()
    objects = {
        "RV, 0.01 m^2": rcs_by_phase(phase, np.array([0.0]), np.array([RV_RCS])),
        "booster, 10 m^2": rcs_by_phase(phase, np.array([BOOSTER_RCS]), np.array([0.0])),
        # not a real target: a booster-sized object over the whole flight, for comparison
        "10 m^2 object throughout": np.where(valid, BOOSTER_RCS, 0.0),
    }
    found = {}
    for obj, rcs in objects.items():
        ours_vis = visible(radars, r_eci, t, rcs, valid, WGS84)
        ours_first = first_detection_s(radars, r_eci, t, rcs, valid, WGS84)
        for i, (name, site) in enumerate(UEWRS.items()):
            loop = np.array(_loop_visible(site, r_eci[0], t[0], rcs[0], valid[0]))
            assert np.array_equal(ours_vis[i, 0], loop), (name, obj)
            expected = float(t[0][loop][0]) if loop.any() else math.inf
            found[name, obj] = float(ours_first[i, 0])
            if math.isfinite(expected):
                reference(  # exact: both take the first visible sample of the same 10 s grid
                    f"{name} UEWR first detection of the Yars {obj}",
                    ours_first[i, 0],
                    expected,
                    0.0,
                    LOOP,
                    unit="s",
                    kind="second method",
                    basis="exact: both give the first visible sample of the same 10 s grid",
                )
            else:
                assert ours_first[i, 0] == math.inf, (name, obj)
    # Cape Cod sees the RV in the last minutes (impact at about 1785 s). Fylingdales never does:
    # the closest slant range (~1,300 km) exceeds the 988 km against 0.01 m^2, although it
    # would see a 10 m^2 object soon after burnout. Neither sees the booster (burnout ~175 s).
    assert math.isfinite(found["Cape Cod", "RV, 0.01 m^2"])
    assert found["Fylingdales", "RV, 0.01 m^2"] == math.inf
    assert math.isfinite(found["Fylingdales", "10 m^2 object throughout"])
    assert (
        found["Fylingdales", "booster, 10 m^2"] == found["Cape Cod", "booster, 10 m^2"] == math.inf
    )
    assert np.any(phase == Phase.BOOST)
