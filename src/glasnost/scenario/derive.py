"""Stage stacks derived from published figures: one implementation for the catalog and scenarios.

Where a missile's stages are not published, glasnost derives a stack from its published range,
launch mass and diameter (and throw weight, where published). A template of stage proportions
(:data:`TEMPLATES`) is scaled to the launch mass and one free parameter is fitted so that the
maximum range on a non-rotating sphere equals the published range:

- where the throw weight is published, the payload is that throw weight and the fitted
  parameter is a common factor on the template's specific impulses (bracket 0.80-1.20);
- otherwise the fitted parameter is the payload (post-boost vehicle and reentry vehicles;
  bracket 0.5-25 % of the launch mass).

The maximum range is the method of :func:`glasnost.physics.max_range.max_range`: full burn,
launched north from the equator, the pitch-over kick that maximises the vacuum reach to the
launch radius, then that trajectory flown in full with reentry drag. Here the kick is found on
a grid of kicks flown as one batch and refined with a parabola through the best three of a
0.1-degree grid (max_range runs a golden-section search instead, one vehicle batch at a time),
so a fit costs a few batched boosts: 0.26-0.5 s per missile type (docs/scenarios.md).

:func:`derive_stacks` fits many figures in one batch (scripts/derive_missile_stacks.py writes
the catalog's ``missiles_derived.yaml`` with it, ``method="max_range"``: the catalog's historical
bisection with max_range itself); :func:`derive_stack` fits one by the batched method and is
cached on the figures (scenario-defined missile types, ``MissileTypeRef.definition``). Both
return the stack rounded as the catalog writes it (masses to 0.1 kg, Isp to 0.01 s, diameters
to 1 mm), so the same figures give the same stack in the catalog and in a scenario, up to the
antipode caveat of :func:`derive_stacks`.

Templates are assumptions, stated so that they can be audited and replaced by declared data:
stage mass split and propellant fractions follow the Minuteman III flyout-model stack for
solids (catalog ``minuteman_iii``) and typical two- and three-stage liquid stacks; vacuum
specific impulses are typical of the propellant class (composite solids 275-300 s, N2O4/UDMH
315-330 s); ICBM burn times give the boost durations of the National Research Council (2012),
about 170-180 s for solid- and 240-250 s for liquid-propellant ICBMs. The two medium-range
templates (``solid_mrbm_2``, ``liquid_mrbm_1``, added for scenario-defined types) are the same
kind of assumption for 1.2-1.5 m medium-range missiles: boost durations of about 110 s (two
solid stages of 60 and 48 s, one liquid stage of 110 s), solid Isp 270-285 s, liquid 290 s,
and a lower propellant fraction for the single liquid stage (0.87: tanks and engine are carried
to burnout). No published stage data backs them; a definition may name another template.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from glasnost.errors import InputError
from glasnost.physics import frames
from glasnost.physics.constants import SPHERE
from glasnost.physics.envelope import MIN_BURNOUT_ALTITUDE_M
from glasnost.physics.impact import vacuum_impact
from glasnost.physics.max_range import max_range
from glasnost.physics.rocket import BoostProblem, fly_boost
from glasnost.physics.trajectory import fly
from glasnost.physics.vehicle import Stage, Vehicle, stack
from glasnost.scenario.missiles import DEFAULT_REENTRY_BETA_KG_M2

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

REENTRY_BETA_KG_M2 = DEFAULT_REENTRY_BETA_KG_M2
"""Ballistic coefficient m/(Cd A) of the reentry vehicle of every derived stack (an assumption,
glasnost.scenario.missiles)."""

VERTICAL_RISE_S = 2.0
PITCH_OVER_S = 6.0

PAYLOAD_BRACKET = (0.005, 0.25)
"""Payload fitted between these fractions of the launch mass (no throw weight published)."""
ISP_FACTOR_BRACKET = (0.80, 1.20)
"""Factor on the template's specific impulses fitted in this bracket (throw weight published)."""
MAX_RANGE_KM = 19_000.0
"""Ranges are fitted up to this (km): near half the circumference the great-circle range of the
flight no longer grows with the missile's performance."""

Propellant = Literal["solid", "liquid"]


