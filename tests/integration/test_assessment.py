"""The assessment end to end on the built-in United States / Russia scenario.

One run of ``assess`` on the built-in scenario (module fixture) is checked for internal
consistency: the capacity is bounded by the inventories and the doctrine, the fractions are
what the counts say, every criterion is evaluated for every direction, the verdict follows the
criteria. What-if runs change one declared value and check the direction of the effect.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from glasnost.defense.assessment import Assessment, assess
from glasnost.scenario.builtin import builtin_scenario
from glasnost.scenario.loading import apply_overrides


@pytest.fixture(scope="module")
def result() -> Assessment:
    return assess(builtin_scenario("us-ru"))


def test_every_route_is_flown_or_reported(result: Assessment) -> None:
    scenario = result.scenario
    assert len(result.routes) == scenario.trajectory_count()
    reachable = result.trajectories.on_target
    for d in result.directions:
        assert {r.index for r in d.routes} | {r.index for r in d.unreachable} == {
            r.index for r in result.routes if (r.attacker, r.defender) == (d.attacker, d.defender)
        }
        assert all(reachable[r.index] for r in d.routes)
    # Unreachable routes are reported as warnings, not silently dropped.
    if not np.all(reachable):
        assert any("beyond the missile's reach" in w for w in result.warnings)


def test_capacity_respects_inventories_and_doctrine(result: Assessment) -> None:
    shots = result.scenario.assessment.shots_per_warhead
    for d in result.directions:
        interceptors = np.array([s.count for s in d.sites])
        assert np.all(d.capacity.interceptors_used <= interceptors)
        assert d.capacity.warheads_defeatable <= interceptors.sum() // shots
        assert d.capacity.warheads_defeatable <= d.deployed_warheads
        # Only feasible engagements carry warheads.
        assert np.all(d.capacity.allocation[~d.table.feasible] == 0)
        assert d.defeatable_fraction == pytest.approx(
            d.capacity.warheads_defeatable / d.deployed_warheads
        )


def test_criteria_cover_every_direction_and_decide_the_verdict(result: Assessment) -> None:
    ids = [c.id for c in result.scenario.assessment.criteria]
    fraction = [c for c in result.criteria if c.id == "deployed_warheads_defeatable_fraction"]
    assert len(fraction) == len(result.directions)
    assert {c.id for c in result.criteria} == set(ids)
    for c in result.criteria:
        assert c.passed == (c.value <= c.threshold)
    assert result.verdict == all(c.passed for c in result.criteria)


def test_json_engagements_have_the_contract_fields(result: Assessment) -> None:
    data = result.to_dict()
    assert {"engagements", "capacity", "criteria", "verdict", "assumptions"} <= set(data)
    needed = {
        "defender",
        "site",
        "interceptor",
        "attacker",
        "launch",
        "missile",
        "target",
        "feasible",
        "window_s",
        "earliest_intercept_s",
        "critical_burnout_velocity_kms",
    }
    assert data["engagements"]
    for e in data["engagements"]:
        assert needed <= set(e)
        if e["feasible"]:
            assert e["critical_burnout_velocity_kms"] <= e["interceptor_burnout_velocity_kms"]
            assert e["earliest_intercept_s"] is not None
            assert e["window_s"] >= 0.0
    assert len(data["assumptions"]) >= len(result.scenario.assumptions)


def test_faster_interceptors_never_engage_less() -> None:
    # What if the SM-3 Block IIA flew at 5.5 km/s instead of the assumed 4.5?
    base = builtin_scenario("us-ru")
    faster = apply_overrides(base, ["interceptor_types.sm3_block_iia.burnout_velocity_kms=5.5"])
    a, b = assess(base), assess(faster)
    for da, db in zip(a.directions, b.directions, strict=True):
        assert np.all(db.table.feasible >= da.table.feasible)
        assert db.capacity.warheads_defeatable >= da.capacity.warheads_defeatable
        np.testing.assert_allclose(
            db.table.critical_burnout_velocity_ms, da.table.critical_burnout_velocity_ms
        )  # the velocity needed does not depend on the velocity declared


def test_posture_on_a_date_leaves_out_sites_not_yet_in_service() -> None:
    # Redzikowo is in service from 2023-12-15 (reference.yaml); a 2020 posture has no such site.
    before = assess(builtin_scenario("us-ru"), dt.date(2020, 1, 1))
    sites = {s.id for d in before.directions for s in d.sites}
    assert "aegis_ashore_redzikowo" not in sites
