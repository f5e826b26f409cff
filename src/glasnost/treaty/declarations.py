"""What a declaration says: the categories it covers, how it differs from the party's previous
declaration, whether that difference adds up, and its strategic forces against the limits.

Pure functions on the bodies of :mod:`glasnost.treaty.bodies`; :func:`review` applies them to
one party's declarations and :mod:`glasnost.treaty.compliance` to the logs.

**Categories.** A posture in clear covers every category of the agreement: its lists always
exist, and an empty one is a declaration of none (an empty ``ten_year_plan`` declares that no
change is planned). A declaration by commitments only covers category ``C`` when one of its
commitment labels is ``C`` or starts with ``C/`` (``interceptor_sites/fort_greely``).

**Updates add up.** Every declaration is a full snapshot of the declaring party's posture, not a
delta. A ``periodic_update`` or ``change`` declaration is compared with the party's *previous*
declaration: of those written before it in the log with a posture, the one with the latest
``as_of`` not after its own (of equal ``as_of``, the later in the log); so an update as of
1 March written after a change notified on 5 March is compared with the state before both.
Items are compared by id: the interceptor sites, radars and launch bases of ``posture.party``
and the ``interceptor_types``. An item is *added* (new id), *removed* (id gone) or *modified*
(a field differs; ``name`` and the provenance fields ``basis``, ``assumed_fields``,
``sources``, ``note`` do not count). The changes an update declares are the entries of its own
``posture.ten_year_plan`` with an ``item_id``, a ``kind`` other than ``other``, and a ``date``
after the previous declaration's ``as_of`` and up to its own (a realised change stays in the
plan with its date). For each item, its declared changes in date order fix the expected net
effect: absent before if the first is ``add``, present after unless the last is ``remove``; so
``add`` means a new id, ``remove`` a missing id, ``modify`` (or ``remove`` then ``add``) a
changed item. The update is consistent when

1. every item that differs is covered by declared changes with that net effect, and
2. every declared ``add`` or ``remove`` shows in the posture (a declared ``modify`` need not:
   the posture models do not describe every modification, e.g. software).

**Notices.** A change shown by a declaration (an item change covered by a declared change,
dated) is notified by the first declaration that shows it. A ``change`` declaration is a notice
of the earliest change it is the first to show (else of its ``as_of``); a ``periodic_update``
that is the first to show changes is their notice too (it had to come within the notice
period of the change, as a ``change`` declaration would have).

Strategic-force counts are not items: they are checked against the reduction limits in effect
on each declaration's ``as_of`` (:func:`over_limits`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel

from glasnost.treaty.agreement import Agreement, ReductionStep
from glasnost.treaty.bodies import Declaration, DeclaredPosture, PlannedChange, StrategicForces
from glasnost.treaty.findings import Finding

__all__ = [
    "ITEM_KINDS",
    "ForcesPoint",
    "ItemChange",
    "Notice",
    "Review",
    "UpdateCheck",
    "check_update",
    "forces_point",
    "missing_categories",
    "over_limits",
    "posture_changes",
    "review",
]

ItemKind = Literal["interceptor_site", "interceptor_type", "radar", "launch_base"]
Action = Literal["add", "remove", "modify"]

ITEM_KINDS: tuple[ItemKind, ...] = ("interceptor_site", "interceptor_type", "radar", "launch_base")
"""The kinds of declared items that are compared by id (``PlannedChange.kind`` names them)."""

_WORDS = {
    "interceptor_site": "interceptor site",
    "interceptor_type": "interceptor type",
    "radar": "radar",
    "launch_base": "launch base",
}
_PAST = {"add": "added", "remove": "removed", "modify": "modified"}
_NOT_COMPARED = frozenset({"name", "basis", "assumed_fields", "sources", "note"})


# --- categories ---------------------------------------------------------------------------------


def missing_categories(declaration: Declaration, required: Sequence[str]) -> list[str]:
    """The required categories ``declaration`` does not cover (see the module docstring)."""
    if declaration.posture is not None:
        return []
    labels = [c.label for c in declaration.commitments]
    return [c for c in required if not any(x == c or x.startswith(f"{c}/") for x in labels)]


# --- differences between snapshots --------------------------------------------------------------


@dataclass(frozen=True)
class ItemChange:
    """One item that differs between two snapshots; ``fields`` says how a modified one did."""

    kind: ItemKind
    item_id: str
    action: Action
    fields: tuple[str, ...] = ()

    def describe(self) -> str:
        """E.g. ``interceptor site fort_greely modified (count 40 -> 44)``."""
        text = f"{_WORDS[self.kind]} {self.item_id} {_PAST[self.action]}"
        return f"{text} ({'; '.join(self.fields)})" if self.fields else text


def _items(posture: DeclaredPosture, kind: ItemKind) -> dict[str, dict[str, Any]]:
    groups: dict[ItemKind, Sequence[BaseModel]] = {
        "interceptor_site": posture.party.interceptor_sites,
        "interceptor_type": posture.interceptor_types,
        "radar": posture.party.radars,
        "launch_base": posture.party.launch_bases,
    }
    dumps = [item.model_dump(mode="json", exclude=set(_NOT_COMPARED)) for item in groups[kind]]
    return {str(d["id"]): d for d in dumps}


def _field_changes(old: dict[str, Any], new: dict[str, Any]) -> tuple[str, ...]:
    out = []
    for name in sorted(old.keys() | new.keys()):
        before, after = old.get(name), new.get(name)
        if before == after:
            continue
        scalar = all(isinstance(v, str | int | float | bool) or v is None for v in (before, after))
        out.append(f"{name} {before} -> {after}" if scalar else name)
    return tuple(out)


def posture_changes(old: DeclaredPosture, new: DeclaredPosture) -> list[ItemChange]:
    """The items added, removed or modified from ``old`` to ``new``, by kind then id."""
    changes = []
    for kind in ITEM_KINDS:
        before, after = _items(old, kind), _items(new, kind)
        for item_id in sorted(before.keys() | after.keys()):
            if item_id not in before:
                changes.append(ItemChange(kind, item_id, "add"))
            elif item_id not in after:
                changes.append(ItemChange(kind, item_id, "remove"))
            elif before[item_id] != after[item_id]:
                fields = _field_changes(before[item_id], after[item_id])
                changes.append(ItemChange(kind, item_id, "modify", fields))
    return changes


@dataclass(frozen=True)
class UpdateCheck:
    """The outcome of :func:`check_update`: the differences, the declared change that covers
    each covered one (its earliest date: when the change happened), and the problems in words."""

    changes: tuple[ItemChange, ...]
    covered: tuple[tuple[ItemChange, dt.date], ...]
    problems: tuple[str, ...]


def _net(claims: Sequence[PlannedChange]) -> Action | None:
    """The net effect of an item's declared changes in date order (None: none visible)."""
    before = claims[0].action != "add"
    after = claims[-1].action != "remove"
    if before and after:
        return "modify"
    if after:
        return "add"
    return "remove" if before else None


