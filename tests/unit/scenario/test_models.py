"""The scenario models: field limits, cross-references, provenance, posture on a date, schema."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from pydantic import ValidationError

from glasnost.common.ids import dotted
from glasnost.scenario.interceptor_types import ORBITAL_SPEED_KMS, InterceptorType
from glasnost.scenario.missiles import catalog
from glasnost.scenario.models import Scenario
from glasnost.scenario.posture import Radar


def errors_of(data: dict[str, Any]) -> list[tuple[str, str]]:
    """(dotted path, message) of every validation error of the data."""
    with pytest.raises(ValidationError) as info:
        Scenario.model_validate(data)
    return [(dotted(e["loc"]), e["msg"]) for e in info.value.errors()]


def only_error(data: dict[str, Any]) -> tuple[str, str]:
    errs = errors_of(data)
    assert len(errs) == 1, errs
    return errs[0]


def test_minimal_scenario_is_valid(minimal: dict[str, Any]) -> None:
    s = Scenario.model_validate(minimal)
    assert s.party("US").interceptors == 60
    assert s.counts() == {
        "parties": 2,
        "interceptor_sites": 3,
        "interceptors": 128,
        "radars": 1,
        "launch_bases": 3,
        "launchers": 175,
        "warheads": 133 * 1 + 24 * 3 + 18 * 4,
        "targets": 3,
        "dyads": 1,
        "trajectories": 1 * 1 + 2 * 2,
    }
    assert [(a.id, d.id) for a, d in s.directions()] == [("US", "RU"), ("RU", "US")]
    assert s.earth == "wgs84"
    assert s.assessment.decision_delay_s == 60.0
    assert s.party("US").targets[0].basis == "assumed"  # unlabelled values are assumptions


def test_warheads_default_to_the_missile_type(minimal: dict[str, Any]) -> None:
    s = Scenario.model_validate(minimal)
    kozelsk, teykovo = s.party("RU").launch_bases
    assert s.warheads_per_missile(kozelsk) == 3
    assert s.warheads_per_missile(teykovo) == 4


def test_models_are_frozen(minimal: dict[str, Any]) -> None:
    s = Scenario.model_validate(minimal)
    with pytest.raises(ValidationError):
        s.name = "other"  # type: ignore[misc]
    assert isinstance(s.parties, tuple)


@pytest.mark.parametrize(
    ("path", "value", "where", "message"),
    [
        (("parties", 1, "interceptor_sites", 0, "count"), -1, "count", "greater than or equal"),
        (("parties", 0, "interceptor_sites", 0, "lat_deg"), 95, "lat_deg", "less than or equal"),
        (("parties", 0, "targets", 1, "lon_deg"), -181, "lon_deg", "greater than or equal"),
        (("parties", 0, "radars", 0, "range_km"), 0, "range_km", "greater than 0"),
        (("parties", 0, "launch_bases", 0, "kind"), "silo", "kind", "'silo_field'"),
        (("parties", 0, "space_based_infrared", "detection_delay_s"), -5, "delay", "greater"),
        (("assessment", "shots_per_warhead"), 0, "shots", "greater than or equal to 1"),
        (("assessment", "sample_step_s"), 0, "sample_step_s", "greater than 0"),
        (("earth",), "flat", "earth", "'wgs84' or 'sphere'"),
    ],
)
def test_field_limits(
    minimal: dict[str, Any], path: tuple[Any, ...], value: Any, where: str, message: str
) -> None:
    node: Any = minimal
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    loc, msg = only_error(minimal)
    assert loc == dotted(path)
    assert where in loc
    assert message in msg


def test_not_finite_numbers_are_refused(minimal: dict[str, Any]) -> None:
    minimal["parties"][0]["radars"][0]["range_km"] = float("inf")
    minimal["interceptor_types"][0]["burn_time_s"] = float("nan")
    locs = {loc for loc, _ in errors_of(minimal)}
    assert locs == {"parties[0].radars[0].range_km", "interceptor_types[0].burn_time_s"}


def test_interceptor_faster_than_orbital_is_refused(minimal: dict[str, Any]) -> None:
    minimal["interceptor_types"][0]["burnout_velocity_kms"] = ORBITAL_SPEED_KMS
    assert only_error(minimal) == (
        "interceptor_types[0].burnout_velocity_kms",
        f"must be below orbital speed ({ORBITAL_SPEED_KMS} km/s)",
    )


def test_intercept_band_must_be_ordered(minimal: dict[str, Any]) -> None:
    minimal["interceptor_types"][1]["min_intercept_altitude_km"] = 80
    loc, msg = only_error(minimal)
    assert loc == "interceptor_types[1].min_intercept_altitude_km"
    assert msg == "must be below max_intercept_altitude_km (80)"


def test_radar_limits(minimal: dict[str, Any]) -> None:
    radar = minimal["parties"][0]["radars"][0]
    radar.update(azimuth_max_deg=184, elevation_min_deg=90, range_min_km=6000)
    assert errors_of(minimal) == [
        (
            "parties[0].radars[0].azimuth_max_deg",
            "equals azimuth_min_deg (empty sector); use 0 and 360 for all-round",
        ),
        ("parties[0].radars[0].elevation_min_deg", "must be below elevation_max_deg (85)"),
        ("parties[0].radars[0].range_min_km", "must be below range_km (5556)"),
    ]


def test_radar_sector_width(minimal: dict[str, Any]) -> None:
    data = minimal["parties"][0]["radars"][0]
    assert Radar.model_validate(data).azimuth_width_deg == 240.0
    data.update(azimuth_min_deg=0, azimuth_max_deg=360)
    assert Radar.model_validate(data).azimuth_width_deg == 360.0
    data.update(azimuth_min_deg=40, azimuth_max_deg=160)
    assert Radar.model_validate(data).azimuth_width_deg == 120.0


def test_in_service_window_must_be_ordered(minimal: dict[str, Any]) -> None:
    minimal["parties"][0]["interceptor_sites"][1]["in_service_until"] = "2029-12-31"
    assert only_error(minimal) == (
        "parties[0].interceptor_sites[1].in_service_until",
        "must not be before in_service_from (2030-01-01)",
    )


def test_unknown_interceptor_reference(minimal: dict[str, Any]) -> None:
    minimal["parties"][1]["interceptor_sites"][0]["interceptor"] = "s500"
    assert only_error(minimal) == (
        "parties[1].interceptor_sites[0].interceptor",
        "unknown interceptor type 's500'; known: abm, gbi",
    )


def test_unknown_missile_type_reference(minimal: dict[str, Any]) -> None:
    minimal["parties"][1]["launch_bases"][1]["missile"] = "rt2pm2_topol_m"
    loc, msg = only_error(minimal)
    assert loc == "parties[1].launch_bases[1].missile"
    assert msg == "unknown missile type 'rt2pm2_topol_m'; known: minuteman_iii, rs24_yars"


def test_missile_type_must_be_in_the_catalog(minimal: dict[str, Any]) -> None:
    minimal["missile_types"][0]["id"] = "scud"
    loc, msg = only_error(minimal)
    assert loc == "missile_types[0].id"
    assert msg.startswith("unknown missile 'scud'; known: ")
    assert "minuteman_iii" in msg


def test_missile_type_gives_the_catalog_entry(minimal: dict[str, Any]) -> None:
    s = Scenario.model_validate(minimal)
    assert s.missile_type("rs24_yars").missile() is catalog()["rs24_yars"]


def test_warheads_must_be_given_somewhere(minimal: dict[str, Any]) -> None:
    del minimal["missile_types"][1]["warheads"]
    loc, msg = only_error(minimal)
    assert loc == "parties[1].launch_bases[1].warheads_per_missile"
    assert "missile type 'rs24_yars' gives no default warheads" in msg


@pytest.mark.parametrize(
    ("kind", "first", "second"),
    [
        (
            "interceptor site",
            ("parties", 0, "interceptor_sites", 0),
            ("parties", 1, "interceptor_sites", 0),
        ),
        ("radar", None, None),
        ("launch base", ("parties", 1, "launch_bases", 0), ("parties", 1, "launch_bases", 1)),
        ("target", ("parties", 0, "targets", 0), ("parties", 1, "targets", 0)),
        ("interceptor type", ("interceptor_types", 0), ("interceptor_types", 1)),
        ("party", ("parties", 0), ("parties", 1)),
    ],
)
def test_duplicate_ids(
    minimal: dict[str, Any],
    kind: str,
    first: tuple[Any, ...] | None,
    second: tuple[Any, ...] | None,
) -> None:
    if first is None or second is None:  # radars: copy the US radar to Russia
        radar = dict(minimal["parties"][0]["radars"][0])
        minimal["parties"][1]["radars"] = [radar]
        first, second = ("parties", 0, "radars", 0), ("parties", 1, "radars", 0)
    node: Any = minimal
    for part in first:
        node = node[part]
    ident = node["id"]
    node = minimal
    for part in second:
        node = node[part]
    node["id"] = ident
    # The first error names the duplicate; renaming a type or party also breaks references.
    assert errors_of(minimal)[0] == (
        dotted((*second, "id")),
        f"duplicate {kind} id {ident!r} (also {dotted(first)})",
    )


def test_duplicate_criterion(minimal: dict[str, Any]) -> None:
    criteria = minimal["assessment"]["criteria"]
    criteria.append(dict(criteria[0]))
    assert only_error(minimal)[0] == "assessment.criteria[1].id"


def test_unknown_criterion_and_fraction_limit(minimal: dict[str, Any]) -> None:
    minimal["assessment"]["criteria"][0]["threshold"] = 1.5
    assert only_error(minimal) == ("assessment.criteria[0].threshold", "a fraction must be <= 1")
    minimal["assessment"]["criteria"][0]["id"] = "fastest_interceptor"
    loc, msg = only_error(minimal)
    assert loc == "assessment.criteria[0].id"
    assert "deployed_warheads_defeatable_fraction" in msg


def test_dyads(minimal: dict[str, Any]) -> None:
    minimal["assessment"]["dyads"] = [["US", "CN"], ["RU", "RU"]]
    assert errors_of(minimal) == [
        ("assessment.dyads[0][1]", "unknown party 'CN'; known: RU, US"),
        ("assessment.dyads[1]", "a party cannot face itself ('RU')"),
    ]
    minimal["assessment"]["dyads"] = [["US", "RU"], ["RU", "US"]]
    assert only_error(minimal) == (
        "assessment.dyads[1]",
        "duplicate dyad (also assessment.dyads[0]; each dyad is assessed both ways)",
    )
    minimal["assessment"]["dyads"] = []
    assert only_error(minimal)[0] == "assessment.dyads"


def test_sources_must_be_defined(minimal: dict[str, Any]) -> None:
    minimal["parties"][0]["interceptor_sites"][0]["sources"] = ["mda", "nyt"]
    assert only_error(minimal) == (
        "parties[0].interceptor_sites[0].sources[1]",
        "unknown source 'nyt'; define it under the top-level `sources`",
    )


def test_assumed_fields_must_name_fields_and_match_basis(minimal: dict[str, Any]) -> None:
    site = minimal["parties"][0]["interceptor_sites"][0]
    site["assumed_fields"] = ["count"]
    loc, msg = only_error(minimal)
    assert loc == "parties[0].interceptor_sites[0].assumed_fields"
    assert msg == "lists assumed fields but basis is 'published'"
    site["basis"] = "assumed"
    Scenario.model_validate(minimal)
    site["assumed_fields"] = ["cnt"]
    loc, msg = only_error(minimal)
    assert msg.startswith("unknown field 'cnt'; fields: id, name, interceptor")


def test_ids_must_be_addressable(minimal: dict[str, Any]) -> None:
    minimal["parties"][0]["targets"][0]["id"] = "new.york"
    loc, msg = only_error(minimal)
    assert loc == "parties[0].targets[0].id"
    assert "pattern" in msg


def test_unknown_field_is_refused(minimal: dict[str, Any]) -> None:
    minimal["parties"][0]["interceptor_sites"][0]["speed_kms"] = 7
    assert only_error(minimal) == (
        "parties[0].interceptor_sites[0].speed_kms",
        "Extra inputs are not permitted",
    )


def test_on_date_keeps_what_is_in_service(minimal: dict[str, Any]) -> None:
    s = Scenario.model_validate(minimal)
    early = s.on(dt.date(2024, 12, 31))
    assert early.date == dt.date(2024, 12, 31)
    assert [x.id for x in early.party("US").interceptor_sites] == ["greely"]
    assert [r.id for r in early.party("US").radars] == ["clear"]  # until is inclusive
    later = s.on(dt.date(2025, 1, 1))
    assert later.party("US").radars == ()
    assert [x.id for x in later.party("US").interceptor_sites] == ["greely"]
    planned = s.on(dt.date(2030, 1, 1))  # from is inclusive
    assert [x.id for x in planned.party("US").interceptor_sites] == ["greely", "new_site"]
    assert planned.party("RU") == s.party("RU")
    assert s.party("US").interceptor_sites[1].in_service(dt.date(2031, 6, 1))


def test_lookup_of_unknown_ids(minimal: dict[str, Any]) -> None:
    s = Scenario.model_validate(minimal)
    with pytest.raises(KeyError, match="unknown party 'CN'; known: RU, US"):
        s.party("CN")
    with pytest.raises(KeyError, match="unknown interceptor type"):
        s.interceptor_type("thaad")
    assert s.interceptor_type("abm").max_range_km == 100


def test_json_schema() -> None:
    schema = Scenario.model_json_schema()
    text = json.dumps(schema)
    assert json.loads(text) == schema
    assert schema["type"] == "object"
    assert set(schema["properties"]) == {
        "name",
        "description",
        "earth",
        "date",
        "missile_types",
        "interceptor_types",
        "parties",
        "assessment",
        "assumptions",
        "sources",
        "uncertainty",
    }
    assert set(schema["required"]) == {"name", "parties", "assessment"}
    defs = schema["$defs"]
    assert defs["InterceptorSite"]["additionalProperties"] is False
    assert defs["InterceptorType"]["properties"]["burnout_velocity_kms"]["exclusiveMaximum"] == (
        ORBITAL_SPEED_KMS
    )
    # A defined missile type may use any id: the catalog's ids are examples, not an enum.
    assert defs["MissileTypeRef"]["properties"]["id"]["examples"] == sorted(catalog())
    assert "enum" not in defs["MissileTypeRef"]["properties"]["id"]
    assert defs["MissileDefinition"]["additionalProperties"] is False
    assert defs["Party"]["properties"]["declared_against"]["default"] == []
    lat = defs["Target"]["properties"]["lat_deg"]
    assert (lat["minimum"], lat["maximum"]) == (-90, 90)


def test_interceptor_type_alone() -> None:
    t = InterceptorType(
        id="x",
        name="X",
        burnout_velocity_kms=5.0,
        burn_time_s=60,
        min_intercept_altitude_km=100,
        max_intercept_altitude_km=1000,
    )
    assert t.model == "simple"
    assert t.basis == "assumed"


STAGED: dict[str, Any] = {
    "id": "gbi_staged",
    "name": "GBI-like (illustrative)",
    "model": "staged",
    "stages": [
        {
            "gross_mass_kg": 16380,
            "propellant_mass_kg": 15010,
            "burn_time_s": 68.4,
            "isp_vac_s": 295,
            "diameter_m": 1.27,
        },
        {
            "gross_mass_kg": 4310,
            "propellant_mass_kg": 3920,
            "burn_time_s": 69.7,
            "isp_vac_s": 289,
            "diameter_m": 1.27,
        },
    ],
    "payload_kg": 64,
    "min_intercept_altitude_km": 100,
    "max_intercept_altitude_km": 2000,
}


def test_staged_interceptor_type(minimal: dict[str, Any]) -> None:
    minimal["interceptor_types"].append(STAGED)
    minimal["parties"][0]["interceptor_sites"][0]["interceptor"] = "gbi_staged"
    s = Scenario.model_validate(minimal)
    t = s.interceptor_type("gbi_staged")
    assert t.model == "staged"
    assert t.burnout_velocity_kms is None
    assert t.burn_time_s is None
    veh = t.vehicle()
    assert len(veh.stages) == 2
    assert veh.payload_kg == 64
    assert veh.launch_mass_kg == 16380 + 4310 + 64
    assert veh.burn_time_s == pytest.approx(68.4 + 69.7)
    assert (veh.vertical_rise_s, veh.pitch_over_s) == (2.0, 6.0)
    with pytest.raises(ValueError, match="not a staged vehicle"):
        s.interceptor_type("gbi").vehicle()


@pytest.mark.parametrize(
    ("change", "loc", "message"),
    [
        ({"stages": None}, "stages", "required for a staged interceptor"),
        ({"payload_kg": None}, "payload_kg", "required for a staged interceptor"),
        (
            {"burnout_velocity_kms": 7.5},
            "burnout_velocity_kms",
            "derived from the stages for a staged interceptor; leave it out",
        ),
        (
            {"burn_time_s": 100},
            "burn_time_s",
            "derived from the stages for a staged interceptor; leave it out",
        ),
        (
            {"pitch_over_s": 70},
            "pitch_over_s",
            "must end within the first stage's burn (68.4 s)",
        ),
        ({"stages": []}, "stages", "at least 1 item"),
    ],
)
def test_staged_interceptor_validation(
    minimal: dict[str, Any], change: dict[str, Any], loc: str, message: str
) -> None:
    entry = {k: v for k, v in {**STAGED, **change}.items() if v is not None}
    minimal["interceptor_types"] = [*minimal["interceptor_types"][:1], entry]
    got_loc, msg = only_error(minimal)
    assert got_loc == f"interceptor_types[1].{loc}"
    assert message in msg


def test_staged_stage_masses_must_be_consistent(minimal: dict[str, Any]) -> None:
    entry = json.loads(json.dumps(STAGED))
    entry["stages"][1]["propellant_mass_kg"] = 5000
    minimal["interceptor_types"].append(entry)
    assert only_error(minimal) == (
        "interceptor_types[2].stages[1].propellant_mass_kg",
        "must be below the stage's gross_mass_kg (4310)",
    )


def test_simple_interceptor_needs_its_speed_and_burn(minimal: dict[str, Any]) -> None:
    del minimal["interceptor_types"][1]["burnout_velocity_kms"]
    del minimal["interceptor_types"][1]["burn_time_s"]
    minimal["interceptor_types"][1]["payload_kg"] = 50
    assert sorted(errors_of(minimal)) == [
        ("interceptor_types[1].burn_time_s", "required for a simple interceptor"),
        ("interceptor_types[1].burnout_velocity_kms", "required for a simple interceptor"),
        (
            "interceptor_types[1].payload_kg",
            "only for a staged interceptor (model: staged)",
        ),
    ]


def test_interceptor_vehicle_fields_are_optional() -> None:
    plain = InterceptorType(
        id="x",
        name="X",
        burnout_velocity_kms=3.0,
        burn_time_s=40,
        min_intercept_altitude_km=70,
        max_intercept_altitude_km=500,
    )
    assert (plain.stage_count, plain.launch_mass_kg, plain.diameter_m, plain.length_m) == (
        None,
        None,
        None,
        None,
    )
    sized = plain.model_copy(
        update={"stage_count": 3, "launch_mass_kg": 1500.0, "diameter_m": 0.34, "length_m": 6.55}
    )
    again = InterceptorType.model_validate(sized.model_dump())
    assert (again.stage_count, again.launch_mass_kg, again.diameter_m, again.length_m) == (
        3,
        1500.0,
        0.34,
        6.55,
    )


@pytest.mark.parametrize(
    ("change", "loc", "message"),
    [
        ({"stage_count": 0}, "stage_count", "greater than or equal to 1"),
        ({"stage_count": 5}, "stage_count", "less than or equal to 4"),
        ({"launch_mass_kg": 0}, "launch_mass_kg", "greater than 0"),
        ({"diameter_m": -1}, "diameter_m", "greater than 0"),
        ({"length_m": 0}, "length_m", "greater than 0"),
    ],
)
def test_interceptor_vehicle_field_limits(
    minimal: dict[str, Any], change: dict[str, Any], loc: str, message: str
) -> None:
    minimal["interceptor_types"][1].update(change)
    got_loc, msg = only_error(minimal)
    assert got_loc == f"interceptor_types[1].{loc}"
    assert message in msg


@pytest.mark.parametrize("name", ["stage_count", "launch_mass_kg", "diameter_m"])
def test_staged_interceptor_takes_its_size_from_the_stages(
    minimal: dict[str, Any], name: str
) -> None:
    entry = {**STAGED, name: 2 if name == "stage_count" else 1.0}
    minimal["interceptor_types"].append(entry)
    assert only_error(minimal) == (
        f"interceptor_types[2].{name}",
        "derived from the stages for a staged interceptor; leave it out",
    )
    ok = {**STAGED, "length_m": 16.5}
    minimal["interceptor_types"][2] = ok
    assert Scenario.model_validate(minimal).interceptor_type("gbi_staged").length_m == 16.5


def test_interceptor_vehicle_fields_in_the_schema() -> None:
    props = InterceptorType.model_json_schema()["properties"]
    assert (
        props["stage_count"]["anyOf"][0]["minimum"],
        props["stage_count"]["anyOf"][0]["maximum"],
    ) == (1, 4)
    for name, unit in (("launch_mass_kg", "(kg)"), ("diameter_m", "(m)"), ("length_m", "(m)")):
        assert unit in props[name]["description"]
        assert props[name]["anyOf"][0]["exclusiveMinimum"] == 0
