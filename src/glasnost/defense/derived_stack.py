"""Derived interceptor stacks: a staged vehicle that flies to a declared burnout speed.

Most interceptor types publish a burnout speed and a burn time (or have them assumed), not
stage data. To fly every type as a staged vehicle with gravity and drag
(:mod:`glasnost.defense.flyout`), :func:`derive_interceptor_stack` builds a stack from a stated
template and fits one free parameter -- the method the missile catalog uses for missiles
without published stages (``scripts/derive_missile_stacks.py``, ``basis: derived``):

- Stages: ``stage_count`` solid-propellant stages that share the burn time equally. The stack
  below the payload is split 100 % (one stage), 70/30 % (two), 60/28/12 % (three) or
  55/26/13/6 % (four); each stage is 85 % propellant, with vacuum specific impulses of 270 s
  (first stage), 285 s (second) and 290 s (above), a nozzle exit of half the stage's cross-
  section (back-pressure loss low in the atmosphere) and the slender-body drag curve of
  :data:`glasnost.physics.vehicle.SLENDER_BODY_CD`. These are ASSUMPTIONS, chosen as typical
  of composite-propellant solid motors (the missile catalog's solid templates use 275-300 s
  and 0.87-0.90); no interceptor's stages are published, so none of them is checked against
  a real motor. Vertical rise min(2 s, t1 / 5) and pitch-over
  min(6 s, t1 / 2), t1 the first stage's burn (the staged types' defaults, shortened to fit
  a short first stage).
- Launch mass: the given one (published where known). Otherwise (assumption, stated in the
  derivation) the mass of the body of the given diameter and length at THAAD's bulk density
  (900 kg in 0.34 m x 6.17 m: 1,607 kg/m^3), or -- without dimensions -- the power law through
  THAAD (900 kg at 2.8 km/s) and the three-stage GBI (22,680 kg at 7.5 km/s): published masses
  at the catalog's assumed burnout speeds.
- Diameter: the given one; otherwise from the launch mass at THAAD's bulk density and its
  length-to-diameter ratio (6.17 / 0.34 = 18.1), or the given length.
- Fitted: the payload (the mass that flies on after the last stage: the kill vehicle and
  whatever the template does not hold), by :func:`scipy.optimize.brentq`, so that the best
  burnout speed of :func:`glasnost.defense.flyout.best_burnout_speed` -- the flyout table's own
  definition: best over the fan of kicks that stay above ground, relative to the site, with
  drag -- equals the declared speed within :data:`SPEED_TOLERANCE`. A payload outside 0.5-50 %
  of the launch mass is not a plausible stack: :class:`ValueError`.

Speed. During the fit each candidate flies a small fan (:data:`FIT_KICKS_DEG`, 0 to 90 deg by
15 deg, a parabola through the best kick and its neighbours); a payload grid is flown in one
batch first, so that Brent's method starts from a tight bracket. The table's definition (a
91-kick probe, then a 60-kick fan) checks the result and, where the two differ by more than
0.1 %, moves the fit's target by their ratio (at most :data:`_CORRECTIONS` times). Its fan is
cached, so the flyout table of the derived vehicle does not fly it again.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from glasnost.common.table_cache import cached_arrays, code_version
from glasnost.defense.flyout import best_burnout_speed
from glasnost.physics.constants import SPHERE
from glasnost.physics.rocket import BoostProblem, fly_boost
from glasnost.physics.vehicle import Stage, Vehicle, stack

if TYPE_CHECKING:
    from glasnost.scenario.interceptor_types import InterceptorType

FloatArray = NDArray[np.float64]

__all__ = [
    "DerivedStack",
    "default_stage_count",
    "derive_interceptor_stack",
    "interceptor_stack",
    "interceptor_vehicle",
]

STAGE_MASS_SPLIT: dict[int, tuple[float, ...]] = {
    1: (1.0,),
    2: (0.70, 0.30),
    3: (0.60, 0.28, 0.12),
    4: (0.55, 0.26, 0.13, 0.06),
}
"""Share of the stack below the payload in each stage, bottom up (assumption)."""

PROPELLANT_FRACTION = 0.85
"""Propellant / gross mass of every stage (assumption: a little below the catalog's ICBM
stages, 0.87-0.90, for small high-acceleration motors)."""

ISP_VAC_S = (270.0, 285.0, 290.0, 290.0)
"""Vacuum specific impulse (s) of stages 1, 2, 3, 4 (assumption; composite solids)."""

EXIT_AREA_FRACTION = 0.5
"""Nozzle exit area / stage cross-section (assumption): the back-pressure loss."""

THAAD_MASS_KG, THAAD_LENGTH_M, THAAD_DIAMETER_M = 900.0, 6.17, 0.34
"""THAAD's published launch mass, length and diameter (data/interceptors.yaml)."""

