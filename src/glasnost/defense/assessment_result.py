"""The result of an assessment (:class:`Assessment`) and its records: the one serialisation
that the JSON output, the result digest and the flat tables read.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from glasnost import __version__
from glasnost.defense.criteria import CriterionResult, Purpose
from glasnost.defense.direction import CO_LOCATED_M, POST_BOOST_S, Direction, Route
from glasnost.defense.engagement import Samples
from glasnost.defense.flyout import FlyoutTable
from glasnost.defense.interceptor_performance import (
    critical_velocity_model,
    stack_note,
    type_burnout_kms,
)
from glasnost.physics import frames
from glasnost.physics.targeting import TargetingResult
from glasnost.physics.trajectory import Trajectory
from glasnost.scenario.models import Scenario
from glasnost.scenario.posture import LaunchBase, Target

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class Assessment:
    scenario: Scenario  # the posture on ``date``
    date: dt.date
    routes: tuple[Route, ...]
    trajectories: TargetingResult
    directions: tuple[Direction, ...]
    criteria: tuple[CriterionResult, ...]
    warnings: tuple[str, ...] = field(default=())
    flyout_tables: dict[str, FlyoutTable] = field(default_factory=dict)
    """The flyout table of each interceptor type flown, by type id."""
    purposes: tuple[Purpose, ...] = ()
    """The purpose test of each party that declares what its defenses are for."""

    @property
    def no_threat(self) -> bool:
        """True when every criterion passes: no threat by the agreement's criteria; False
        when at least one fails (a threat)."""
        return all(c.passed for c in self.criteria)

    @property
    def verdict_label(self) -> str:
        """The verdict in words, as the JSON field ``verdict`` gives it: "no threat" or
        "threat"."""
        return "no threat" if self.no_threat else "threat"

    def interceptor_burnout_velocity_kms(self, type_id: str) -> float:
        """Burnout velocity (km/s) of an interceptor type: the declared one (simple model) or
        the one derived from its flyout table (staged)."""
        return type_burnout_kms(self.scenario.interceptor_type(type_id), self.flyout_tables)

    def settings_summary(self) -> dict[str, Any]:
        """The conventions behind the numbers: interceptor model, critical-velocity model,
        commit time, threat shapes and the window resolution (s)."""
        settings = self.scenario.assessment
        return {
            "interceptor_model": settings.interceptor_model,
            "critical_velocity_model": critical_velocity_model(settings.interceptor_model),
            "launch_delay_s": settings.launch_delay_s,
            "threat_shapes": list(settings.shapes()),
            "window_resolution_s": max(
                (d.table.window_resolution_s for d in self.directions), default=0.0
            ),
        }

    # The result records: the one serialisation of the result, which the JSON output
    # (:meth:`to_dict`), the digest (:func:`glasnost.treaty.digest.result_json`) and the flat
    # tables (:mod:`glasnost.report.tables`) all read.

    def criteria_records(self) -> list[dict[str, Any]]:
        """One record per evaluated criterion, in evaluation order."""
        return [
            {
                "id": c.id,
                "subject": c.subject,
                "value": c.value,
                "threshold": c.threshold,
                "passed": c.passed,
                "drivers": list(c.drivers),
            }
            for c in self.criteria
        ]

    def capacity_records(self) -> list[dict[str, Any]]:
        """One record per direction: warheads deployed and defeatable, and the split of the
        maximum flow by site, base and target."""
        return [
            {
                "defender": d.defender,
                "attacker": d.attacker,
                "shape": d.shape,
                "deployed_warheads": d.deployed_warheads,
                "warheads_defeatable": d.capacity.warheads_defeatable,
                "fraction_defeatable": d.defeatable_fraction,
                "by_site": {s.id: int(n) for s, n in zip(d.sites, d.capacity.by_site, strict=True)},
                "by_base": _by_base(d),
                "by_target": _by_target(d),
            }
            for d in self.directions
        ]

    def route_records(self) -> list[dict[str, Any]]:
        """One record per route flown, reachable or not, in batch order."""
        result = self.trajectories
        return [
            {
                "attacker": r.attacker,
                "shape": r.shape,
                "launch": r.base.id,
                "missile": r.missile,
                "target": r.target.id,
                "reachable": bool(result.on_target[r.index]),
                "flight_time_s": float(result.trajectory.impact_s[r.index]),
            }
            for r in self.routes
        ]

    def engagements(self) -> list[dict[str, Any]]:
        """One record per (site, route) of every direction (km, km/s and degrees)."""
        traj = self.trajectories.trajectory
        model = self.scenario.assessment.interceptor_model
        out: list[dict[str, Any]] = []
        for d in self.directions:
            tb = d.table
            point = _least_speed_points(d, traj)
            for i, site in enumerate(d.sites):
                speed = self.interceptor_burnout_velocity_kms(site.interceptor)
                for j, route in enumerate(d.routes):
                    crit = float(tb.critical_burnout_velocity_ms[i, j])
                    intercept = point(i, j)
                    out.append(
                        {
                            "defender": d.defender,
                            "shape": d.shape,
                            "site": site.id,
                            "interceptor": site.interceptor,
                            "interceptors_at_site": site.count,
                            "interceptor_model": _site_model(site.interceptor, model, self),
                            "interceptor_burnout_velocity_kms": speed,
                            "attacker": d.attacker,
                            "launch": route.base.id,
                            "missile": route.missile,
                            "target": route.target.id,
                            "feasible": bool(tb.feasible[i, j]),
                            "cued_by": d.cue(i, j),
                            "window_start_s": _num(tb.earliest_intercept_s[i, j]),
                            "window_end_s": _num(tb.latest_intercept_s[i, j]),
                            "window_s": _num(tb.window_s[i, j]),
                            "window_resolution_s": tb.window_resolution_s,
                            "earliest_intercept_s": _num(tb.earliest_intercept_s[i, j]),
                            "latest_intercept_s": _num(tb.latest_intercept_s[i, j]),
                            "earliest_intercept_altitude_km": _num(
                                tb.earliest_intercept_altitude_m[i, j] / 1e3
                            ),
                            "latest_launch_s": _num(tb.latest_launch_s[i, j]),
                            "earliest_launch_s": _num(d.earliest_launch_s[i, j]),
                            "shots": int(tb.shots[i, j]),
                            "critical_burnout_velocity_kms": _num(crit / 1e3),
                            "margin_kms": _num((crit / 1e3) - speed),
                            "intercept": intercept,
                            "phase": None if intercept is None else intercept["phase"],
                            "flight_time_s": float(traj.impact_s[route.index]),
                        }
                    )
        return out

    def to_dict(self) -> dict[str, Any]:
        """The whole result as plain data (the ``--json`` output)."""
        return {
            "glasnost_version": __version__,
            "scenario": self.scenario.name,
            "date": self.date.isoformat(),
            "verdict": self.verdict_label,
            "verdict_passed": self.no_threat,
            **self.settings_summary(),
            "criteria": self.criteria_records(),
            "capacity": self.capacity_records(),
            "routes": self.route_records(),
            "purpose": [
                {
                    "defender": p.defender,
                    "serves_declared_purpose": p.serves_declared_purpose,
                    **{
                        key: {
                            "attackers": list(c.attackers),
                            "routes": c.routes,
                            "routes_engageable": c.routes_engageable,
                            "warheads": c.warheads,
                            "warheads_defeatable": c.warheads_defeatable,
                            "fraction_defeatable": c.fraction,
                            "routes_engageable_by_site": c.by_site,
                        }
                        for key, c in (
                            ("declared_threat", p.declared),
                            ("treaty_partner", p.partners),
                        )
                    },
                }
                for p in self.purposes
            ],
            "interceptor_stacks": {
                type_id: stack_note(self.scenario.interceptor_type(type_id))
                for type_id in self.flyout_tables
            },
            "engagements": self.engagements(),
            "assumptions": [
                *self.scenario.assumptions,
                ASSESSMENT_ASSUMPTION,
                *([FLYOUT_ASSUMPTION] if self.flyout_tables else []),
            ],
            "warnings": list(self.warnings),
        }


ASSESSMENT_ASSUMPTION = (
    f"Radar cross-section: booster while thrusting, post-boost vehicle for {POST_BOOST_S:.0f} s "
    "after burnout, then the reentry vehicle. Interceptors launch after the first detection by "
    "a sensor of their party that may cue them, plus the decision delay: with launch-on-remote "
    "any own radar (fire control or early warning) or the space-based infrared satellites; "
    f"without it, fire-control radars within {CO_LOCATED_M / 1e3:.0f} km of the site and the "
    "satellites only where declared fire control; with assessment.launch_delay_s every "
    "interceptor launches exactly then. Intercept windows are found between trajectory "
    "samples by bisection; a site without interceptors engages nothing."
)


FLYOUT_ASSUMPTION = (
    "Flyout tables (interceptor model flyout, and staged types under straight-boost): each "
    "interceptor type flies as a staged vehicle with thrust, drag, a pitch-over and a gravity "
    "turn to depletion of its stages, then coasts (with drag below 120 km); a table of the "
    "least time to reach each ground range and altitude decides its engagements (the "
    "interceptor's own Coriolis acceleration is neglected). Types without published stages fly "
    "a stack derived from their burnout speed, burn time and launch mass (interceptor_stacks); "
    "the critical burnout velocity is that of an equivalent interceptor in the burnout-delay "
    "convention."
)


PHASES = ("boost", "ascent", "midcourse", "terminal")
"""Phase of the threat at an intercept: boost (thrusting), ascent (after burnout, before
apogee), midcourse (after apogee, above the reentry interface), terminal (below it, 100 km)."""


def _site_model(type_id: str, model: str, assessment: Assessment) -> str:
    """The interceptor model that decided a site's engagements."""
    if type_id in assessment.flyout_tables and model != "burnout-delay":
        return "flyout"
    return critical_velocity_model(model)


