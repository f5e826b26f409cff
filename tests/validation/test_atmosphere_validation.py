"""Validation of the US Standard Atmosphere 1976 module.

* Against the ``ambiance`` package (ICAO 1993 standard atmosphere, identical to US76 below
  80 km) on a dense grid from -5 to 80 km.
* Against values printed in the standard (NOAA-S/T 76-1562): Table I at fixed geometric
  altitudes and Table 4 layer-base pressures and temperatures.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from ambiance import Atmosphere

from glasnost.physics import atmosphere

Reference = Callable[..., None]  # the `reference` fixture of tests/validation/conftest.py

US76 = "U.S. Standard Atmosphere 1976 (NOAA-S/T 76-1562)"
R0 = 6356766.0  # m, US76 effective Earth radius for geopotential altitude


def _geometric(h_geopotential: float) -> float:
    return R0 * h_geopotential / (R0 - h_geopotential)


def test_against_ambiance_dense_grid(reference: Reference) -> None:
    z = np.linspace(-5_000.0, 80_000.0, 8_501)  # every 10 m
    ref = Atmosphere(z)
    rho, sound = atmosphere.properties(z)
    rel_rho = np.abs(rho / ref.density - 1.0)
    rel_sound = np.abs(sound / ref.speed_of_sound - 1.0)
    i, j = int(np.argmax(rel_rho)), int(np.argmax(rel_sound))
    source = "ambiance 1.3 (ICAO 1993 = US76 below 80 km)"
    reference(  # relative 1e-5 (brief); both implement the same layered equations
        f"density vs ambiance, worst on -5..80 km (at {z[i]:.0f} m)",
        rho[i],
        ref.density[i],
        1e-5,
        source,
        unit="kg/m^3",
        relative=True,
    )
    reference(  # relative 1e-6 (brief)
        f"speed of sound vs ambiance, worst on -5..80 km (at {z[j]:.0f} m)",
        sound[j],
        ref.speed_of_sound[j],
        1e-6,
        source,
        unit="m/s",
        relative=True,
    )


# Table I (geometric altitude): density and speed of sound as printed; the tolerance is half a
# unit in the last printed digit (plus nothing: our values must round to the printed ones).
TABLE_I = [
    # (geometric altitude m, density kg/m^3, half-ulp, speed of sound m/s, half-ulp)
    (0.0, 1.2250, 5e-5, 340.29, 5e-3),
    (20_000.0, 8.8910e-2, 5e-7, 295.07, 5e-3),
    (86_000.0, 6.958e-6, 5e-10, 274.10, 5e-3),
]


def test_against_us76_table_i(reference: Reference) -> None:
    for z, rho_ref, rho_tol, a_ref, a_tol in TABLE_I:
        rho, sound = atmosphere.properties(z)
        src = f"{US76}, Table I at Z = {z / 1000:g} km"
        reference(f"US76 density at {z / 1000:g} km", rho, rho_ref, rho_tol, src, unit="kg/m^3")
        reference(f"US76 speed of sound at {z / 1000:g} km", sound, a_ref, a_tol, src, unit="m/s")


# Table 4: layer bases in geopotential altitude with molecular temperature and pressure.
TABLE_4 = [
    (0.0, 288.15, 101325.0),
    (11_000.0, 216.65, 22632.06),
    (20_000.0, 216.65, 5474.889),
    (32_000.0, 228.65, 868.0187),
    (47_000.0, 270.65, 110.9063),
    (51_000.0, 270.65, 66.93887),
    (71_000.0, 214.65, 3.956420),
]
R_US76 = 8314.32 / 28.9644  # J/(kg K): R* / M0 as defined in US76


def test_against_us76_table_4_layer_bases(reference: Reference) -> None:
    for h, t_m, p in TABLE_4:
        rho, sound = atmosphere.properties(_geometric(h))
        src = f"{US76}, Table 4: H = {h / 1000:g} km, T_M = {t_m} K, P = {p} Pa; rho = P/(R T_M)"
        reference(  # relative 1e-5: US76 R*/M0 vs ICAO 287.05287 differ by 7e-7 per ln(P0/P)
            f"US76 layer-base density at H = {h / 1000:g} km",
            rho,
            p / (R_US76 * t_m),
            1e-5,
            src,
            unit="kg/m^3",
            relative=True,
        )
        reference(  # relative 1e-6: same gas-constant difference, halved by the square root
            f"US76 layer-base speed of sound at H = {h / 1000:g} km",
            sound,
            np.sqrt(1.4 * R_US76 * t_m),
            1e-6,
            src,
            unit="m/s",
            relative=True,
        )
