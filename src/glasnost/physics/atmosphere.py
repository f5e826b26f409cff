"""US Standard Atmosphere 1976 (density and speed of sound), vectorized.

Hand-written rather than taken from the ``ambiance`` package: ambiance (ICAO 1993) stops at
81.02 km and raises outside its range, while the boost and reentry integrators call this on
whole batches every step and need the full 0-86 km model with a smooth continuation above.
The tests compare this module with ambiance where both are defined.

Below 86 km the seven layers of the 1976 standard (NOAA-S/T 76-1562, table 4) are evaluated in
geopotential altitude with the molecular-scale temperature. Above 86 km density decays
exponentially with the scale height of the 86 km level, continuous in value; its log-slope is
that of an isothermal layer (as in the standard from 86 to 91 km), about 6 % steeper than just
below, where the -2 K/km lapse ends: the same kind of kink as at every layer boundary. The
speed of sound is held at its 86 km value (the integrators do not need more above the
mesopause, where drag on a missile is negligible).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

R0_GEOPOTENTIAL = 6356766.0  # m, US76 effective Earth radius for geopotential altitude
G0 = 9.80665  # m/s^2
R_AIR = 287.05287  # J/(kg K), R* / M0 of US76
GAMMA = 1.4

# Layer bases: geopotential altitude (m), molecular temperature (K), lapse rate (K/m).
_H_BASE = np.array([0.0, 11000.0, 20000.0, 32000.0, 47000.0, 51000.0, 71000.0, 84852.0])
_LAPSE = np.array([-0.0065, 0.0, 0.001, 0.0028, 0.0, -0.0028, -0.002, 0.0])


def _layer_bases() -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Base temperatures and pressures of each layer, integrated from sea level."""
    t = np.empty_like(_H_BASE)
    p = np.empty_like(_H_BASE)
    t[0], p[0] = 288.15, 101325.0
    for i in range(1, _H_BASE.size):
        dh = _H_BASE[i] - _H_BASE[i - 1]
        lapse = _LAPSE[i - 1]
        t[i] = t[i - 1] + lapse * dh
        if lapse == 0.0:
            p[i] = p[i - 1] * np.exp(-G0 * dh / (R_AIR * t[i - 1]))
        else:
            p[i] = p[i - 1] * (t[i - 1] / t[i]) ** (G0 / (R_AIR * lapse))
    return t, p


_T_BASE, _P_BASE = _layer_bases()
_TOP_GEOMETRIC = 86000.0
_H_TOP = R0_GEOPOTENTIAL * _TOP_GEOMETRIC / (R0_GEOPOTENTIAL + _TOP_GEOMETRIC)


def _below_top(
    h_geopotential: NDArray[np.float64],
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Density (kg/m^3) and temperature (K) for geopotential altitudes <= the 86 km level."""
    i = np.clip(np.searchsorted(_H_BASE, h_geopotential, side="right") - 1, 0, _H_BASE.size - 2)
    lapse, tb, pb = _LAPSE[i], _T_BASE[i], _P_BASE[i]
    dh = h_geopotential - _H_BASE[i]
    t = tb + lapse * dh
    isothermal = lapse == 0.0
    safe_lapse = np.where(isothermal, 1.0, lapse)
    p = np.where(
        isothermal,
        pb * np.exp(-G0 * dh / (R_AIR * tb)),
        pb * (tb / t) ** (G0 / (R_AIR * safe_lapse)),
    )
    return p / (R_AIR * t), t


_RHO_TOP, _T_TOP = (float(v[0]) for v in _below_top(np.array([_H_TOP])))
_SCALE_HEIGHT_TOP = (
    R_AIR * _T_TOP / (G0 * (R0_GEOPOTENTIAL / (R0_GEOPOTENTIAL + _TOP_GEOMETRIC)) ** 2)
)
_SOUND_TOP = float(np.sqrt(GAMMA * R_AIR * _T_TOP))
_LOWEST = -5000.0  # m; the standard's tables start here


def properties(alt_m: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Density (kg/m^3) and speed of sound (m/s) at geometric altitudes ``alt_m`` (any shape).

    Altitudes below -5 km are treated as -5 km.
    """
    z = np.maximum(np.asarray(alt_m, dtype=float), _LOWEST)
    low = z <= _TOP_GEOMETRIC
    zl = np.minimum(z, _TOP_GEOMETRIC)
    rho_low, t_low = _below_top(R0_GEOPOTENTIAL * zl / (R0_GEOPOTENTIAL + zl))
    rho_high = _RHO_TOP * np.exp(-(z - _TOP_GEOMETRIC) / _SCALE_HEIGHT_TOP)
    rho = np.where(low, rho_low, rho_high)
    sound = np.where(low, np.sqrt(GAMMA * R_AIR * t_low), _SOUND_TOP)
    return rho, sound


def density(alt_m: ArrayLike) -> NDArray[np.float64]:
    """Density (kg/m^3) at geometric altitude ``alt_m``."""
    return properties(alt_m)[0]


def speed_of_sound(alt_m: ArrayLike) -> NDArray[np.float64]:
    """Speed of sound (m/s) at geometric altitude ``alt_m``."""
    return properties(alt_m)[1]


_TABLE_STEP = 10.0  # m
_TABLE_TOP = 300e3  # m; above it the density is below 1e-19 kg/m^3 and is taken as zero


def _build_table() -> tuple[
    NDArray[np.float64], NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]
]:
    """ln(density) and speed of sound on a uniform 10 m grid, with their per-cell slopes."""
    nodes = np.arange(_LOWEST, _TABLE_TOP + _TABLE_STEP, _TABLE_STEP)
    rho, sound = properties(nodes)
    log_rho = np.log(rho)
    return log_rho, np.diff(log_rho, append=log_rho[-1]), sound, np.diff(sound, append=sound[-1])


_LOG_RHO, _LOG_RHO_SLOPE, _SOUND, _SOUND_SLOPE = _build_table()


def properties_tabulated(
    alt_m: NDArray[np.float64],
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Fast :func:`properties` for the integrators' hot path: linear interpolation of ln(density)
    and speed of sound on a uniform 10 m grid (within 5e-5 relative of :func:`properties`
    within 10 m of a layer base, 1e-7 elsewhere; tested). Above 300 km the 300 km values
    (density below 1e-19 kg/m^3) are returned."""
    x = np.clip((alt_m - _LOWEST) * (1.0 / _TABLE_STEP), 0.0, _LOG_RHO.size - 1.000001)
    i = x.astype(np.intp)
    w = x - i
    rho = np.exp(_LOG_RHO[i] + w * _LOG_RHO_SLOPE[i])
    return rho, _SOUND[i] + w * _SOUND_SLOPE[i]
