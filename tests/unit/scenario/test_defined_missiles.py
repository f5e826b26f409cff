"""Scenario-defined missile types (``MissileTypeRef.definition``) and third parties
(``Party.declared_against``): derived stacks, precise errors, the shared derivation."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from glasnost.physics.constants import SPHERE
from glasnost.physics.max_range import max_range
from glasnost.physics.vehicle import stack
from glasnost.scenario.derive import (
    PAYLOAD_BRACKET,
    TEMPLATES,
    DerivationError,
    StackFigures,
    build_vehicle,
    default_template,
    derive_stack,
    derive_stacks,
    max_ranges_m,
)
from glasnost.scenario.loading import ScenarioError, load_scenario
from glasnost.scenario.missile_types import MissileDefinition
from glasnost.scenario.missiles import catalog
from glasnost.scenario.models import Scenario
from tests.unit.scenario.test_models import errors_of, only_error

SEJJIL: dict[str, Any] = {
    "name": "Sejjil-2",
    "country": "IR",
    "role": "mrbm",
    "propellant": "solid",
    "stage_count": 2,
    "range_km": 2000,
    "launch_mass_kg": 23600,
    "length_m": 17.6,
    "diameter_m": 1.25,
    "basis": "assumed",
    "assumed_fields": ["launch_mass_kg"],
    "sources": ["mda"],
}


@pytest.fixture
def defined(minimal: dict[str, Any]) -> dict[str, Any]:
    """The minimal scenario with a third party IR flying a defined missile type."""
    data = copy.deepcopy(minimal)
    data["missile_types"].append(
        {
            "id": "sejjil_2",
            "warheads": 1,
            "rcs_booster_m2": 10,
            "rcs_reentry_vehicle_m2": 0.05,
            "definition": copy.deepcopy(SEJJIL),
        }
    )
    data["parties"].append(
        {
            "id": "IR",
            "name": "Iran",
            "launch_bases": [
                {
                    "id": "semnan",
                    "name": "Semnan",
                    "kind": "mobile",
                    "lat_deg": 35.2,
                    "lon_deg": 53.9,
                    "missile": "sejjil_2",
                    "launchers": 6,
                }
            ],
        }
    )
    data["parties"][0]["declared_against"] = ["IR"]
    return data


def definition(data: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = data["missile_types"][-1]["definition"]
    return result


# --- a defined type -----------------------------------------------------------------------------


def test_defined_type_gives_a_derived_missile(defined: dict[str, Any]) -> None:
    s = Scenario.model_validate(defined)
    ref = s.missile_type("sejjil_2")
    assert "sejjil_2" not in catalog()
    m = ref.missile()
    assert m is ref.missile()  # cached: every route of an assessment asks for it
    assert (m.id, m.name, m.country, m.role, m.propellant) == (
        "sejjil_2",
        "Sejjil-2",
        "IR",
        "mrbm",
        "solid",
    )
    assert m.basis == "derived"
    assert m.confidence is None
    assert m.derivation is not None
    assert m.derivation.template == "solid_mrbm_2"
    assert m.published.range_km == 2000
    assert m.published.throw_weight_kg is None
    assert m.assumed_fields == ("launch_mass_kg",)
    assert m.launch_mass_kg == pytest.approx(23600, abs=0.3)  # three masses rounded to 0.1 kg
    assert len(m.stages) == 2
    assert m.derivation_note is not None
    assert m.derivation_note.startswith("Defined in the scenario (figures: basis assumed, ")
    assert "fitted payload" in m.derivation_note
    assert "(published 2000 km)" in m.derivation_note
    assert m.vehicle().burn_time_s == sum(TEMPLATES["solid_mrbm_2"].burn_time_s)


def test_the_derived_stack_reaches_the_defined_range() -> None:
    f = StackFigures("solid_mrbm_2", 23600.0, 2000.0, 1.25)
    derived = derive_stack(f)
    v = derived.vehicle("sejjil")
    # Flown by the physics' own max_range (golden section), not the fit's grid search.
    got = max_range(stack([v]), [0.0], [0.0], [0.0], earth=SPHERE).trajectory.ground_range_m()
    # The written stack is rounded (0.1 kg, 0.01 s, 1 mm): a few metres of range.
    assert got[0] / 1e3 == pytest.approx(2000.0, abs=0.5)
    assert derived.flown_range_km == pytest.approx(2000.0, abs=1e-3)


def test_throw_weight_fits_the_specific_impulses(defined: dict[str, Any]) -> None:
    d = definition(defined)
    d.update(propellant="liquid", stage_count=1, payload_kg=1500, launch_mass_kg=22000)
    d["diameter_m"] = 1.5
    m = Scenario.model_validate(defined).missile_type("sejjil_2").missile()
    assert m.payload_kg == 1500
    assert m.published.throw_weight_kg == 1500
    assert m.derivation is not None
    assert m.derivation.template == "liquid_mrbm_1"
    assert m.derivation_note is not None
    assert "fitted Isp factor" in m.derivation_note
    factor = m.stages[0].isp_vac_s / TEMPLATES["liquid_mrbm_1"].isp_vac_s[0]
    assert 0.8 < factor < 1.2


def test_an_assumed_range_is_called_assumed(defined: dict[str, Any]) -> None:
    definition(defined)["assumed_fields"] = ["range_km"]
    m = Scenario.model_validate(defined).missile_type("sejjil_2").missile()
    assert m.derivation_note is not None
    assert "(assumed 2000 km)" in m.derivation_note


def test_default_templates() -> None:
    assert default_template("solid", 3) == "solid_icbm_3"
    assert default_template("solid", 3, slbm=True) == "solid_slbm_3"
    assert default_template("liquid", 2, slbm=True) == "liquid_icbm_2"  # no liquid SLBM-2
    assert default_template("solid", 1) is None
    for name, t in TEMPLATES.items():
        assert len(set(map(len, (t.mass_split, t.isp_vac_s, t.burn_time_s)))) == 1, name
        assert sum(t.mass_split) == pytest.approx(1.0), name


# --- precise errors ----------------------------------------------------------------------------


def test_a_defined_type_needs_an_id_outside_the_catalog(defined: dict[str, Any]) -> None:
    defined["missile_types"][-1]["id"] = "rs24_yars"
    defined["parties"][-1]["launch_bases"][0]["missile"] = "rs24_yars"
    errs = errors_of(defined)
    assert (
        "missile_types[2].id",
        "'rs24_yars' is a catalog missile; a defined missile needs an id the catalog does not use",
    ) in errs


def test_an_unknown_id_without_definition(defined: dict[str, Any]) -> None:
    del defined["missile_types"][-1]["definition"]
    loc, msg = only_error(defined)
    assert loc == "missile_types[2].id"
    assert msg.startswith("unknown missile 'sejjil_2'; known: ")
    assert msg.endswith("(or define it with `definition`)")


@pytest.mark.parametrize(
    ("change", "loc", "reason"),
    [
        ({"range_km": 14000}, "range_km", "14,000 km is out of reach: a 23,600 kg solid_mrbm_2"),
        ({"range_km": 300}, "range_km", "300 km is too short for a 23,600 kg solid_mrbm_2"),
        ({"range_km": 25000}, "range_km", "25000 km is beyond the 19,000 km"),
        ({"payload_kg": 700}, "range_km", "2,000 km is too short: a 23,600 kg solid_mrbm_2"),
        ({"payload_kg": 20000}, "payload_kg", "20000 kg must be positive and below half"),
        ({"stage_count": 4}, "stage_count", "no stage template for a solid 4-stage missile"),
        ({"template": "solid_icbm_3"}, "template", "template 'solid_icbm_3' is a solid 3-stage"),
        ({"template": "scud"}, "template", "unknown template; templates: solid_icbm_3"),
        ({"range_km": -5}, "range_km", "Input should be greater than 0"),
        ({"role": "sram"}, "role", "Input should be 'icbm', 'slbm', 'irbm' or 'mrbm'"),
        ({"assumed_fields": ["warheads"]}, "assumed_fields", "unknown field 'warheads'"),
    ],
)
def test_impossible_figures_name_the_field(
    defined: dict[str, Any], change: dict[str, Any], loc: str, reason: str
) -> None:
    definition(defined).update(change)
    got_loc, msg = only_error(defined)
    assert got_loc == f"missile_types[2].definition.{loc}"
    assert msg.startswith(reason), msg


def test_out_of_reach_says_how_far_the_stack_goes(defined: dict[str, Any]) -> None:
    definition(defined)["range_km"] = 14000
    _, msg = only_error(defined)
    lo = PAYLOAD_BRACKET[0]
    assert f"even with a payload of {lo:.1%} of its launch mass (118 kg)" in msg


def test_definition_sources_must_exist(defined: dict[str, Any]) -> None:
    definition(defined)["sources"] = ["csis"]
    assert only_error(defined) == (
        "missile_types[2].definition.sources[0]",
        "unknown source 'csis'; define it under the top-level `sources`",
    )


def test_file_errors_give_file_path_and_line(tmp_path: Path, defined: dict[str, Any]) -> None:
    definition(defined)["range_km"] = 14000
    path = tmp_path / "scenario.yaml"
    path.write_text(yaml.safe_dump(defined, sort_keys=False), encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    line = next(
        n for n, text in enumerate(path.read_text().splitlines(), 1) if "range_km: 14000" in text
    )
    text = str(info.value)
    assert text.startswith(f"{path}: missile_types[2].definition.range_km: 14,000 km is out of ")
    assert text.endswith(f"(line {line})")


def test_derivation_error_names_the_figure() -> None:
    with pytest.raises(DerivationError) as info:
        derive_stacks([StackFigures("liquid_icbm_2", 80000.0, 30000.0, 2.4)])
    assert info.value.field == "range_km"
    with pytest.raises(DerivationError, match="template: unknown template 'x'"):
        derive_stacks([StackFigures("x", 80000.0, 3000.0, 2.4)])


# --- the fit -----------------------------------------------------------------------------------


def test_batched_max_range_agrees_with_the_physics_max_range() -> None:
    f = StackFigures("solid_icbm_3", 45815.0, 11000.0, 2.0)
    # Ranges of 11,000, 7,060 and 5,210 km. Near the antipode (a 900 kg payload flies 19,200
    # km) the maximum range turns on hundredths of a degree of kick and the two differ by 1 km.
    vehicles = [build_vehicle(f, p, 1.0) for p in (1222.0, 1800.0, 2400.0)]
    ours = max_ranges_m(vehicles)
    n = len(vehicles)
    zeros = np.zeros(n)
    ref = max_range(stack(vehicles), zeros, zeros, zeros, earth=SPHERE)
    # Both pick the kick that maximises the vacuum reach (a grid and a parabola here, golden
    # section there) and fly it with drag: the ranges agree to metres.
    np.testing.assert_allclose(ours, ref.trajectory.ground_range_m(), rtol=1e-6)


def test_orbital_candidates_are_beyond_any_range() -> None:
    f = StackFigures("liquid_icbm_2", 87000.0, 11000.0, 2.4)
    assert np.isinf(max_ranges_m([build_vehicle(f, 0.005 * 87000.0, 1.0)]))[0]


# --- third parties -----------------------------------------------------------------------------


def test_third_party_is_in_no_dyad(defined: dict[str, Any]) -> None:
    s = Scenario.model_validate(defined)
    assert s.party("US").declared_against == ("IR",)
    assert s.party("RU").declared_against == ()
    # The dyad both ways, then the declared threat one way.
    assert [(a.id, d.id) for a, d in s.directions()] == [("US", "RU"), ("RU", "US"), ("IR", "US")]
    assert s.on(s.date).party("US").declared_against == ("IR",)


@pytest.mark.parametrize(
    ("declared", "loc", "message"),
    [
        (["XX"], "parties[0].declared_against[0]", "unknown party 'XX'; known: IR, RU"),
        (["US"], "parties[0].declared_against[0]", "a party cannot declare its defenses against "),
        (["IR", "IR"], "parties[0].declared_against[1]", "'IR' is listed twice"),
        (["ir!"], "parties[0].declared_against[0]", "String should match pattern"),
    ],
)
def test_declared_against_must_name_other_parties(
    defined: dict[str, Any], declared: list[str], loc: str, message: str
) -> None:
    defined["parties"][0]["declared_against"] = declared
    got_loc, msg = only_error(defined)
    assert got_loc == loc
    assert msg.startswith(message), msg


def test_definition_alone_validates() -> None:
    d = MissileDefinition.model_validate(SEJJIL)
    assert d.resolved_template() == "solid_mrbm_2"
    assert d.basis_of("launch_mass_kg") == "assumed"
    assert d.basis_of("range_km") == "published"
