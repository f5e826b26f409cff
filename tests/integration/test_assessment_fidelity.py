"""The assessment at the margin (issue 10): who cues, empty sites, the commit time, the
interceptor models and the independence of the results from the sampling step.

Each test runs the built-in United States / Russia scenario with one setting changed (the
``--set`` paths of the CLI) and checks the rule the documents state.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from glasnost.defense.assessment import Assessment, Direction, assess
from glasnost.defense.criteria import PER_ROUTE, least_defeatable
from glasnost.defense.direction import COMMIT_CUE, SATELLITE_CUE, direction_capacity
from glasnost.scenario.builtin import builtin_scenario
from glasnost.scenario.loading import ScenarioError, apply_overrides
from glasnost.scenario.models import Scenario


@pytest.fixture(scope="module")
def base() -> Assessment:
    return assess(builtin_scenario("us-ru"))


def _run(*assignments: str) -> Assessment:
    return assess(apply_overrides(builtin_scenario("us-ru"), list(assignments)))


def test_under_launch_on_remote_every_own_sensor_cues(base: Assessment) -> None:
    """docs/assessment.md: with launch-on-remote any own radar or satellite may cue a launch;
    every pair that something cues names the sensor, and the sensor is one of the party's.
    The satellites see a launch first; without them, early-warning radars cue."""
    assert base.scenario.assessment.launch_on_remote
    assert SATELLITE_CUE in {e["cued_by"] for e in base.engagements()}
    blind = _run("parties.US.space_based_infrared=null", "parties.RU.space_based_infrared=null")
    parties = {p.id: p for p in blind.scenario.parties}
    early_warning = {r.id for p in parties.values() for r in p.radars if r.role != "fire_control"}
    records = blind.engagements()
    assert {e["cued_by"] for e in records} & early_warning
    for e in records:
        own = {r.id for r in parties[e["defender"]].radars}
        if e["earliest_launch_s"] is None:
            assert e["cued_by"] is None
        else:
            assert e["cued_by"] in own


def test_the_satellite_delay_moves_the_launch_times_it_cues() -> None:
    """A 1-s satellite detection delay instead of the built-in one: every pair the satellites
    cue launches earlier by the difference, and no pair launches later."""
    slow = _run("parties.RU.space_based_infrared.detection_delay_s=90")
    fast = _run("parties.RU.space_based_infrared.detection_delay_s=1")
    ru = next(d for d in slow.directions if d.defender == "RU")
    ru_fast = next(d for d in fast.directions if d.defender == "RU")
    by_satellite = np.array(
        [
            [ru.cue(i, j) == SATELLITE_CUE for j in range(len(ru.routes))]
            for i in range(len(ru.sites))
        ]
    )
    assert by_satellite.any()
    assert np.all(ru_fast.earliest_launch_s <= ru.earliest_launch_s)
    np.testing.assert_allclose(
        ru_fast.earliest_launch_s[by_satellite], ru.earliest_launch_s[by_satellite] - 89.0
    )


def test_without_launch_on_remote_only_nearby_fire_control_radars_cue() -> None:
    result = _run("assessment.launch_on_remote=false")
    parties = {p.id: p for p in result.scenario.parties}
    for e in result.engagements():
        if e["cued_by"] is None:
            continue
        assert (
            e["cued_by"] != SATELLITE_CUE
            or parties[e["defender"]].space_based_infrared.fire_control
        )  # type: ignore[union-attr]
        radar = {r.id: r for r in parties[e["defender"]].radars}.get(e["cued_by"])
        if radar is not None:
            assert radar.role == "fire_control"


def test_a_site_without_interceptors_cannot_engage(base: Assessment) -> None:
    """pearl_harbor holds 0 interceptors in the built-in scenario: reachable or not, it
    engages nothing, has no window and no shots; given interceptors, it engages."""
    empty = [e for e in base.engagements() if e["site"] == "pearl_harbor"]
    assert empty
    assert all(e["interceptors_at_site"] == 0 for e in empty)
    assert not any(e["feasible"] for e in empty)
    assert all(e["shots"] == 0 and e["window_s"] is None for e in empty)
    assert any(e["margin_kms"] is not None and e["margin_kms"] < 0 for e in empty)
    us = next(d for d in base.directions if d.defender == "US")
    k = [s.id for s in us.sites].index("pearl_harbor")
    assert us.capacity.by_site[k] == 0
    armed = _run("parties.US.interceptor_sites.pearl_harbor.count=8")
    assert any(e["feasible"] for e in armed.engagements() if e["site"] == "pearl_harbor")


def test_a_commit_time_launches_every_interceptor_then() -> None:
    result = _run("assessment.launch_delay_s=240")
    records = result.engagements()
    assert {e["cued_by"] for e in records} == {COMMIT_CUE}
    assert {e["earliest_launch_s"] for e in records} == {240.0}
    feasible = [e for e in records if e["feasible"]]
    assert feasible
    assert all(e["latest_launch_s"] == pytest.approx(240.0) for e in feasible)
    assert result.to_dict()["launch_delay_s"] == 240.0


def test_the_interceptor_model_is_chosen_and_reported() -> None:
    runs = {
        m: _run(f"assessment.interceptor_model={m}") for m in ("burnout-delay", "straight-boost")
    }
    for model, result in runs.items():
        data = result.to_dict()
        assert data["interceptor_model"] == model
        assert {e["interceptor_model"] for e in data["engagements"]} == {model}
    # The burnout delay keeps the interceptor at its site for the whole burn: it never needs
    # less speed than the straight boost, which moves it u t_b / 2 towards the target.
    for a, b in zip(
        runs["burnout-delay"].directions, runs["straight-boost"].directions, strict=True
    ):
        crit_a = a.table.critical_burnout_velocity_ms
        crit_b = b.table.critical_burnout_velocity_ms
        both = np.isfinite(crit_a) & np.isfinite(crit_b)
        assert np.all(crit_a[both] >= crit_b[both] - 1.0)
        assert np.all(a.table.feasible <= b.table.feasible)


FLYOUT_EDGE_S = 5.0
"""How closely a flyout table places a window edge (s): its 10-km cells are about 1.4 s of a
reentry vehicle's flight each, and bilinear lookup with unreachable corners leaves the edge of
the reach ragged by up to a few cells (defense/flyout.py, "Resolution")."""


def test_results_do_not_depend_on_the_sampling_step() -> None:
    """Feasibility at a 30-s step equals that at a 5-s step; windows agree to twice the
    stated resolution (plus the flyout table's own edge resolution at flyout-decided sites);
    a shot count may differ by one only where the window lies that close to a multiple of the
    kill-assessment time."""
    fine = _run("assessment.sample_step_s=5")
    coarse = _run("assessment.sample_step_s=30")
    assessment_s = fine.scenario.assessment.shoot_look_shoot_assessment_s
    by_key = {(e["site"], e["launch"], e["target"]): e for e in fine.engagements()}
    compared = 0
    for e in coarse.engagements():
        f = by_key[(e["site"], e["launch"], e["target"])]
        assert e["feasible"] == f["feasible"], (e["site"], e["launch"], e["target"])
        if not e["feasible"]:
            continue
        compared += 1
        tol = 2.0 * max(e["window_resolution_s"], f["window_resolution_s"])
        if e["interceptor_model"] == "flyout":
            tol += FLYOUT_EDGE_S
        assert e["window_start_s"] == pytest.approx(f["window_start_s"], abs=tol)
        assert e["window_end_s"] == pytest.approx(f["window_end_s"], abs=tol)
        if e["shots"] != f["shots"]:
            assert abs(e["shots"] - f["shots"]) == 1
            remainder = f["window_s"] % assessment_s
            assert min(remainder, assessment_s - remainder) <= 2.0 * tol
    assert compared > 100
    for c_fine, c_coarse in zip(fine.criteria, coarse.criteria, strict=True):
        assert c_coarse.value == pytest.approx(c_fine.value, abs=0.002), c_fine.id


def _small() -> Scenario:
    """Two Russian bases against three US targets and two US sites; the US forces against
    Moscow (a quick scenario for the threat-shape tests)."""
    sc = builtin_scenario("us-ru")
    us, ru = sc.party("US"), sc.party("RU")
    us = us.model_copy(
        update={
            "targets": tuple(t for t in us.targets if t.id in ("anchorage", "seattle", "boston")),
            "interceptor_sites": tuple(
                s for s in us.interceptor_sites if s.id in ("fort_greely", "vandenberg_gbi")
            ),
            "launch_bases": us.launch_bases[:1],
        }
    )
    ru = ru.model_copy(
        update={
            "launch_bases": ru.launch_bases[:2],
            "targets": tuple(t for t in ru.targets if t.id == "moscow"),
        }
    )
    return sc.model_copy(update={"parties": (us, ru)})


def test_each_route_is_flown_in_each_threat_shape_and_the_least_defeatable_counts() -> None:
    """assessment.threat_shapes: every route in every shape; the fraction criterion of each
    direction is the least over the shapes (the attacker flies the shape that suits it)."""
    result = assess(
        apply_overrides(
            _small(),
            [
                "assessment.threat_shapes=[min-energy, depressed]",
                "assessment.depressed_apogee_km=400",
            ],
        )
    )
    data = result.to_dict()
    assert data["threat_shapes"] == ["min-energy", "depressed"]
    assert {r["shape"] for r in data["routes"]} == {"min-energy", "depressed"}
    assert {e["shape"] for e in data["engagements"]} == {"min-energy", "depressed"}
    fractions: dict[tuple[str, str], dict[str, float]] = {}
    for c in data["capacity"]:
        fractions.setdefault((c["defender"], c["attacker"]), {})[c["shape"]] = c[
            "fraction_defeatable"
        ]
    criteria = [c for c in result.criteria if c.id == "deployed_warheads_defeatable_fraction"]
    assert len(criteria) == len(fractions) == 2
    for c in criteria:
        defender, attacker = c.subject.split(" defenses vs ")[0], c.subject.split()[3]
        # The attacker's best plan: one shape for all, or a shape per route; never more
        # defeatable than the least defeatable single shape.
        assert c.value <= min(fractions[(defender, attacker)].values())
        assert c.drivers[0].startswith("least defeatable shape:")
        for shape, fraction in fractions[(defender, attacker)].items():
            assert f"{shape} {fraction:.1%}" in c.drivers[0]
        assert f"{PER_ROUTE} " in c.drivers[0]
    # The depressed routes fly the asked apogee (the targeting's own tolerance is 1 km).
    traj = result.trajectories.trajectory
    apogee = traj.apogee_m()
    depressed = [r for r in result.routes if r.shape == "depressed"]
    reached = [r for r in depressed if result.trajectories.on_target[r.index]]
    assert reached
    for r in reached:
        assert apogee[r.index] == pytest.approx(400e3, abs=1e3)


def test_the_attacker_may_fly_each_route_in_its_own_shape() -> None:
    """Two shapes, each engageable on the routes where the other is not: either shape for all
    routes loses warheads, the per-route choice loses none (the attacker flies each route the
    way no site can engage), and the criterion takes that plan."""
    result = assess(
        apply_overrides(
            _small(),
            [
                "assessment.threat_shapes=[min-energy, depressed]",
                "assessment.depressed_apogee_km=400",
            ],
        )
    )
    group = [d for d in result.directions if (d.defender, d.attacker) == ("US", "RU")]
    assert [d.shape for d in group] == ["min-energy", "depressed"]
    shots = result.scenario.assessment.shots_per_warhead
    keys = [{(r.base.id, r.target.id) for r in d.routes} for d in group]
    common = sorted(keys[0] & keys[1])
    assert len(common) >= 4
    odd = set(common[1::2])

    def crafted(d: Direction, engaged_on_odd: bool) -> Direction:
        """``d`` with every site able to engage exactly the odd (or the even) routes."""
        on = np.array([((r.base.id, r.target.id) in odd) == engaged_on_odd for r in d.routes])
        feasible = np.broadcast_to(on, d.table.feasible.shape).copy()
        everything = [*d.routes, *d.unreachable]
        capacity = direction_capacity(d.sites, everything, list(d.routes), feasible, shots)
        return replace(d, table=replace(d.table, feasible=feasible), capacity=capacity)

    crafted_group = [crafted(group[0], True), crafted(group[1], False)]
    for d in crafted_group:
        assert d.capacity.warheads_defeatable > 0
    [(plan, by_plan)] = least_defeatable(crafted_group, shots)
    assert plan.label == PER_ROUTE
    # Each common route flies the shape that no site engages; a route only one shape
    # reaches flies that shape, engaged or not.
    chosen = {(r.base.id, r.target.id): r.shape for r in plan.routes}
    for key in common:
        assert chosen[key] == ("depressed" if key in odd else "min-energy")
    engaged = {k for k, col in zip(chosen, plan.feasible.T, strict=True) if col.any()}
    assert not engaged & set(common)
    assert by_plan[PER_ROUTE] == min(by_plan.values())
    assert by_plan[PER_ROUTE] < min(by_plan["min-energy"], by_plan["depressed"])


def test_a_shape_takes_an_apogee_or_an_angle_not_both() -> None:
    with pytest.raises(ScenarioError, match="lofted_fpa_deg"):
        apply_overrides(
            builtin_scenario("us-ru"),
            ["assessment.lofted_apogee_km=3000", "assessment.lofted_fpa_deg=60"],
        )


def test_the_result_digest_covers_the_conventions_of_its_numbers() -> None:
    """The confirmed result (treaty.digest) names the interceptor model, the critical-velocity
    convention, the commit time and the threat shapes: two parties that assess with different
    conventions get different digests even where every number happened to agree."""
    from glasnost.treaty.digest import RESULT_FORMAT, result_json

    flyout = result_json(assess(_small()))
    delay = result_json(
        assess(
            apply_overrides(
                _small(),
                ["assessment.interceptor_model=burnout-delay", "assessment.launch_delay_s=200"],
            )
        )
    )
    assert flyout["format"] == RESULT_FORMAT == "glasnost-assessment-result/2"
    assert flyout["model"] == {
        "interceptor_model": "flyout",
        "critical_velocity_model": "burnout-delay",
        "launch_delay_s": None,
        "threat_shapes": ["min-energy"],
    }
    assert delay["model"]["interceptor_model"] == "burnout-delay"
    assert delay["model"]["launch_delay_s"] == 200.0
    assert all(e["shape"] == "min-energy" for e in flyout["engagements"])


@pytest.fixture(scope="module")
def with_iran() -> Assessment:
    return assess(builtin_scenario("us-ru-ir"))


def test_the_purpose_test_sets_the_declared_threat_beside_the_partner(
    with_iran: Assessment, base: Assessment
) -> None:
    """us-ru-ir: the US declares its defenses against Iran (IR, a third party). The purpose
    section sets what they could engage of Iran's missiles beside Russia's; the criterion
    passes when they serve that purpose without exceeding the threshold against Russia."""
    data = with_iran.to_dict()
    (purpose,) = data["purpose"]
    assert purpose["defender"] == "US"
    assert purpose["declared_threat"]["attackers"] == ["IR"]
    assert purpose["treaty_partner"]["attackers"] == ["RU"]
    declared = purpose["declared_threat"]
    assert 0 < declared["routes_engageable"] <= declared["routes"]
    assert purpose["serves_declared_purpose"]
    (criterion,) = [c for c in with_iran.criteria if c.id == "purpose"]
    partner = next(d for d in with_iran.directions if (d.defender, d.attacker) == ("US", "RU"))
    assert criterion.value == partner.defeatable_fraction
    assert criterion.passed == (criterion.value <= criterion.threshold)
    # Iran is assessed one way only, and the treaty criteria count only the treaty partners:
    # the aim points added for Iran's missiles (Target.against) leave the US-RU numbers as in
    # us-ru.
    assert not any(d.defender == "IR" for d in with_iran.directions)
    fractions = [
        c.value for c in with_iran.criteria if c.id == "deployed_warheads_defeatable_fraction"
    ]
    assert fractions == [
        c.value for c in base.criteria if c.id == "deployed_warheads_defeatable_fraction"
    ]


def test_defenses_that_cannot_engage_the_declared_threat_fail_the_purpose_test() -> None:
    scenario = builtin_scenario("us-ru-ir")
    empty = [
        f"parties.US.interceptor_sites.{s.id}.count=0"
        for s in scenario.party("US").interceptor_sites
    ]
    result = assess(apply_overrides(scenario, empty))
    (criterion,) = [c for c in result.criteria if c.id == "purpose"]
    assert not result.to_dict()["purpose"][0]["serves_declared_purpose"]
    assert criterion.value == 0.0
    assert not criterion.passed
    assert "no route of a declared threat is engageable" in criterion.drivers
