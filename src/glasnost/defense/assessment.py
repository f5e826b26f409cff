"""The threat assessment: scenario -> trajectories -> sensors -> engagements -> capacity ->
criteria and verdict (docs/assessment.md).

For every dyad of the scenario, both ways, each launch base of the attacker is flown to every
target of the defender (one min-energy trajectory per route, all routes in one batch), the
trajectories are sampled, the defender's radars and satellites give the earliest interceptor
launch per (site, route), the engagement kernel decides what each site could intercept, and a
maximum flow bounds the warheads the defender could defeat. The criteria of the agreement are
then evaluated, each with the engagements or sites that drive it.

Staged interceptor types (``model: staged``) get one flyout table each
(:func:`flyout_table`, cached by type), which decides their sites' engagements; their burnout
velocity -- in the velocity criteria and the engagement records -- is the one derived from the
flyout (the best burnout speed over the fan of pitch-over kicks).

The parts, one concept each: the interceptor types' performance and flyout tables
(:mod:`~glasnost.defense.interceptor_performance`), the trajectories sampled for the sensors
and the engagement kernel (:mod:`~glasnost.defense.threat_samples`), one defender against one
attacker (:mod:`~glasnost.defense.direction`), the agreement's criteria
(:mod:`~glasnost.defense.criteria`) and the result with its records
(:mod:`~glasnost.defense.assessment_result`). This module runs them in order; it also names
the result types for callers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import numpy as np

from glasnost.defense.assessment_result import Assessment
from glasnost.defense.criteria import CriterionResult, evaluate_criteria, purpose_tests
from glasnost.defense.direction import Direction, Route, assess_direction, sensor_radars
from glasnost.defense.interceptor_performance import (
    critical_velocity_model,
    flyout_table,
    is_flown,
)
from glasnost.defense.threat_samples import sample_threats
from glasnost.physics.aim_cache import cached_aim
from glasnost.physics.constants import EARTH_MODELS
from glasnost.physics.targeting import TargetingResult
from glasnost.physics.vehicle import stack
from glasnost.scenario.models import Scenario

__all__ = [
    "Assessment",
    "CriterionResult",
    "Direction",
    "Progress",
    "Route",
    "assess",
    "critical_velocity_model",
    "flyout_table",
    "sensor_radars",
]

Progress = Callable[[str, float], None]
"""progress(stage description, fraction done in [0, 1])."""


def assess(
    scenario: Scenario, date: dt.date | None = None, progress: Progress | None = None
) -> Assessment:
    """Run the assessment of ``scenario`` on ``date`` (default: the scenario's date)."""
    report = progress or (lambda stage, done: None)
    when = date or scenario.date
    posture = scenario.model_copy(update={"parties": tuple(p.on(when) for p in scenario.parties)})
    earth = EARTH_MODELS[posture.earth]
    parties = {p.id: p for p in posture.parties}
    missiles = {m.id: m for m in posture.missile_types}
    warnings: list[str] = []

    settings = posture.assessment
    pairs = _pairs(posture)
    routes: list[Route] = []
    for shape in settings.shapes():
        for attacker, defender in pairs:
            for base in parties[attacker].launch_bases:
                per_missile = posture.warheads_per_missile(base)
                for target in posture.targets_of(parties[attacker], parties[defender]):
                    routes.append(
                        Route(
                            len(routes),
                            attacker,
                            defender,
                            base,
                            target,
                            base.missile,
                            per_missile,
                            shape,
                        )
                    )
    if not routes:
        raise ValueError("the scenario has no launch base and target to fly between on this date")
    report(f"flying {len(routes)} trajectories", 0.0)
    parts, rows = [], []
    for shape in settings.shapes():
        mine = [r for r in routes if r.shape == shape]
        vehicles = stack([missiles[r.missile].missile().vehicle() for r in mine])
        options: dict[str, Any] = {"shape": shape, "earth": earth}
        options.update(settings.shape_options(shape))
        parts.append(
            cached_aim(
                vehicles,
                [r.base.lat_deg for r in mine],
                [r.base.lon_deg for r in mine],
                [r.target.lat_deg for r in mine],
                [r.target.lon_deg for r in mine],
                **options,
            )
        )
        rows.append(np.array([r.index for r in mine], dtype=np.intp))
    result = parts[0] if len(parts) == 1 else TargetingResult.join(parts, rows)
    out_of_reach = [r for r in routes if not result.on_target[r.index]]
    if out_of_reach:
        many = len(settings.shapes()) > 1
        warnings.append(
            f"{len(out_of_reach)} of {len(routes)} routes are beyond the missile's reach and "
            "are left out: "
            + ", ".join(
                f"{r.base.id}->{r.target.id}" + (f" ({r.shape})" if many else "")
                for r in out_of_reach[:8]
            )
            + (" ..." if len(out_of_reach) > 8 else "")
        )
    report("sampling trajectories", 0.5)
    in_service = {s.interceptor for p in posture.parties for s in p.interceptor_sites}
    used = [t for t in posture.interceptor_types if t.id in in_service]
    edges = {(t.min_intercept_altitude_km * 1e3, True) for t in used}
    edges |= {(t.max_intercept_altitude_km * 1e3, False) for t in used}
    samples, phase = sample_threats(result, posture.assessment.sample_step_s, earth, sorted(edges))
    flown = [t for t in used if is_flown(t, posture.assessment.interceptor_model)]
    if flown:
        report(f"flyout tables of {len(flown)} interceptor types", 0.52)
    tables = {t.id: flyout_table(t) for t in flown}

    directions: list[Direction] = []
    jobs = [(shape, a, d) for shape in settings.shapes() for a, d in pairs]
    for k, (shape, attacker, defender) in enumerate(jobs):
        label = f" ({shape})" if len(settings.shapes()) > 1 else ""
        report(f"{defender} defenses against {attacker} forces{label}", 0.55 + 0.4 * k / len(jobs))
        directions.append(
            assess_direction(
                posture,
                parties[defender],
                parties[attacker],
                [r for r in routes if r.shape == shape],
                result,
                samples,
                phase,
                earth,
                warnings,
                tables,
                shape,
            )
        )
    criteria = evaluate_criteria(posture, directions, tables)
    report("done", 1.0)
    return Assessment(
        posture,
        when,
        tuple(routes),
        result,
        tuple(directions),
        criteria,
        tuple(warnings),
        tables,
        purpose_tests(posture, directions),
    )


def _pairs(scenario: Scenario) -> list[tuple[str, str]]:
    """The (attacker, defender) directions assessed (:meth:`Scenario.directions`)."""
    return [(a.id, d.id) for a, d in scenario.directions()]