@dataclass(frozen=True)
class Template:
    """Stage proportions of a derived stack (one entry per stage, bottom up)."""

    mass_split: tuple[float, ...]  # share of the stage stack's mass in each stage
    propellant_fraction: tuple[float, ...]
    isp_vac_s: tuple[float, ...]
    burn_time_s: tuple[float, ...]
    diameter_ratio: tuple[float, ...]  # stage diameter / first-stage diameter
    propellant: Propellant

    @property
    def stage_count(self) -> int:
        return len(self.mass_split)


TEMPLATES: dict[str, Template] = {
    "solid_icbm_3": Template(
        (0.64, 0.25, 0.11),
        (0.90, 0.88, 0.87),
        (275, 295, 300),
        (62, 62, 54),
        (1.0, 0.85, 0.75),
        "solid",
    ),
    "solid_slbm_3": Template(
        (0.68, 0.23, 0.09),
        (0.90, 0.88, 0.86),
        (280, 290, 295),
        (62, 62, 50),
        (1.0, 1.0, 0.6),
        "solid",
    ),
    "liquid_icbm_2": Template(
        (0.80, 0.20), (0.93, 0.91), (315, 330), (130, 115), (1.0, 1.0), "liquid"
    ),
    "liquid_slbm_3": Template(
        (0.64, 0.26, 0.10),
        (0.92, 0.90, 0.88),
        (310, 315, 315),
        (80, 80, 60),
        (1.0, 1.0, 0.8),
        "liquid",
    ),
    "solid_mrbm_2": Template((0.74, 0.26), (0.89, 0.87), (270, 285), (60, 48), (1.0, 1.0), "solid"),
    "liquid_mrbm_1": Template((1.0,), (0.87,), (290,), (110,), (1.0,), "liquid"),
}
"""The templates by name (assumptions; module docstring)."""

DEFAULT_TEMPLATES: dict[tuple[Propellant, int, bool], str] = {
    ("solid", 3, False): "solid_icbm_3",
    ("solid", 3, True): "solid_slbm_3",
    ("solid", 2, False): "solid_mrbm_2",
    ("liquid", 1, False): "liquid_mrbm_1",
    ("liquid", 2, False): "liquid_icbm_2",
    ("liquid", 3, False): "liquid_slbm_3",
    ("liquid", 3, True): "liquid_slbm_3",
}
"""Template for (propellant, stage count, submarine-launched) when a definition names none."""


def default_template(propellant: Propellant, stage_count: int, slbm: bool = False) -> str | None:
    """The template for a propellant class and stage count (None where glasnost has none)."""
    return DEFAULT_TEMPLATES.get((propellant, stage_count, slbm)) or DEFAULT_TEMPLATES.get(
        (propellant, stage_count, False)
    )


def template_choices() -> str:
    """The (propellant, stages) combinations that have a template, for error messages."""
    pairs = sorted({(p, n) for p, n, _ in DEFAULT_TEMPLATES})
    return ", ".join(f"{p} {n}-stage" for p, n in pairs)


class DerivationError(InputError, ValueError):
    """Figures that no stack of the template can match. ``field`` names the figure at fault
    (``range_km``, ``launch_mass_kg``, ``payload_kg``, ``template``); ``str()`` says why."""

    def __init__(self, field: str, reason: str) -> None:
        self.field = field
        self.reason = reason
        super().__init__(reason, where=field)


@dataclass(frozen=True)
class StackFigures:
    """What a derivation starts from: the template, the launch mass, the range to reach, the
    first-stage diameter (drag area) and the throw weight where published (SI; range in km)."""

    template: str
    launch_mass_kg: float
    range_km: float
    diameter_m: float
    throw_weight_kg: float | None = None

    def check(self) -> None:
        """Raise :class:`DerivationError` for figures that cannot be fitted at all."""
        if self.template not in TEMPLATES:
            raise DerivationError(
                "template",
                f"unknown template {self.template!r}; templates: {', '.join(TEMPLATES)}",
            )
        for name in ("launch_mass_kg", "range_km", "diameter_m"):
            value = getattr(self, name)
            if not (np.isfinite(value) and value > 0.0):
                raise DerivationError(name, f"must be a positive number, not {value!r}")
        if self.range_km > MAX_RANGE_KM:
            raise DerivationError(
                "range_km",
                f"{self.range_km:g} km is beyond the {MAX_RANGE_KM:,.0f} km up to which a stack "
                "can be fitted (near half the circumference the ground range stops growing)",
            )
        w = self.throw_weight_kg
        if w is not None and not (0.0 < w < 0.5 * self.launch_mass_kg):
            raise DerivationError(
                "payload_kg",
                f"{w:g} kg must be positive and below half the launch mass "
                f"({0.5 * self.launch_mass_kg:g} kg)",
            )

    @property
    def fits_isp(self) -> bool:
        return self.throw_weight_kg is not None


