"""The assessments page: every ``assessment`` entry with its confirmation status (from
:func:`glasnost.treaty.compliance.compliance`), and the assessment of the latest logged one
recomputed here: the scenario made of the declarations it references
(:func:`glasnost.treaty.confirmation.scenario_from_declarations`), recomputed as the other party
does (:func:`glasnost.treaty.digest.recompute`: the assessment and both digests), drawn with the
HTML report's map and margin heat map.

When the latest assessment records a sweep (docs/uncertainty.md), the page shows its plan and
logged summary digest and, when the node's sweeps folder (``glasnost serve --sweeps``) holds the
sweep whose summary has that digest (the recording party's own, or the other party's rerun),
its verdict probability, the inputs ranked by sensitivity and its pictures.

With no assessment entry yet, the page assesses the parties' latest received declarations
instead (what an assessment request would assess now). An assessment takes seconds: it runs on
the first request for a scenario and is kept by the scenario's digest, so it is never computed
twice (requests that arrive meanwhile wait for the first).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from glasnost.defense.geometry import ground_tracks
from glasnost.report.html import LABELS, heatmap, world_map
from glasnost.scenario.models import Scenario
from glasnost.service.pages.common import PLOT_LOCK, Site
from glasnost.treaty.bodies import Assessment as AssessmentBody
from glasnost.treaty.bodies import SweepClaim
from glasnost.treaty.compliance import compliance
from glasnost.treaty.confirmation import (
    ConfirmationError,
    latest_declarations,
    recompute,
    scenario_from_declarations,
    scenario_sha256,
)
from glasnost.treaty.logs import LoggedEntry, LogView, entry_label

__all__ = ["Assessed", "page"]


@dataclass(frozen=True)
class Assessed:
    """What the page shows of an assessment run: its plain result, its digests, its pictures
    (per direction: heading, [(title, caption, alt, data URI)])."""

    data: dict[str, Any]
    summary: str
    scenario_sha256: str
    result_sha256: str
    figures: list[tuple[str, list[tuple[str, str, str, str]]]]


def _run(scenario: Scenario) -> Assessed:
    """Recompute ``scenario`` and draw its pictures (seconds)."""
    recomputed = recompute(scenario)
    assessed = recomputed.assessment
    assert assessed is not None  # recompute keeps the assessment
    tracks = ground_tracks(assessed.trajectories.trajectory)
    figures: list[tuple[str, list[tuple[str, str, str, str]]]] = []
    with PLOT_LOCK:
        for d in assessed.directions:
            pictures = [world_map(assessed, d, tracks), heatmap(assessed, d)]
            figures.append(
                (
                    f"{d.defender} defenses against {d.attacker} forces",
                    [(p.title, p.caption, p.alt, p.data_uri) for p in pictures],
                )
            )
    return Assessed(
        data=assessed.to_dict(),
        summary=scenario.summary(),
        scenario_sha256=recomputed.scenario_sha256,
        result_sha256=recomputed.result_sha256,
        figures=figures,
    )


@dataclass(frozen=True)
class SweepView:
    """A recorded sweep's summary as found in the sweeps folder (None: not found there), its
    verdict ranking and pictures ([(title, caption, alt, data URI)])."""

    summary: dict[str, Any] | None
    ranking: list[dict[str, Any]]
    pictures: list[tuple[str, str, str, str]]


def _sweep_view(folder: Path | None, claim: SweepClaim) -> SweepView:
    """Find the recorded sweep by its summary digest and draw it (seconds)."""
    from glasnost.report.sweep import sweep_pictures  # pandas and Dask: only for a sweep
    from glasnost.sweep.evaluate import VERDICT
    from glasnost.sweep.sweep import find_sweep

    found = None if folder is None else find_sweep(folder, claim.summary_sha256)
    if found is None:
        return SweepView(None, [], [])
    verdict = found.summary.get("sensitivity", {}).get("outputs", {}).get(VERDICT, {})
    with PLOT_LOCK:
        pictures = [(p.title, p.caption, p.alt, p.data_uri) for p in sweep_pictures(found)]
    return SweepView(found.summary, verdict.get("ranking", []), pictures)


def _inputs(entry: LoggedEntry, views: dict[str, LogView]) -> dict[str, LoggedEntry]:
    """The declarations an assessment entry references, found by hash in the logs."""
    found: dict[str, LoggedEntry] = {}
    for ref in entry.entry.refs:
        view = views.get(ref.party)
        logged = None if view is None else view.by_hash(ref.hash)
        if logged is not None and logged.seq == ref.seq:
            found[logged.party] = logged
    return found


def page(site: Site) -> dict[str, Any]:
    """The assessment entries with their status, and the latest assessment recomputed."""
    views = site.views()
    report = compliance(site.agreement, views).to_json()
    statuses = {a["entry"]: a for a in report["assessments"]}
    entries = sorted(
        (e for view in views.values() for e in view.of_type("assessment")),
        key=lambda e: (e.created_at, e.party, e.seq),
    )
    rows = []
    for e in entries:
        body = e.entry.body
        assert isinstance(body, AssessmentBody)
        status = statuses.get(e.ref)
        rows.append(
            {
                "ref": e.ref,
                "party": e.party,
                "created_at": e.created_at,
                "received_at": e.received_at,
                "verdict": body.verdict,
                "scenario_sha256": body.scenario_sha256,
                "result_sha256": body.result_sha256,
                "software": body.software,
                "sweep": body.sweep,
                "inputs": [entry_label(r.party, r.seq) for r in e.entry.refs],
                "status": "void" if status is None else status["status"],
                "answer": None if status is None else status["answer"],
                "note": "" if status is None else status["note"],
            }
        )

    latest = entries[-1] if entries else None
    inputs = _inputs(latest, views) if latest is not None else latest_declarations(views)
    claimed = None if latest is None else latest.entry.body
    problem = None
    assessed = None
    try:
        scenario = scenario_from_declarations(site.agreement, inputs)
    except ConfirmationError as exc:
        problem = str(exc)
    else:
        try:
            assessed = site.assessments.get(scenario_sha256(scenario), lambda: _run(scenario))
        except ValueError as exc:  # a declared figure the models cannot reach, named
            problem = str(exc)
    sweep = None
    if isinstance(claimed, AssessmentBody) and claimed.sweep is not None:
        recorded = claimed.sweep
        sweep = site.figures.get(
            ("sweep", str(site.sweeps), recorded.summary_sha256),
            lambda: _sweep_view(site.sweeps, recorded),
        )
    return {
        "sweep": sweep,
        "rows": rows,
        "latest": None if latest is None else rows[-1],
        "claimed": None if not isinstance(claimed, AssessmentBody) else claimed,
        "inputs": sorted(e.ref for e in inputs.values()),
        "problem": problem,
        "assessed": assessed,
        "labels": LABELS,
    }
