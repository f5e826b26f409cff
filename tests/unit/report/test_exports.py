"""The KML's time-tagged flights (gx:Track) and its offline styles, and the GeoJSON layers:
written, parsed back and compared with the assessment."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import math
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from glasnost.defense.assessment import Assessment
from glasnost.report.geo import assessment_geojson
from glasnost.report.kml import KML_NS, assessment_kml
from glasnost.report.kml_tracks import FLIGHT_POINTS, GX_NS
from glasnost.report.layers import LAYER_NAMES, write_geojson_layers
from glasnost.report.tables import assessment_tables
from tests.unit.report import small_assessment

K = f"{{{KML_NS}}}"
GX = f"{{{GX_NS}}}"


@pytest.fixture(scope="module")
def assessment() -> Assessment:
    return small_assessment()


@pytest.fixture(scope="module")
def kml_text(assessment: Assessment) -> str:
    return assessment_kml(assessment)


def _when(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_kml_flights_are_time_tagged_tracks(assessment: Assessment, kml_text: str) -> None:
    root = ET.fromstring(kml_text)
    tracks = list(root.iter(f"{GX}Track"))
    routes = {r["route"]: r for r in assessment_tables(assessment)["routes"] if r["reachable"]}
    assert len(tracks) == len(routes)
    launch = dt.datetime.combine(assessment.date, dt.time(0, 0), tzinfo=dt.UTC)
    placemarks = {
        pm.findtext(f"{K}name"): pm for pm in root.iter(f"{K}Placemark") if pm.find(f"{GX}Track")
    }
    for route in routes.values():
        pm = placemarks[f"{route['launch_name']} -> {route['target_name']}"]
        track = pm.find(f"{GX}Track")
        assert track is not None
        assert track.findtext(f"{K}altitudeMode") == "absolute"
        whens = [_when(w.text or "") for w in track.iter(f"{K}when")]
        coords = [[float(c) for c in (e.text or "").split()] for e in track.iter(f"{GX}coord")]
        assert len(whens) == len(coords) == FLIGHT_POINTS
        assert whens[0] == launch
        assert all(b > a for a, b in itertools.pairwise(whens))
        # The last sample is the impact: the flight time of the routes table, to the 0.1 s the
        # file keeps.
        assert (whens[-1] - launch).total_seconds() == pytest.approx(
            route["flight_time_s"], abs=0.051
        )
        lon0, lat0, h0 = coords[0]
        assert (lat0, lon0) == pytest.approx(
            (route["launch_lat_deg"], route["launch_lon_deg"]), abs=1e-3
        )
        assert abs(h0) < 50.0  # launched from the ground (m)
        assert max(c[2] for c in coords) == pytest.approx(route["apogee_km"] * 1e3, rel=0.02)
        lon1, lat1, h1 = coords[-1]
        assert abs(h1) < 50.0  # impact on the ellipsoid
        miss_deg = math.degrees(route["miss_km"] / 6371.0) + 1e-3
        assert abs(lat1 - route["target_lat_deg"]) < miss_deg + 0.01
        assert abs(((lon1 - route["target_lon_deg"]) + 180) % 360 - 180) < 0.05 + miss_deg / max(
            0.1, math.cos(math.radians(lat1))
        )


def test_kml_fetches_nothing_from_the_network(kml_text: str) -> None:
    root = ET.fromstring(kml_text)
    assert not list(root.iter(f"{K}href"))
    assert not list(root.iter(f"{K}Icon"))
    urls = set(re.findall(r"https?://[^\"'\s<>]+", kml_text))
    assert urls <= {KML_NS, GX_NS}


@pytest.fixture(scope="module")
def layers(assessment: Assessment, tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return write_geojson_layers(assessment, tmp_path_factory.mktemp("gis") / "layers")


def _load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def test_each_layer_holds_one_kind_and_one_geometry_type(layers: list[Path]) -> None:
    expected = {f"{stem}.geojson": key for key, stem in LAYER_NAMES.items()}
    for path in layers:
        data = _load(path)
        assert data["type"] == "FeatureCollection"
        kind, geometry = expected[path.name]
        assert data["name"] == path.stem
        assert {f["properties"]["feature"] for f in data["features"]} == {kind}
        assert {f["geometry"]["type"] for f in data["features"]} == {geometry}
    names = {p.name for p in layers}
    for required in ("interceptor_sites", "radars", "radar_coverage", "trajectories"):
        assert f"{required}.geojson" in names


def test_layers_hold_every_feature_of_the_geojson(
    assessment: Assessment, layers: list[Path]
) -> None:
    """Together the layers hold each feature once, with its properties, and the same
    coordinates (a single line or polygon wrapped as the one part of a Multi geometry)."""
    original = assessment_geojson(assessment)["features"]
    split = [f for path in layers for f in _load(path)["features"]]
    assert len(split) == len(original)

    def key(feature: dict[str, Any]) -> str:
        return json.dumps(feature["properties"], sort_keys=True)

    by_key = {key(f): f for f in split}
    for feature in original:
        twin = by_key[key(feature)]
        geometry = feature["geometry"]
        if geometry["type"] in ("LineString", "Polygon"):
            assert twin["geometry"] == {
                "type": f"Multi{geometry['type']}",
                "coordinates": [geometry["coordinates"]],
            }
        else:
            assert twin["geometry"] == geometry