@dataclass(frozen=True)
class DerivedStack:
    """A fitted stack, rounded as the catalog writes it, with what was fitted."""

    figures: StackFigures
    payload_kg: float  # rounded to 0.1 kg
    stages: tuple[Stage, ...]  # masses to 0.1 kg, Isp to 0.01 s, diameters to 1 mm
    fitted_value: float  # the payload (kg) or the Isp factor, unrounded
    flown_range_km: float  # the maximum range of the fitted (unrounded) stack

    @property
    def fitted(self) -> str:
        """What was fitted, in words (the catalog's wording)."""
        if self.figures.fits_isp:
            return f"Isp factor {self.fitted_value:.3f} on the template"
        return f"payload {self.fitted_value:.0f} kg"

    @property
    def note(self) -> str:
        """How the stack was derived (``derivation_note`` of the catalog)."""
        return self.describe()

    def describe(self, range_basis: str = "published") -> str:
        """How the stack was derived, saying where the range comes from (``published``,
        ``assumed``, ``declared``)."""
        f = self.figures
        return (
            f"template {f.template}, launch mass {f.launch_mass_kg:.0f} kg; fitted "
            f"{self.fitted} so that the maximum range on a non-rotating sphere is "
            f"{self.flown_range_km:.0f} km ({range_basis} {f.range_km:.0f} km)"
        )

    def vehicle(self, name: str) -> Vehicle:
        """The rounded stack as a physics vehicle."""
        return Vehicle(
            name,
            self.stages,
            self.payload_kg,
            reentry_beta_kg_m2=REENTRY_BETA_KG_M2,
            vertical_rise_s=VERTICAL_RISE_S,
            pitch_over_s=PITCH_OVER_S,
        )


def build_vehicle(figures: StackFigures, payload_kg: float, isp_factor: float) -> Vehicle:
    """The template scaled to the launch mass with this payload (kg) and Isp factor."""
    template = TEMPLATES[figures.template]
    stack_mass = figures.launch_mass_kg - payload_kg
    stages = tuple(
        Stage(
            gross_mass_kg=stack_mass * share,
            propellant_mass_kg=stack_mass * share * frac,
            burn_time_s=burn,
            isp_vac_s=isp * isp_factor,
            diameter_m=figures.diameter_m * ratio,
        )
        for share, frac, isp, burn, ratio in zip(
            template.mass_split,
            template.propellant_fraction,
            template.isp_vac_s,
            template.burn_time_s,
            template.diameter_ratio,
            strict=True,
        )
    )
    return Vehicle(
        figures.template,
        stages,
        payload_kg,
        reentry_beta_kg_m2=REENTRY_BETA_KG_M2,
        vertical_rise_s=VERTICAL_RISE_S,
        pitch_over_s=PITCH_OVER_S,
    )


# --- the maximum range of a batch of vehicles ---------------------------------------------------

COARSE_KICKS_DEG = np.arange(1.0, 70.01, 1.0)
"""First pass over the pitch-over kick (deg)."""
FINE_KICKS_DEG = np.linspace(-1.5, 1.5, 31)
"""Second pass: offsets (deg) around the best kick of the first (0.1 deg apart)."""
NEAR_KICKS_DEG = np.linspace(-0.5, 0.5, 11)
"""Offsets (deg) around a known kick (a candidate close to one already flown)."""


