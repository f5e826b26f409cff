"""The built-in scenarios: valid, built from the packaged catalog, ids kept, assumptions marked."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from glasnost.cli import app
from glasnost.scenario.builtin import (
    BUILTIN_NAMES,
    builtin_scenario,
    builtin_text,
    example_yaml,
    header,
)
from glasnost.scenario.from_catalog import THIRD_PARTIES, build_scenario
from glasnost.scenario.from_catalog.build import (
    ASSUMPTIONS_SOURCE,
    BUILTIN_SOURCE,
    THIRD_PARTIES_SOURCE,
    assumptions_catalog,
    reference_catalog,
    third_parties_catalog,
)
from glasnost.scenario.from_catalog.interceptors import SITE_INTERCEPTORS, SITES_LEFT_OUT
from glasnost.scenario.from_catalog.sensors import RADAR_ROLES, RADARS_LEFT_OUT
from glasnost.scenario.loading import (
    ScenarioError,
    load_scenario,
    scenario_to_yaml,
    validate_scenario,
)
from glasnost.scenario.missiles import catalog, packaged_yaml
from glasnost.scenario.models import Scenario

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = ("us-ru", "us-ru-ir")
SHARED_CATALOG = ROOT.parent / "shared" / "catalog"
DATA = ROOT / "src" / "glasnost" / "scenario" / "data"

REF = reference_catalog()
ASM = assumptions_catalog()
THIRD = third_parties_catalog()
OWN_SOURCES = {ASSUMPTIONS_SOURCE, BUILTIN_SOURCE, THIRD_PARTIES_SOURCE}


@pytest.fixture(scope="module", params=BUILTIN_NAMES)
def scenario(request: pytest.FixtureRequest) -> Scenario:
    return builtin_scenario(request.param)


def reference_ids(section: str) -> set[str]:
    return {e["id"] for e in REF[section]}


def reference_base_ids() -> set[str]:
    out: set[str] = set()
    for entries in REF["offensive_bases"].values():
        if isinstance(entries, list):
            out |= {e["id"] for e in entries}
    return out


def ref_entry(section: str, ident: str) -> dict[str, Any]:
    return next(e for e in REF[section] if e["id"] == ident)


# --- the package data -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("copy", "original"),
    [
        ("catalog_reference.yaml", "reference.yaml"),
        ("catalog_assumptions.yaml", "assumptions.yaml"),
    ],
)
def test_packaged_catalog_is_an_unchanged_copy(copy: str, original: str) -> None:
    if not (SHARED_CATALOG / original).exists():
        pytest.skip("the shared catalog is not next to this checkout")
    assert (DATA / copy).read_bytes() == (SHARED_CATALOG / original).read_bytes()


def test_package_data_globs_include_the_catalog() -> None:
    text = (ROOT / "pyproject.toml").read_text()
    assert '"scenario/data/*.yaml"' in text
    assert '"scenario/data/builtin/*.yaml"' in text


@pytest.mark.parametrize("name", BUILTIN_NAMES)
def test_data_file_is_the_generators_output(name: str) -> None:
    """The shipped file is what scripts/build_builtin_scenarios.py writes, and loads as the
    very scenario the generator builds from the catalog."""
    built = build_scenario(name)
    text = (DATA / "builtin" / f"{name}.yaml").read_text(encoding="utf-8")
    assert text == scenario_to_yaml(built, header=header(name)), (
        "stale: run .venv/bin/python scripts/build_builtin_scenarios.py"
    )
    assert builtin_scenario(name) == built


@pytest.mark.parametrize("name", ["us-ru", "us-ru-ir"])
def test_builtin_option_gives_the_generated_scenario(name: str, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["scenario", "show", "--builtin", name, "--yaml"])
    assert result.exit_code == 0, result.output
    shown = tmp_path / f"{name}.yaml"
    shown.write_text(result.stdout, encoding="utf-8")
    assert load_scenario(shown) == build_scenario(name)


def test_the_generator_script_finds_the_files_current() -> None:
    script = ROOT / "scripts" / "build_builtin_scenarios.py"
    done = subprocess.run(
        [sys.executable, str(script), "--check"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr


# --- validity, counts -----------------------------------------------------------------------------


def test_builtin_is_valid_and_revalidates(scenario: Scenario) -> None:
    assert Scenario.model_validate(scenario.model_dump()) == scenario
    assert scenario.name in BUILTIN_NAMES
    assert scenario.earth == "wgs84"


def test_us_ru_counts() -> None:
    s = builtin_scenario("us-ru")
    assert [p.id for p in s.parties] == ["US", "RU"]
    assert s.assessment.dyads == (("US", "RU"),)
    c = s.counts()
    assert c["interceptor_sites"] == 10
    assert c["radars"] == 25
    assert c["launch_bases"] == 19
    assert c["targets"] == len(ASM["targets"]["US"]) + len(ASM["targets"]["RU"])
    us, ru = s.party("US"), s.party("RU")
    assert c["trajectories"] == (
        len(us.launch_bases) * len(ru.targets) + len(ru.launch_bases) * len(us.targets)
    )
    # New START-era totals (NN 2024): 400 Minuteman III; 2 x 2 SSBNs x 20 tubes; Russia's forces
    assert sum(b.launchers for b in us.launch_bases if b.missile == "minuteman_iii") == 400
    assert sum(b.launchers for b in us.launch_bases if b.missile == "trident_ii_d5") == 80
    assert ru.interceptors == 68


def test_us_ru_cn_adds_china() -> None:
    s = builtin_scenario("us-ru-cn")
    base = builtin_scenario("us-ru")
    assert [p.id for p in s.parties] == ["US", "RU", "CN"]
    assert s.assessment.dyads == (("US", "RU"), ("US", "CN"), ("RU", "CN"))
    assert s.party("US") == base.party("US")
    assert s.party("RU") == base.party("RU")
    cn = s.party("CN")
    assert cn.interceptor_sites == ()
    assert {r.id for r in cn.radars} == {i for i in reference_ids("radars") if i.startswith("cn_")}
    assert {b.id for b in cn.launch_bases} == {"yumen", "hami"}
    assert all(b.basis == "assumed" for b in cn.launch_bases)
    assert all(BUILTIN_SOURCE in t.sources for t in cn.targets)
    assert len(s.directions()) == 6


def test_us_ru_ir_adds_iran_as_a_third_party() -> None:
    s = builtin_scenario("us-ru-ir")
    base = builtin_scenario("us-ru")
    assert [p.id for p in s.parties] == ["US", "RU", "IR"]
    assert s.assessment.dyads == base.assessment.dyads == (("US", "RU"),)  # IR is in no dyad
    assert s.party("RU") == base.party("RU")
    us, ir = s.party("US"), s.party("IR")
    assert us.declared_against == ("IR",)
    assert base.party("US").declared_against == ()
    assert us.interceptor_sites == base.party("US").interceptor_sites
    assert us.radars == base.party("US").radars
    european = [t["id"] for t in THIRD["targets"]["US"]]
    assert [t.id for t in us.targets] == [t.id for t in base.party("US").targets] + european
    assert (ir.interceptor_sites, ir.radars, ir.targets) == ((), (), ())
    assert {b.id for b in ir.launch_bases} == {
        b["id"] for b in THIRD["parties"]["IR"]["launch_bases"]
    }
    defined = [m for m in s.missile_types if m.definition is not None]
    assert {m.id for m in defined} == {"sejjil_2", "khorramshahr_4", "ir_icbm_notional"}
    assert not {m.id for m in defined} & set(catalog())
    for m in defined:
        mt = m.missile()
        assert mt.basis == "derived"
        assert mt.derivation_note is not None
        assert "fitted" in mt.derivation_note
        assert {b.missile for b in ir.launch_bases} >= {m.id}
    notional = s.missile_type("ir_icbm_notional")
    assert notional.definition is not None
    assert "range_km" in notional.definition.assumed_fields
    assert "NOTIONAL" in (notional.definition.note or "")
    assert s.missile_type("khorramshahr_4").missile().payload_kg == 1500  # published
    text = " ".join(s.assumptions)
    for phrase in ("Third party IR", "declared_against", "whitehouse_epaa_2009", "NOTIONAL"):
        assert phrase in text, phrase
    assert "third party" in s.description


def test_third_parties_data_cites_only_its_sources() -> None:
    sources = set(THIRD["sources"])
    cited: set[str] = set()
    for party in THIRD["parties"].values():
        for m in party["missile_types"]:
            cited |= set(m["definition"]["sources"])
        for b in party["launch_bases"]:
            cited |= set(b["sources"])
            assert b["basis"] == "assumed", b["id"]
            assert {"launchers", "warheads_per_missile"} <= set(b["assumed_fields"]), b["id"]
    for d in THIRD["declarations"]:
        cited |= set(d["sources"])
    assert cited == sources  # every citation resolves and every source is cited
    assert not sources & set(REF["sources"])  # no id shadows the catalog's
    s = builtin_scenario("us-ru-ir")
    for ident in sources:
        assert s.sources[ident] == THIRD["sources"][ident]


def test_unknown_builtin() -> None:
    with pytest.raises(ScenarioError, match="unknown built-in scenario; choose one of us-ru"):
        builtin_scenario("us-cn")


# --- catalog ids kept -----------------------------------------------------------------------------


def test_ids_exist_in_the_catalog(scenario: Scenario) -> None:
    sites, radars, bases = (
        reference_ids("interceptor_sites"),
        reference_ids("radars"),
        reference_base_ids() | {p["id"] for p in ASM["patrol_areas"]},
    )
    targets = {t["id"] for entries in ASM["targets"].values() for t in entries}
    declared_threat_targets = {t["id"] for entries in THIRD["targets"].values() for t in entries}
    third = THIRD_PARTIES.get(scenario.name, ())
    for p in scenario.parties:
        assert {s.id for s in p.interceptor_sites} <= sites
        assert {r.id for r in p.radars} <= radars
        if p.id in third:  # third parties: bases of data/third_parties.yaml
            continue
        assert {b.catalog_id or b.id for b in p.launch_bases} <= bases
        if p.id != "CN":
            assert {t.id for t in p.targets} <= targets | (
                declared_threat_targets if third else set()
            )
    assert {t.id for t in scenario.interceptor_types} == {i["id"] for i in ASM["interceptors"]}
    from_catalog = {m.id for m in scenario.missile_types if m.definition is None}
    assert from_catalog <= set(catalog())
    assert from_catalog <= reference_ids("missiles")
    assert all(m.id not in catalog() for m in scenario.missile_types if m.definition is not None)


def test_every_catalog_site_and_radar_is_modelled_or_left_out_with_a_reason() -> None:
    assert set(SITE_INTERCEPTORS) | set(SITES_LEFT_OUT) == reference_ids("interceptor_sites")
    assert not set(SITE_INTERCEPTORS) & set(SITES_LEFT_OUT)
    assert set(RADAR_ROLES) | set(RADARS_LEFT_OUT) == reference_ids("radars")
    s = builtin_scenario("us-ru-cn")
    text = " ".join(s.assumptions)
    for ident in (*SITES_LEFT_OUT, *RADARS_LEFT_OUT):
        assert ident in text
    modelled = {x.id for p in s.parties for x in p.interceptor_sites}
    assert modelled == set(SITE_INTERCEPTORS)


def test_every_forces_entry_becomes_a_base() -> None:
    s = builtin_scenario("us-ru")
    bases = {b.catalog_id or b.id: b for p in s.parties for b in p.launch_bases}
    launchers: dict[str, int] = {}
    for e in ASM["forces"]["launchers"]:
        launchers[e["base"]] = launchers.get(e["base"], 0) + e["launchers"]
    got: dict[str, int] = {}
    for p in s.parties:
        for b in p.launch_bases:
            got[b.catalog_id or b.id] = got.get(b.catalog_id or b.id, 0) + b.launchers
    assert got == launchers
    assert set(bases) == set(launchers)
    teykovo = [b for b in s.party("RU").launch_bases if b.catalog_id == "teykovo"]
    assert {b.missile for b in teykovo} == {"rt2pm2_topol_m", "rs24_yars"}


def test_sites_keep_catalog_facts() -> None:
    us = builtin_scenario("us-ru").party("US")
    greely = next(x for x in us.interceptor_sites if x.id == "fort_greely")
    ref = ref_entry("interceptor_sites", "fort_greely")
    assert (greely.count, greely.lat_deg, greely.lon_deg) == (
        ref["interceptors"],
        ref["lat"],
        ref["lon"],
    )
    assert greely.basis == "published"
    assert greely.interceptor == "gbi_3stage"
    ships = [x for x in us.interceptor_sites if x.basing == "sea"]
    assert {x.id for x in ships} == {"rota_bmd_ships", "yokosuka_bmd_ships", "pearl_harbor"}
    assert all("count" in x.assumed_fields for x in ships)


# --- assumptions marked ----------------------------------------------------------------------


def test_interceptor_values_from_assumptions_are_marked(scenario: Scenario) -> None:
    ref = {e["id"]: e for e in REF["interceptors"]}
    keys = {
        "burnout_velocity_kms": "burnout_velocity_km_s",
        "burn_time_s": "burn_time_s",
        "min_intercept_altitude_km": "min_intercept_altitude_km",
        "max_intercept_altitude_km": "max_altitude_km",
        "max_range_km": "max_range_km",
    }
    for a in ASM["interceptors"]:
        t = scenario.interceptor_type(a["id"])
        for field, ref_key in keys.items():
            published = ref.get(a["id"], {}).get(ref_key)
            value = getattr(t, field)
            if published is not None:
                assert value == published, (t.id, field)
                assert field not in t.assumed_fields
            elif a.get(field) is not None:
                assert value == a[field], (t.id, field)
                assert field in t.assumed_fields, (t.id, field)
                assert t.basis == "assumed"
                assert ASSUMPTIONS_SOURCE in t.sources


def test_coordinates_from_assumptions_are_marked(scenario: Scenario) -> None:
    coords = ASM["coordinates"]
    for p in scenario.parties:
        for entry in (*p.interceptor_sites, *p.launch_bases):
            key = getattr(entry, "catalog_id", None) or entry.id
            if key in coords:
                assert (entry.lat_deg, entry.lon_deg) == (coords[key]["lat"], coords[key]["lon"])
                assert {"lat_deg", "lon_deg"} <= set(entry.assumed_fields), entry.id
        for site in p.interceptor_sites:
            ref = ref_entry("interceptor_sites", site.id)
            if ref["lat"] is not None:
                assert (site.lat_deg, site.lon_deg) == (ref["lat"], ref["lon"])
                assert "lat_deg" not in site.assumed_fields


def test_radars_use_the_reference_cross_section(scenario: Scenario) -> None:
    rcs = ASM["sensors"]["radar_reference_rcs_m2"]
    for p in scenario.parties:
        for r in p.radars:
            ref = ref_entry("radars", r.id)
            assert r.reference_rcs_m2 == rcs
            assert "reference_rcs_m2" in r.assumed_fields
            assert (r.lat_deg, r.lon_deg) == (ref["lat"], ref["lon"])
            assert (r.azimuth_min_deg, r.azimuth_max_deg) == (
                ref["azimuth_min_deg"],
                ref["azimuth_max_deg"],
            )
            if ref["range_max_km"] is not None:
                assert r.range_km == ref["range_max_km"]
            else:
                assert "range_km" in r.assumed_fields
            assert r.role == RADAR_ROLES[r.id]
    roles = {r.id: r.role for p in scenario.parties for r in p.radars}
    assert roles["don2n"] == "fire_control"
    assert roles["voronezh_armavir"] == "early_warning"
    assert roles["tpy2_kurecik"] == "fire_control"


def test_bases_targets_sensors_and_settings_are_marked(scenario: Scenario) -> None:
    forces = ASM["forces"]
    for p in scenario.parties:
        for b in p.launch_bases:
            assert "warheads_per_missile" in b.assumed_fields
            if b.missile in forces["warheads_per_missile"]:
                assert b.warheads_per_missile == forces["warheads_per_missile"][b.missile]
        for t in p.targets:
            assert t.basis == "assumed"
        if p.space_based_infrared is not None:
            delays = {
                e["party"]: e["detection_delay_s"] for e in ASM["sensors"]["space_based_infrared"]
            }
            assert p.space_based_infrared.detection_delay_s == delays[p.id]
            assert p.space_based_infrared.basis == "assumed"
    a, asm = scenario.assessment, ASM["assessment"]
    assert a.basis == "assumed"
    assert (a.decision_delay_s, a.shots_per_warhead, a.shoot_look_shoot_assessment_s) == (
        asm["decision_delay_s"],
        asm["shots_per_warhead"],
        asm["shoot_look_shoot_assessment_s"],
    )
    assert a.launch_on_remote is asm["launch_on_remote"]
    expected = [(c["id"], c["threshold"], "assumed") for c in asm["criteria"]]
    if any(p.declared_against for p in scenario.parties):
        # A scenario with declared threats adds the purpose test, at the fraction threshold.
        fraction = next(c for c in asm["criteria"] if c["id"].endswith("_fraction"))
        expected.append(("purpose", fraction["threshold"], "assumed"))
    assert [(c.id, c.threshold, c.basis) for c in a.criteria] == expected
    rcs = ASM["sensors"]["target_rcs_m2"]
    for m in scenario.missile_types:
        assert (m.rcs_booster_m2, m.rcs_reentry_vehicle_m2) == (
            rcs["booster"],
            rcs["reentry_vehicle"],
        )
        assert m.basis == "assumed"


def test_provenance_is_consistent(scenario: Scenario) -> None:
    """Assumed entries cite an assumption source; published ones cite reference.yaml only."""
    ref_sources = set(REF["sources"])
    for _, entry in scenario._provenance_entries():
        own = OWN_SOURCES & set(entry.sources)
        if entry.basis == "assumed":
            assert own, entry
        else:
            assert entry.basis == "published"
            assert not own, entry
            assert entry.sources
            assert set(entry.sources) <= ref_sources
    for ident, text in scenario.sources.items():
        if ident in REF["sources"]:
            assert text == str(REF["sources"][ident])


def test_assumptions_are_stated(scenario: Scenario) -> None:
    text = " ".join(scenario.assumptions)
    for phrase in (
        "SM-3 Block IIA",
        "pearl_harbor has count 0",
        "don2n",
        "10 m^2",
        "Avangard",
        "teykovo_rt2pm2_topol_m",
        "decision delay 60 s",
    ):
        assert phrase in text, phrase


def test_posture_on_an_earlier_date() -> None:
    s = builtin_scenario("us-ru")
    sites = {x.id for x in s.on(dt.date(2020, 1, 1)).party("US").interceptor_sites}
    assert "aegis_ashore_redzikowo" not in sites
    assert "aegis_ashore_deveselu" in sites
    assert "aegis_ashore_deveselu" not in {
        x.id for x in s.on(dt.date(2016, 5, 11)).party("US").interceptor_sites
    }


# --- the example file ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", EXAMPLES)
def test_example_file_is_the_builtin(name: str) -> None:
    example = ROOT / "examples" / f"{name}.yaml"
    assert example.read_text(encoding="utf-8") == example_yaml(name), (
        "stale: run .venv/bin/python scripts/build_builtin_scenarios.py"
    )
    assert load_scenario(example) == builtin_scenario(name)


@pytest.mark.parametrize("name", BUILTIN_NAMES)
def test_builtin_reads_the_same_with_the_fast_loader(name: str) -> None:
    # builtin_scenario reads its shipped file with libyaml where PyYAML has it; the
    # pure-Python safe loader is the reference.
    reference = validate_scenario(yaml.safe_load(builtin_text(name)), name)
    assert builtin_scenario(name) == reference


def test_packaged_yaml_reads_every_shipped_file_as_the_pure_python_safe_loader_does() -> None:
    # Reference: PyYAML's pure-Python SafeLoader, the loader the fast path replaces.
    data = resources.files("glasnost.scenario").joinpath("data")
    files = [f for f in data.iterdir() if f.name.endswith(".yaml")]
    files += [f for f in data.joinpath("builtin").iterdir() if f.name.endswith(".yaml")]
    assert len(files) >= 9
    for f in files:
        text = f.read_text("utf-8")
        assert packaged_yaml(text) == yaml.load(text, Loader=yaml.SafeLoader), f.name
