"""The map projection of the figures: azimuthal equidistant, centred on a pole.

ICBM and SLBM routes between North America and Eurasia run over the Arctic; a polar azimuthal
projection keeps them whole (no cut at the antimeridian, no pole stretched into the top edge),
shows every distance from the pole and every direction from it true, and draws a radar
footprint around the pole as the closed ring it is. Polar aspect on a sphere of the mean Earth
radius (Snyder, *Map Projections: A Working Manual*, USGS PP 1395, 1987, ch. 25, eqs. 25-2 to
25-4 with phi1 = 90 deg):

    rho = R (90 deg - lat)        (north pole; R (90 deg + lat) for the south pole)
    x = rho sin(lon - lon0)
    y = -rho cos(lon - lon0)      (north pole; +rho cos for the south pole)

Plain NumPy, no I/O; coordinates in km on the map plane, angles in degrees at this edge.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]

MEAN_RADIUS_KM = 6371.0088
"""Mean Earth radius (IUGG, (2a + b) / 3 of WGS84), km."""


@dataclass(frozen=True)
class PolarAzimuthal:
    """Azimuthal equidistant projection centred on the north (or south) pole; the meridian
    ``central_lon_deg`` points down the map (up for the south pole)."""

    central_lon_deg: float = 0.0
    north: bool = True

    def polar_distance_deg(self, lat_deg: ArrayLike) -> FloatArray:
        """Angular distance from the centre pole (deg), the same shape as ``lat_deg``."""
        lat = np.asarray(lat_deg, dtype=np.float64)
        return 90.0 - lat if self.north else 90.0 + lat

    def radius_km(self, polar_distance_deg: float) -> float:
        """Map radius (km) of a parallel at ``polar_distance_deg`` from the pole."""
        return MEAN_RADIUS_KM * math.radians(polar_distance_deg)

    def project(self, lon_deg: ArrayLike, lat_deg: ArrayLike) -> tuple[FloatArray, FloatArray]:
        """Map coordinates x, y (km) of points (deg); arrays of any one shape; NaN stays NaN."""
        rho = MEAN_RADIUS_KM * np.radians(self.polar_distance_deg(lat_deg))
        theta = np.radians(np.asarray(lon_deg, dtype=np.float64) - self.central_lon_deg)
        y = -rho * np.cos(theta) if self.north else rho * np.cos(theta)
        return rho * np.sin(theta), y


def densify(
    lon_deg: ArrayLike, lat_deg: ArrayLike, step_deg: float = 1.0
) -> tuple[FloatArray, FloatArray]:
    """A polyline (deg) with points added so that no step exceeds ``step_deg`` in longitude or
    latitude (linear in lon/lat: a long edge along a parallel stays on the parallel once
    projected, instead of becoming a chord). Steps across the antimeridian (more than 180 deg)
    are taken the short way, so the added points may leave [-180, 180]."""
    lon = np.asarray(lon_deg, dtype=np.float64)
    lat = np.asarray(lat_deg, dtype=np.float64)
    if lon.size < 2:
        return lon.copy(), lat.copy()
    dlon = (np.diff(lon) + 180.0) % 360.0 - 180.0
    dlat = np.diff(lat)
    steps = np.maximum(1, np.ceil(np.maximum(np.abs(dlon), np.abs(dlat)) / step_deg)).astype(int)
    start = np.repeat(np.arange(lon.size - 1), steps)
    frac = np.concatenate([np.arange(n) / n for n in steps])
    out_lon = np.append(lon[start] + frac * dlon[start], lon[-1])
    out_lat = np.append(lat[start] + frac * dlat[start], lat[-1])
    return out_lon, out_lat
