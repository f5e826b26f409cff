"""Unit tests of glasnost.defense.derived_stack: the fit, the stated rules, the refusals.

The flown burnout speed equalling the declared one is a CONSISTENCY check of the fit (the fit
makes it so), labelled "consistency: fitted"; the physics bounds of the derived stacks are in
tests/validation/test_flyout_validation.py.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from glasnost.defense.derived_stack import (
    BULK_DENSITY_KG_M3,
    FINENESS,
    ISP_VAC_S,
    PAYLOAD_FRACTION_BOUNDS,
    PROPELLANT_FRACTION,
    SPEED_TOLERANCE,
    STAGE_MASS_SPLIT,
    DerivedStack,
    default_stage_count,
    derive_interceptor_stack,
    interceptor_stack,
    interceptor_vehicle,
)
from glasnost.defense.flyout import best_burnout_speed
from glasnost.physics.vehicle import stack
from glasnost.scenario.interceptor_types import InterceptorType

# (declared speed m/s, burn time s, stages, launch mass kg, diameter m): the built-in SM-3 IA
# (catalog figures) and an endo-atmospheric 53T6-like type; the fit is the subject here.
SM3 = (3000.0, 40.0, 3, 1500.0, 0.34)
ENDO = (3000.0, 10.0, 2, 10000.0, 1.0)


@pytest.fixture(scope="module", params=[SM3, ENDO], ids=["sm3", "endo"])
def derived(request: pytest.FixtureRequest) -> tuple[tuple[float, ...], DerivedStack]:
    args = request.param
    return args, derive_interceptor_stack("t", *args)


def test_flown_speed_is_the_declared_one(derived: tuple[tuple[float, ...], DerivedStack]) -> None:
    """consistency: fitted -- the fit's own target, checked with the table's definition."""
    (speed, *_), d = derived
    flown = best_burnout_speed(d.vehicle)
    assert flown == d.burnout_speed_ms
    assert abs(flown / speed - 1.0) <= SPEED_TOLERANCE  # 0.3 %: the fit's stated tolerance


def test_launch_mass_and_burn_time_are_the_given_ones(
    derived: tuple[tuple[float, ...], DerivedStack],
) -> None:
    (_, burn, count, mass, diameter), d = derived
    veh = d.vehicle
    assert veh.launch_mass_kg == pytest.approx(mass, rel=1e-12)
    assert d.launch_mass_kg == mass
    assert veh.burn_time_s == pytest.approx(burn, rel=1e-12)
    assert len(veh.stages) == count
    assert {s.diameter_m for s in veh.stages} == {diameter}
    assert veh.payload_kg == d.payload_kg


def test_the_template_is_applied(derived: tuple[tuple[float, ...], DerivedStack]) -> None:
    (_, burn, count, mass, _), d = derived
    stages = d.vehicle.stages
    below_payload = mass - d.payload_kg
    for k, (stage, share) in enumerate(zip(stages, STAGE_MASS_SPLIT[int(count)], strict=True)):
        assert stage.gross_mass_kg == pytest.approx(share * below_payload, rel=1e-12)
        assert stage.propellant_mass_kg == pytest.approx(
            PROPELLANT_FRACTION * stage.gross_mass_kg, rel=1e-12
        )
        assert stage.isp_vac_s == ISP_VAC_S[k]
        assert stage.burn_time_s == pytest.approx(burn / count, rel=1e-12)
    lo, hi = PAYLOAD_FRACTION_BOUNDS
    assert lo * mass < d.payload_kg < hi * mass
    assert d.ideal_delta_v_ms == d.vehicle.ideal_delta_v_ms()
    assert d.ideal_delta_v_ms > d.burnout_speed_ms


def test_mass_never_rises(derived: tuple[tuple[float, ...], DerivedStack]) -> None:
    _, d = derived
    batch = stack([d.vehicle])
    t = np.linspace(0.0, d.vehicle.burn_time_s + 5.0, 4001)
    edges = batch.burnout_s[0]
    t = np.sort(np.concatenate([t, edges - 1e-9, edges, edges + 1e-9]))
    mass = np.array([batch.mass_kg(np.array([x]))[0] for x in t])
    assert mass[0] == pytest.approx(d.vehicle.launch_mass_kg, rel=1e-12)
    assert np.all(np.diff(mass) <= 1e-9)
    # At each staging the spent stage's inert mass is dropped: a fall, never a rise.
    for k, stage in enumerate(d.vehicle.stages[:-1]):
        before = batch.mass_kg(np.array([edges[k] - 1e-9]))[0]
        after = batch.mass_kg(np.array([edges[k] + 1e-9]))[0]
        inert = stage.gross_mass_kg - stage.propellant_mass_kg
        assert before - after == pytest.approx(inert, rel=1e-6)
    assert mass[-1] == pytest.approx(
        d.payload_kg + d.vehicle.stages[-1].gross_mass_kg - d.vehicle.stages[-1].propellant_mass_kg,
        rel=1e-9,
    )


def test_derivation_says_what_was_given_assumed_and_fitted(
    derived: tuple[tuple[float, ...], DerivedStack],
) -> None:
    _, d = derived
    text = d.derivation
    assert text.startswith("Derived stack (basis: derived)")
    for phrase in ("(given)", "template: assumptions", "Fitted: payload", "declared 3.000 km/s"):
        assert phrase in text


def test_derivation_is_cached() -> None:
    assert derive_interceptor_stack("t", *SM3) is derive_interceptor_stack("t", *SM3)


def test_default_rules() -> None:
    assert default_stage_count(2800.0) == 1
    assert default_stage_count(3000.0) == 1
    assert default_stage_count(3001.0) == 2
    # Launch mass from the dimensions at THAAD's bulk density; diameter from the mass.
    d = derive_interceptor_stack("iia", 4500.0, 50.0, 3, None, 0.533, 6.55)
    body = BULK_DENSITY_KG_M3 * math.pi / 4.0 * 0.533**2 * 6.55
    assert d.launch_mass_kg == pytest.approx(body, rel=1e-12)
    assert "assumed" in d.derivation
    # Without dimensions: the power law through THAAD and the GBI reproduces both points.
    thaad = derive_interceptor_stack("thaad_like", 2800.0, 20.0)
    assert thaad.launch_mass_kg == pytest.approx(900.0, rel=1e-12)
    assert len(thaad.vehicle.stages) == 1
    shape = (4.0 * thaad.launch_mass_kg / (math.pi * BULK_DENSITY_KG_M3 * FINENESS)) ** (1 / 3)
    assert thaad.diameter_m == pytest.approx(shape, rel=1e-12)
    assert thaad.diameter_m == pytest.approx(0.34, rel=1e-3)  # THAAD's own shape


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((7000.0, 10.0, 1, 1000.0, 0.5), "out of reach"),
        ((500.0, 100.0, 3, 22680.0, 1.22), "too low"),
        ((3000.0, 40.0, 5, 1500.0, 0.34), "stage_count must be 1 to 4"),
        ((3000.0, -1.0, 3, 1500.0, 0.34), "must be positive"),
    ],
)
def test_implausible_stacks_are_refused(args: tuple[Any, ...], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        derive_interceptor_stack("bad", *args)


def _simple(**extra: float) -> InterceptorType:
    return InterceptorType(
        id="sm3",
        name="SM-3-like",
        burnout_velocity_kms=3.0,
        burn_time_s=40,
        min_intercept_altitude_km=70,
        max_intercept_altitude_km=500,
        **extra,
    )


def test_interceptor_vehicle_of_any_type() -> None:
    simple = _simple(stage_count=3, launch_mass_kg=1500.0, diameter_m=0.34)
    assert interceptor_stack(simple) is derive_interceptor_stack("sm3", *SM3)
    assert interceptor_vehicle(simple) == interceptor_stack(simple).vehicle
    staged = InterceptorType.model_validate(
        {
            "id": "two",
            "name": "two-stage",
            "model": "staged",
            "stages": [
                {
                    "gross_mass_kg": 3000,
                    "propellant_mass_kg": 2600,
                    "burn_time_s": 30,
                    "isp_vac_s": 270,
                    "diameter_m": 0.8,
                },
            ],
            "payload_kg": 60,
            "min_intercept_altitude_km": 70,
            "max_intercept_altitude_km": 500,
        }
    )
    assert interceptor_vehicle(staged) == staged.vehicle()
    with pytest.raises(ValueError, match="needs burnout_velocity_kms and burn_time_s"):
        interceptor_stack(staged)