def check_update(previous: Declaration, update: Declaration) -> UpdateCheck:
    """Whether ``update``'s posture is ``previous``'s plus the changes it declares (rules 1 and
    2 of the module docstring). Both declarations need a posture."""
    if previous.posture is None or update.posture is None:
        raise ValueError("check_update compares declarations with a posture")
    changes = posture_changes(previous.posture, update.posture)
    claims: dict[tuple[str, str], list[PlannedChange]] = {}
    for claim in sorted(update.posture.ten_year_plan, key=lambda c: c.date):
        if claim.item_id and claim.kind != "other" and previous.as_of < claim.date <= update.as_of:
            claims.setdefault((claim.kind, claim.item_id), []).append(claim)
    window = f"dated after {previous.as_of} up to {update.as_of}"
    covered: list[tuple[ItemChange, dt.date]] = []
    problems: list[str] = []
    seen: set[tuple[str, str]] = set()
    for change in changes:
        key = (change.kind, change.item_id)
        seen.add(key)
        declared = claims.get(key, [])
        expected = _net(declared) if declared else None
        if expected == change.action:
            covered.append((change, declared[0].date))
        elif not declared:
            problems.append(
                f"{change.describe()} without a declared change (no {change.action!r} of "
                f"{change.item_id} {window} in the ten-year plan)"
            )
        else:
            actions = ", then ".join(repr(c.action) for c in declared)
            problems.append(f"{change.describe()}, but the ten-year plan declares {actions}")
    for (kind, item_id), declared in claims.items():
        expected = _net(declared)
        if (kind, item_id) not in seen and expected in ("add", "remove"):
            last = declared[-1]
            problems.append(
                f"declares {last.action!r} of {_WORDS[kind]} {item_id} on {last.date}, but the "
                "posture does not show it"
            )
    return UpdateCheck(tuple(changes), tuple(covered), tuple(problems))


# --- strategic forces and the reduction limits --------------------------------------------------


def over_limits(forces: StrategicForces, limits: ReductionStep) -> list[str]:
    """Each count of ``forces`` over its limit, in words (empty: within the limits)."""
    total = forces.deployed_launchers + forces.non_deployed_launchers
    rows = (
        ("deployed launchers", forces.deployed_launchers, limits.deployed_launchers),
        ("deployed warheads", forces.deployed_warheads, limits.deployed_warheads),
        ("deployed and non-deployed launchers", total, limits.total_launchers),
    )
    return [
        f"{value:,} {name} exceed the limit of {limit:,} in effect since {limits.by}"
        for name, value, limit in rows
        if limit is not None and value > limit
    ]


