"""The pandas-friendly tables of an assessment: counts, flat scalar records, DataFrames."""

from __future__ import annotations

import math
import sys
from typing import Any

import pytest

from glasnost.defense.assessment import Assessment
from glasnost.report.tables import TABLES, assessment_tables, to_dataframes
from tests.unit.report import small_assessment

Records = dict[str, list[dict[str, Any]]]


@pytest.fixture(scope="module")
def assessment() -> Assessment:
    return small_assessment()


@pytest.fixture(scope="module")
def tables(assessment: Assessment) -> Records:
    return assessment_tables(assessment)


def test_tables_and_counts(assessment: Assessment, tables: Records) -> None:
    assert tuple(tables) == TABLES
    pairs = sum(len(d.sites) * len(d.routes) for d in assessment.directions)
    assert len(tables["engagements"]) == pairs == len(assessment.engagements())
    assert len(tables["routes"]) == len(assessment.routes)
    assert len(tables["sites"]) == sum(len(d.sites) for d in assessment.directions)
    assert len(tables["capacity"]) == len(assessment.directions)
    assert len(tables["criteria"]) == len(assessment.criteria)


def test_records_are_flat_scalars_with_one_set_of_columns(tables: Records) -> None:
    for name, rows in tables.items():
        assert rows, name
        columns = list(rows[0])
        for row in rows:
            assert list(row) == columns, name
            for key, value in row.items():
                assert value is None or type(value) in (str, int, float, bool), (name, key)
                if isinstance(value, float):
                    assert math.isfinite(value), (name, key)


def test_tables_agree(assessment: Assessment, tables: Records) -> None:
    feasible = sum(int(d.table.feasible.sum()) for d in assessment.directions)
    assert sum(bool(r["feasible"]) for r in tables["engagements"]) == feasible
    assert sum(int(r["routes_engageable"]) for r in tables["sites"]) == feasible
    assert sum(int(r["sites_engaging"] or 0) for r in tables["routes"]) == feasible
    reachable = [r for r in tables["routes"] if r["reachable"]]
    assert len(reachable) == sum(len(d.routes) for d in assessment.directions)
    for row, d in zip(tables["capacity"], assessment.directions, strict=True):
        assert row["warheads_defeatable"] == d.capacity.warheads_defeatable
        assert row["deployed_warheads"] == d.deployed_warheads
    units = {r["id"]: r["unit"] for r in tables["criteria"]}
    assert units["deployed_warheads_defeatable_fraction"] == "fraction"
    engagement = tables["engagements"][0]
    assert engagement["route"] == f"{engagement['launch']}->{engagement['target']}"


def test_to_dataframes(assessment: Assessment, tables: Records) -> None:
    pytest.importorskip("pandas")
    frames = to_dataframes(assessment)
    assert set(frames) == set(TABLES)
    for name, frame in frames.items():
        assert len(frame) == len(tables[name])
        assert list(frame.columns) == list(tables[name][0])


def test_to_dataframes_without_pandas(
    assessment: Assessment, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "pandas", None)  # import pandas -> ImportError
    with pytest.raises(ImportError, match="needs pandas"):
        to_dataframes(assessment)
