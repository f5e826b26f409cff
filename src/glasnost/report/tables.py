"""The assessment as flat tables, for notebooks and pandas.

:func:`assessment_tables` returns plain records (lists of dicts whose values are str, int,
float, bool or None; units in the column names), so that no dependency is needed;
:func:`to_dataframes` turns them into pandas DataFrames when pandas is installed (it is not a
dependency of glasnost)::

    from glasnost.defense.assessment import assess
    from glasnost.report.tables import to_dataframes
    frames = to_dataframes(assess(scenario))
    frames["engagements"].query("feasible").sort_values("margin_kms")

Tables:

The rows start from the assessment's own result records (:meth:`Assessment.engagements`,
``route_records``, ``capacity_records``, ``criteria_records``: the same as ``--json`` and the
digest) and add columns for analysis:

- ``engagements``: one row per (interceptor site, reachable route) of every direction, feasible
  or not (the engagement records, with the route id and the latest intercept altitude);
- ``routes``: one row per route flown, reachable or not, with how many sites could engage it;
- ``sites``: one row per (defender's site, attacker): what the site could engage and the
  warheads it engages in the capacity solution;
- ``capacity``: one row per direction (defender, attacker);
- ``criteria``: one row per evaluated criterion (``drivers`` joined with "; ").
"""

from __future__ import annotations

import importlib
import math
from typing import Any

import numpy as np

from glasnost.defense.assessment import Assessment, Direction

Record = dict[str, Any]

TABLES = ("engagements", "routes", "sites", "capacity", "criteria")

CRITERION_UNITS = {
    "deployed_warheads_defeatable_fraction": "fraction",
    "land_interceptor_burnout_velocity_kms": "km/s",
    "sea_interceptor_burnout_velocity_kms": "km/s",
    "purpose": "fraction",
}


def assessment_tables(assessment: Assessment) -> dict[str, list[Record]]:
    """The assessment as flat records, one list per table (see the module docstring)."""
    return {
        "engagements": _engagements(assessment),
        "routes": _routes(assessment),
        "sites": _sites(assessment),
        "capacity": _capacity(assessment),
        "criteria": _criteria(assessment),
    }


def to_dataframes(assessment: Assessment) -> dict[str, Any]:
    """:func:`assessment_tables` as pandas DataFrames (pandas must be installed)."""
    try:
        pd = importlib.import_module("pandas")
    except ImportError as exc:
        raise ImportError(
            "to_dataframes needs pandas, which glasnost does not depend on: install it "
            "(pip install pandas), or use assessment_tables() for plain records"
        ) from exc
    return {
        name: pd.DataFrame.from_records(rows, columns=list(rows[0]) if rows else None)
        for name, rows in assessment_tables(assessment).items()
    }


def _scalar(value: Any) -> Any:
    """A JSON-like scalar: NumPy types unwrapped, non-finite floats as None."""
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        x = float(value)
        return x if math.isfinite(x) else None
    return value


def _record(**values: Any) -> Record:
    return {k: _scalar(v) for k, v in values.items()}


def _route_id(launch: str, target: str) -> str:
    return f"{launch}->{target}"


def _margins_kms(assessment: Assessment, d: Direction) -> np.ndarray[Any, np.dtype[np.float64]]:
    """Critical minus actual burnout velocity (km/s), (sites, routes); inf without a candidate."""
    speed = np.array([assessment.interceptor_burnout_velocity_kms(s.interceptor) for s in d.sites])
    margin: np.ndarray[Any, np.dtype[np.float64]] = (
        d.table.critical_burnout_velocity_ms / 1e3 - speed[:, None]
    )
    return margin


def _engagements(assessment: Assessment) -> list[Record]:
    extra: list[Record] = []
    for d in assessment.directions:
        for i in range(len(d.sites)):
            for j, route in enumerate(d.routes):
                extra.append(
                    {
                        "route": _route_id(route.base.id, route.target.id),
                        "latest_intercept_altitude_km": (
                            d.table.latest_intercept_altitude_m[i, j] / 1e3
                        ),
                    }
                )
    records = assessment.engagements()
    return [
        {k: _scalar(v) for k, v in _flat({**rec, **more}).items()}
        for rec, more in zip(records, extra, strict=True)
    ]


INTERCEPT_FIELDS = ("latitude", "longitude", "altitude_km", "time_s", "phase")
"""The fields of an engagement's least-speed ``intercept`` point, flattened as
``intercept_<field>`` (None where the pair has no candidate point)."""


