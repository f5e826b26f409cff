"""The figures of an assessment as files for publication (``glasnost assess --figures DIR``).

Every figure of the HTML report (per direction: the polar map and the margin heat map), at a
journal's full page width (:data:`glasnost.report.maps.JOURNAL`: 7 in, 8 pt type), each as SVG
(text kept as text) and PDF (TrueType fonts embedded, as journals ask), named
``map_<defender>_vs_<attacker>`` and ``margins_<defender>_vs_<attacker>`` (with ``_<shape>``
for a threat shape other than minimum-energy), and a ``captions.md`` with every caption.
"""

from __future__ import annotations

import os
from pathlib import Path

from glasnost.defense.assessment import Assessment
from glasnost.report import maps
from glasnost.report.html import pictures

FORMATS = ("svg", "pdf")


def write_figures(
    assessment: Assessment, folder: str | os.PathLike[str], style: maps.Style = maps.JOURNAL
) -> list[Path]:
    """Write every figure to ``folder`` (created if missing; its parent must exist) in each of
    :data:`FORMATS`, and ``captions.md``; returns the paths written."""
    out = Path(folder)
    out.mkdir(exist_ok=True)
    written: list[Path] = []
    captions = [f"# Figures: {assessment.scenario.name}, posture on {assessment.date}", ""]
    for heading, group in pictures(assessment, style):
        captions += [f"## {heading}", ""]
        for picture in group:
            for fmt in FORMATS:
                path = out / f"{picture.name}.{fmt}"
                path.write_bytes(maps.figure_bytes(picture.figure, fmt))
                written.append(path)
            captions += [f"**{picture.name}**: {picture.title}. {picture.caption}", ""]
    notes = out / "captions.md"
    notes.write_text("\n".join(captions), encoding="utf-8")
    written.append(notes)
    return written