def _least_speed_points(
    d: Direction, traj: Trajectory
) -> Callable[[int, int], dict[str, Any] | None]:
    """The least-speed intercept point of each (site, route) of a direction: latitude,
    longitude (deg), altitude (km), time (s) and the threat's phase there."""
    tb, sub = d.table, d.samples
    if sub is None or not d.routes:
        return lambda i, j: None
    best = tb.best_sample
    j_idx = np.broadcast_to(np.arange(best.shape[1]), best.shape)
    ok = best >= 0
    p = np.maximum(best, 0)
    t = sub.t_s[j_idx, p]
    r = sub.r_eci[j_idx, p]
    r_ecef, _ = frames.eci_to_ecef(r.reshape(-1, 3), t.reshape(-1), traj.earth)
    lat, lon, alt = (x.reshape(best.shape) for x in frames.vector_to_geodetic(r_ecef, traj.earth))
    rows = np.array([route.index for route in d.routes], dtype=np.intp)
    apogee_s = _apogee_times(sub)
    burnout = traj.burnout_s[rows][j_idx]
    reentry = traj.reentry_s[rows][j_idx]
    phase = np.select([t <= burnout, t >= reentry, t < apogee_s[j_idx]], [0, 3, 1], default=2)

    def point(i: int, j: int) -> dict[str, Any] | None:
        if not ok[i, j]:
            return None
        return {
            "latitude": float(lat[i, j]),
            "longitude": float(lon[i, j]),
            "altitude_km": float(alt[i, j] / 1e3),
            "time_s": float(t[i, j]),
            "phase": PHASES[int(phase[i, j])],
        }

    return point