BULK_DENSITY_KG_M3 = THAAD_MASS_KG / (math.pi / 4.0 * THAAD_DIAMETER_M**2 * THAAD_LENGTH_M)
"""Launch mass per volume of the body's cylinder (kg/m^3), THAAD's: about 1,607."""

FINENESS = THAAD_LENGTH_M / THAAD_DIAMETER_M
"""Length / diameter, THAAD's: about 18.1."""

MASS_SPEED_POINTS = ((2800.0, THAAD_MASS_KG), (7500.0, 22680.0))
"""(burnout speed m/s, launch mass kg) of THAAD and the three-stage GBI: published masses at
the catalog's assumed speeds; the power law through them sizes a type known by speed alone."""

SINGLE_STAGE_MAX_MS = 3000.0
"""Default stage count: one stage up to this declared speed (THAAD, 2.8 km/s, is single-stage),
two above."""

PAYLOAD_FRACTION_BOUNDS = (0.005, 0.5)
"""Plausible payload / launch mass of a derived stack (the fitted parameter's bracket)."""

FIT_KICKS_DEG = (0.0, 15.0, 30.0, 45.0, 60.0, 75.0, 90.0)
"""Pitch-over kicks (deg) flown during the fit."""

SPEED_TOLERANCE = 0.003
"""Largest relative difference between the flown and the declared burnout speed."""

_TARGET_TOLERANCE = 0.001
"""Relative difference at which the fit's target is corrected towards the table's speed."""

_CORRECTIONS = 3

_GRID = 9
"""Payload fractions flown in the first batch (log-spaced over the bracket)."""


@dataclass(frozen=True)
class DerivedStack:
    """A derived interceptor stack (SI units) and how it was obtained."""

    vehicle: Vehicle
    burnout_speed_ms: float
    """What the vehicle reaches: :func:`glasnost.defense.flyout.best_burnout_speed`."""
    declared_speed_ms: float
    payload_kg: float
    """The fitted parameter: the mass after the last stage (kg)."""
    launch_mass_kg: float
    diameter_m: float
    ideal_delta_v_ms: float
    """Rocket-equation velocity gain of the stack, without gravity or drag (m/s)."""
    derivation: str
    """What was given, what was assumed, what was fitted to what."""


def default_stage_count(burnout_speed_ms: float) -> int:
    """Stage count of a type that states none: one up to :data:`SINGLE_STAGE_MAX_MS`, else two."""
    return 1 if burnout_speed_ms <= SINGLE_STAGE_MAX_MS else 2


def _mass_from_speed(burnout_speed_ms: float) -> float:
    (v1, m1), (v2, m2) = MASS_SPEED_POINTS
    exponent = math.log(m2 / m1) / math.log(v2 / v1)
    return float(m1 * (burnout_speed_ms / v1) ** exponent)


def _build(
    name: str,
    launch_mass_kg: float,
    payload_kg: float,
    burn_time_s: float,
    stage_count: int,
    diameter_m: float,
) -> Vehicle:
    stack_kg = launch_mass_kg - payload_kg
    burn = burn_time_s / stage_count
    area = EXIT_AREA_FRACTION * math.pi / 4.0 * diameter_m**2
    stages = tuple(
        Stage(
            gross_mass_kg=stack_kg * share,
            propellant_mass_kg=stack_kg * share * PROPELLANT_FRACTION,
            burn_time_s=burn,
            isp_vac_s=ISP_VAC_S[k],
            diameter_m=diameter_m,
            exit_area_m2=area,
        )
        for k, share in enumerate(STAGE_MASS_SPLIT[stage_count])
    )
    return Vehicle(
        name,
        stages,
        payload_kg,
        vertical_rise_s=min(2.0, 0.2 * burn),
        pitch_over_s=min(6.0, 0.5 * burn),
    )


