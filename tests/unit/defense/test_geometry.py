"""Map geometry under one rule: tracks from launch to impact, segments between the intercept
heights, footprints against the smallest reentry vehicle of the other parties."""

from __future__ import annotations

import numpy as np
import pytest

from glasnost.defense.assessment import Assessment
from glasnost.defense.geometry import (
    FOOTPRINT_ALTITUDE_M,
    footprint_note,
    ground_tracks,
    intercept_segments,
    party_footprints,
    radar_footprints,
    threat_rcs_m2,
)
from glasnost.physics.constants import EARTH_MODELS
from glasnost.report.geo import assessment_geojson
from glasnost.scenario.models import Scenario
from glasnost.treaty.postures import declared_posture
from tests.unit.report import small_assessment


@pytest.fixture(scope="module")
def assessment() -> Assessment:
    return small_assessment()


def test_ground_tracks_run_from_the_launch_base_to_the_target(assessment: Assessment) -> None:
    traj = assessment.trajectories.trajectory
    routes = [r for r in assessment.routes if assessment.trajectories.on_target[r.index]]
    tracks = ground_tracks(traj, np.array([r.index for r in routes], dtype=np.intp))
    assert tracks.lat_deg.shape == (len(routes), 60)
    for k, r in enumerate(routes):
        # Reference: the scenario's coordinates of the base and the target (WGS84, deg).
        assert tracks.lat_deg[k, 0] == pytest.approx(r.base.lat_deg, abs=1e-9)
        assert tracks.lon_deg[k, 0] == pytest.approx(r.base.lon_deg, abs=1e-9)
        assert abs(tracks.alt_m[k, 0]) < 1.0  # launched from the ground, within 1 m
        # An on-target route lands within the targeting tolerance: 1e-2 deg (~1 km).
        assert tracks.lat_deg[k, -1] == pytest.approx(r.target.lat_deg, abs=1e-2)
        assert tracks.lon_deg[k, -1] == pytest.approx(r.target.lon_deg, abs=1e-2)


def test_intercept_segments_end_at_the_tables_intercept_heights(assessment: Assessment) -> None:
    traj = assessment.trajectories.trajectory
    checked = 0
    for d in assessment.directions:
        segments, samples = intercept_segments(traj, d, points=5)
        assert len(segments) <= int(d.table.feasible.sum())
        assert samples.alt_m.shape == (len(segments), 5)
        for s in segments:
            assert d.table.feasible[s.site, s.route]
            # Reference: the engagement kernel's own intercept heights (m), within 1 m.
            first = d.table.earliest_intercept_altitude_m[s.site, s.route]
            last = d.table.latest_intercept_altitude_m[s.site, s.route]
            assert samples.alt_m[s.row, 0] == pytest.approx(first, abs=1.0)
            assert samples.alt_m[s.row, -1] == pytest.approx(last, abs=1.0)
            checked += 1
    assert checked > 0


def _with_rv_rcs(scenario: Scenario, missile: str, rcs_m2: float) -> Scenario:
    types = tuple(
        m.model_copy(update={"rcs_reentry_vehicle_m2": rcs_m2}) if m.id == missile else m
        for m in scenario.missile_types
    )
    return scenario.model_copy(update={"missile_types": types})


def test_footprints_are_for_the_smallest_reentry_vehicle_of_the_other_parties(
    assessment: Assessment,
) -> None:
    scenario = assessment.scenario
    ru_missile = scenario.party("RU").launch_bases[0].missile
    smaller = _with_rv_rcs(scenario, ru_missile, 0.003)
    us = party_footprints(smaller, "US")
    ru = party_footprints(smaller, "RU")
    assert {f.rcs_m2 for f in us} == {0.003}  # the RU missile made smaller
    assert 0.003 not in {f.rcs_m2 for f in ru}  # a party's own missiles do not count
    assert footprint_note(us) == "a reentry vehicle (0.003 m²) at 300 km altitude"
    # A smaller object is seen over a smaller area: each ring lies within the larger one's
    # bounding latitudes (same radar, same height).
    before = party_footprints(scenario, "US")
    for small, large in zip(us, before, strict=True):
        if small.lat_deg.size and large.lat_deg.size:
            assert small.lat_deg.max() <= large.lat_deg.max() + 1e-9


def test_without_a_threat_each_radar_shows_its_reference_cross_section(
    assessment: Assessment,
) -> None:
    radars = assessment.scenario.party("US").radars
    alone = [(assessment.scenario.party("US"), assessment.scenario.missile_types)]
    assert threat_rcs_m2("US", alone) is None
    footprints = radar_footprints(radars, None, EARTH_MODELS[assessment.scenario.earth])
    assert [f.rcs_m2 for f in footprints] == [r.reference_rcs_m2 for r in radars]
    assert all(f.reference and f.altitude_m == FOOTPRINT_ALTITUDE_M for f in footprints)
    assert footprint_note(footprints).startswith("an object of its reference cross-section")


def test_declared_postures_give_the_scenarios_footprints(assessment: Assessment) -> None:
    """The dashboard draws from the declarations what the report draws from the scenario."""
    scenario = assessment.scenario
    postures = [declared_posture(scenario, p.id) for p in scenario.parties]
    forces = [(p.party, p.missile_types) for p in postures]
    earth = EARTH_MODELS[scenario.earth]
    for posture in postures:
        party = posture.party.id
        declared = radar_footprints(posture.party.radars, threat_rcs_m2(party, forces), earth)
        drawn = party_footprints(scenario, party)
        assert [f.radar.id for f in declared] == [f.radar.id for f in drawn]
        for a, b in zip(declared, drawn, strict=True):
            assert a.rcs_m2 == b.rcs_m2
            np.testing.assert_array_equal(a.lat_deg, b.lat_deg)
            np.testing.assert_array_equal(a.lon_deg, b.lon_deg)


def test_the_gis_export_draws_the_same_footprints(assessment: Assessment) -> None:
    features = assessment_geojson(assessment)["features"]
    coverage = {
        (f["properties"]["party"], f["properties"]["id"]): f["properties"]
        for f in features
        if f["properties"]["feature"] == "radar_coverage"
    }
    assert coverage
    for party in assessment.scenario.parties:
        for f in party_footprints(assessment.scenario, party.id):
            if (party.id, f.radar.id) in coverage:
                props = coverage[(party.id, f.radar.id)]
                assert props["rcs_m2"] == pytest.approx(f.rcs_m2)
                assert props["altitude_km"] == pytest.approx(f.altitude_m / 1e3)
