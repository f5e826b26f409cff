"""The inputs and the result of the engagement kernel (:func:`glasnost.defense.engagement.engage`):
the interceptor sites (:class:`Interceptors`), the sampled threats (:class:`Samples`) and the
per (site, trajectory) table (:class:`EngagementTable`), SI units.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]


BoolArray = NDArray[np.bool_]


IntArray = NDArray[np.int64]


LambertModel = Literal["straight-boost", "burnout-delay"]
"""The two closed interceptor models of the kernel (module doc)."""


SampleAt = Callable[[IntArray, FloatArray], FloatArray]
"""sample_at(trajectory rows (n,), times (n,) s) -> ECI positions (n, 3) m."""


MAX_BATCH = 1 << 17
"""Default bound on the Lambert problems solved at once (peak memory of the kernel ~60 MB)."""


WINDOW_RESOLUTION_S = 0.5
"""Default tolerance (s) of the window edges found between samples."""


@dataclass(frozen=True)
class Interceptors:
    """The simple interceptor model, one row per site, every field shape (S,), SI units."""

    burnout_velocity_ms: FloatArray
    burn_time_s: FloatArray
    min_altitude_m: FloatArray
    max_altitude_m: FloatArray
    max_range_m: FloatArray
    """Ground range limit (m); ``np.inf`` where the type states none."""


@dataclass(frozen=True)
class Samples:
    """Sampled offensive trajectories: T trajectories x P samples."""

    t_s: FloatArray
    """(T, P) seconds after the (common) launch."""
    r_eci: FloatArray
    """(T, P, 3) metres, ECI aligned with ECEF at t = 0."""
    altitude_m: FloatArray
    """(T, P) height above the ellipsoid."""
    valid: BoolArray
    """(T, P) False for padding and after impact; the valid samples of a row come first, in
    increasing time."""
    sample_at: SampleAt | None = None
    """Optional: ECI positions of trajectory rows at any times, for the window edges between
    samples (:func:`engage`)."""


@dataclass(frozen=True)
class EngagementTable:
    """Per (site, trajectory) results, every field shape (S, T)."""

    feasible: BoolArray
    critical_burnout_velocity_ms: FloatArray
    """Least burnout speed that would make the pair feasible (inf: no candidate point)."""
    earliest_intercept_s: FloatArray
    """NaN where infeasible (also the other intercept and launch fields)."""
    latest_intercept_s: FloatArray
    earliest_intercept_altitude_m: FloatArray
    latest_intercept_altitude_m: FloatArray
    latest_launch_s: FloatArray
    window_s: FloatArray
    """latest - earliest intercept (0 for a single feasible instant, NaN if infeasible)."""
    shots: IntArray
    """Shoot-look-shoot opportunities (0 if infeasible)."""
    best_sample: IntArray
    """Index of the sample needing the least burnout speed (-1 if none)."""
    window_resolution_s: float = 0.0
    """How closely the window edges are known (s): the bisection tolerance where they were
    refined between samples, else the largest gap between samples."""
