"""``glasnost assess`` from the command line: the default run, JSON, and bad input."""

from __future__ import annotations

import json

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