def _reach(vehicles: list[Vehicle], kick_deg: FloatArray) -> tuple[FloatArray, BoolArray]:
    """Vacuum reach (m; inf where the coast does not come down) of full-burn boosts launched
    north from the equator of the non-rotating sphere, and whether each kick is usable (never
    below ground, burnout at least MIN_BURNOUT_ALTITUDE_M up), as max_range's envelope asks."""
    n = len(vehicles)
    batch = stack(vehicles)
    zeros = np.zeros(n)
    launch = frames.geodetic_to_vector(zeros, zeros, 0.0, SPHERE)
    r0, v0 = frames.ecef_to_eci(launch, 0.0, SPHERE)
    radius = np.linalg.norm(launch, axis=-1)
    boost = fly_boost(BoostProblem(batch, zeros, np.radians(kick_deg), SPHERE), r0, v0)
    lat, lon, *_ = vacuum_impact(boost, batch.burnout_s[:, -1], radius, SPHERE)
    got, _ = frames.great_circle(zeros, zeros, np.nan_to_num(lat), lon)
    heights = np.linalg.norm(boost.r, axis=-1) - radius[:, None]
    usable = (heights[:, 1:].min(axis=1) > 0.0) & (heights[:, -1] >= MIN_BURNOUT_ALTITUDE_M)
    usable &= kick_deg > 0.0
    return np.where(np.isfinite(lat), got, np.inf), usable


def _grid(vehicles: list[Vehicle], kicks_deg: FloatArray) -> tuple[FloatArray, BoolArray]:
    """Reach and usability of each vehicle (N) at its own row of kicks (N, K)."""
    n, k = kicks_deg.shape
    reach, usable = _reach([v for v in vehicles for _ in range(k)], kicks_deg.ravel())
    return reach.reshape(n, k), usable.reshape(n, k)


def _refine(
    kicks_deg: FloatArray, reach: FloatArray, usable: BoolArray
) -> tuple[FloatArray, BoolArray]:
    """Best kick of each row (N, K) of equally spaced kicks, refined by a parabola through the
    best three, and whether the best lies inside the row (not at its ends)."""
    score = np.where(usable & np.isfinite(reach), reach, -1.0)
    best = np.argmax(score, axis=1)
    rows = np.arange(kicks_deg.shape[0])
    kick = kicks_deg[rows, best].copy()
    inside = (best > 0) & (best < kicks_deg.shape[1] - 1) & (score[rows, best] > 0.0)
    step = kicks_deg[:, 1] - kicks_deg[:, 0]
    for j in np.flatnonzero(inside):
        left, mid, right = score[j, best[j] - 1 : best[j] + 2]
        curvature = left - 2.0 * mid + right
        if min(left, right) > 0.0 and curvature < 0.0:
            kick[j] += 0.5 * step[j] * (left - right) / curvature
    return kick, inside


def _max_ranges(
    vehicles: Sequence[Vehicle], kick_guess_deg: FloatArray | None = None
) -> tuple[FloatArray, FloatArray]:
    """Greatest range (m) of each vehicle and the kick (deg) it is flown with (NaN where none).

    Without a guess: a 1-deg grid of kicks, then a 0.1-deg grid around its best. With a guess
    (the kick of a nearly equal vehicle): a 0.1-deg grid 0.5 deg either side of it, falling back
    to the full search where the best lies at its ends.
    """
    vehicles = list(vehicles)
    n = len(vehicles)
    out, kick = np.zeros(n), np.full(n, np.nan)
    found = np.zeros(n, dtype=bool)
    if kick_guess_deg is not None:
        near = kick_guess_deg[:, None] + NEAR_KICKS_DEG[None, :]
        reach, usable = _grid(vehicles, near)
        kick, found = _refine(near, reach, usable)
        found &= ~np.any(usable & np.isinf(reach), axis=1)
    todo = np.flatnonzero(~found)
    if todo.size:
        sub = [vehicles[i] for i in todo]
        coarse = np.broadcast_to(COARSE_KICKS_DEG, (todo.size, COARSE_KICKS_DEG.size))
        reach, usable = _grid(sub, coarse)
        orbital = np.any(usable & np.isinf(reach), axis=1)
        out[todo[orbital]] = np.inf
        some = np.flatnonzero(np.any(usable, axis=1) & ~orbital)
        if some.size:
            first = coarse[some, np.argmax(np.where(usable[some], reach[some], -1.0), axis=1)]
            fine = first[:, None] + FINE_KICKS_DEG[None, :]
            reach, usable = _grid([sub[j] for j in some], fine)
            kick[todo[some]], _ = _refine(fine, reach, usable)
            found[todo[some]] = True
    rows = np.flatnonzero(found)
    if rows.size:
        zeros = np.zeros(rows.size)
        batch = stack([vehicles[i] for i in rows])
        out[rows] = fly(batch, zeros, zeros, zeros, kick[rows], None, earth=SPHERE).ground_range_m()
    kick[~found] = np.nan
    return out, kick