def _apogee_times(sub: Samples) -> FloatArray:
    """Time of each trajectory's highest point (T,): the vertex of the parabola through the
    highest sample and its neighbours."""
    alt = np.where(sub.valid, sub.altitude_m, -np.inf)
    k = np.argmax(alt, axis=1)
    rows = np.arange(alt.shape[0])
    lo, hi = np.maximum(k - 1, 0), np.minimum(k + 1, alt.shape[1] - 1)
    t0, t1, t2 = sub.t_s[rows, lo], sub.t_s[rows, k], sub.t_s[rows, hi]
    h0, h1, h2 = sub.altitude_m[rows, lo], sub.altitude_m[rows, k], sub.altitude_m[rows, hi]
    with np.errstate(invalid="ignore", divide="ignore"):
        num = (t1 - t0) ** 2 * (h1 - h2) - (t1 - t2) ** 2 * (h1 - h0)
        den = (t1 - t0) * (h1 - h2) - (t1 - t2) * (h1 - h0)
        vertex = t1 - 0.5 * num / den
    inside = np.isfinite(vertex) & (vertex >= t0) & (vertex <= t2) & sub.valid[rows, hi]
    out: FloatArray = np.where(inside, vertex, t1)
    return out


def _num(x: float) -> float | None:
    x = float(x)
    return x if math.isfinite(x) else None  # math's test: NumPy's costs ~1 us a call on a float


def _by_base(d: Direction) -> dict[str, int]:
    bases = _bases(d)
    return {b.id: int(n) for b, n in zip(bases, d.capacity.by_base, strict=True)}


def _by_target(d: Direction) -> dict[str, int]:
    targets = _targets(d)
    return {t.id: int(n) for t, n in zip(targets, d.capacity.by_target, strict=True)}


def _bases(d: Direction) -> list[LaunchBase]:
    return list({r.base.id: r.base for r in (*d.routes, *d.unreachable)}.values())


def _targets(d: Direction) -> list[Target]:
    return list({r.target.id: r.target for r in (*d.routes, *d.unreachable)}.values())