def _flat(record: Record) -> Record:
    """The record with its nested ``intercept`` point as ``intercept_<field>`` columns."""
    point = record.pop("intercept") or {}
    return {**record, **{f"intercept_{k}": point.get(k) for k in INTERCEPT_FIELDS}}


def _routes(assessment: Assessment) -> list[Record]:
    result = assessment.trajectories
    traj = result.trajectory
    apogee = traj.apogee_m()
    ground = traj.ground_range_m()
    column: dict[int, tuple[Direction, int]] = {}
    for d in assessment.directions:
        for j, route in enumerate(d.routes):
            column[route.index] = (d, j)
    out: list[Record] = []
    for r, rec in zip(assessment.routes, assessment.route_records(), strict=True):
        engaging: int | None = None
        best: float | None = None
        detected: float | None = None
        if r.index in column:
            d, j = column[r.index]
            engaging = int(d.table.feasible[:, j].sum())
            margins = _margins_kms(assessment, d)[:, j]
            best = float(margins.min()) if margins.size else None
            detected = float(d.first_detection_s[j])
        out.append(
            _record(
                attacker=rec["attacker"],
                defender=r.defender,
                route=_route_id(rec["launch"], rec["target"]),
                launch=rec["launch"],
                launch_name=r.base.name,
                launch_kind=r.base.kind,
                launch_lat_deg=r.base.lat_deg,
                launch_lon_deg=r.base.lon_deg,
                target=rec["target"],
                target_name=r.target.name,
                target_lat_deg=r.target.lat_deg,
                target_lon_deg=r.target.lon_deg,
                missile=rec["missile"],
                launchers=r.base.launchers,
                warheads_per_missile=r.warheads,
                reachable=rec["reachable"],
                miss_km=result.miss_m[r.index] / 1e3,
                ground_range_km=ground[r.index] / 1e3,
                flight_time_s=rec["flight_time_s"],
                burnout_s=traj.burnout_s[r.index],
                apogee_km=apogee[r.index] / 1e3,
                first_detection_s=detected,
                sites_engaging=engaging,
                best_margin_kms=best,
            )
        )
    return out


def _sites(assessment: Assessment) -> list[Record]:
    types = {t.id: t for t in assessment.scenario.interceptor_types}
    out: list[Record] = []
    for d in assessment.directions:
        margins = _margins_kms(assessment, d)
        for i, s in enumerate(d.sites):
            itype = types[s.interceptor]
            row = margins[i]
            out.append(
                _record(
                    defender=d.defender,
                    attacker=d.attacker,
                    site=s.id,
                    name=s.name,
                    interceptor=s.interceptor,
                    basing=s.basing,
                    count=s.count,
                    lat_deg=s.lat_deg,
                    lon_deg=s.lon_deg,
                    burnout_velocity_kms=assessment.interceptor_burnout_velocity_kms(s.interceptor),
                    min_intercept_altitude_km=itype.min_intercept_altitude_km,
                    max_intercept_altitude_km=itype.max_intercept_altitude_km,
                    routes=len(d.routes),
                    routes_engageable=int(d.table.feasible[i].sum()),
                    best_margin_kms=float(row.min()) if row.size else None,
                    warheads_engaged=d.capacity.by_site[i],
                    interceptors_used=d.capacity.interceptors_used[i],
                    basis=s.basis,
                )
            )
    return out


def _capacity(assessment: Assessment) -> list[Record]:
    return [
        _record(
            defender=c["defender"],
            attacker=c["attacker"],
            interceptors=sum(s.count for s in d.sites),
            interceptors_used=int(d.capacity.interceptors_used.sum()),
            routes=len(d.routes),
            routes_unreachable=len(d.unreachable),
            feasible_engagements=int(d.table.feasible.sum()),
            deployed_warheads=c["deployed_warheads"],
            warheads_defeatable=c["warheads_defeatable"],
            fraction_defeatable=c["fraction_defeatable"],
            shots_per_warhead=assessment.scenario.assessment.shots_per_warhead,
        )
        for d, c in zip(assessment.directions, assessment.capacity_records(), strict=True)
    ]


def _criteria(assessment: Assessment) -> list[Record]:
    return [
        _record(
            id=c["id"],
            subject=c["subject"],
            value=c["value"],
            threshold=c["threshold"],
            unit=CRITERION_UNITS.get(c["id"], ""),
            passed=c["passed"],
            drivers="; ".join(c["drivers"]),
        )
        for c in assessment.criteria_records()
    ]
