"""Figures for publication (SVG and PDF at journal size) and the CSV tables: files exist,
parse, and hold what they say."""

from __future__ import annotations

import csv
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from glasnost.defense.assessment import Assessment
from glasnost.report import maps
from glasnost.report.csv_tables import write_csv_tables
from glasnost.report.figures import write_figures
from glasnost.report.tables import TABLES, assessment_tables
from tests.unit.report import small_assessment

SVG_NS = "{http://www.w3.org/2000/svg}"
POINTS_PER_INCH = 72.0


@pytest.fixture(scope="module")
def assessment() -> Assessment:
    return small_assessment()


@pytest.fixture(scope="module")
def figures(assessment: Assessment, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("out") / "figures"  # created by the writer
    write_figures(assessment, folder)
    return folder


def _svg_texts(root: ET.Element) -> list[str]:
    return ["".join(el.itertext()) for el in root.iter(f"{SVG_NS}text")]


def test_every_figure_is_written_as_svg_and_pdf(assessment: Assessment, figures: Path) -> None:
    stems = {
        f"{kind}_{d.defender}_vs_{d.attacker}"
        for d in assessment.directions
        for kind in ("map", "margins")
    }
    assert {p.name for p in figures.iterdir()} == {
        *(f"{s}.{ext}" for s in stems for ext in ("svg", "pdf")),
        "captions.md",
    }
    captions = (figures / "captions.md").read_text()
    for stem in stems:
        assert f"**{stem}**" in captions


def test_svg_files_are_valid_journal_width_with_text_kept_as_text(figures: Path) -> None:
    for path in figures.glob("*.svg"):
        root = ET.parse(path).getroot()  # well-formed XML
        assert root.tag == f"{SVG_NS}svg"
        width_pt = float(re.fullmatch(r"([\d.]+)pt", root.attrib["width"]).group(1))  # type: ignore[union-attr]
        # A journal's full page width: 7.0-7.3 in (178-185 mm), with 0.05 in padding a side.
        assert width_pt / POINTS_PER_INCH <= maps.JOURNAL.width_in + 0.2, path.name
        assert width_pt / POINTS_PER_INCH > 4.0, path.name
        assert _svg_texts(root), f"{path.name}: text drawn as paths"


def test_pdf_files_are_pdfs_with_embedded_truetype_fonts(figures: Path) -> None:
    for path in figures.glob("*.pdf"):
        data = path.read_bytes()
        assert data.startswith(b"%PDF-")
        assert data.rstrip().endswith(b"%%EOF")
        assert b"/FontFile2" in data, f"{path.name}: fonts not embedded as TrueType"


def test_the_map_labels_the_sites_and_names_its_projection(figures: Path) -> None:
    texts = " ".join(_svg_texts(ET.parse(figures / "map_US_vs_RU.svg").getroot()))
    assert "fort_greely" in texts
    assert "closest for" in texts  # the highlighted windows, each named in the legend
    captions = (figures / "captions.md").read_text()
    assert "Azimuthal equidistant projection centred on the North Pole" in captions


def test_the_heat_map_labels_sites_without_interceptors(
    assessment: Assessment, figures: Path
) -> None:
    empty = [s.id for d in assessment.directions for s in d.sites if s.count == 0]
    assert empty, "the built-in posture has a site without interceptors"
    for d in assessment.directions:
        texts = _svg_texts(
            ET.parse(figures / f"margins_{d.defender}_vs_{d.attacker}.svg").getroot()
        )
        n_empty = sum(s.count == 0 for s in d.sites)
        assert sum(t == "no interceptors" for t in texts) == n_empty


def test_figures_are_reproducible(assessment: Assessment, figures: Path, tmp_path: Path) -> None:
    again = write_figures(assessment, tmp_path / "again")
    for path in again:
        assert path.read_bytes() == (figures / path.name).read_bytes(), path.name


def test_csv_tables_parse_back_to_the_records(assessment: Assessment, tmp_path: Path) -> None:
    written = write_csv_tables(assessment, tmp_path / "tables")
    assert [p.name for p in written] == [f"{name}.csv" for name in TABLES]
    records = assessment_tables(assessment)
    for path in written:
        name = path.stem
        with path.open(newline="", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
        assert len(rows) == len(records[name])
        for row, record in zip(rows, records[name], strict=True):
            assert list(row) == list(record)
            for key, value in record.items():
                cell = row[key]
                if value is None:
                    assert cell == ""
                elif isinstance(value, bool):
                    assert cell == ("true" if value else "false")
                elif isinstance(value, int | float):
                    assert float(cell) == value  # full precision
                else:
                    assert cell == value
