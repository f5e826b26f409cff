"""The ``glasnost`` command line, driven in-process with Typer's CliRunner.

The CLI is a thin shell over :mod:`glasnost.demo.missile_flight` and
:mod:`glasnost.demo.trajectories`, so these tests check what it adds: parsing, exit codes, error
messages that name the argument, JSON/CSV output and the human-readable summary. Expensive
invocations are cached in module-scoped fixtures.
"""

from __future__ import annotations

import csv
import json
import math
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from typer.testing import CliRunner

from glasnost import __version__
from glasnost.cli import app

MALMSTROM = "47.5,-111.2"
MOSCOW = "55.75,37.6"
OKHOTSK = "52,150"
SEATTLE = "47.61,-122.33"
MM3_TO_MOSCOW = ["trajectory", "--missile", "minuteman_iii", "--from", MALMSTROM, "--to", MOSCOW]
PUBLISHED_MM3_RANGE_KM = 9656.0  # 6,000 mi

# Unset variables that would make rich emit ANSI codes; a wide terminal avoids most wrapping.
runner = CliRunner(env={"FORCE_COLOR": None, "TTY_COMPATIBLE": None, "COLUMNS": "200"})


def invoke(*args: str) -> Result:
    return runner.invoke(app, list(args))


def flat(text: str) -> str:
    """The output with rich's box drawing removed and whitespace collapsed (undoes wrapping)."""
    return " ".join(re.sub(r"[│╭╮╰╯─┌┐└┘┬┴┼├┤]", " ", text).split())


def ok_json(result: Result) -> Any:
    assert result.exit_code == 0, result.output
    assert result.exception is None
    return json.loads(result.stdout)


def all_finite(value: Any) -> Iterator[float]:
    """Every number in a JSON document (to check that all of them are finite)."""
    if isinstance(value, dict):
        for v in value.values():
            yield from all_finite(v)
    elif isinstance(value, list):
        for v in value:
            yield from all_finite(v)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        yield float(value)


# --- targeted flight: JSON, summary, CSV -------------------------------------------------------


@pytest.fixture(scope="module")
def mm3_json() -> dict[str, Any]:
    data: dict[str, Any] = ok_json(invoke(*MM3_TO_MOSCOW, "--json"))
    return data


@pytest.fixture(scope="module")
def mm3_csv(tmp_path_factory: pytest.TempPathFactory) -> tuple[Result, list[dict[str, str]]]:
    path = tmp_path_factory.mktemp("csv") / "mm3.csv"
    result = invoke(*MM3_TO_MOSCOW, "--csv", str(path))
    assert result.exit_code == 0, result.output
    with path.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    return result, rows


def test_trajectory_json_has_the_documented_fields(mm3_json: dict[str, Any]) -> None:
    for key in ("flight_time_s", "ground_range_km", "apogee_km", "miss_km", "impact", "burnout"):
        assert key in mm3_json
    assert set(mm3_json["impact"]) >= {"lat_deg", "lon_deg"}
    assert set(mm3_json["burnout"]) >= {
        "time_s",
        "altitude_km",
        "speed_kms",
        "flight_path_angle_deg",
    }
    assert mm3_json["missile"] == "minuteman_iii"
    assert mm3_json["shape"] == "min-energy"
    assert all(math.isfinite(x) for x in all_finite(mm3_json))


def test_trajectory_json_hits_the_target(mm3_json: dict[str, Any]) -> None:
    assert 0.0 <= mm3_json["miss_km"] <= 1.0
    assert mm3_json["impact"]["lat_deg"] == pytest.approx(55.75, abs=0.01)
    assert mm3_json["impact"]["lon_deg"] == pytest.approx(37.6, abs=0.01)


def test_trajectory_json_values_are_plausible(mm3_json: dict[str, Any]) -> None:
    assert 20 * 60 <= mm3_json["flight_time_s"] <= 40 * 60
    assert 500 <= mm3_json["apogee_km"] <= 2000
    assert 7000 <= mm3_json["ground_range_km"] <= 9000  # Malmstrom-Moscow is ~8,170 km
    bo = mm3_json["burnout"]
    assert 5.0 <= bo["speed_kms"] <= 8.0
    assert 0 < bo["time_s"] < mm3_json["flight_time_s"]
    assert 50 < bo["altitude_km"] < mm3_json["apogee_km"]
    assert 0 < bo["flight_path_angle_deg"] < 90


def test_trajectory_summary_prints_missile_and_miss(
    mm3_csv: tuple[Result, list[dict[str, str]]],
) -> None:
    # The --csv run also prints the human-readable summary (no --json).
    result, _ = mm3_csv
    out = flat(result.output)
    assert "Minuteman III" in out
    assert re.search(r"miss \d+ m", out), out
    assert "trajectory written to" in out
    assert "Traceback" not in result.output


