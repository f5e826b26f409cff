"""``glasnost scenario schema | validate | show``, driven in-process."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import Result
from typer.testing import CliRunner

from glasnost.cli import app
from glasnost.scenario.builtin import builtin_scenario, example_yaml

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "us-ru.yaml"

runner = CliRunner(env={"FORCE_COLOR": None, "TTY_COMPATIBLE": None, "COLUMNS": "200"})


def invoke(*args: str) -> Result:
    return runner.invoke(app, list(args))


def flat(text: str) -> str:
    return " ".join(re.sub(r"[│╭╮╰╯─┌┐└┘┬┴┼├┤┃┏┓┗┛━┳┻╋┡┩╇]", " ", text).split())


def usage_error(result: Result) -> str:
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    return result.stderr


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    text = EXAMPLE.read_text().replace("  count: 40\n", "  count: -40\n", 1)
    assert "count: -40" in text
    path = tmp_path / "broken.yaml"
    path.write_text(text)
    return path


def test_schema_is_json() -> None:
    result = invoke("scenario", "schema")
    assert result.exit_code == 0, result.output
    schema = json.loads(result.stdout)
    assert {"name", "parties", "assessment", "interceptor_types"} <= set(schema["properties"])


def test_validate_ok_prints_one_line() -> None:
    result = invoke("scenario", "validate", str(EXAMPLE))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"ok: {EXAMPLE}: scenario 'us-ru' on 2025-01-01: 2 parties")
    assert f"{builtin_scenario('us-ru').trajectory_count()} trajectories" in lines[0]


def test_validate_json() -> None:
    data = json.loads(invoke("scenario", "validate", str(EXAMPLE), "--json").stdout)
    assert data["valid"] is True
    assert data == {"valid": True, "origin": str(EXAMPLE), "name": "us-ru"} | (
        builtin_scenario("us-ru").counts()
    )


def test_validate_bad_file_is_exit_2_with_the_path(broken: Path) -> None:
    err = usage_error(invoke("scenario", "validate", str(broken)))
    assert re.search(
        rf"error: {re.escape(str(broken))}: parties\[0\]\.interceptor_sites\[0\]\.count: "
        r"must be >= 0, got -40 \(line \d+\)",
        err,
    ), err
    assert len(err.strip().splitlines()) == 1


def test_validate_bad_file_json(broken: Path) -> None:
    result = invoke("scenario", "validate", str(broken), "--json")
    assert result.exit_code == 2
    data = json.loads(result.stdout)
    assert data["exit_code"] == 2
    assert data["error"]["kind"] == "ScenarioError"
    assert data["error"]["where"] == str(broken)
    assert data["error"]["issues"][0]["path"] == "parties[0].interceptor_sites[0].count"
    assert data["error"]["issues"][0]["line"] > 0


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["scenario", "validate", "missing.yaml"], "missing.yaml: no such file"),
        (["scenario", "validate", "README.md"], "unknown file type '.md'"),
        (
            ["scenario", "validate", str(EXAMPLE), "--set", "parties.US.nope=1"],
            "no key 'nope' at parties.US",
        ),
        (
            ["scenario", "show", "--set", "interceptor_types.thaad.burnout_velocity_kms=8"],
            "interceptor_types[6].burnout_velocity_kms: must be below orbital speed",
        ),
    ],
)
def test_errors_are_exit_2(args: list[str], expected: str) -> None:
    err = usage_error(invoke(*args))
    assert expected in err, err


def test_show_builtin_tables() -> None:
    result = invoke("scenario", "show")
    assert result.exit_code == 0, result.output
    out = flat(result.stdout)
    for text in (
        "Parties",
        "Interceptor sites",
        "fort_greely gbi_3stage land 40",
        "Radars",
        "don2n fire control",
        "Launch bases",
        "malmstrom_341mw silo field minuteman_iii 133",
        "Targets",
        "washington",
        "Dyads: US-RU",
    ):
        assert text in out, text


def test_show_file_with_overrides_and_date() -> None:
    result = invoke(
        "scenario",
        "show",
        str(EXAMPLE),
        "--set",
        "parties.US.interceptor_sites.fort_greely.count=64",
        "--date",
        "2020-01-01",
        "--json",
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    us = data["parties"][0]
    sites = {s["id"]: s for s in us["interceptor_sites"]}
    assert sites["fort_greely"]["count"] == 64
    assert "aegis_ashore_redzikowo" not in sites
    assert data["date"] == "2020-01-01"


def test_show_us_ru_cn_json() -> None:
    data = json.loads(invoke("scenario", "show", "--builtin", "us-ru-cn", "--json").stdout)
    assert [p["id"] for p in data["parties"]] == ["US", "RU", "CN"]


def test_show_yaml_is_the_example_file() -> None:
    result = invoke("scenario", "show", "--builtin", "us-ru", "--yaml")
    assert result.exit_code == 0, result.output
    assert result.stdout == example_yaml("us-ru") == EXAMPLE.read_text()


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--builtin", "us-fr"], "--builtin"),
        ([str(EXAMPLE), "--builtin", "us-ru"], "not both"),
        (["--date", "soon"], "--date"),
        (["--json", "--yaml"], "--yaml"),
    ],
)
def test_show_bad_options(args: list[str], expected: str) -> None:
    result = invoke("scenario", "show", *args)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert expected in flat(result.output)


def test_scenario_help() -> None:
    result = invoke("scenario")
    for command in ("schema", "validate", "show"):
        assert command in result.output