@dataclass(frozen=True)
class ForcesPoint:
    """A party's declared strategic forces as of a date, and the limits then in effect."""

    entry: str
    as_of: dt.date
    deployed_launchers: int
    deployed_warheads: int
    total_launchers: int
    limits: ReductionStep | None
    over: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        limits = self.limits
        return {
            "entry": self.entry,
            "as_of": self.as_of.isoformat(),
            "deployed_launchers": self.deployed_launchers,
            "deployed_warheads": self.deployed_warheads,
            "total_launchers": self.total_launchers,
            "limits": None
            if limits is None
            else {
                "by": limits.by.isoformat(),
                "deployed_launchers": limits.deployed_launchers,
                "deployed_warheads": limits.deployed_warheads,
                "total_launchers": limits.total_launchers,
            },
            "over": list(self.over),
        }


def forces_point(entry: str, declaration: Declaration, limits: ReductionStep | None) -> ForcesPoint:
    """The forces of a declaration with a posture, checked against ``limits`` (None: none)."""
    if declaration.posture is None:
        raise ValueError("forces_point needs a declaration with a posture")
    forces = declaration.posture.strategic_forces
    return ForcesPoint(
        entry=entry,
        as_of=declaration.as_of,
        deployed_launchers=forces.deployed_launchers,
        deployed_warheads=forces.deployed_warheads,
        total_launchers=forces.deployed_launchers + forces.non_deployed_launchers,
        limits=limits,
        over=tuple(over_limits(forces, limits)) if limits is not None else (),
    )


# --- one party's declarations -------------------------------------------------------------------


@dataclass(frozen=True)
class Notice:
    """A declaration that notifies changes: from when the notice period runs, and what."""

    entry: str
    changed: dt.date
    what: str


@dataclass
class Review:
    """The content findings of one party's declarations, its forces series, its notices."""

    findings: list[Finding]
    series: list[ForcesPoint]
    notices: list[Notice]


def _previous(
    earlier: Sequence[tuple[str, Declaration]], as_of: dt.date
) -> tuple[str, Declaration] | None:
    """Of ``earlier`` (log order, with postures), the latest ``as_of`` not after ``as_of``."""
    candidates = [(body.as_of, n) for n, (_, body) in enumerate(earlier) if body.as_of <= as_of]
    return earlier[max(candidates)[1]] if candidates else None


def review(agreement: Agreement, party: str, declared: Sequence[tuple[str, Declaration]]) -> Review:
    """Check ``declared`` (``PARTY#SEQ`` and body, in log order) as the module docstring says:
    categories of each baseline and periodic update, each update against its previous
    declaration, the notices, and the forces against the limits."""
    out = Review([], [], [])
    required = agreement.declarations.categories
    snapshots: list[tuple[str, Declaration]] = []
    notified: set[tuple[str, str, str, dt.date]] = set()
    for ref, body in declared:
        kind = body.kind.replace("_", " ")
        gaps = missing_categories(body, required)
        if gaps and body.kind != "change":
            text = f"{kind} as of {body.as_of} does not cover {', '.join(gaps)}"
            text += f" (required: {', '.join(required)})"
            out.findings.append(Finding("incomplete_declaration", party, text, ref))
        first: list[tuple[ItemChange, dt.date]] = []
        previous = _previous(snapshots, body.as_of)
        if body.posture is not None and body.kind != "baseline" and previous is not None:
            check = check_update(previous[1], body)
            what = (
                f"inconsistent update: {kind} as of {body.as_of} against {previous[0]} "
                f"(as of {previous[1].as_of})"
            )
            for problem in check.problems:
                out.findings.append(
                    Finding("inconsistent_update", party, f"{what}: {problem}", ref)
                )
            for change, day in check.covered:
                key = (change.kind, change.item_id, change.action, day)
                if key not in notified:
                    notified.add(key)
                    first.append((change, day))
        if body.posture is not None:
            snapshots.append((ref, body))
        if body.kind == "change" or first:
            changed = min((day for _, day in first), default=body.as_of)
            what = "; ".join(c.describe() for c, _ in first) or f"change as of {body.as_of}"
            out.notices.append(Notice(ref, changed, what))
    for ref, body in sorted(snapshots, key=lambda x: x[1].as_of):
        point = forces_point(ref, body, agreement.limits_on(body.as_of))
        out.series.append(point)
        if point.over:
            text = f"{body.kind.replace('_', ' ')} as of {body.as_of}: {'; '.join(point.over)}"
            out.findings.append(Finding("reduction", party, text, ref))
    return out