def max_ranges_m(vehicles: Sequence[Vehicle]) -> FloatArray:
    """Greatest range (m) of each vehicle on the non-rotating sphere (max_range's method, its
    kick found on grids instead of by golden section). Shape (N,).

    Full burn, north from the equator: the usable kick that maximises the vacuum reach (a 1-deg
    grid, then a 0.1-deg grid around its best and a parabola through the best three), flown in
    full with reentry drag. ``inf`` where some usable kick goes into orbit (the stack is beyond
    any ballistic range), 0 where no kick is usable.
    """
    return _max_ranges(vehicles)[0]


def max_ranges_exact_m(vehicles: Sequence[Vehicle]) -> FloatArray:
    """Greatest range (m) of each vehicle by :func:`glasnost.physics.max_range.max_range`
    itself (golden section over each vehicle's envelope; about 0.4 s per distinct vehicle)."""
    n = len(vehicles)
    zeros = np.zeros(n)
    result = max_range(stack(list(vehicles)), zeros, zeros, zeros, earth=SPHERE)
    return result.trajectory.ground_range_m()


# --- the fit ----------------------------------------------------------------------------------

Method = Literal["batched", "max_range"]

_GRID = 12
"""Candidates of the first round of a batched fit, spread over the bracket."""
_ROUNDS = 8
_TOLERANCE = 1e-8
"""Relative range error at which a batched fit stops (0.1 m at 10,000 km)."""
_BISECTIONS = 22
"""Bisections of the ``max_range`` fit (the catalog's historical fit: the bracket to 2.4e-7)."""


def _candidates(f: StackFigures, x: Sequence[float] | FloatArray) -> list[Vehicle]:
    if f.throw_weight_kg is not None:
        return [build_vehicle(f, f.throw_weight_kg, float(v)) for v in x]
    return [build_vehicle(f, float(v), 1.0) for v in x]


def _bracket(f: StackFigures) -> tuple[float, float]:
    if f.fits_isp:
        return ISP_FACTOR_BRACKET
    lo, hi = PAYLOAD_BRACKET
    return lo * f.launch_mass_kg, hi * f.launch_mass_kg


def _out_of_bracket(f: StackFigures, lo_range_m: float, hi_range_m: float) -> DerivationError:
    """The error for a range that no value of the fitted parameter in its bracket reaches.
    ``lo_range_m`` and ``hi_range_m`` are the ranges at the ends of the bracket."""
    t = TEMPLATES[f.template]
    mass = f"a {f.launch_mass_kg:,.0f} kg {f.template} stack"
    if f.fits_isp:
        lo, hi = ISP_FACTOR_BRACKET
        isp = "-".join(f"{s:g}" for s in t.isp_vac_s)
        payload = f"with a {f.throw_weight_kg:g} kg payload"
        if hi_range_m < f.range_km * 1e3:
            return DerivationError(
                "range_km",
                f"{f.range_km:,.0f} km is out of reach: {mass} {payload} reaches at most "
                f"{_km(hi_range_m)} even with specific impulses {hi:.2f} times the template's "
                f"({isp} s); check range_km, launch_mass_kg and payload_kg",
            )
        return DerivationError(
            "range_km",
            f"{f.range_km:,.0f} km is too short: {mass} {payload} reaches {_km(lo_range_m)} "
            f"even with specific impulses {lo:.2f} times the template's ({isp} s); check "
            "range_km, launch_mass_kg and payload_kg",
        )
    lo_frac, hi_frac = PAYLOAD_BRACKET
    if lo_range_m < f.range_km * 1e3:
        return DerivationError(
            "range_km",
            f"{f.range_km:,.0f} km is out of reach: {mass} reaches at most {_km(lo_range_m)} "
            f"even with a payload of {lo_frac:.1%} of its launch mass "
            f"({lo_frac * f.launch_mass_kg:,.0f} kg)",
        )
    return DerivationError(
        "range_km",
        f"{f.range_km:,.0f} km is too short for {mass}: it reaches {_km(hi_range_m)} even with "
        f"a payload of {hi_frac:.0%} of its launch mass ({hi_frac * f.launch_mass_kg:,.0f} kg); "
        "give payload_kg (the throw weight) to fit the specific impulses instead",
    )


