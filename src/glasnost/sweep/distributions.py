"""Uncertain inputs: a distribution for the value at a dotted scenario path.

The text forms (``--vary PATH=FORM``):

* ``uniform(lo, hi)``, ``normal(mu, sigma)``, ``triangular(lo, mode, hi)``;
* a discrete list ``[a, b, c]`` (equally likely);
* ``declared+-X`` or ``declared+-X%``: uniform within X (in the value's unit) or X percent of
  the declared value.

Each distribution maps a unit sample ``u`` in [0, 1) to values by its inverse CDF
(:meth:`Distribution.ppf`, so quasi-random plans keep their balance) and gives the levels of a
full-factorial grid (:meth:`Distribution.levels`). Values are in the unit of the scenario field
(km/s for ``burnout_velocity_kms``, s for ``launch_delay_s``).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray
from scipy import stats

FloatArray = NDArray[np.float64]

Kind = Literal["uniform", "normal", "triangular", "discrete"]

U_EPS = 1e-12
"""Unit samples are kept within [U_EPS, 1 - U_EPS], so a normal never maps to +-inf."""

NORMAL_GRID_SIGMA = 2.0
"""A normal input's grid spans mu +- this many sigma."""


class DistributionError(ValueError):
    """A distribution that cannot be parsed or has impossible parameters."""


@dataclass(frozen=True)
class Distribution:
    """One input's distribution; ``params`` as in the text form (the list's values for
    ``discrete``)."""

    kind: Kind
    params: tuple[float, ...]

    def ppf(self, u: FloatArray) -> FloatArray:
        """Values at unit samples ``u`` (any shape) by the inverse CDF."""
        u = np.clip(np.asarray(u, dtype=np.float64), U_EPS, 1.0 - U_EPS)
        p = self.params
        if self.kind == "uniform":
            return np.asarray(p[0] + (p[1] - p[0]) * u, dtype=np.float64)
        if self.kind == "normal":
            return np.asarray(stats.norm.ppf(u, loc=p[0], scale=p[1]), dtype=np.float64)
        if self.kind == "triangular":
            lo, mode, hi = p
            c = (mode - lo) / (hi - lo)
            return np.asarray(stats.triang.ppf(u, c, loc=lo, scale=hi - lo), dtype=np.float64)
        values = np.asarray(p, dtype=np.float64)
        return values[np.minimum((u * len(values)).astype(np.intp), len(values) - 1)]

    def levels(self, n: int) -> FloatArray:
        """The values of a full-factorial grid: n evenly spaced over the support (a normal:
        mu +- 2 sigma), or a discrete list's own values."""
        p = self.params
        if self.kind == "discrete":
            return np.asarray(p, dtype=np.float64)
        if self.kind == "normal":
            lo, hi = p[0] - NORMAL_GRID_SIGMA * p[1], p[0] + NORMAL_GRID_SIGMA * p[1]
        else:
            lo, hi = p[0], p[-1]
        return np.linspace(lo, hi, n)

    def describe(self) -> str:
        """The text form (``uniform(4, 6)``)."""
        body = ", ".join(f"{x:g}" for x in self.params)
        return f"[{body}]" if self.kind == "discrete" else f"{self.kind}({body})"


_CALL = re.compile(r"^\s*(uniform|normal|triangular)\s*\((.*)\)\s*$", re.IGNORECASE)
_DECLARED = re.compile(r"^\s*declared\s*(?:\+-|\+/-|±)\s*([^%\s]+)\s*(%?)\s*$", re.IGNORECASE)


def _numbers(text: str, form: str) -> tuple[float, ...]:
    try:
        values = tuple(float(x) for x in text.split(",") if x.strip())
    except ValueError:
        raise DistributionError(f"{form}: the arguments must be numbers") from None
    if not all(math.isfinite(v) for v in values):
        raise DistributionError(f"{form}: the arguments must be finite numbers")
    return values


def parse_distribution(text: str, declared: float | None = None) -> Distribution:
    """A distribution from its text form; ``declared`` is the scenario's value at the path
    (needed by ``declared+-X``). Raises :class:`DistributionError` saying what is wrong."""
    form = text.strip()
    if (m := _DECLARED.match(form)) is not None:
        width = _numbers(m.group(1), form)
        if len(width) != 1 or width[0] <= 0:
            raise DistributionError(f"{form}: the +- width must be one positive number")
        if declared is None:
            raise DistributionError(f"{form}: the scenario declares no value at this path")
        half = abs(declared) * width[0] / 100.0 if m.group(2) else width[0]
        if half == 0:
            raise DistributionError(f"{form}: a percent of a declared 0 is no interval")
        return Distribution("uniform", (declared - half, declared + half))
    if form.startswith("[") and form.endswith("]"):
        values = _numbers(form[1:-1], form)
        if not values:
            raise DistributionError(f"{form}: an empty list has no values to draw")
        return Distribution("discrete", values)
    m = _CALL.match(form)
    if m is None:
        raise DistributionError(
            f"{form!r} is not a distribution; use uniform(lo, hi), normal(mu, sigma), "
            "triangular(lo, mode, hi), [a, b, c] or declared+-X[%]"
        )
    kind = m.group(1).lower()
    p = _numbers(m.group(2), form)
    need = {"uniform": 2, "normal": 2, "triangular": 3}[kind]
    if len(p) != need:
        raise DistributionError(f"{form}: {kind} takes {need} numbers, got {len(p)}")
    if kind == "uniform" and not p[0] < p[1]:
        raise DistributionError(f"{form}: needs lo < hi")
    if kind == "normal" and not p[1] > 0:
        raise DistributionError(f"{form}: needs sigma > 0")
    if kind == "triangular" and not (p[0] <= p[1] <= p[2] and p[0] < p[2]):
        raise DistributionError(f"{form}: needs lo <= mode <= hi and lo < hi")
    return Distribution(kind, p)  # type: ignore[arg-type]


def declared_distribution(
    declared: float, plus_minus: float, percent: bool, shape: Literal["uniform", "normal"]
) -> Distribution:
    """The distribution of a declared value with its stated uncertainty (uniform within
    +- plus_minus, or normal with plus_minus as one sigma; percent of the value if asked)."""
    half = abs(declared) * plus_minus / 100.0 if percent else plus_minus
    if half <= 0:
        raise DistributionError(f"+-{plus_minus:g}{'%' if percent else ''} of {declared:g}")
    if shape == "normal":
        return Distribution("normal", (declared, half))
    return Distribution("uniform", (declared - half, declared + half))
