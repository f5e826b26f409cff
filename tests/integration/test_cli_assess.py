"""``glasnost assess`` from the command line: the default run, JSON, and bad input."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
import typer
from typer.testing import CliRunner

from glasnost.cli import app
from glasnost.cli.analysis import THREAT_EXIT

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


def test_piped_run_gates_on_threat_and_reports_progress_per_stage() -> None:
    """As a script sees it: stdout and stderr are pipes. Exit 1 on THREAT with
    --fail-on-threat, a progress line per stage on stderr, whole ids in the tables."""
    glasnost = Path(sys.executable).parent / "glasnost"
    run = subprocess.run(
        [str(glasnost), "assess", "--fail-on-threat"],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "80"},
        check=False,
    )
    assert run.returncode == THREAT_EXIT, run.stderr  # the built-in us-ru verdict is THREAT
    assert "THREAT" in run.stdout
    assert "vandenberg_gbi" in run.stdout  # an id that an 80-column table would cut
    assert "…" not in run.stdout
    stages = [line for line in run.stderr.splitlines() if line.startswith("assessing: ")]
    assert stages[0].startswith("assessing: flying ")
    assert stages[-1].startswith("assessing: done")
    assert len(stages) >= 4


def test_a_process_that_ends_without_teardown_leaves_every_output_whole(tmp_path: Path) -> None:
    """The command's process ends as soon as it returns (no module teardown): the JSON on
    stdout, the CSV tables and the HTML report are complete, and the exit status is the
    command's."""
    glasnost = Path(sys.executable).parent / "glasnost"
    html, tables = tmp_path / "report.html", tmp_path / "tables"
    run = subprocess.run(
        [str(glasnost), "assess", "--json", "--html", str(html), "--csv", str(tables)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["verdict"] in ("threat", "no threat")
    assert html.read_text().rstrip().endswith("</html>")
    with (tables / "sites.csv").open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert {"fort_greely", "moscow_a135"} <= {row["site"] for row in rows}


def test_a_cold_run_loads_the_search_its_second_process_compiled(tmp_path: Path) -> None:
    """On an empty kernel cache the command compiles the engagement search in a second process
    (glasnost.physics.compile_ahead) and loads it from the cache when the assessment needs
    it: Numba's cache log (``NUMBA_DEBUG_CACHE``) of the command's own process shows the
    search loaded and never saved (the child saved it), and the run ends normally."""
    glasnost = Path(sys.executable).parent / "glasnost"
    env = {
        **os.environ,
        "NUMBA_CACHE_DIR": str(tmp_path / "kernels"),
        "NUMBA_DEBUG_CACHE": "1",
        "GLASNOST_COMPILE_AHEAD": "1",
    }
    run = subprocess.run(
        [str(glasnost), "assess", "-q"], env=env, capture_output=True, text=True, check=False
    )
    assert run.returncode == 0, run.stderr
    search = [line for line in run.stdout.splitlines() if "engagement_kernel.search-" in line]
    assert any(line.startswith("[cache] data loaded") for line in search), search
    assert not any("saved" in line for line in search), search


def test_no_threat_exits_0_with_fail_on_threat_and_quiet_prints_nothing(tmp_path: Path) -> None:
    """A slower GBI makes the verdict NO THREAT (every criterion passes): exit 0; --quiet
    prints neither progress nor summary nor the written files."""
    kml, figures, tables = tmp_path / "a.kml", tmp_path / "figures", tmp_path / "tables"
    result = runner.invoke(
        app,
        [
            "assess",
            "--fail-on-threat",
            "--quiet",
            "--set",
            "interceptor_types.gbi_3stage.burnout_velocity_kms=5.0",
            "--kml",
            str(kml),
            "--figures",
            str(figures),
            "--csv",
            str(tables),
            "--layers",
            str(tmp_path / "layers"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert result.output == ""
    assert kml.exists()
    assert sorted(p.name for p in figures.glob("map_*")) == [
        "map_RU_vs_US.pdf",
        "map_RU_vs_US.svg",
        "map_US_vs_RU.pdf",
        "map_US_vs_RU.svg",
    ]
    with (tables / "sites.csv").open(newline="") as fh:
        speeds = {row["site"]: row["burnout_velocity_kms"] for row in csv.DictReader(fh)}
    assert speeds["fort_greely"] == "5.0"  # the --set override reached the tables
    sites = json.loads((tmp_path / "layers" / "interceptor_sites.geojson").read_text())
    assert {f["geometry"]["type"] for f in sites["features"]} == {"Point"}


@pytest.mark.parametrize("option", ["--figures", "--csv", "--layers"])
def test_output_folder_that_is_a_file_is_refused_before_the_run(
    option: str, tmp_path: Path
) -> None:
    (tmp_path / "taken").write_text("")
    result = runner.invoke(app, ["assess", option, str(tmp_path / "taken")])
    assert result.exit_code == 2
    assert "is not a folder" in " ".join(result.output.split())
    missing = runner.invoke(app, ["assess", option, str(tmp_path / "no" / "dir")])
    assert missing.exit_code == 2
    assert "does not exist" in " ".join(missing.output.split())


def _commands(command: Any, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    out = [path]
    for name, sub in getattr(command, "commands", {}).items():
        out += _commands(sub, (*path, name))
    return out


def test_help_shows_no_python_type_placeholders() -> None:
    """Every command's help: flags without ``<bool>``, repeatable options without
    ``<list[...]>``."""
    commands = _commands(typer.main.get_command(app))
    assert ("assess",) in commands
    for path in commands:
        result = runner.invoke(app, [*path, "--help"])
        assert result.exit_code == 0, (path, result.output)
        assert "<bool>" not in result.output, path
        assert "<list[" not in result.output, path
    assess_help = runner.invoke(app, ["assess", "--help"]).output
    assert "PATH=VALUE" in assess_help
    assert "--fail-on-threat" in assess_help