def test_trajectory_csv_has_one_row_per_second(
    mm3_csv: tuple[Result, list[dict[str, str]]], mm3_json: dict[str, Any]
) -> None:
    _, rows = mm3_csv
    assert set(rows[0]) >= {"t_s", "phase", "lat_deg", "lon_deg", "alt_m"}
    t = [float(r["t_s"]) for r in rows]
    assert t[0] == 0.0
    assert t[:-1] == [float(i) for i in range(len(t) - 1)]
    assert 0 < t[-1] - t[-2] <= 1.0
    assert t[-1] == pytest.approx(mm3_json["flight_time_s"], rel=1e-6)
    assert len(rows) == math.ceil(mm3_json["flight_time_s"]) + 1


def test_trajectory_csv_starts_at_launch_and_ends_at_impact(
    mm3_csv: tuple[Result, list[dict[str, str]]], mm3_json: dict[str, Any]
) -> None:
    _, rows = mm3_csv
    first, last = rows[0], rows[-1]
    assert first["phase"] == "boost"
    assert float(first["lat_deg"]) == pytest.approx(47.5, abs=1e-6)
    assert float(first["lon_deg"]) == pytest.approx(-111.2, abs=1e-6)
    assert last["phase"] in ("reentry", "impacted")
    assert abs(float(last["alt_m"])) < 1.0
    assert float(last["lat_deg"]) == pytest.approx(mm3_json["impact"]["lat_deg"], abs=1e-6)
    assert float(last["lon_deg"]) == pytest.approx(mm3_json["impact"]["lon_deg"], abs=1e-6)
    assert all(math.isfinite(float(v)) for r in rows for k, v in r.items() if k != "phase")


def test_trajectory_csv_phases_in_order(mm3_csv: tuple[Result, list[dict[str, str]]]) -> None:
    _, rows = mm3_csv
    order = ["boost", "coast", "reentry", "impacted"]
    seen = [r["phase"] for r in rows]
    assert set(seen) <= set(order)
    ranks = [order.index(p) for p in seen]
    assert ranks == sorted(ranks)
    assert {"boost", "coast", "reentry"} <= set(seen)


# --- other shapes ------------------------------------------------------------------------------


def test_trajectory_lofted(mm3_json: dict[str, Any]) -> None:
    data = ok_json(invoke(*MM3_TO_MOSCOW, "--shape", "lofted", "--json"))
    assert data["shape"] == "lofted"
    assert data["miss_km"] <= 1.0
    assert data["apogee_km"] > mm3_json["apogee_km"]
    assert data["flight_time_s"] > mm3_json["flight_time_s"]


def test_trajectory_depressed_with_apogee() -> None:
    data = ok_json(
        invoke(
            "trajectory",
            "--missile",
            "r30_bulava",
            "--from",
            OKHOTSK,
            "--to",
            SEATTLE,
            "--shape",
            "depressed",
            "--apogee-km",
            "400",
            "--json",
        )
    )
    assert data["shape"] == "depressed"
    assert data["miss_km"] <= 1.0
    assert data["apogee_km"] == pytest.approx(400.0, rel=0.05)
    assert data["impact"]["lat_deg"] == pytest.approx(47.61, abs=0.01)
    assert data["impact"]["lon_deg"] == pytest.approx(-122.33, abs=0.01)


def test_trajectory_max_range_on_a_sphere() -> None:
    data = ok_json(
        invoke(
            "trajectory",
            "--missile",
            "minuteman_iii",
            "--from",
            MALMSTROM,
            "--shape",
            "max-range",
            "--azimuth-deg",
            "90",
            "--earth",
            "sphere",
            "--json",
        )
    )
    assert data["shape"] == "max-range"
    assert data["earth"] == "sphere"
    assert data["target"] is None
    assert data["miss_km"] is None
    assert data["ground_range_km"] == pytest.approx(PUBLISHED_MM3_RANGE_KM, rel=0.10)


# --- bad input: exit code 2, a message naming the argument, no traceback -----------------------

