"""The result of an assessment at declared precision, and its digest: what the confirmation
workflow (:mod:`glasnost.treaty.confirmation`) records and the other party reproduces.

The result digest is over :func:`result_json`, a fixed plain-JSON form of the assessment::

    format        "glasnost-assessment-result/2"
    precision     the rounding table below
    date          the assessment date (ISO)
    model         {interceptor_model, critical_velocity_model, launch_delay_s,
                   threat_shapes}                            the conventions of the numbers
    verdict       "pass" when every criterion passes, else "fail"
    criteria      [{id, subject, value, threshold, passed}]   sorted by (id, subject)
    capacity      [{defender, attacker, shape, deployed_warheads, warheads_defeatable,
                    fraction_defeatable}]             sorted by (defender, attacker, shape)
    routes        [{attacker, shape, launch, target, reachable, flight_time_s}]
    engagements   [{defender, shape, site, attacker, launch, target, feasible,
                    critical_burnout_velocity_kms}]           sorted by those ids

Format 2 added the model block and the threat shape (format 1 had neither: its numbers were
those of the straight-boost model and min-energy trajectories).

Rounding table (``PRECISION``):

    ==================================================  ==========  =========
    quantity                                            step        unit
    ==================================================  ==========  =========
    fractions (``*_fraction``, ``purpose``, capacity)   0.0001      1
    velocities (``*_kms`` criteria, critical burnout)   0.01        km/s
    times (route flight time)                           1           s
    counts, flags                                       exact
    ==================================================  ==========  =========

Each value is first written with 12 significant digits, then rounded half-even to its step in
decimal (:func:`rounded`): floating-point noise below the 12th digit cannot move it, and an
exact decimal tie rounds the same way everywhere. A criterion passes when its *rounded* value
is at most the threshold, so both parties reach the same verdict whenever they reach the same
rounded values. Infinite or undefined values are ``null``. Left out on purpose: the per-site,
per-base and per-target split of the maximum flow (not unique: another max-flow solver may
route the same total differently) and the criteria's drivers (derived from that split).

A value computed within noise of a rounding boundary can still round differently on another
machine; the digests then differ. (Noise here is not only the last bits: the trajectory solvers
stop when a whole batch has converged, so a route's solution can move by a fraction of the
solver tolerance with the rest of its batch; the steps above are far coarser than that.)
:func:`check_assessment` therefore compares the assessment's verdict and metrics with its own
and says in the dispute whether they differ beyond the declared precision, by exactly one
rounding step (a value at a boundary), or not at all (the difference is in the details).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any, Literal

from glasnost.defense.assessment import Assessment as Assessed
from glasnost.defense.assessment import assess
from glasnost.exchange.canonical import canonical_json, sha256_hex
from glasnost.scenario.models import Scenario

__all__ = [
    "PRECISION",
    "RESULT_FORMAT",
    "SIGNIFICANT_DIGITS",
    "Quantity",
    "Recomputation",
    "criterion_quantity",
    "metric_key",
    "recompute",
    "result_json",
    "rounded",
    "scenario_sha256",
]

RESULT_FORMAT = "glasnost-assessment-result/2"
"""The version of :func:`result_json`'s layout (part of the digested JSON)."""

PRECISION: Mapping[str, str] = {"fraction": "0.0001", "velocity_kms": "0.01", "time_s": "1"}
"""The rounding step of each kind of quantity (decimal strings; see the module docstring)."""

SIGNIFICANT_DIGITS = 12
"""Digits kept before rounding to the step: what lies below them is floating-point noise."""

Quantity = Literal["fraction", "velocity_kms", "time_s"]
"""The kinds of quantity with a declared precision."""


def rounded(value: float | None, quantity: Quantity) -> float | None:
    """``value`` at the declared precision of its kind of quantity (None if not finite): first
    12 significant digits, then half-even to the step, in decimal."""
    if value is None or not math.isfinite(value):
        return None
    exact = Decimal(f"{float(value):.{SIGNIFICANT_DIGITS}g}")
    return float(exact.quantize(Decimal(PRECISION[quantity]), rounding=ROUND_HALF_EVEN)) + 0.0


def criterion_quantity(criterion_id: str) -> Quantity:
    if criterion_id.endswith("_fraction") or criterion_id == "purpose":
        return "fraction"
    if criterion_id.endswith("_kms"):
        return "velocity_kms"
    raise ValueError(f"criterion {criterion_id!r}: no declared precision for its unit")


