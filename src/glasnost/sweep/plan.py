"""The sample plan: which inputs vary, how, and the values of every sample.

Methods (docs/uncertainty.md):

* ``sobol``: a scrambled Sobol' sequence (``scipy.stats.qmc.Sobol``), quasi-random Monte Carlo;
* ``lhs``: a Latin hypercube (``scipy.stats.qmc.LatinHypercube``);
* ``saltelli``: Saltelli's scheme for Sobol' indices (``SALib.sample.sobol``, first-order and
  total): ``samples`` base points, ``samples * (inputs + 2)`` assessments;
* ``grid``: the full-factorial grid of each input's levels (feasibility maps).

A plan is immutable and fully determined by its JSON (:meth:`Plan.to_json`): the same plan and
seed give the same values on any machine, which is what ``--resume`` and a second party's
recomputation rely on.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray
from scipy.stats import qmc

from glasnost.sweep.distributions import Distribution

FloatArray = NDArray[np.float64]

Method = Literal["sobol", "lhs", "saltelli", "grid"]
METHODS: tuple[Method, ...] = ("sobol", "lhs", "saltelli", "grid")


class PlanError(ValueError):
    """A plan that cannot be drawn (too few samples, an empty grid)."""


@dataclass(frozen=True)
class Variable:
    """One uncertain input: the dotted scenario path, its distribution, and whether the field
    holds whole numbers (sampled values are then rounded)."""

    path: str
    distribution: Distribution
    integer: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "distribution": self.distribution.kind,
            "params": list(self.distribution.params),
            "integer": self.integer,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Variable:
        dist = Distribution(data["distribution"], tuple(float(x) for x in data["params"]))
        return cls(str(data["path"]), dist, bool(data["integer"]))


@dataclass(frozen=True)
class Plan:
    """Inputs, method, sample count (base points for ``saltelli``), grid levels and seed."""

    variables: tuple[Variable, ...]
    method: Method = "sobol"
    samples: int = 64
    levels: int = 5
    seed: int = 0

    def __post_init__(self) -> None:
        if not self.variables:
            raise PlanError("nothing varies: give at least one --vary PATH=DISTRIBUTION")
        paths = [v.path for v in self.variables]
        if len(set(paths)) != len(paths):
            twice = sorted({p for p in paths if paths.count(p) > 1})
            raise PlanError(f"{', '.join(twice)}: varied twice")
        if self.method not in METHODS:
            raise PlanError(f"method {self.method!r}; choose one of {', '.join(METHODS)}")
        if self.method == "grid":
            if self.levels < 2 and any(v.distribution.kind != "discrete" for v in self.variables):
                raise PlanError(f"an empty grid: --levels {self.levels}, need at least 2")
        elif self.samples < 2:
            raise PlanError(f"--samples {self.samples}: need at least 2")
        if self.method == "saltelli" and self.samples & (self.samples - 1):
            low = 1 << (self.samples.bit_length() - 1)
            raise PlanError(
                f"--samples {self.samples}: Saltelli's scheme needs a power of 2 "
                f"(e.g. {low} or {2 * low})"
            )

    @property
    def paths(self) -> tuple[str, ...]:
        return tuple(v.path for v in self.variables)

    @property
    def size(self) -> int:
        """The number of assessments the plan runs."""
        d = len(self.variables)
        if self.method == "saltelli":
            return self.samples * (d + 2)
        if self.method == "grid":
            return math.prod(len(self.grid_levels(v)) for v in self.variables)
        return self.samples

    def grid_levels(self, variable: Variable) -> FloatArray:
        values = variable.distribution.levels(self.levels)
        return np.unique(np.round(values)) if variable.integer else values

    def unit(self) -> FloatArray:
        """The unit-hypercube points, shape (size, inputs), in [0, 1) (not for ``grid``)."""
        d = len(self.variables)
        if self.method == "sobol":
            m = max(1, math.ceil(math.log2(self.samples)))
            points = qmc.Sobol(d, scramble=True, seed=self.seed).random_base2(m)
            return np.asarray(points[: self.samples], dtype=np.float64)
        if self.method == "lhs":
            points = qmc.LatinHypercube(d, seed=self.seed).random(self.samples)
            return np.asarray(points, dtype=np.float64)
        if self.method == "saltelli":
            from SALib.sample import sobol as salib_sobol

            problem = self.problem()
            points = salib_sobol.sample(
                problem, self.samples, calc_second_order=False, seed=self.seed
            )
            return np.asarray(points, dtype=np.float64)
        raise PlanError("a grid has no unit points: use values()")

    def values(self) -> FloatArray:
        """Every sample's input values, shape (size, inputs), in the fields' units."""
        if self.method == "grid":
            axes = [self.grid_levels(v) for v in self.variables]
            out = np.array(list(itertools.product(*axes)), dtype=np.float64)
        else:
            u = self.unit()
            out = np.column_stack(
                [v.distribution.ppf(u[:, k]) for k, v in enumerate(self.variables)]
            )
        for k, v in enumerate(self.variables):
            if v.integer:
                out[:, k] = np.round(out[:, k])
        return out

    def problem(self) -> dict[str, Any]:
        """The SALib problem over the unit hypercube (values come from each input's ppf)."""
        return {
            "num_vars": len(self.variables),
            "names": list(self.paths),
            "bounds": [[0.0, 1.0]] * len(self.variables),
        }

    def to_json(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "samples": self.samples,
            "levels": self.levels if self.method == "grid" else None,  # only a grid has levels
            "seed": self.seed,
            "size": self.size,
            "variables": [v.to_json() for v in self.variables],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Plan:
        return cls(
            tuple(Variable.from_json(v) for v in data["variables"]),
            data["method"],
            int(data["samples"]),
            int(data["levels"] or Plan.levels),
            int(data["seed"]),
        )
