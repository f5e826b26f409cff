"""Loading scenario files with precise errors, writing them back, and --set overrides."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from glasnost.scenario.loading import (
    ScenarioError,
    apply_overrides,
    load_scenario,
    scenario_to_yaml,
    validate_scenario,
)
from glasnost.scenario.models import Scenario


def write_yaml(path: Path, data: Any) -> Path:
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def line_of(path: Path, text: str, occurrence: int = 1) -> int:
    """1-based line of the n-th line of the file containing text."""
    hits = [n for n, line in enumerate(path.read_text().splitlines(), 1) if text in line]
    return hits[occurrence - 1]


def load_error(path: Path) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert isinstance(info.value, ValueError)
    return info.value


# --- loading ------------------------------------------------------------------------------------


def test_load_yaml_and_json(tmp_path: Path, minimal: dict[str, Any]) -> None:
    from_yaml = load_scenario(write_yaml(tmp_path / "s.yaml", minimal))
    (tmp_path / "s.json").write_text(json.dumps(minimal))
    from_json = load_scenario(tmp_path / "s.json")
    assert from_yaml == from_json == Scenario.model_validate(minimal)
    assert load_scenario(str(write_yaml(tmp_path / "s.yml", minimal))) == from_yaml


def test_negative_count(tmp_path: Path, minimal: dict[str, Any]) -> None:
    minimal["parties"][1]["interceptor_sites"][0]["count"] = -4
    path = write_yaml(tmp_path / "scenario.yaml", minimal)
    err = load_error(path)
    line = line_of(path, "count: -4")
    assert str(err) == (
        f"{path}: parties[1].interceptor_sites[0].count: must be >= 0, got -4 (line {line})"
    )
    assert err.origin == str(path)
    assert [(i.path, i.line) for i in err.issues] == [
        ("parties[1].interceptor_sites[0].count", line)
    ]


def test_unknown_interceptor_reference(tmp_path: Path, minimal: dict[str, Any]) -> None:
    minimal["parties"][0]["interceptor_sites"][1]["interceptor"] = "sm3"
    path = write_yaml(tmp_path / "scenario.yaml", minimal)
    assert str(load_error(path)) == (
        f"{path}: parties[0].interceptor_sites[1].interceptor: unknown interceptor type 'sm3'; "
        f"known: abm, gbi (line {line_of(path, 'interceptor: sm3')})"
    )


def test_duplicate_id(tmp_path: Path, minimal: dict[str, Any]) -> None:
    minimal["parties"][0]["launch_bases"][0]["id"] = "kozelsk"
    path = write_yaml(tmp_path / "scenario.yaml", minimal)
    assert str(load_error(path)) == (
        f"{path}: parties[1].launch_bases[0].id: duplicate launch base id 'kozelsk' "
        f"(also parties[0].launch_bases[0]) (line {line_of(path, 'id: kozelsk', 2)})"
    )


def test_latitude_95(tmp_path: Path, minimal: dict[str, Any]) -> None:
    minimal["parties"][0]["radars"][0]["lat_deg"] = 95
    path = write_yaml(tmp_path / "scenario.yaml", minimal)
    assert str(load_error(path)) == (
        f"{path}: parties[0].radars[0].lat_deg: must be <= 90, got 95 "
        f"(line {line_of(path, 'lat_deg: 95')})"
    )


def test_several_errors_one_line_each(tmp_path: Path, minimal: dict[str, Any]) -> None:
    minimal["parties"][0]["radars"][0]["lat_deg"] = 95
    minimal["parties"][1]["interceptor_sites"][0]["count"] = -1
    del minimal["parties"][1]["name"]
    err = load_error(write_yaml(tmp_path / "s.yaml", minimal))
    lines = str(err).splitlines()
    assert len(lines) == len(err.issues) == 3
    assert {i.path for i in err.issues} == {
        "parties[0].radars[0].lat_deg",
        "parties[1].name",
        "parties[1].interceptor_sites[0].count",
    }
    assert f"{tmp_path / 's.yaml'}: parties[1].name: required field missing (line " in str(err)


def test_bad_yaml_gives_the_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("name: x\nparties:\n  - id: US\n    name: United States\n   bad: indent\n")
    message = str(load_error(path))
    assert message.startswith(f"{path}: invalid YAML at line 5, column 4: ")


def test_duplicate_yaml_key(tmp_path: Path, minimal: dict[str, Any]) -> None:
    path = write_yaml(tmp_path / "s.yaml", minimal)
    path.write_text(path.read_text().replace("name: mini\n", "name: mini\nname: maxi\n"))
    assert str(load_error(path)) == (
        f"{path}: invalid YAML at line 2, column 1: duplicate key 'name' (first at line 1)"
    )


def test_unknown_top_level_key(tmp_path: Path, minimal: dict[str, Any]) -> None:
    minimal["planet"] = "mars"
    path = write_yaml(tmp_path / "s.yaml", minimal)
    assert str(load_error(path)) == (
        f"{path}: planet: unknown field; valid fields: name, description, earth, date, "
        "missile_types, interceptor_types, parties, assessment, assumptions, sources, uncertainty "
        f"(line {line_of(path, 'planet: mars')})"
    )


def test_unknown_nested_key_lists_the_fields_there(tmp_path: Path, minimal: dict[str, Any]) -> None:
    minimal["parties"][0]["space_based_infrared"]["delay_s"] = 60
    err = load_error(write_yaml(tmp_path / "s.yaml", minimal))
    assert err.issues[0].path == "parties[0].space_based_infrared.delay_s"
    assert err.issues[0].message == (
        "unknown field; valid fields: detection_delay_s, fire_control, basis, assumed_fields, "
        "sources, note"
    )


def test_wrong_types_are_explained(tmp_path: Path, minimal: dict[str, Any]) -> None:
    minimal["parties"][0]["interceptor_sites"][0]["count"] = "forty"
    minimal["date"] = "yesterday"
    minimal["earth"] = "flat"
    err = load_error(write_yaml(tmp_path / "s.yaml", minimal))
    by_path = {i.path: i.message for i in err.issues}
    assert by_path["earth"] == "must be 'wgs84' or 'sphere', got 'flat'"
    assert by_path["parties[0].interceptor_sites[0].count"].startswith("must be a valid integer")
    assert by_path["parties[0].interceptor_sites[0].count"].endswith(", got 'forty'")
    assert by_path["date"].startswith("must be a valid date")


def test_unknown_file_type(tmp_path: Path) -> None:
    path = tmp_path / "scenario.toml"
    path.write_text("name = 'x'\n")
    assert str(load_error(path)) == f"{path}: unknown file type '.toml'; use .yaml, .yml or .json"


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.yaml"
    assert str(load_error(path)) == f"{path}: no such file"


def test_directory_and_binary(tmp_path: Path) -> None:
    folder = tmp_path / "dir.yaml"
    folder.mkdir()
    assert "is a directory" in str(load_error(folder))
    binary = tmp_path / "bin.yaml"
    binary.write_bytes(b"\xff\xfe\x00name")
    assert "not UTF-8" in str(load_error(binary))


def test_empty_and_non_mapping_documents(tmp_path: Path) -> None:
    empty = tmp_path / "empty.yaml"
    empty.write_text("# nothing\n")
    assert str(load_error(empty)) == (
        f"{empty}: expected a mapping of scenario fields, got an empty document"
    )
    listing = tmp_path / "list.json"
    listing.write_text("[1, 2]")
    assert (
        str(load_error(listing)) == f"{listing}: expected a mapping of scenario fields, got a list"
    )


def test_bad_json_gives_the_line(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    path.write_text('{\n  "name": "x",\n  "parties": [,]\n}')
    assert str(load_error(path)) == (f"{path}: invalid JSON at line 3, column 15: Expecting value")


def test_json_errors_have_paths(tmp_path: Path, minimal: dict[str, Any]) -> None:
    minimal["parties"][1]["interceptor_sites"][0]["count"] = -1
    path = tmp_path / "s.json"
    path.write_text(json.dumps(minimal, indent=1))
    assert str(load_error(path)) == (
        f"{path}: parties[1].interceptor_sites[0].count: must be >= 0, got -1"
    )


def test_validate_scenario_names_its_origin(minimal: dict[str, Any]) -> None:
    minimal["parties"][0]["targets"][0]["lon_deg"] = 200
    with pytest.raises(ScenarioError, match=r"^request: parties\[0\]\.targets\[0\]\.lon_deg: "):
        validate_scenario(minimal, origin="request")


def test_yaml_round_trip(tmp_path: Path, minimal: dict[str, Any]) -> None:
    scenario = Scenario.model_validate(minimal)
    text = scenario_to_yaml(scenario, header="first line\nsecond line")
    assert text.startswith("# first line\n# second line\nname: mini\n")
    path = tmp_path / "out.yaml"
    path.write_text(text)
    assert load_scenario(path) == scenario
    assert "in_service_from: 2030-01-01" in text  # dates stay dates
    assert "max_range_km" in text
    assert "alt_m: 0.0" in text
    assert "in_service_until: null" not in text  # unset optional fields are left out


# --- overrides ----------------------------------------------------------------------------------


@pytest.fixture
def scenario(minimal: dict[str, Any]) -> Scenario:
    return Scenario.model_validate(minimal)


def test_override_by_id(scenario: Scenario) -> None:
    out = apply_overrides(
        scenario,
        [
            "interceptor_types.gbi.burnout_velocity_kms=5.5",
            "assessment.decision_delay_s=30",
            "parties.US.interceptor_sites.greely.count=64",
            "parties.RU.launch_bases.kozelsk.warheads_per_missile=null",
            "assessment.launch_on_remote=false",
            "date=2031-01-01",
        ],
    )
    assert out.interceptor_type("gbi").burnout_velocity_kms == 5.5
    assert out.assessment.decision_delay_s == 30.0
    assert out.party("US").interceptor_sites[0].count == 64
    assert out.party("RU").launch_bases[0].warheads_per_missile is None
    assert out.warheads_per_missile(out.party("RU").launch_bases[0]) == 4
    assert out.assessment.launch_on_remote is False
    assert out.date == dt.date(2031, 1, 1)
    assert scenario.party("US").interceptor_sites[0].count == 40  # the input is unchanged


def test_override_by_index_and_lists(scenario: Scenario) -> None:
    out = apply_overrides(
        scenario,
        [
            "parties.1.interceptor_sites.0.count=10",
            "parties.0.targets.-1.name=Seattle, WA",
            "assessment.dyads=[[RU, US]]",
            "parties.US.interceptor_sites.greely.sources=[]",
        ],
    )
    assert out.party("RU").interceptor_sites[0].count == 10
    assert out.party("US").targets[1].name == "Seattle, WA"
    assert out.assessment.dyads == (("RU", "US"),)
    assert out.party("US").interceptor_sites[0].sources == ()


def test_no_overrides_is_the_same_scenario(scenario: Scenario) -> None:
    assert apply_overrides(scenario, []) is scenario


@pytest.mark.parametrize(
    ("assignment", "message"),
    [
        (
            "assessment.decision_delay=30",
            "--set assessment.decision_delay=30: no key 'decision_delay' at assessment; valid: "
            "dyads, decision_delay_s, shots_per_warhead, shoot_look_shoot_assessment_s, "
            "launch_on_remote, launch_delay_s, interceptor_model, trajectory_shape, "
            "threat_shapes, lofted_apogee_km, lofted_fpa_deg, depressed_apogee_km, "
            "depressed_fpa_deg, sample_step_s, criteria, basis, assumed_fields, sources, note",
        ),
        (
            "parties.CN.name=China",
            "--set parties.CN.name=China: no item 'CN' in parties; valid: ids US, RU or an "
            "index 0-1",
        ),
        (
            "interceptor_types.9.name=x",
            "--set interceptor_types.9.name=x: no item '9' in interceptor_types; valid: ids gbi, "
            "abm or an index 0-1",
        ),
        (
            "planet=mars",
            "--set planet=mars: no key 'planet' at the top level; valid: name, description, earth, "
            "date, missile_types, interceptor_types, parties, assessment, assumptions, sources, "
            "uncertainty",
        ),
        (
            "name.first=x",
            "--set name.first=x: name is a value ('mini'), it has no 'first'",
        ),
        ("assessment.decision_delay_s", "--set assessment.decision_delay_s: expected PATH=VALUE"),
    ],
)
def test_unknown_override_path(scenario: Scenario, assignment: str, message: str) -> None:
    with pytest.raises(ScenarioError) as info:
        apply_overrides(scenario, [assignment])
    assert str(info.value) == message


def test_override_is_validated_again(scenario: Scenario) -> None:
    with pytest.raises(ScenarioError) as info:
        apply_overrides(
            scenario,
            ["parties.US.interceptor_sites.greely.count=-1", "interceptor_types.abm.id=abm2"],
        )
    # Field errors come first: the broken reference is reported once the count is fixed.
    assert str(info.value) == (
        "--set parties.US.interceptor_sites.greely.count=-1 interceptor_types.abm.id=abm2: "
        "parties[0].interceptor_sites[0].count: must be >= 0, got -1"
    )
    with pytest.raises(ScenarioError) as info:
        apply_overrides(scenario, ["interceptor_types.abm.id=abm2"])
    assert str(info.value) == (
        "--set interceptor_types.abm.id=abm2: parties[1].interceptor_sites[0].interceptor: "
        "unknown interceptor type 'abm'; known: abm2, gbi"
    )


def test_override_value_must_be_yaml(scenario: Scenario) -> None:
    with pytest.raises(ScenarioError, match=r"^--set name=\[x: value is not valid YAML"):
        apply_overrides(scenario, ["name=[x"])