def metric_key(criterion_id: str, subject: str) -> str:
    """The metrics key of one criterion result, e.g.
    ``deployed_warheads_defeatable_fraction-RU-defenses-vs-US-warheads``."""
    return f"{criterion_id}-" + re.sub(r"[^A-Za-z0-9_]+", "-", subject).strip("-")


_ENGAGEMENT_IDS = ("defender", "shape", "site", "attacker", "launch", "target")


def result_json(assessed: Assessed) -> dict[str, Any]:
    """The assessment's result at declared precision, in the layout the digest covers (see
    the module docstring): the assessment's own result records, with the fields the digest
    covers, rounded and sorted."""
    summary = assessed.settings_summary()
    criteria = []
    for c in assessed.criteria_records():
        value = rounded(c["value"], criterion_quantity(c["id"]))
        criteria.append(
            {
                "id": c["id"],
                "subject": c["subject"],
                "value": value,
                "threshold": c["threshold"],
                "passed": value is not None and value <= c["threshold"],
            }
        )
    criteria.sort(key=lambda c: (c["id"], c["subject"]))
    capacity = sorted(
        (
            {
                **{k: c[k] for k in ("defender", "attacker", "shape")},
                "deployed_warheads": int(c["deployed_warheads"]),
                "warheads_defeatable": int(c["warheads_defeatable"]),
                "fraction_defeatable": rounded(c["fraction_defeatable"], "fraction"),
            }
            for c in assessed.capacity_records()
        ),
        key=lambda c: (c["defender"], c["attacker"], c["shape"]),
    )
    routes = sorted(
        (
            {
                **{k: r[k] for k in ("attacker", "shape", "launch", "target", "reachable")},
                "flight_time_s": rounded(r["flight_time_s"], "time_s") if r["reachable"] else None,
            }
            for r in assessed.route_records()
        ),
        key=lambda r: (r["attacker"], r["shape"], r["launch"], r["target"]),
    )
    engagements = sorted(
        (
            {
                **{k: e[k] for k in (*_ENGAGEMENT_IDS, "feasible")},
                "critical_burnout_velocity_kms": rounded(
                    e["critical_burnout_velocity_kms"], "velocity_kms"
                ),
            }
            for e in assessed.engagements()
        ),
        key=lambda e: tuple(e[k] for k in _ENGAGEMENT_IDS),
    )
    return {
        "format": RESULT_FORMAT,
        "precision": dict(PRECISION),
        "date": assessed.date.isoformat(),
        "model": {
            k: summary[k]
            for k in (
                "interceptor_model",
                "critical_velocity_model",
                "launch_delay_s",
                "threat_shapes",
            )
        },
        "verdict": "pass" if all(c["passed"] for c in criteria) else "fail",
        "criteria": criteria,
        "capacity": capacity,
        "routes": routes,
        "engagements": engagements,
    }


def scenario_sha256(scenario: Scenario) -> str:
    """hex SHA-256 of the scenario's canonical JSON (settings and criteria included)."""
    return sha256_hex(canonical_json(scenario.model_dump(mode="json")))


@dataclass(frozen=True)
class Recomputation:
    """An assessment of a scenario, its rounded result and both digests (and the assessment
    itself, for whoever draws it)."""

    scenario: Scenario
    result: dict[str, Any]
    scenario_sha256: str
    result_sha256: str
    assessment: Assessed | None = None

    @property
    def verdict(self) -> Literal["pass", "fail"]:
        return "pass" if self.result["verdict"] == "pass" else "fail"

    @property
    def metrics(self) -> dict[str, float]:
        """Each criterion's rounded value, by ``<criterion id>-<subject>``."""
        return {
            metric_key(c["id"], c["subject"]): c["value"]
            for c in self.result["criteria"]
            if c["value"] is not None
        }


def recompute(scenario: Scenario) -> Recomputation:
    """Assess ``scenario`` and digest the rounded result."""
    assessed = assess(scenario)
    result = result_json(assessed)
    return Recomputation(
        scenario=scenario,
        result=result,
        scenario_sha256=scenario_sha256(scenario),
        result_sha256=sha256_hex(canonical_json(result)),
        assessment=assessed,
    )
