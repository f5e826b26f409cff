"""Physical constants and Earth models (SI units).

Values follow DESIGN.md: WGS84 ellipsoid for positions, gravity mu = 3.986004418e14 m^3/s^2
with J2 = 1.08262668e-3 and reference radius 6378137 m, rotation 7.292115e-5 rad/s.
"""

from __future__ import annotations

from dataclasses import dataclass

MU = 3.986004418e14
"""Earth's gravitational parameter GM (m^3/s^2), WGS84/EGM96."""

J2 = 1.08262668e-3
"""Second zonal harmonic of the geopotential (dimensionless)."""

R_EQUATOR = 6378137.0
"""WGS84 semi-major axis (m); also the J2 reference radius."""

FLATTENING = 1.0 / 298.257223563
"""WGS84 flattening."""

R_POLAR = R_EQUATOR * (1.0 - FLATTENING)
"""WGS84 semi-minor axis (m)."""

E2 = FLATTENING * (2.0 - FLATTENING)
"""WGS84 first eccentricity squared."""

OMEGA_EARTH = 7.292115e-5
"""Earth's rotation rate (rad/s)."""

R_MEAN = 6371000.0
"""Mean Earth radius (m): the sphere of the textbook comparisons (Bate, Mueller & White)."""

G0 = 9.80665
"""Standard gravity (m/s^2), used with specific impulse."""


@dataclass(frozen=True)
class EarthModel:
    """Which Earth the physics flies over.

    ``WGS84`` (default): rotating WGS84 ellipsoid with J2 gravity. ``SPHERE``: a non-rotating
    sphere of mean radius with point-mass gravity, for comparison with textbook results.
    """

    name: str
    equatorial_radius_m: float
    flattening: float
    rotation_rad_s: float
    j2: float
    mu: float = MU

    @property
    def polar_radius_m(self) -> float:
        return self.equatorial_radius_m * (1.0 - self.flattening)

    @property
    def e2(self) -> float:
        """First eccentricity squared of the reference surface."""
        return self.flattening * (2.0 - self.flattening)

    @property
    def rotating(self) -> bool:
        return self.rotation_rad_s != 0.0


WGS84 = EarthModel("wgs84", R_EQUATOR, FLATTENING, OMEGA_EARTH, J2)
SPHERE = EarthModel("sphere", R_MEAN, 0.0, 0.0, 0.0)

EARTH_MODELS: dict[str, EarthModel] = {m.name: m for m in (WGS84, SPHERE)}