def _fan_speeds(vehicles: list[Vehicle]) -> FloatArray:
    """Best burnout speed (m/s) of each vehicle over the fit's fan of kicks that stay above
    ground: the best kick's speed raised to the vertex of the parabola through it and its
    neighbours (uniform kicks). All vehicles and kicks fly in one batch."""
    kicks = np.radians(FIT_KICKS_DEG)
    n_v, n_k = len(vehicles), kicks.size
    n = n_v * n_k
    problem = BoostProblem(
        stack([v for v in vehicles for _ in range(n_k)]),
        np.zeros(n),
        np.tile(kicks, n_v),
        SPHERE,
    )
    r0 = np.tile([SPHERE.equatorial_radius_m, 0.0, 0.0], (n, 1))
    boost = fly_boost(problem, r0, np.zeros((n, 3)))
    alt = np.linalg.norm(boost.r, axis=-1) - SPHERE.equatorial_radius_m
    above = np.all(alt[:, 1:] > 0.0, axis=1).reshape(n_v, n_k)
    speed = np.where(above, np.linalg.norm(boost.v[:, -1], axis=-1).reshape(n_v, n_k), -np.inf)
    best = np.argmax(speed, axis=1)
    rows = np.arange(n_v)
    out = speed[rows, best]
    inner = (best > 0) & (best < n_k - 1)
    lo = speed[rows, np.maximum(best - 1, 0)]
    hi = speed[rows, np.minimum(best + 1, n_k - 1)]
    ok = inner & np.isfinite(lo) & np.isfinite(hi)
    lo, mid, hi = (np.where(ok, x, 0.0) for x in (lo, out, hi))
    curvature = lo - 2.0 * mid + hi
    bent = ok & (curvature < 0.0)
    lift = (hi - lo) ** 2 / (8.0 * np.where(bent, curvature, -1.0))
    result: FloatArray = np.where(np.isfinite(out), np.where(bent, out - lift, out), np.nan)
    return result


def derive_interceptor_stack(
    name: str,
    burnout_speed_ms: float,
    burn_time_s: float,
    stage_count: int | None = None,
    launch_mass_kg: float | None = None,
    diameter_m: float | None = None,
    length_m: float | None = None,
) -> DerivedStack:
    """The derived stack (module doc) of an interceptor that reaches ``burnout_speed_ms``
    (m/s) after ``burn_time_s`` (s). Cached per arguments.

    ``stage_count`` (1-4; None: :func:`default_stage_count`), ``launch_mass_kg``,
    ``diameter_m`` and ``length_m`` are used where given and otherwise follow the stated
    rules. Raises ValueError when no payload between 0.5 % and 50 % of the launch mass gives
    the declared speed."""
    return _derive(
        name, burnout_speed_ms, burn_time_s, stage_count, launch_mass_kg, diameter_m, length_m
    )