def _km(range_m: float) -> str:
    return "orbital speed" if np.isinf(range_m) else f"{range_m / 1e3:,.0f} km"


def _initial(x: FloatArray, r: FloatArray) -> float:
    """Root of r(x) (increasing, r[0] <= 0 <= r[-1]) by cubic inverse interpolation through the
    four grid points around it (linear next to infinite values or at the ends)."""
    k = int(np.clip(np.searchsorted(r, 0.0) - 1, 0, r.size - 2))
    lo, hi = max(k - 1, 0), min(k + 3, r.size)
    xs, rs = x[lo:hi], r[lo:hi]
    if hi - lo == 4 and np.all(np.isfinite(rs)) and np.all(np.diff(rs) > 0.0):
        guess = float(np.polyval(np.polyfit(rs, xs, 3), 0.0))
        if x[k] <= guess <= x[k + 1]:
            return guess
    if np.isfinite(r[k]) and np.isfinite(r[k + 1]) and r[k + 1] > r[k]:
        return float(x[k] - r[k] * (x[k + 1] - x[k]) / (r[k + 1] - r[k]))
    return float(0.5 * (x[k] + x[k + 1]))


def _fit_batched(figures: Sequence[StackFigures]) -> tuple[FloatArray, FloatArray]:
    """Fitted parameter and flown range (m) of each row: a grid over the bracket, then secant
    steps on three nearby candidates per round (the kick carried from round to round)."""
    n = len(figures)
    target = np.array([f.range_km * 1e3 for f in figures])
    # Range grows with the Isp factor and falls with the payload: r = sign * (range - target)
    # increases with the fitted parameter.
    sign = np.array([1.0 if f.fits_isp else -1.0 for f in figures])
    grids = []
    for f in figures:
        lo, hi = _bracket(f)
        grids.append(np.linspace(lo, hi, _GRID) if f.fits_isp else np.geomspace(lo, hi, _GRID))
    rows = [v for f, g in zip(figures, grids, strict=True) for v in _candidates(f, g)]
    ranges, kicks = _max_ranges(rows)
    ranges, kicks = ranges.reshape(n, _GRID), kicks.reshape(n, _GRID)
    x, step, kick = np.empty(n), np.empty(n), np.empty(n)
    lo_x, hi_x = np.empty(n), np.empty(n)
    for i, f in enumerate(figures):
        r = sign[i] * (ranges[i] - target[i])
        if not (r[0] <= 0.0 <= r[-1]):
            raise _out_of_bracket(f, float(ranges[i, 0]), float(ranges[i, -1]))
        x[i] = _initial(grids[i], r)
        k = int(np.clip(np.searchsorted(grids[i], x[i]) - 1, 0, _GRID - 2))
        lo_x[i], hi_x[i] = grids[i][k], grids[i][k + 1]
        step[i] = 1e-4 * (hi_x[i] - lo_x[i])
        near = kicks[i, k : k + 2]
        kick[i] = float(np.nanmean(near)) if np.any(np.isfinite(near)) else np.nan
    flown = np.full(n, np.nan)
    todo = np.arange(n)
    for _ in range(_ROUNDS):
        probes = np.stack([x[todo] - step[todo], x[todo], x[todo] + step[todo]], axis=1)
        rows = [
            v
            for i, p in zip(todo.tolist(), probes, strict=True)
            for v in _candidates(figures[i], p)
        ]
        guess = np.repeat(kick[todo], 3)
        got, got_kick = _max_ranges(rows, None if np.any(np.isnan(guess)) else guess)
        got, got_kick = got.reshape(todo.size, 3), got_kick.reshape(todo.size, 3)
        flown[todo] = got[:, 1]
        done = []
        for j, i in enumerate(todo.tolist()):
            r = sign[i] * (got[j] - target[i])
            for p, rv in zip(probes[j], r, strict=True):  # keep the bracket around the root
                if rv <= 0.0 and p > lo_x[i]:
                    lo_x[i] = p
                elif rv > 0.0 and p < hi_x[i]:
                    hi_x[i] = p
            if abs(r[1]) <= _TOLERANCE * target[i]:
                done.append(j)
                continue
            slope = (r[2] - r[0]) / (2.0 * step[i])
            new = x[i] - r[1] / slope if np.isfinite(slope) and slope > 0.0 else np.nan
            if not (lo_x[i] < new < hi_x[i]):
                new = 0.5 * (lo_x[i] + hi_x[i])
            step[i] = max(min(step[i], 0.5 * abs(new - x[i])), 1e-9 * abs(new))
            x[i] = new
            if np.isfinite(got_kick[j, 1]):
                kick[i] = got_kick[j, 1]
        todo = np.delete(todo, done)
        if todo.size == 0:
            break
    if todo.size:  # not converged within the rounds: the range of the last estimate
        rows = [v for i in todo.tolist() for v in _candidates(figures[i], [x[i]])]
        flown[todo] = max_ranges_m(rows)
    return x, flown


