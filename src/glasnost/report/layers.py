"""GIS layers: the GeoJSON export split into one file per feature type and geometry type
(``glasnost assess --layers DIR``), so that QGIS and other tools open each file as one layer
without asking which sublayer to load.

Each file is an RFC 7946 FeatureCollection of :func:`glasnost.report.geo.assessment_geojson`'s
features of one ``feature`` kind, all of one geometry type: lines and polygons are promoted to
their Multi types (a line cut at the antimeridian is already a MultiLineString), and an
engagement whose window is a single instant (a Point) goes to ``engagement_instants`` apart
from the engagement windows (lines). Files: ``interceptor_sites``, ``radars``,
``radar_coverage``, ``launch_bases``, ``targets``, ``trajectories``, ``engagements`` and
``engagement_instants`` (``.geojson``); a kind with no feature writes no file.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from glasnost.defense.assessment import Assessment
from glasnost.report.geo import assessment_geojson

LAYER_NAMES = {
    ("interceptor_site", "Point"): "interceptor_sites",
    ("radar", "Point"): "radars",
    ("radar_coverage", "MultiPolygon"): "radar_coverage",
    ("launch_base", "Point"): "launch_bases",
    ("target", "Point"): "targets",
    ("trajectory", "MultiLineString"): "trajectories",
    ("engagement", "MultiLineString"): "engagements",
    ("engagement", "Point"): "engagement_instants",
}
"""(feature kind, geometry type after promotion) -> file stem."""

PROMOTE = {"LineString": "MultiLineString", "Polygon": "MultiPolygon"}


def _promoted(geometry: dict[str, Any]) -> dict[str, Any]:
    kind = geometry["type"]
    if kind not in PROMOTE:
        return geometry
    return {"type": PROMOTE[kind], "coordinates": [geometry["coordinates"]]}


def geojson_layers(assessment: Assessment) -> dict[str, dict[str, Any]]:
    """The layers: file stem -> FeatureCollection (plain data), in :data:`LAYER_NAMES` order."""
    document = assessment_geojson(assessment)
    layers: dict[str, list[dict[str, Any]]] = {stem: [] for stem in LAYER_NAMES.values()}
    for feature in document["features"]:
        geometry = _promoted(feature["geometry"])
        stem = LAYER_NAMES[(feature["properties"]["feature"], geometry["type"])]
        layers[stem].append({**feature, "geometry": geometry})
    meta = document["glasnost"]
    return {
        stem: {
            "type": "FeatureCollection",
            "name": stem,
            "features": features,
            "glasnost": {**meta, "layer": stem},
        }
        for stem, features in layers.items()
        if features
    }


def write_geojson_layers(assessment: Assessment, folder: str | os.PathLike[str]) -> list[Path]:
    """Write each layer to ``folder``/STEM.geojson (the folder is created if missing; its
    parent must exist); returns the paths written."""
    out = Path(folder)
    out.mkdir(exist_ok=True)
    written: list[Path] = []
    for stem, collection in geojson_layers(assessment).items():
        path = out / f"{stem}.geojson"
        text = json.dumps(collection, allow_nan=False, ensure_ascii=False, separators=(",", ":"))
        path.write_text(text + "\n", encoding="utf-8")
        written.append(path)
    return written