@functools.lru_cache(maxsize=64)
def _derive(
    name: str,
    burnout_speed_ms: float,
    burn_time_s: float,
    stage_count: int | None,
    launch_mass_kg: float | None,
    diameter_m: float | None,
    length_m: float | None,
) -> DerivedStack:
    count = default_stage_count(burnout_speed_ms) if stage_count is None else int(stage_count)
    if count not in STAGE_MASS_SPLIT:
        raise ValueError(f"{name}: stage_count must be 1 to 4, not {stage_count}")
    if not (burnout_speed_ms > 0.0 and burn_time_s > 0.0):
        raise ValueError(f"{name}: the burnout speed and the burn time must be positive")
    notes: list[str] = []
    if launch_mass_kg is not None:
        mass = float(launch_mass_kg)
        notes.append(f"launch mass {mass:,.0f} kg (given)")
    elif diameter_m is not None and length_m is not None:
        mass = BULK_DENSITY_KG_M3 * math.pi / 4.0 * diameter_m**2 * length_m
        notes.append(
            f"launch mass {mass:,.0f} kg (assumed: its {diameter_m:g} m x {length_m:g} m body "
            f"at THAAD's bulk density, {BULK_DENSITY_KG_M3:,.0f} kg/m^3)"
        )
    else:
        mass = _mass_from_speed(burnout_speed_ms)
        notes.append(
            f"launch mass {mass:,.0f} kg (assumed: power law in burnout speed through THAAD "
            "and the three-stage GBI)"
        )
    if diameter_m is not None:
        diameter = float(diameter_m)
        notes.append(f"diameter {diameter:g} m (given)")
    else:
        body = BULK_DENSITY_KG_M3 * math.pi / 4.0
        diameter = (
            math.sqrt(mass / (body * length_m))
            if length_m is not None
            else (mass / (body * FINENESS)) ** (1.0 / 3.0)
        )
        notes.append(f"diameter {diameter:.2f} m (assumed: THAAD's bulk density and shape)")
    burn = burn_time_s / count
    if min(2.0, 0.2 * burn) + min(6.0, 0.5 * burn) >= burn:  # pragma: no cover - cannot happen
        raise ValueError(f"{name}: the first stage is too short for the pitch program")

    def build(payload_kg: float) -> Vehicle:
        return _build(name, mass, payload_kg, burn_time_s, count, diameter)

    fit = cached_arrays(
        "derived-stack",
        repr((name, float(burnout_speed_ms), float(burn_time_s), count, mass, diameter)),
        code_version("glasnost.physics", "glasnost.defense"),
        lambda: _fit(name, mass, count, burn_time_s, float(burnout_speed_ms), build),
    )
    payload, flown = float(fit["payload_kg"]), float(fit["burnout_speed_ms"])
    vehicle = build(payload)
    target = float(burnout_speed_ms)
    ideal = vehicle.ideal_delta_v_ms()
    splits = "/".join(f"{100 * s:.0f}" for s in STAGE_MASS_SPLIT[count])
    derivation = (
        f"Derived stack (basis: derived): {count} solid stage{'s' if count > 1 else ''} of "
        f"{burn:.3g} s{' each' if count > 1 else ''} ({burn_time_s:g} s declared burn), "
        f"stack split {splits} %, propellant "
        f"fraction {PROPELLANT_FRACTION:g}, vacuum Isp "
        f"{'/'.join(f'{i:.0f}' for i in ISP_VAC_S[:count])} s (template: assumptions); "
        f"{', '.join(notes)}. Fitted: payload {payload:,.1f} kg ({payload / mass:.1%} of the "
        f"launch mass) so that the best burnout speed over the pitch-over fan, flown with "
        f"drag, is {flown / 1e3:.3f} km/s (declared {target / 1e3:.3f} km/s); ideal delta-v "
        f"{ideal / 1e3:.2f} km/s."
    )
    return DerivedStack(vehicle, flown, target, payload, mass, diameter, ideal, derivation)


