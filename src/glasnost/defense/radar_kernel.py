"""Which radar sees which sample, compiled: :func:`seen`.

The conditions of :func:`glasnost.defense.sensors.visible` (its NumPy path is the reference,
tested against this kernel: the same answer for every radar and sample): elevation within the
radar's limits, slant range within its detection range against the sample's cross-section
and above its minimum range, azimuth within its sector, and, for radars allowed below the
horizon, a line of sight that clears the Earth. NumPy evaluates every condition for every
(radar, sample) pair, each in its own pass over (R, n) arrays; the kernel makes one pass and
stops at the first condition that fails. The same operations in the same order: the
three-term sums in the orders NumPy's ``einsum`` and ``sum`` use, and the C library's
arctangent and power, which NumPy's float64 loops call too.

SI units, angles in degrees; radars along the first axis, samples along the second.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from glasnost.physics.compiled import kernel

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

_DEGREES = 180.0 / math.pi
"""NumPy's ``degrees`` factor."""


@kernel
def _clears_earth(
    px: float,
    py: float,
    pz: float,
    ox: float,
    oy: float,
    oz: float,
    a: float,
    flatten: float,
) -> bool:
    """Whether the segment from the radar p to the object o (ECEF, m) stays outside the
    ellipsoid, scaled along z by ``flatten`` (a / b) to the sphere of radius ``a``
    (``sensors._line_of_sight_clear``)."""
    pz = pz * flatten
    dx, dy, dz = ox - px, oy - py, oz * flatten - pz
    dd = (dx * dx + dy * dy) + dz * dz
    s = -((px * dx + py * dy) + pz * dz) / (dd if dd > 0.0 else 1.0)
    if s == s:  # np.clip keeps a NaN
        s = min(max(s, 0.0), 1.0)
    cx, cy, cz = px + s * dx, py + s * dy, pz + s * dz
    return (cx * cx + cy * cy) + cz * cz >= a * a


@kernel
def seen(
    r_ecef: FloatArray,
    ok: BoolArray,
    rcs_m2: FloatArray,
    position: FloatArray,
    basis: FloatArray,
    sin_low: FloatArray,
    sin_high: FloatArray,
    full_circle: BoolArray,
    azimuth_min: FloatArray,
    span: FloatArray,
    range_min: FloatArray,
    range_m: FloatArray,
    reference_rcs: FloatArray,
    check_line_of_sight: bool,
    a: float,
    flatten: float,
    out: BoolArray,
) -> None:
    """Write into ``out`` (R, n) whether radar k sees sample i: samples at ECEF ``r_ecef``
    (n, 3) with validity ``ok`` and cross-section ``rcs_m2`` (n,); radars at ``position``
    (R, 3) with ENU bases ``basis`` (R, 3, 3), sines of their elevation limits, sectors
    (``full_circle``, ``azimuth_min``, the clockwise ``span``), minimum range, detection range
    against ``reference_rcs``; ``a`` and ``flatten`` (a / b) of the ellipsoid for the line of
    sight, checked only where ``check_line_of_sight``."""
    n_radars, n = position.shape[0], r_ecef.shape[0]
    for k in range(n_radars):
        px, py, pz = position[k, 0], position[k, 1], position[k, 2]
        b = basis[k]
        for i in range(n):
            out[k, i] = False
            if not ok[i]:
                continue
            dx, dy, dz = r_ecef[i, 0] - px, r_ecef[i, 1] - py, r_ecef[i, 2] - pz
            east = (b[0, 0] * dx + b[0, 2] * dz) + b[0, 1] * dy  # np.einsum's order
            north = (b[1, 0] * dx + b[1, 2] * dz) + b[1, 1] * dy
            up = (b[2, 0] * dx + b[2, 2] * dz) + b[2, 1] * dy
            slant = math.sqrt(east * east + north * north + up * up)
            if not (up >= slant * sin_low[k] and up <= slant * sin_high[k]):
                continue
            rcs = rcs_m2[i]
            rcs = 0.0 if not rcs > 0.0 else rcs  # np.maximum(., 0), a NaN to 0
            if not (
                slant <= range_m[k] * (rcs / reference_rcs[k]) ** 0.25 and slant >= range_min[k]
            ):
                continue
            if not full_circle[k]:
                azimuth = (math.atan2(east, north) * _DEGREES) % 360.0
                if not (azimuth - azimuth_min[k]) % 360.0 <= span[k]:
                    continue
            if (
                check_line_of_sight
                and not up >= 0.0
                and not _clears_earth(
                    px, py, pz, r_ecef[i, 0], r_ecef[i, 1], r_ecef[i, 2], a, flatten
                )
            ):
                continue
            out[k, i] = True
