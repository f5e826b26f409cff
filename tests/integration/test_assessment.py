"""The assessment end to end on the built-in United States / Russia scenario.

One run of ``assess`` on the built-in scenario (module fixture) is checked for internal
consistency: the capacity is bounded by the inventories and the doctrine, the fractions are
what the counts say, every criterion is evaluated for every direction, the verdict follows the
criteria. What-if runs change one declared value and check the direction of the effect; a
variant with a staged interceptor at Fort Greely checks the flyout-table path.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from glasnost.defense.assessment import Assessment, assess
from glasnost.scenario.builtin import builtin_scenario
from glasnost.scenario.interceptor_types import InterceptorType
from glasnost.scenario.loading import apply_overrides
from glasnost.scenario.missiles import StageData
from glasnost.scenario.models import Scenario


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
    assert result.no_threat == all(c.passed for c in result.criteria)


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


def _with_staged_gbi(base: Scenario) -> Scenario:
    """The built-in scenario with Fort Greely flying an illustrative GBI-like 3-stage vehicle
    (Orion-motor-like stages, 64 kg kill vehicle; tests/validation/test_flyout_validation.py)."""
    stages = (
        StageData(
            gross_mass_kg=16380,
            propellant_mass_kg=15010,
            burn_time_s=68.4,
            isp_vac_s=295,
            diameter_m=1.27,
            exit_area_m2=0.6,
        ),
        StageData(
            gross_mass_kg=4310,
            propellant_mass_kg=3920,
            burn_time_s=69.7,
            isp_vac_s=289,
            diameter_m=1.27,
        ),
        StageData(
            gross_mass_kg=890,
            propellant_mass_kg=770,
            burn_time_s=67.7,
            isp_vac_s=287,
            diameter_m=0.97,
        ),
    )
    staged = InterceptorType(
        id="gbi_staged",
        name="GBI-like 3-stage (illustrative)",
        model="staged",
        stages=stages,
        payload_kg=64,
        min_intercept_altitude_km=100,
        max_intercept_altitude_km=2000,
    )
    us = base.party("US")
    sites = tuple(
        s.model_copy(update={"interceptor": "gbi_staged"}) if s.id == "fort_greely" else s
        for s in us.interceptor_sites
    )
    parties = tuple(
        p.model_copy(update={"interceptor_sites": sites}) if p.id == "US" else p
        for p in base.parties
    )
    return base.model_copy(
        update={"interceptor_types": (*base.interceptor_types, staged), "parties": parties}
    )


def test_a_site_with_a_staged_interceptor(result: Assessment) -> None:
    staged = assess(_with_staged_gbi(builtin_scenario("us-ru")))
    # Under the default flyout model every type in service has a table; the staged type's
    # comes from its published stages, the others' from derived stacks.
    in_service = {s.interceptor for p in staged.scenario.parties for s in p.interceptor_sites}
    assert set(staged.flyout_tables) == in_service
    assert "gbi_staged" in in_service
    table = staged.flyout_tables["gbi_staged"]
    speed = table.burnout_speed_ms / 1e3
    assert 5.0 < speed < 12.0
    assert staged.interceptor_burnout_velocity_kms("gbi_staged") == speed
    assert staged.interceptor_burnout_velocity_kms("gbi_3stage") == 7.5

    # Fort Greely's engagements are computed from the table: some routes, with windows.
    d = next(d for d in staged.directions if d.defender == "US")
    i = [s.id for s in d.sites].index("fort_greely")
    assert d.table.feasible[i].any()
    f = d.table.feasible[i]
    assert np.all(d.table.latest_launch_s[i, f] >= d.earliest_launch_s[i, f])
    assert np.all(d.table.window_s[i, f] >= 0.0)
    assert np.all(np.isfinite(d.table.critical_burnout_velocity_ms[i, f]))
    # The other sites are untouched by it.
    d0 = next(d for d in result.directions if d.defender == "US")
    others = [k for k, s in enumerate(d.sites) if s.id != "fort_greely"]
    np.testing.assert_array_equal(d.table.feasible[others], d0.table.feasible[others])

    # The land-based velocity criterion uses the derived speed.
    land = next(
        c
        for c in staged.criteria
        if c.id == "land_interceptor_burnout_velocity_kms" and c.subject.startswith("US")
    )
    assert land.value == pytest.approx(max(speed, 7.5))
    assert any(drv.startswith("gbi_staged:") for drv in land.drivers)

    data = staged.to_dict()
    records = [e for e in data["engagements"] if e["site"] == "fort_greely"]
    assert records
    assert all(e["interceptor_burnout_velocity_kms"] == speed for e in records)
    assert any("flyout table" in a.lower() for a in data["assumptions"])
    assert data["interceptor_stacks"]["gbi_staged"] == "published stages (model: staged)"