def _fit(
    name: str,
    mass: float,
    count: int,
    burn_time_s: float,
    burnout_speed_ms: float,
    build: Callable[[float], Vehicle],
) -> dict[str, FloatArray]:
    """The fitted payload (kg) of a derived stack and the best burnout speed (m/s) it flies
    (module doc), as 0-d arrays; ValueError where no plausible payload gives the speed."""
    from scipy.optimize import brentq  # only on a miss of the cache (an import of ~0.2 s)

    lo_f, hi_f = PAYLOAD_FRACTION_BOUNDS
    fractions = np.geomspace(lo_f, hi_f, _GRID)
    grid = _fan_speeds([build(mass * f) for f in fractions])
    target = burnout_speed_ms
    if not np.all(np.isfinite(grid)):
        raise ValueError(
            f"{name}: a derived stack of {mass:,.0f} kg cannot lift off (even the vertical "
            "flight hits the ground)"
        )
    if grid[0] < target:
        raise ValueError(
            f"{name}: the declared burnout speed {target / 1e3:.2f} km/s in {burn_time_s:g} s "
            f"is out of reach of a {count}-stage solid stack of {mass:,.0f} kg: with a payload "
            f"of {lo_f:.1%} of the launch mass it burns out at {grid[0] / 1e3:.2f} km/s"
        )
    if grid[-1] > target:
        raise ValueError(
            f"{name}: the declared burnout speed {target / 1e3:.2f} km/s in {burn_time_s:g} s "
            f"is too low for a {count}-stage solid stack of {mass:,.0f} kg: with a payload of "
            f"{hi_f:.0%} of the launch mass it still burns out at {grid[-1] / 1e3:.2f} km/s"
        )

    def fitted(aim: float) -> float:
        """Payload (kg) whose fit-fan speed is ``aim``, by Brent's method in the grid bracket."""
        j = int(np.clip(np.searchsorted(-grid, -aim), 1, _GRID - 1))
        lo, hi = mass * fractions[j - 1], mass * fractions[j]
        if not (grid[j - 1] >= aim >= grid[j]):
            lo, hi = mass * lo_f, mass * hi_f
        return float(
            brentq(
                lambda p: float(_fan_speeds([build(p)])[0]) - aim,
                lo,
                hi,
                xtol=1e-6 * mass,
                rtol=1e-6,
            )
        )

    aim = target
    for _ in range(_CORRECTIONS + 1):
        payload = fitted(aim)
        vehicle = build(payload)
        flown = best_burnout_speed(vehicle)
        if abs(flown / target - 1.0) <= _TARGET_TOLERANCE:
            break
        aim *= target / flown
    if abs(flown / target - 1.0) > SPEED_TOLERANCE:
        raise ValueError(
            f"{name}: the derived stack flies to {flown / 1e3:.3f} km/s, not within "
            f"{SPEED_TOLERANCE:.1%} of the declared {target / 1e3:.3f} km/s"
        )
    return {"payload_kg": np.asarray(payload), "burnout_speed_ms": np.asarray(flown)}


def interceptor_stack(itype: InterceptorType) -> DerivedStack:
    """The derived stack of an interceptor type of the simple model (its burnout velocity,
    burn time and, where given, stage count, launch mass, diameter and length)."""
    if itype.burnout_velocity_kms is None or itype.burn_time_s is None:
        raise ValueError(
            f"interceptor type {itype.id!r}: a derived stack needs burnout_velocity_kms and "
            "burn_time_s"
        )
    return derive_interceptor_stack(
        itype.id,
        itype.burnout_velocity_kms * 1e3,
        float(itype.burn_time_s),
        itype.stage_count,
        itype.launch_mass_kg,
        itype.diameter_m,
        itype.length_m,
    )


def interceptor_vehicle(itype: InterceptorType) -> Vehicle:
    """The vehicle to fly for any interceptor type: its published stages (``model: staged``),
    otherwise its derived stack (:func:`interceptor_stack`)."""
    if itype.model == "staged":
        return itype.vehicle()
    return interceptor_stack(itype).vehicle


def _main() -> None:  # pragma: no cover - a printout for people
    """Print the derived stacks of the built-in interceptor types and the time of each fit
    (``python -m glasnost.defense.derived_stack``)."""
    import time

    from glasnost.scenario.builtin import builtin_scenario

    print(
        f"{'type':14s} {'stages':>6s} {'launch kg':>10s} {'payload kg':>10s} "
        f"{'declared':>9s} {'flown':>9s} {'ideal dv':>9s} {'loss':>6s} {'fit s':>6s}"
    )
    for itype in builtin_scenario("us-ru").interceptor_types:
        start = time.perf_counter()
        d = interceptor_stack(itype)
        took = time.perf_counter() - start
        print(
            f"{itype.id:14s} {len(d.vehicle.stages):6d} {d.launch_mass_kg:10,.0f} "
            f"{d.payload_kg:10,.1f} {d.declared_speed_ms / 1e3:7.3f}km/s "
            f"{d.burnout_speed_ms / 1e3:7.3f}km/s {d.ideal_delta_v_ms / 1e3:7.3f}km/s "
            f"{(d.ideal_delta_v_ms - d.burnout_speed_ms) / 1e3:6.3f} {took:6.3f}"
        )
        print(f"    {d.derivation}")


if __name__ == "__main__":  # pragma: no cover
    _main()
