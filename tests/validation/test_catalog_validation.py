"""Validation of the missile catalog against published performance (validation README §3).

Validation (independent references):

* Minuteman III (stages published as flyout-model inputs): maximum range on a non-rotating
  sphere against the published 9,656 km (5,218 nmi, AFGSC-based report; catalog
  reference.yaml), speed at the 100 km reentry interface against "around 15,000 mph"
  (reference.yaml has no burnout speed), boost duration against the National Research Council
  (2012) figure for solid-propellant ICBMs.
* The burnout speeds flown leave gravity and drag losses in the typical band.

Consistency checks (``kind="fitted"`` or ``"consistency"``: they confirm the catalog does what
its inputs say, they validate nothing):

* Derived stacks (``basis: derived``): scripts/derive_missile_stacks.py scales a template to the
  launch mass and fits the payload (or an Isp factor) so that the maximum range equals the
  published one; the template burn times were chosen to give the NRC boost durations. Launch
  mass, maximum range (re-flown here in one batched ``max_range``) and boost duration of these
  stacks are therefore fitted values.
* Trident II D5: its payload (1,140 kg) was chosen so that the stack reaches the published
  12,000 km.
* The runtime derivation (glasnost.scenario.derive, ``method="batched"``, which scenario-defined
  missile types use) re-fitted from each derived missile's figures gives the catalog's stack:
  the same templates and fit, its kick found on grids instead of by max_range's golden section.
* The catalog keeps the ids, names and published figures of ../shared/catalog/reference.yaml.
* Rocket equation: ``Vehicle.ideal_delta_v_ms`` against a sum computed here from the stage
  masses.

Published figures are taken at their printed precision; a round figure ("around 15,000 mph",
"approximately 6,000 miles") is taken to two significant figures, a band ("about 170-180 s")
with its ends rounded to their last digit.

Every maximum range is flown from the equator along azimuth 0 (on the non-rotating sphere the
direction does not matter), full burn, best kick, reentry with drag (``max_range``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import yaml
from numpy.typing import NDArray

from glasnost.physics.constants import OMEGA_EARTH, R_EQUATOR, SPHERE, WGS84
from glasnost.physics.max_range import max_range
from glasnost.physics.vehicle import stack
from glasnost.scenario.derive import StackFigures, derive_stacks
from glasnost.scenario.missiles import MissileType, catalog
from tests.validation.sources import MILE_KM, MM3_RANGE, MM3_SPEED, MPH

Reference = Callable[..., None]  # the `reference` fixture of tests/validation/conftest.py
FloatArray = NDArray[np.float64]

G0_STANDARD = 9.80665  # m/s^2, standard gravity of the rocket equation (README §3)
REFERENCE_YAML = Path(__file__).parents[3] / "shared" / "catalog" / "reference.yaml"

NRC_2012 = (
    "NRC 2012, Making Sense of Ballistic Missile Defense: boost about 170-180 s (solid ICBMs), "
    "240-250 s (liquid ICBMs)"
)
BBC_TRIDENT = "BBC News, Trident missile factfile: D5 range 12,000 km"
TSIOLKOVSKY = "rocket equation dv = sum g0 Isp ln(m0/mf), g0 = 9.80665 (validation README §3)"
LOSSES = (
    "typical ICBM gravity + drag losses about 1-2 km/s (Sutton & Biblarz, Rocket Propulsion "
    "Elements; Wertz & Larson, Space Mission Analysis and Design); band 0.5-2.5 km/s"
)

NRC_BOOST_S = {"solid": 175.0, "liquid": 245.0}  # midpoints of NRC 2012's 170-180 / 240-250 s
NRC_HALF_BAND_S = 5.0  # half-width of the printed bands
DERIVED_FIT = "scripts/derive_missile_stacks.py"


@dataclass(frozen=True)
class Flown:
    """Maximum-range flights of every catalog missile (rows in catalog order)."""

    ids: tuple[str, ...]
    range_m: FloatArray
    burnout_speed_ms: FloatArray  # inertial
    reentry_speed_ms: FloatArray  # inertial, at the 100 km interface
    boost_s: FloatArray

    def row(self, missile_id: str) -> int:
        return self.ids.index(missile_id)


def fly_max_range(earth_name: str) -> Flown:
    ids = tuple(catalog())
    n = len(ids)
    vehicles = stack([catalog()[i].vehicle() for i in ids])
    if earth_name == "sphere":
        res = max_range(vehicles, np.zeros(n), np.zeros(n), np.zeros(n), earth=SPHERE)
    else:  # rotating WGS84, eastward from the equator: the most the rotation can give
        res = max_range(vehicles, np.zeros(n), np.zeros(n), np.full(n, 90.0), earth=WGS84)
    traj = res.trajectory
    _, v_interface = traj.state_at(traj.reentry_s)
    return Flown(
        ids,
        traj.ground_range_m(),
        np.linalg.norm(traj.burnout_v, axis=-1),
        np.linalg.norm(v_interface, axis=-1),
        traj.burnout_s,
    )


@pytest.fixture(scope="module")
def sphere() -> Flown:
    return fly_max_range("sphere")


@pytest.fixture(scope="module")
def rotating_east() -> Flown:
    return fly_max_range("wgs84")


# -- Minuteman III: published performance ---------------------------------------------------


def test_minuteman_iii_max_range(sphere: Flown, reference: Reference) -> None:
    ours_km = sphere.range_m[sphere.row("minuteman_iii")] / 1e3
    # "Approximately 6,000 miles" to two significant figures: 6,000 +- 50 mi = 9,656 +- 80 km;
    # the 5,218 nmi printed beside it (6,005 mi, 9,664 km) lies inside. The source does not
    # state the payload, direction or Earth rotation: flown north-east from Montana on the
    # rotating Earth the same stack goes 7 % further (test_trajectory_validation).
    reference(  # +-50 mi = +-80.5 km: "approximately 6,000 miles" to 2 significant figures
        "Minuteman III max range, non-rotating sphere",
        ours_km,
        6000.0 * MILE_KM,
        50.0 * MILE_KM,
        MM3_RANGE,
        unit="km",
        kind="published",
        basis="'approximately 6,000 miles' taken to 2 significant figures: +-50 mi (80 km); the "
        "5,218 nmi beside it (9,664 km) lies inside",
    )


def test_minuteman_iii_reentry_speed(sphere: Flown, reference: Reference) -> None:
    # reference.yaml has burnout_speed_km_s: null: the published speed is at reentry (100 km).
    ours = sphere.reentry_speed_ms[sphere.row("minuteman_iii")] / 1e3
    # The catalog flies the light end of README §3's payload band (900 kg), and the source
    # states no payload: the light end must fly at least as fast as published, to the
    # figure's precision. (Both ends of the band bracket the figure in
    # test_trajectory_validation; on the sphere, 15,000 mph alone would reach only 7,590 km,
    # short of the published range: BMW ch. 6 minimum energy.)
    reference(  # +-500 mph: "around 15,000 mph" to 2 significant figures
        "Minuteman III speed at 100 km, max range, light end of the payload band: at least "
        "the published speed",
        ours,
        15000.0 * MPH / 1e3,
        500.0 * MPH / 1e3,
        MM3_SPEED,
        unit="km/s",
        relation=">=",
        kind="published",
        basis="payload not stated: the band's light end flies at least as fast, to the "
        "figure's 2 significant figures (+-500 mph)",
    )


def test_icbm_boost_durations(sphere: Flown, reference: Reference) -> None:
    icbms = [m for m in catalog().values() if m.role == "icbm"]
    assert any(m.id == "minuteman_iii" for m in icbms)
    for m in icbms:
        ours = sphere.boost_s[sphere.row(m.id)]
        assert ours == pytest.approx(m.vehicle().burn_time_s)  # full burn: the stages' sum
        if m.basis == "derived":
            # The templates' burn times were chosen to give these durations: a fitted value,
            # checked against the band the templates aimed at.
            reference(  # the printed band itself, +-5 s around its midpoint
                f"{m.id} boost duration ({m.propellant}), template burn times",
                ours,
                NRC_BOOST_S[m.propellant],
                NRC_HALF_BAND_S,
                f"template burn times of {DERIVED_FIT} chosen to give {NRC_2012}",
                unit="s",
                kind="fitted",
                basis="the band the template burn times were chosen to fall in (+-5 s)",
            )
            continue
        # No source in the catalog gives this missile's own boost duration: its stage burn
        # times are flyout-model inputs (Minuteman III: 61 + 66 + 61 = 188 s). NRC 2012's
        # "about 170-180 s" describes the class, not this missile, and the stage sum lies 8 s
        # beyond it: the row states the deviation and counts as no validation.
        reference(  # the stage sum against the stages' own inputs, to 1 s (integration step)
            f"{m.id} boost duration ({m.propellant}): the sum of its stage burn times",
            ours,
            sum(stage.burn_time_s for stage in m.vehicle().stages),
            1.0,
            f"the catalog's stage burn times; class band for comparison: {NRC_2012}",
            unit="s",
            kind="consistency",
            basis="the code against its own stage inputs; NRC's class band (170-180 s) is "
            f"exceeded by {ours - 180.0:.0f} s: no published duration for this missile",
        )


# -- derived stacks and Trident II D5 --------------------------------------------------------


def _derived() -> list[MissileType]:
    return [m for m in catalog().values() if m.basis == "derived"]


def test_derived_launch_mass(reference: Reference) -> None:
    derived = _derived()
    assert len(derived) >= 5
    for m in derived:
        assert m.derivation is not None
        stated = m.derivation.launch_mass_kg or m.published.launch_mass_kg
        assert stated is not None, m.id
        source = (
            f"{m.id} derivation launch mass (assumption, missiles.yaml)"
            if m.derivation.launch_mass_kg
            else f"{m.id} published launch mass ({', '.join(m.sources)})"
        )
        ours = m.vehicle().launch_mass_kg
        reference(  # 0.2 kg: at most 4 written masses, each rounded to 0.1 kg
            f"{m.id} launch mass",
            ours,
            stated,
            0.2,
            f"{source}; the stack is scaled to it by {DERIVED_FIT}",
            unit="kg",
            kind="fitted",
            basis="the generator writes at most 4 masses (stages, payload), each rounded to 0.1 kg",
        )


def test_derived_max_range(sphere: Flown, reference: Reference) -> None:
    for m in _derived():
        assert m.published.range_km is not None, m.id
        ours_km = sphere.range_m[sphere.row(m.id)] / 1e3
        # The fit itself converges to < 3e-6; the stack is then written rounded (payload and
        # masses to 0.1 kg, Isp to 0.01 s, diameters to 1 mm). At ~11 km of range per kg of
        # payload and ~1 km per mm of diameter that moves the range by up to 8e-5 (measured by
        # re-running the fit without the rounding).
        reference(  # 1e-4 relative: the rounding of the written stack (comment above)
            f"{m.id} max range, non-rotating sphere",
            ours_km,
            m.published.range_km,
            1e-4,
            f"{m.id} published range ({', '.join(m.sources)}); {m.derivation_note or DERIVED_FIT}",
            unit="km",
            relative=True,
            kind="fitted",
            basis="fit converged to < 3e-6, then the stack is written rounded (0.1 kg, 0.01 s of "
            "Isp, 1 mm): up to 8e-5 of range",
        )


def test_trident_ii_d5_range(sphere: Flown, reference: Reference) -> None:
    d5 = catalog()["trident_ii_d5"]
    ours_km = sphere.range_m[sphere.row("trident_ii_d5")] / 1e3
    # The payload (1,140 kg, given to 10 kg) was chosen so that the stack reaches 12,000 km:
    # the fit is good to the range that +-5 kg of payload makes, measured here.
    step_kg = 5.0
    pair = stack([d5.vehicle(d5.payload_kg - step_kg), d5.vehicle(d5.payload_kg + step_kg)])
    zeros = np.zeros(2)
    lighter, heavier = max_range(
        pair, zeros, zeros, zeros, earth=SPHERE
    ).trajectory.ground_range_m()
    resolution_km = 0.5 * (lighter - heavier) / 1e3
    assert 10.0 < resolution_km < 200.0  # a heavier payload flies shorter (~15 km per kg)
    reference(  # +-5 kg of payload in range: the resolution of the 10 kg payload fit
        "Trident II D5 max range with catalog payload, non-rotating sphere",
        ours_km,
        12000.0,
        resolution_km,
        f"{BBC_TRIDENT}; payload {d5.payload_kg:g} kg chosen so that the stack reaches it "
        "(missiles.yaml)",
        unit="km",
        kind="fitted",
        basis=f"the payload is given to 10 kg: +-5 kg moves the range +-{resolution_km:.0f} km",
    )


NEAR_ANTIPODE_KM = 15_000.0
"""Above this range the maximum range is within a few thousand km of the antipode, where it turns
on hundredths of a degree of pitch-over kick (rs28_sarmat, 18,000 km: 46 km of range per kg of
payload); there the batched fit's grid and max_range's golden section pick different kicks and
their payloads differ by kilograms, so such stacks are not compared."""


def test_runtime_derivation_reproduces_the_catalog(reference: Reference) -> None:
    derived = [m for m in _derived() if (m.published.range_km or 0.0) <= NEAR_ANTIPODE_KM]
    assert len(derived) >= 5
    figures = []
    for m in derived:
        assert m.derivation is not None
        launch = m.derivation.launch_mass_kg or m.published.launch_mass_kg
        assert launch is not None
        assert m.published.range_km is not None
        figures.append(
            StackFigures(
                m.derivation.template,
                launch,
                m.published.range_km,
                m.derivation.diameter_m,
                m.published.throw_weight_kg,
            )
        )
    for m, ours in zip(derived, derive_stacks(figures), strict=True):
        fits_isp = m.published.throw_weight_kg is not None
        # What the fit chooses: the payload, or (throw weight published) the first-stage Isp.
        got, expected, unit, step = (
            (ours.stages[0].isp_vac_s, m.stages[0].isp_vac_s, "s", 0.01)
            if fits_isp
            else (ours.payload_kg, m.payload_kg, "kg", 0.1)
        )
        reference(  # one unit of the written rounding (0.1 kg of payload, 0.01 s of Isp)
            f"{m.id} runtime derivation, {'first-stage Isp' if fits_isp else 'payload'}",
            got,
            expected,
            step * (1.0 + 1e-9),  # the unit itself, above float noise of the written decimals
            f"{m.id} stack of missiles_derived.yaml ({DERIVED_FIT}, method max_range)",
            unit=unit,
            kind="consistency",
            basis="the same templates and fit on the same figures; the two kick searches agree "
            "to about a metre of range (1e-4 kg of payload), so the written values may differ "
            "by one rounding unit at most",
        )
        assert len(ours.stages) == len(m.stages)
        for a, b in zip(ours.stages, m.stages, strict=True):
            assert a.gross_mass_kg == pytest.approx(b.gross_mass_kg, abs=0.1 + 1e-9)
            assert a.propellant_mass_kg == pytest.approx(b.propellant_mass_kg, abs=0.1 + 1e-9)
            assert (a.burn_time_s, a.diameter_m) == (b.burn_time_s, b.diameter_m)


# -- the catalog keeps reference.yaml -------------------------------------------------------


def test_catalog_matches_reference_yaml(reference: Reference) -> None:
    if not REFERENCE_YAML.is_file():
        pytest.skip(f"shared catalog not present at {REFERENCE_YAML} (beside the repository)")
    entries = yaml.safe_load(REFERENCE_YAML.read_text("utf-8"))["missiles"]
    ref = {e["id"]: e for e in entries}
    for m in catalog().values():
        assert m.id in ref, f"{m.id} is not in reference.yaml"
        assert m.name == ref[m.id]["name"], m.id
        for field in ("range_km", "launch_mass_kg"):
            ours, expected = getattr(m.published, field), ref[m.id].get(field)
            if expected is None or ours is None:
                assert ours is None, (m.id, field, ours, expected)
                assert expected is None, (m.id, field, ours, expected)
                continue
            reference(  # copied from reference.yaml: exactly equal
                f"{m.id} published {field}",
                ours,
                expected,
                0.0,
                "shared/catalog/reference.yaml (the catalog's copy against the original)",
                unit=field.rsplit("_", 1)[-1],
                kind="consistency",
                basis="a copy: exactly equal",
            )


# -- rocket equation and losses --------------------------------------------------------------


def independent_ideal_delta_v(m: MissileType) -> float:
    """sum_k g0 Isp_k ln(m0_k / mf_k) from the catalog's stage masses (no shroud in the catalog):
    stage k ignites with every stage from k up plus the payload and burns its propellant."""
    total = 0.0
    for k, stage in enumerate(m.stages):
        m0 = m.payload_kg + sum(s.gross_mass_kg for s in m.stages[k:])
        mf = m0 - stage.propellant_mass_kg
        total += G0_STANDARD * stage.isp_vac_s * np.log(m0 / mf)
    return float(total)


def test_ideal_delta_v(reference: Reference) -> None:
    for m in catalog().values():
        reference(  # rocket equation, 1e-14 relative: the same formula, double rounding
            f"{m.id} ideal delta-v",
            m.vehicle().ideal_delta_v_ms(),
            independent_ideal_delta_v(m),
            1e-14,
            TSIOLKOVSKY + ", evaluated here from the catalog's stage masses",
            unit="m/s",
            relative=True,
            kind="consistency",
            basis="the same formula on the same inputs: double rounding (45 units of 2.2e-16)",
        )


@pytest.mark.parametrize("earth_name", ["sphere", "wgs84"])
def test_gravity_and_drag_losses(
    earth_name: str, sphere: Flown, rotating_east: Flown, reference: Reference
) -> None:
    flown = sphere if earth_name == "sphere" else rotating_east
    # On the rotating Earth the launch site already moves east at omega R (465 m/s).
    carried = 0.0 if earth_name == "sphere" else OMEGA_EARTH * R_EQUATOR
    for m in catalog().values():
        available = m.vehicle().ideal_delta_v_ms() + carried
        achieved = flown.burnout_speed_ms[flown.row(m.id)]
        assert achieved < available, m.id  # gravity and drag losses are positive
        reference(  # "about 1-2 km/s" with its ends rounded to 1 km/s: 0.5-2.5 km/s (LOSSES)
            f"{m.id} gravity+drag losses, max range ({earth_name})",
            (available - achieved) / 1e3,
            1.5,
            1.0,
            LOSSES,
            unit="km/s",
            kind="published",
            basis="'about 1-2 km/s' with its ends taken as rounded to the whole km/s: 0.5-2.5",
        )
