"""GeoJSON and KML exports of an assessment: validity, counts, antimeridian cuts, escaping."""

from __future__ import annotations

import itertools
import json
import math
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from glasnost.defense.assessment import Assessment
from glasnost.physics import frames
from glasnost.report.geo import assessment_geojson, write_geojson
from glasnost.report.gis_geometry import split_antimeridian, split_polygon
from glasnost.report.kml import KML_NS, assessment_kml, write_kml
from tests.unit.report import SITE_NAME, small_assessment

GEOMETRIES = {"Point", "LineString", "MultiLineString", "Polygon", "MultiPolygon"}
K = f"{{{KML_NS}}}"


@pytest.fixture(scope="module")
def assessment() -> Assessment:
    return small_assessment()


@pytest.fixture(scope="module")
def geojson(assessment: Assessment) -> dict[str, Any]:
    return assessment_geojson(assessment)


@pytest.fixture(scope="module")
def kml(assessment: Assessment) -> ET.Element:
    return ET.fromstring(assessment_kml(assessment))


def _features(geojson: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [f for f in geojson["features"] if f["properties"]["feature"] == kind]


def _check_position(p: Any, dims: tuple[int, ...]) -> None:
    assert isinstance(p, list)
    assert len(p) in dims
    assert all(isinstance(c, int | float) and not isinstance(c, bool) for c in p)
    assert all(math.isfinite(c) for c in p)
    assert -180.0 <= p[0] <= 180.0
    assert -90.0 <= p[1] <= 90.0
    assert p[0] == round(p[0], 5)
    assert p[1] == round(p[1], 5)
    if len(p) == 3:
        assert p[2] == round(p[2])


def _check_line(line: Any, dims: tuple[int, ...]) -> None:
    assert len(line) >= 2
    for p in line:
        _check_position(p, dims)


def _check_polygon(rings: Any) -> None:
    for ring in rings:
        assert len(ring) >= 4
        assert ring[0] == ring[-1], "ring not closed"
        for p in ring:
            _check_position(p, (2,))


def test_geojson_is_a_valid_feature_collection(geojson: dict[str, Any]) -> None:
    assert geojson["type"] == "FeatureCollection"
    assert geojson["features"]
    for f in geojson["features"]:
        assert f["type"] == "Feature"
        assert isinstance(f["properties"], dict)
        for value in f["properties"].values():
            assert value is None or isinstance(value, str | int | float | bool)
        g = f["geometry"]
        assert g["type"] in GEOMETRIES
        c = g["coordinates"]
        three_d = f["properties"]["feature"] in ("trajectory", "engagement")
        dims = (3,) if three_d else (2,)
        if g["type"] == "Point":
            _check_position(c, dims)
        elif g["type"] == "LineString":
            _check_line(c, dims)
        elif g["type"] == "MultiLineString":
            assert len(c) >= 2
            for part in c:
                _check_line(part, dims)
        elif g["type"] == "Polygon":
            _check_polygon(c)
        else:
            for polygon in c:
                _check_polygon(polygon)
    json.dumps(geojson, allow_nan=False)


def test_feature_counts_match_the_scenario(assessment: Assessment, geojson: dict[str, Any]) -> None:
    parties = assessment.scenario.parties
    assert len(_features(geojson, "interceptor_site")) == sum(
        len(p.interceptor_sites) for p in parties
    )
    assert len(_features(geojson, "radar")) == sum(len(p.radars) for p in parties)
    assert len(_features(geojson, "launch_base")) == sum(len(p.launch_bases) for p in parties)
    assert len(_features(geojson, "target")) == sum(len(p.targets) for p in parties)
    tracks = _features(geojson, "trajectory")
    assert len(tracks) == len(assessment.routes)
    reachable = [f for f in tracks if f["properties"]["reachable"]]
    assert len(reachable) == sum(len(d.routes) for d in assessment.directions)
    assert len(reachable) < len(tracks)  # Okhotsk -> Washington is out of reach
    feasible = sum(int(d.table.feasible.sum()) for d in assessment.directions)
    assert feasible > 0
    assert len(_features(geojson, "engagement")) == feasible
    coverage = _features(geojson, "radar_coverage")
    assert 0 < len(coverage) <= sum(len(p.radars) for p in parties)
    assert {f["geometry"]["type"] for f in coverage} <= {"Polygon", "MultiPolygon"}


def test_properties(geojson: dict[str, Any]) -> None:
    site = _features(geojson, "interceptor_site")[0]["properties"]
    assert {"party", "id", "name", "interceptor", "count", "basing", "basis"} <= set(site)
    radar = _features(geojson, "radar")[0]["properties"]
    assert {"party", "id", "role", "range_km"} <= set(radar)
    route = _features(geojson, "trajectory")[0]["properties"]
    assert {
        "attacker",
        "defender",
        "launch",
        "target",
        "missile",
        "flight_time_s",
        "apogee_km",
        "reachable",
    } <= set(route)
    assert route["apogee_km"] > 100.0
    for f in _features(geojson, "engagement"):
        e = f["properties"]
        assert {
            "site",
            "route",
            "earliest_intercept_s",
            "latest_intercept_s",
            "earliest_intercept_altitude_km",
            "latest_intercept_altitude_km",
            "critical_burnout_velocity_kms",
            "margin_kms",
        } <= set(e)
        assert e["earliest_intercept_s"] <= e["latest_intercept_s"]
        assert e["margin_kms"] <= 1e-9  # feasible: the interceptor is fast enough
        if f["geometry"]["type"] == "Point":
            assert e["earliest_intercept_s"] == e["latest_intercept_s"]


def test_antimeridian_crossing_track_is_split(geojson: dict[str, Any]) -> None:
    (track,) = [
        f
        for f in _features(geojson, "trajectory")
        if f["properties"]["launch"] == "okhotsk_bastion" and f["properties"]["target"] == "seattle"
    ]
    assert track["properties"]["reachable"]
    g = track["geometry"]
    assert g["type"] == "MultiLineString"
    first, *_, last = g["coordinates"]
    assert first[0][:2] == pytest.approx([150.0, 52.0], abs=0.01)
    assert last[-1][:2] == pytest.approx([-122.33, 47.61], abs=0.02)
    for a, b in zip(g["coordinates"][:-1], g["coordinates"][1:], strict=True):
        assert abs(a[-1][0]) == 180.0
        assert b[0][0] == -a[-1][0]
        assert b[0][1:] == a[-1][1:]  # the same crossing point, height included
    heights = [p[2] for part in g["coordinates"] for p in part]
    assert max(heights) > 300e3
    assert abs(heights[0]) < 1e3
    # No part jumps across the map.
    for part in g["coordinates"]:
        lon = [p[0] for p in part]
        assert max(abs(b - a) for a, b in itertools.pairwise(lon)) < 180.0


def test_split_antimeridian_lines() -> None:
    lat = np.array([10.0, 20.0, 30.0])
    lon = np.array([170.0, -170.0, -160.0])
    parts = split_antimeridian(lat, lon, np.array([0.0, 1000.0, 0.0]))
    assert parts == [
        [[170.0, 10.0, 0.0], [180.0, 15.0, 500.0]],
        [[-180.0, 15.0, 500.0], [-170.0, 20.0, 1000.0], [-160.0, 30.0, 0.0]],
    ]
    assert split_antimeridian(np.array([0.0, 1.0]), np.array([-10.0, 10.0])) == [
        [[-10.0, 0.0], [10.0, 1.0]]
    ]
    westward = split_antimeridian(np.array([0.0, 0.0]), np.array([-175.0, 175.0]))
    assert westward == [[[-175.0, 0.0], [-180.0, 0.0]], [[180.0, 0.0], [175.0, 0.0]]]


def _circle(lat: float, lon: float, radius_m: float) -> tuple[np.ndarray, np.ndarray]:
    az = np.linspace(0.0, 360.0, 64, endpoint=False)
    la, lo = frames.destination(lat, lon, az, radius_m)
    return np.append(la, la[0]), np.append(lo, lo[0])


@pytest.mark.parametrize(
    ("lat", "lon", "pieces", "pole"),
    [
        (0.0, 0.0, 1, None),
        (52.0, 174.0, 2, None),  # across the antimeridian
        (80.0, 170.0, 1, 90.0),  # around the north pole
        (-75.0, -179.0, 1, -90.0),  # around the south pole
    ],
)
def test_split_polygon(lat: float, lon: float, pieces: int, pole: float | None) -> None:
    rings = split_polygon(*_circle(lat, lon, 2.5e6))
    assert len(rings) == pieces
    for ring in rings:
        assert ring[0] == ring[-1]
        assert all(-180.0 <= p[0] <= 180.0 and -90.0 <= p[1] <= 90.0 for p in ring)
        area = sum(a[0] * b[1] - b[0] * a[1] for a, b in itertools.pairwise(ring))
        assert area > 0.0  # counterclockwise (RFC 7946)
    lats = [p[1] for r in rings for p in r]
    lons = [p[0] for r in rings for p in r]
    if pole is not None:
        assert pole in lats
        assert min(lons) == -180.0
        assert max(lons) == 180.0
    if pieces == 2:
        assert min(lons) == -180.0
        assert max(lons) == 180.0
    # Reversed input gives the same orientation.
    assert len(split_polygon(*(a[::-1] for a in _circle(lat, lon, 2.5e6)))) == pieces
    assert split_polygon(np.empty(0), np.empty(0)) == []


def test_kml_parses_with_namespace_and_placemarks(
    kml: ET.Element, geojson: dict[str, Any], assessment: Assessment
) -> None:
    assert kml.tag == f"{K}kml"
    doc = kml.find(f"{K}Document")
    assert doc is not None
    placemarks = kml.findall(f".//{K}Placemark")
    # every feature, plus a time-tagged flight (gx:Track) per trajectory that reaches its target
    flights = [
        f
        for f in geojson["features"]
        if f["properties"]["feature"] == "trajectory" and f["properties"]["reachable"]
    ]
    assert len(placemarks) == len(geojson["features"]) + len(flights)
    party_folders = doc.findall(f"{K}Folder")
    assert len(party_folders) == len(assessment.scenario.parties)
    for pm in placemarks:
        style = pm.findtext(f"{K}styleUrl")
        assert style
        assert style.startswith("#")
        assert doc.find(f"{K}Style[@id='{style[1:]}']") is not None


def test_kml_escapes_names(assessment: Assessment) -> None:
    text = assessment_kml(assessment)
    assert SITE_NAME not in text  # the raw name would break the XML
    assert "&lt;Greely&gt; &amp;" in text
    root = ET.fromstring(text)
    names = [pm.findtext(f"{K}name") for pm in root.iter(f"{K}Placemark")]
    assert SITE_NAME in names
    (site,) = [pm for pm in root.iter(f"{K}Placemark") if pm.findtext(f"{K}name") == SITE_NAME]
    data = {d.get("name"): d.findtext(f"{K}value") for d in site.iter(f"{K}Data")}
    assert data["name"] == SITE_NAME
    assert data["id"] == "fort_greely"
    assert data["feature"] == "interceptor_site"


def test_kml_trajectories_are_3d(kml: ET.Element) -> None:
    tracks = 0
    for pm in kml.iter(f"{K}Placemark"):
        data = {d.get("name"): d.findtext(f"{K}value") for d in pm.iter(f"{K}Data")}
        if data["feature"] not in ("trajectory", "engagement"):
            continue
        heights: list[float] = []
        for line in pm.iter(f"{K}LineString"):
            assert line.findtext(f"{K}altitudeMode") == "absolute"
            coords = (line.findtext(f"{K}coordinates") or "").split()
            points = [[float(v) for v in c.split(",")] for c in coords]
            assert all(len(p) == 3 for p in points)
            heights += [p[2] for p in points]
        if data["feature"] == "trajectory":
            tracks += 1
            assert max(heights) > 100e3  # metres: Google Earth draws the arc
    assert tracks > 0


def test_writers(assessment: Assessment, tmp_path: Path) -> None:
    write_geojson(assessment, tmp_path / "a.geojson")
    loaded = json.loads((tmp_path / "a.geojson").read_text(encoding="utf-8"))
    assert loaded["type"] == "FeatureCollection"
    assert len(loaded["features"]) == len(assessment_geojson(assessment)["features"])
    write_kml(assessment, tmp_path / "a.kml")
    root = ET.parse(tmp_path / "a.kml").getroot()
    assert root.tag == f"{K}kml"
