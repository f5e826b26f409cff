"""The public Python API (glasnost.load_scenario, builtin, assess, to_dataframes) and the
notebook-style example in examples/ that the README shows."""

from __future__ import annotations

import re
import runpy
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import glasnost
from glasnost.report.tables import TABLES, assessment_tables
from glasnost.scenario.builtin import builtin_scenario
from glasnost.scenario.loading import ScenarioError
from tests.unit.report import small_assessment

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "assess_in_python.py"


def test_import_glasnost_stays_light() -> None:
    """The API loads on first use: a bare ``import glasnost`` imports no NumPy or pandas."""
    code = "import sys, glasnost; print('numpy' in sys.modules, 'pandas' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_unknown_attribute_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'assses'"):
        _ = glasnost.assses  # type: ignore[attr-defined]


def test_builtin_and_overrides() -> None:
    assert glasnost.builtin() == builtin_scenario("us-ru")
    changed = glasnost.builtin(
        "us-ru", overrides=["interceptor_types.gbi_3stage.burnout_velocity_kms=5"]
    )
    speeds = {t.id: t.burnout_velocity_kms for t in changed.interceptor_types}
    assert speeds["gbi_3stage"] == 5.0
    with pytest.raises(ScenarioError, match="unknown built-in scenario"):
        glasnost.builtin("us-fr")


def test_load_scenario_reads_the_shipped_example_and_names_bad_files(tmp_path: Path) -> None:
    scenario = glasnost.load_scenario(ROOT / "examples" / "us-ru.yaml")
    assert scenario.summary() == builtin_scenario("us-ru").summary()
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: [unclosed\n")
    with pytest.raises(ScenarioError, match=r"bad\.yaml"):
        glasnost.load_scenario(bad)


def test_assess_rejects_a_bad_date() -> None:
    with pytest.raises(ScenarioError, match="'2025-13-45' is not a date"):
        glasnost.assess(glasnost.builtin(), date="2025-13-45")


def test_to_dataframes_holds_the_records() -> None:
    """Every table as a DataFrame with the records' columns and values (None as missing)."""
    result = small_assessment()
    frames = glasnost.to_dataframes(result)
    records = assessment_tables(result)
    assert set(frames) == set(TABLES)
    for name in TABLES:
        frame = frames[name]
        assert isinstance(frame, pd.DataFrame)
        back = frame.astype(object).where(frame.notna(), None).to_dict("records")
        assert back == records[name], name


def test_assess_takes_a_path_and_a_date_string(tmp_path: Path) -> None:
    """A scenario file and a date string give the same result as the model and its date."""
    small = small_assessment()
    path = tmp_path / "small.json"
    path.write_text(small.scenario.model_dump_json())
    by_path = glasnost.assess(path, date=small.date.isoformat())
    assert by_path.date == small.date
    assert by_path.to_dict()["capacity"] == small.to_dict()["capacity"]


def test_the_notebook_example_runs(capsys: pytest.CaptureFixture[str]) -> None:
    runpy.run_path(str(EXAMPLE), run_name="__main__")
    out = capsys.readouterr().out
    assert "verdict:" in out
    assert "deployed_warheads_defeatable_fraction" in out
    assert "vandenberg_gbi" in out


def _readme_python() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```python\n(.*?)```", text, flags=re.DOTALL)


def test_the_readme_python_block_runs(capsys: pytest.CaptureFixture[str]) -> None:
    blocks = _readme_python()
    assert blocks, "the README shows the Python API"
    for block in blocks:
        exec(compile(block, "README.md", "exec"), {"__name__": "__main__"})
    assert "deployed_warheads_defeatable_fraction" in capsys.readouterr().out
