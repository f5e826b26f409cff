"""The HTML report: one self-contained, valid file with the verdict, criteria, pictures,
tables and assumptions; the offline world outline; the plotting helpers."""

from __future__ import annotations

import base64
import dataclasses
import math
import re
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest

from glasnost.defense.assessment import Assessment
from glasnost.report import heatmap, maps
from glasnost.report.html import render_html, site_base_engages, site_base_margins, write_html
from tests.unit.report import small_assessment

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


class _Checker(HTMLParser):
    """Collects the text, the attributes and the nesting errors of a document."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.attributes: list[tuple[str, str, str]] = []
        self.tags: list[str] = []
        self.text: list[str] = []
        self.doctype = ""

    def handle_decl(self, decl: str) -> None:
        self.doctype = decl

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes += [(tag, name, value or "") for name, value in attrs]
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes += [(tag, name, value or "") for name, value in attrs]

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
        else:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _check(document: str) -> _Checker:
    checker = _Checker()
    checker.feed(document)
    checker.close()
    return checker


@pytest.fixture(scope="module")
def assessment() -> Assessment:
    return small_assessment()


@pytest.fixture(scope="module")
def document(assessment: Assessment) -> str:
    return render_html(assessment)


@pytest.fixture(scope="module")
def parsed(document: str) -> _Checker:
    return _check(document)


def test_is_valid_html(parsed: _Checker) -> None:
    assert parsed.doctype.lower() == "doctype html"
    assert parsed.errors == []
    assert parsed.stack == []
    assert parsed.tags[0] == "html"
    for tag in ("head", "title", "body", "main", "table", "figure"):
        assert tag in parsed.tags


def test_holds_the_verdict_criteria_and_assumptions(
    assessment: Assessment, parsed: _Checker
) -> None:
    data = assessment.to_dict()
    text = " ".join("".join(parsed.text).split())
    assert data["verdict"].upper() in text
    assert f"Scenario {data['scenario']}" in text
    assert data["date"] in text
    for c in data["criteria"]:
        assert c["id"] in text
        assert c["subject"] in text
        for driver in c["drivers"]:
            assert driver in text
    for a in data["assumptions"]:
        assert " ".join(a.split()) in text
    for w in data["warnings"]:
        assert " ".join(w.split()) in text
    for c in data["capacity"]:
        assert f"{c['fraction_defeatable']:.1%}" in text
    # Every site appears in the closest-engagement table.
    for d in assessment.directions:
        for s in d.sites:
            assert s.id in text


def test_embeds_pictures_and_loads_nothing(document: str, parsed: _Checker) -> None:
    images = [v for tag, name, v in parsed.attributes if tag == "img" and name == "src"]
    assert len(images) >= 3
    assert document.count("data:image/png;base64,") == len(images)
    for src in images:
        assert src.startswith("data:image/png;base64,")
        assert base64.b64decode(src.split(",", 1)[1]).startswith(PNG_SIGNATURE)
    for tag, name, value in parsed.attributes:
        if name in ("src", "href", "srcset", "poster", "data", "action"):
            assert not re.match(r"\s*(https?:)?//", value, re.IGNORECASE), (tag, name, value)
    lowered = document.lower()
    assert "<script" not in lowered
    assert "<link" not in lowered
    assert "<iframe" not in lowered
    assert "@import" not in lowered
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", lowered)


def test_escapes_scenario_text(assessment: Assessment) -> None:
    hostile = "<b onclick='x'>us & ru</b>"
    renamed = dataclasses.replace(
        assessment, scenario=assessment.scenario.model_copy(update={"name": hostile})
    )
    document = render_html(renamed)
    assert hostile not in document
    assert "&lt;b onclick=" in document
    assert "us &amp; ru" in document
    assert _check(document).errors == []


def test_write_html(assessment: Assessment, document: str, tmp_path: Path) -> None:
    path = tmp_path / "report.html"
    write_html(assessment, path)
    assert path.read_text(encoding="utf-8") == document


def test_heat_map_matrix_is_the_least_margin_per_site_and_base(assessment: Assessment) -> None:
    records = assessment.engagements()
    for d in assessment.directions:
        grid, sites, bases = site_base_margins(assessment, d)
        assert grid.shape == (len(d.sites), len(bases))
        assert bases == [b.id for b in assessment.scenario.party(d.attacker).launch_bases]
        for i, site in enumerate(sites):
            for b, base in enumerate(bases):
                mine = [
                    r
                    for r in records
                    if r["defender"] == d.defender and r["site"] == site and r["launch"] == base
                ]
                if not mine or mine[0]["interceptors_at_site"] == 0:
                    # no reachable route from that base, or a site without interceptors
                    assert math.isnan(grid[i, b])
                    continue
                finite = [r["margin_kms"] for r in mine if r["margin_kms"] is not None]
                expected = min(finite) if finite else math.inf
                assert grid[i, b] == pytest.approx(expected, abs=1e-9)


def test_heat_map_outlines_what_each_site_can_engage(assessment: Assessment) -> None:
    records = assessment.engagements()
    for d in assessment.directions:
        engages = site_base_engages(assessment, d)
        _, sites, bases = site_base_margins(assessment, d)
        for i, site in enumerate(sites):
            for b, base in enumerate(bases):
                expected = any(
                    r["feasible"]
                    for r in records
                    if r["defender"] == d.defender and r["site"] == site and r["launch"] == base
                )
                assert engages[i, b] == expected


def test_world_outline_loads() -> None:
    polygons = maps.load_world_land()
    rings = [ring for polygon in polygons for ring in polygon]
    assert len(rings) > 100
    for ring in rings:
        assert ring.ndim == 2
        assert ring.shape[1] == 2
        assert len(ring) >= 4
        assert np.array_equal(ring[0], ring[-1])
        assert np.all((ring[:, 0] >= -180.0) & (ring[:, 0] <= 180.0))
        assert np.all((ring[:, 1] >= -90.0) & (ring[:, 1] <= 90.0))
    # Land is about 29 % of the Earth's surface: check the outline's spherical area.
    area = 0.0
    for polygon in polygons:
        for ring in polygon:
            lon, lat = np.radians(ring[:, 0]), np.radians(ring[:, 1])
            # Signed area on the unit sphere of a lon/lat ring (trapezoids in lon, sin lat).
            area += 0.5 * float(np.sum((lon[1:] - lon[:-1]) * (np.sin(lat[1:]) + np.sin(lat[:-1]))))
    fraction = abs(area) / (4.0 * math.pi)
    assert 0.27 < fraction < 0.31


def test_split_antimeridian() -> None:
    lon, lat = maps.split_antimeridian([170.0, 179.0, -179.0, -170.0], [10.0, 20.0, 30.0, 40.0])
    breaks = np.flatnonzero(np.isnan(lon))
    assert breaks.size == 1
    k = int(breaks[0])
    assert (lon[k - 1], lon[k + 1]) == (180.0, -180.0)
    assert lat[k - 1] == pytest.approx(25.0) == lat[k + 1]
    same_lon, _ = maps.split_antimeridian([10.0, 20.0], [0.0, 0.0])
    assert same_lon.tolist() == [10.0, 20.0]


def test_pictures_of_edge_cases_are_pngs() -> None:
    heat = heatmap.margin_heatmap_png(
        [[-1.0, math.nan], [math.inf, 2.0]], ["a", "b"], ["x", "y"], title="margins"
    )
    assert heat.startswith(PNG_SIGNATURE)
    assert heatmap.margin_heatmap_png(np.empty((0, 2)), [], ["x", "y"], title="none").startswith(
        PNG_SIGNATURE
    )
    around_pole = maps.RadarMarker(
        0.0,
        80.0,
        "r",
        "A",
        True,
        np.linspace(-180.0, 180.0, 37),
        np.full(37, 70.0),
    )
    world = maps.world_map_png(
        title="empty",
        parties=["A"],
        radars=[around_pole],
        tracks=[maps.Track(np.array([170.0, -170.0]), np.array([50.0, 55.0]))],
        engageable=[maps.Track(np.array([10.0, 10.0]), np.array([5.0, 5.0]))],
    )
    assert world.startswith(PNG_SIGNATURE)