def _fit_max_range(figures: Sequence[StackFigures]) -> tuple[FloatArray, FloatArray]:
    """The catalog's historical fit: bisection of each row's bracket with
    :func:`max_ranges_exact_m`, all rows in one batch per step."""
    target = np.array([f.range_km * 1e3 for f in figures])
    fits_isp = np.array([f.fits_isp for f in figures])
    brackets = np.array([_bracket(f) for f in figures])
    lo, hi = brackets[:, 0].copy(), brackets[:, 1].copy()

    def ranges(x: FloatArray) -> FloatArray:
        rows = [_candidates(f, [v])[0] for f, v in zip(figures, x, strict=True)]
        return max_ranges_exact_m(rows)

    for _ in range(_BISECTIONS):
        mid = 0.5 * (lo + hi)
        too_far = ranges(mid) > target
        grow = np.where(fits_isp, ~too_far, too_far)  # move the lower end up
        lo, hi = np.where(grow, mid, lo), np.where(grow, hi, mid)
    x = 0.5 * (lo + hi)
    return x, ranges(x)


def _rounded(f: StackFigures, fitted: float, flown_m: float) -> DerivedStack:
    payload = f.throw_weight_kg if f.throw_weight_kg is not None else fitted
    veh = build_vehicle(f, payload, fitted if f.fits_isp else 1.0)
    stages = tuple(
        Stage(
            gross_mass_kg=round(s.gross_mass_kg, 1),
            propellant_mass_kg=round(s.propellant_mass_kg, 1),
            burn_time_s=s.burn_time_s,
            isp_vac_s=round(s.isp_vac_s, 2),
            diameter_m=round(s.diameter_m, 3),
        )
        for s in veh.stages
    )
    return DerivedStack(f, round(float(payload), 1), stages, float(fitted), flown_m / 1e3)


def derive_stacks(
    figures: Sequence[StackFigures], method: Method = "batched"
) -> list[DerivedStack]:
    """Fit every row in one batch (rows in order).

    ``method="batched"`` (scenarios; 0.26-0.5 s per type) finds each candidate's
    maximum range with :func:`max_ranges_m`; ``"max_range"`` (the catalog's generator; about
    3 s per type) bisects with :func:`glasnost.physics.max_range.max_range` itself, as the
    catalog always has. For ranges up to about 13,000 km the two give the same stack after
    rounding; near the antipode (the 18,000 km of rs28_sarmat) the maximum range turns on
    hundredths of a degree of kick and the two differ by kilograms of payload (rs28_sarmat:
    7,202.5 kg batched, 7,198.4 kg in the catalog; 46 km of range per kg there).
    Raises :class:`DerivationError` for the first row whose figures cannot be fitted (with
    ``max_range``, only for impossible inputs: out-of-bracket ranges are the batched fit's to
    diagnose).
    """
    for f in figures:
        f.check()
    if not figures:
        return []
    fitted, flown = (_fit_batched if method == "batched" else _fit_max_range)(figures)
    return [_rounded(f, float(x), float(r)) for f, x, r in zip(figures, fitted, flown, strict=True)]


@lru_cache(maxsize=256)
def derive_stack(figures: StackFigures) -> DerivedStack:
    """One batched fit, cached on the figures (scenario-defined missile types)."""
    return derive_stacks([figures])[0]
