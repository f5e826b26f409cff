"""A small valid scenario as plain data, for tests that break it one field at a time."""

from __future__ import annotations

import copy
from typing import Any

import pytest

MINIMAL: dict[str, Any] = {
    "name": "mini",
    "description": "two parties, one site each",
    "date": "2025-01-01",
    "missile_types": [
        {
            "id": "minuteman_iii",
            "warheads": 1,
            "rcs_booster_m2": 10,
            "rcs_reentry_vehicle_m2": 0.01,
        },
        {"id": "rs24_yars", "warheads": 4, "rcs_booster_m2": 10, "rcs_reentry_vehicle_m2": 0.01},
    ],
    "interceptor_types": [
        {
            "id": "gbi",
            "name": "GBI",
            "burnout_velocity_kms": 7.5,
            "burn_time_s": 100,
            "min_intercept_altitude_km": 100,
            "max_intercept_altitude_km": 2000,
        },
        {
            "id": "abm",
            "name": "ABM",
            "burnout_velocity_kms": 3.0,
            "burn_time_s": 10,
            "min_intercept_altitude_km": 5,
            "max_intercept_altitude_km": 80,
            "max_range_km": 100,
        },
    ],
    "parties": [
        {
            "id": "US",
            "name": "United States",
            "interceptor_sites": [
                {
                    "id": "greely",
                    "name": "Fort Greely",
                    "interceptor": "gbi",
                    "count": 40,
                    "lat_deg": 64.0,
                    "lon_deg": -145.7,
                    "basis": "published",
                    "sources": ["mda"],
                },
                {
                    "id": "new_site",
                    "name": "Planned site",
                    "interceptor": "gbi",
                    "count": 20,
                    "lat_deg": 44.0,
                    "lon_deg": -75.0,
                    "in_service_from": "2030-01-01",
                },
            ],
            "radars": [
                {
                    "id": "clear",
                    "name": "Clear UEWR",
                    "role": "fire_control",
                    "lat_deg": 64.29,
                    "lon_deg": -149.19,
                    "azimuth_min_deg": 184,
                    "azimuth_max_deg": 64,
                    "elevation_min_deg": 3,
                    "elevation_max_deg": 85,
                    "range_km": 5556,
                    "reference_rcs_m2": 10,
                    "in_service_until": "2024-12-31",
                }
            ],
            "space_based_infrared": {"detection_delay_s": 60},
            "launch_bases": [
                {
                    "id": "malmstrom",
                    "name": "Malmstrom",
                    "kind": "silo_field",
                    "lat_deg": 47.5,
                    "lon_deg": -111.2,
                    "missile": "minuteman_iii",
                    "launchers": 133,
                }
            ],
            "targets": [
                {"id": "washington", "name": "Washington", "lat_deg": 38.9, "lon_deg": -77.0},
                {"id": "seattle", "name": "Seattle", "lat_deg": 47.6, "lon_deg": -122.3},
            ],
        },
        {
            "id": "RU",
            "name": "Russia",
            "interceptor_sites": [
                {
                    "id": "moscow",
                    "name": "A-135",
                    "interceptor": "abm",
                    "count": 68,
                    "lat_deg": 55.9,
                    "lon_deg": 37.6,
                }
            ],
            "launch_bases": [
                {
                    "id": "kozelsk",
                    "name": "Kozelsk",
                    "kind": "silo_field",
                    "lat_deg": 54.0,
                    "lon_deg": 35.8,
                    "missile": "rs24_yars",
                    "launchers": 24,
                    "warheads_per_missile": 3,
                },
                {
                    "id": "teykovo",
                    "name": "Teykovo",
                    "kind": "mobile",
                    "lat_deg": 56.9,
                    "lon_deg": 40.5,
                    "missile": "rs24_yars",
                    "launchers": 18,
                },
            ],
            "targets": [
                {"id": "moscow_city", "name": "Moscow", "lat_deg": 55.76, "lon_deg": 37.62}
            ],
        },
    ],
    "assessment": {
        "dyads": [["US", "RU"]],
        "criteria": [{"id": "deployed_warheads_defeatable_fraction", "threshold": 0.05}],
    },
    "sources": {"mda": "Missile Defense Agency fact sheet"},
}


@pytest.fixture
def minimal() -> dict[str, Any]:
    """A fresh deep copy of the minimal valid scenario (tests may mutate it)."""
    return copy.deepcopy(MINIMAL)
