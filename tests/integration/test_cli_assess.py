"""``glasnost assess`` from the command line: the default run, JSON, and bad input."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree

import pytest
from typer.testing import CliRunner

from glasnost.cli import app

runner = CliRunner(env={"COLUMNS": "200", "FORCE_COLOR": None})


def test_default_run_prints_the_verdict_and_criteria() -> None:
    result = runner.invoke(app, ["assess"])
    assert result.exit_code == 0, result.output
    assert "THREAT" in result.output  # "NO THREAT" or "THREAT"
    assert "Criteria" in result.output
    assert "closest engagement" in result.output


def test_json_output_parses() -> None:
    result = runner.invoke(app, ["assess", "--json", "--date", "2024-06-01"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["date"] == "2024-06-01"
    assert data["verdict"] in ("threat", "no threat")
    assert data["engagements"]
    assert data["criteria"]
    assert data["capacity"]


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--date", "2025-13-01"], "--date"),
        (["--builtin", "mars"], "--builtin"),
        (["--set", "parties.US.interceptor_sites.nowhere.count=3"], "nowhere"),
        (["--set", "interceptor_types.gbi_3stage.burnout_velocity_kms=12"], "orbital"),
        (["--scenario", "/no/such/file.yaml"], "file.yaml"),
    ],
)
def test_bad_input_is_a_clear_error(args: list[str], needle: str) -> None:
    result = runner.invoke(app, ["assess", *args])
    assert result.exit_code == 2, result.output
    assert needle in " ".join(result.output.split())
    assert "Traceback" not in result.output


def test_geojson_kml_and_html_files_are_written(tmp_path: Path) -> None:
    geo, kml, html = tmp_path / "a.geojson", tmp_path / "a.kml", tmp_path / "a.html"
    result = runner.invoke(
        app,
        ["assess", "--json", "--geojson", str(geo), "--kml", str(kml), "--html", str(html)],
    )
    assert result.exit_code == 0, result.output
    page = html.read_text()
    assert page.count("data:image/png;base64,") >= 4  # a map and a heat map per direction
    assert "<script src" not in page
    data = json.loads(geo.read_text())
    assert data["type"] == "FeatureCollection"
    assert data["features"]
    assert ElementTree.parse(kml).getroot().tag.endswith("kml")


def test_output_into_a_missing_folder_is_refused_before_the_run(tmp_path: Path) -> None:
    result = runner.invoke(app, ["assess", "--kml", str(tmp_path / "no" / "a.kml")])
    assert result.exit_code == 2
    assert "--kml" in " ".join(result.output.split())