TRAJ = ["trajectory", "--missile", "minuteman_iii", "--from", MALMSTROM]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        pytest.param(
            ["trajectory", "--missile", "nope", "--from", MALMSTROM, "--to", MOSCOW],
            ["--missile", "nope"],
            id="unknown-missile",
        ),
        pytest.param(
            ["trajectory", "--missile", "minuteman_iii", "--from", "95,0", "--to", MOSCOW],
            ["--from", "95"],
            id="latitude-95",
        ),
        pytest.param([*TRAJ, "--to", "10,181"], ["--to", "181"], id="longitude-181"),
        pytest.param([*TRAJ, "--to", "abc,def"], ["--to", "abc,def"], id="not-numbers"),
        pytest.param([*TRAJ, "--to", "nan,1"], ["--to", "finite"], id="nan"),
        pytest.param([*TRAJ, "--to", "inf,0"], ["--to", "finite"], id="inf"),
        pytest.param([*TRAJ, "--to", "1,2,3"], ["--to", "LAT,LON"], id="three-numbers"),
        pytest.param(
            [*TRAJ, "--to", "30,31"], ["out of reach", "minuteman_iii"], id="out-of-reach"
        ),
        pytest.param(
            [*TRAJ, "--shape", "max-range"], ["--shape", "--azimuth-deg"], id="max-range-no-az"
        ),
        pytest.param(
            [*TRAJ, "--to", MOSCOW, "--shape", "max-range", "--azimuth-deg", "90"],
            ["--shape", "without --to"],
            id="max-range-with-to",
        ),
        pytest.param([*TRAJ, "--shape", "min-energy"], ["--to"], id="min-energy-no-to"),
        pytest.param(
            [*TRAJ, "--to", MOSCOW, "--apogee-km", "900"],
            ["--shape", "apogee"],
            id="apogee-with-min-energy",
        ),
        pytest.param(
            [*TRAJ, "--to", MOSCOW, "--shape", "lofted", "--apogee-km", "nan"],
            ["--apogee-km", "finite"],
            id="apogee-nan",
        ),
        pytest.param(
            [*TRAJ, "--to", MOSCOW, "--shape", "lofted", "--apogee-km", "900", "--fpa-deg", "30"],
            ["--apogee-km", "not both"],
            id="apogee-and-fpa",
        ),
        pytest.param(
            [*TRAJ, "--shape", "max-range", "--azimuth-deg", "inf"],
            ["--azimuth-deg", "finite"],
            id="azimuth-inf",
        ),
        pytest.param([*TRAJ, "--to", MOSCOW, "--earth", "mars"], ["--earth", "mars"], id="mars"),
        pytest.param(
            [*TRAJ, "--to", MOSCOW, "--shape", "zigzag"], ["--shape", "zigzag"], id="zigzag"
        ),
    ],
)
def test_bad_input_is_a_usage_error(args: list[str], expected: list[str]) -> None:
    result = invoke(*args)
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    out = flat(result.output)
    for text in expected:
        assert text in out, out


def test_csv_into_missing_directory_is_a_usage_error(tmp_path: Path) -> None:
    target = tmp_path / "no" / "such" / "dir" / "out.csv"
    result = invoke(*MM3_TO_MOSCOW, "--csv", str(target))
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    out = flat(result.output)
    assert "--csv" in out
    assert "does not exist" in out
    assert not target.exists()


# --- missiles, demo, version -------------------------------------------------------------------


def test_missiles_json_lists_the_catalog() -> None:
    rows = ok_json(invoke("missiles", "--json"))
    by_id = {r["id"]: r for r in rows}
    assert len(rows) == 11
    assert len(by_id) == 11
    assert by_id["minuteman_iii"]["basis"] == "published"
    assert by_id["rs24_yars"]["basis"] == "derived"
    for r in rows:
        assert r["published_range_km"] > 0
        assert r["launch_mass_kg"] > 0
        assert r["stages"] >= 1


def test_missiles_table() -> None:
    result = invoke("missiles")
    assert result.exit_code == 0, result.output
    assert "minuteman_iii" in result.output
    assert "rs24_yars" in result.output


def test_demo_json_every_flight_on_target() -> None:
    rows = ok_json(invoke("demo", "--json"))
    assert rows
    for r in rows:
        assert r["reachable"], r
        assert 0.0 <= r["miss_m"] < 1000.0, r
        assert all(math.isfinite(x) for x in all_finite(r))


def test_demo_prints_a_table() -> None:
    result = invoke("demo")
    assert result.exit_code == 0, result.output
    assert result.exception is None
    out = flat(result.output)
    assert "Demonstration trajectories" in out
    assert "minuteman_iii" in out
    assert "miss m" in out


def test_version() -> None:
    result = invoke("--version")
    assert result.exit_code == 0, result.output
    assert __version__ in result.output
    assert result.output.strip() == f"glasnost {__version__}"


def test_no_arguments_shows_help() -> None:
    result = invoke()
    assert "trajectory" in result.output
    assert "Traceback" not in result.output


def test_azimuth_is_refused_for_aimed_shapes() -> None:
    result = runner.invoke(
        app,
        [
            "trajectory",
            "--missile",
            "minuteman_iii",
            "--from",
            "47.5,-111.2",
            "--to",
            "55.75,37.6",
            "--azimuth-deg",
            "90",
        ],
    )
    assert result.exit_code == 2
    assert "--azimuth-deg" in result.output
    assert "Traceback" not in result.output


def test_target_at_the_launch_point_is_refused() -> None:
    result = runner.invoke(
        app,
        [
            "trajectory",
            "--missile",
            "minuteman_iii",
            "--from",
            "47.5,-111.2",
            "--to",
            "47.5,-111.2",
        ],
    )
    assert result.exit_code == 2
    assert "launch point" in " ".join(result.output.split())
