"""One source of result records: the ``--json`` output, the digest and the flat tables read the
assessment's own records, and their formats are those of before the records had one source."""

from __future__ import annotations

import json

import pytest

from glasnost.defense.assessment import Assessment
from glasnost.exchange.canonical import canonical_json, sha256_hex
from glasnost.report.tables import assessment_tables
from glasnost.treaty.digest import criterion_quantity, result_json, rounded
from tests.unit.report import small_assessment

SMALL_RESULT_SHA256 = "30d5f81a5528135e0d7e823b25e3f87a8d805c9c82046dd365d13ab0168178f2"
"""sha256 of canonical_json(result_json(small_assessment())). Commit 166e009, before the records
had one source, computed ``47ce931f...5d86`` (``git checkout 166e009`` and run the expression),
and so did every commit until the targeting's coarse first pass, which lands the min-energy
routes at other points within the solver's tolerance: of the records, one critical burnout
velocity (4.29 -> 4.28 km/s) and three flight times (1 s each) changed; no key, order or
rounding did."""

TOP_LEVEL = [
    "glasnost_version",
    "scenario",
    "date",
    "verdict",
    "verdict_passed",
    "interceptor_model",
    "critical_velocity_model",
    "launch_delay_s",
    "threat_shapes",
    "window_resolution_s",
    "criteria",
    "capacity",
    "routes",
    "purpose",
    "interceptor_stacks",
    "engagements",
    "assumptions",
    "warnings",
]
RECORD_FIELDS = {
    "criteria": ["id", "subject", "value", "threshold", "passed", "drivers"],
    "capacity": [
        "defender",
        "attacker",
        "shape",
        "deployed_warheads",
        "warheads_defeatable",
        "fraction_defeatable",
        "by_site",
        "by_base",
        "by_target",
    ],
    "routes": ["attacker", "shape", "launch", "missile", "target", "reachable", "flight_time_s"],
}
"""The ``--json`` layout of commit 166e009 (key order included)."""


@pytest.fixture(scope="module")
def assessment() -> Assessment:
    return small_assessment()


def test_result_digest_bytes_are_unchanged(assessment: Assessment) -> None:
    assert sha256_hex(canonical_json(result_json(assessment))) == SMALL_RESULT_SHA256


def test_json_output_keeps_its_layout(assessment: Assessment) -> None:
    data = json.loads(json.dumps(assessment.to_dict()))
    assert list(data) == TOP_LEVEL
    for section, fields in RECORD_FIELDS.items():
        assert data[section]
        assert all(list(record) == fields for record in data[section])
    assert data["criteria"] == assessment.criteria_records()
    assert data["capacity"] == assessment.capacity_records()
    assert data["routes"] == assessment.route_records()


def test_digest_and_tables_read_the_same_records(assessment: Assessment) -> None:
    digest = result_json(assessment)
    records = assessment.criteria_records()
    by_key = {(c["id"], c["subject"]): c for c in records}
    for c in digest["criteria"]:
        source = by_key[(c["id"], c["subject"])]
        assert c["value"] == rounded(source["value"], criterion_quantity(c["id"]))
    tables = assessment_tables(assessment)
    assert [(r["id"], r["value"]) for r in tables["criteria"]] == [
        (c["id"], c["value"]) for c in records
    ]
    routes = assessment.route_records()
    assert [r["flight_time_s"] for r in tables["routes"]] == [r["flight_time_s"] for r in routes]
    capacity = assessment.capacity_records()
    assert [c["warheads_defeatable"] for c in tables["capacity"]] == [
        c["warheads_defeatable"] for c in capacity
    ]
