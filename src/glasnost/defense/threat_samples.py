"""The offensive trajectories sampled for the sensors and the engagement kernel: a fixed time
step from launch to impact, plus the instants where each trajectory crosses the floors and
ceilings of the interceptors' altitude bands (bisected), so that no band is skipped between
two samples.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from glasnost.common.memo import remembered
from glasnost.defense.engagement import Samples
from glasnost.physics import frames
from glasnost.physics.constants import EarthModel
from glasnost.physics.targeting import TargetingResult
from glasnost.physics.trajectory import Trajectory

FloatArray = NDArray[np.float64]


@remembered(size=2)
def sample_threats(
    result: TargetingResult,
    step_s: float,
    earth: EarthModel,
    edges_m: Sequence[tuple[float, bool]] = (),
) -> tuple[Samples, NDArray[np.int_]]:
    """Every trajectory sampled every ``step_s`` from launch to impact (the impact included),
    plus the instants where it crosses each altitude of ``edges_m`` (the intercept bands'
    floors, flagged True, and ceilings, bisected to ``EDGE_TOLERANCE_S`` and taken on the
    band's side), so that a band that a trajectory crosses between two samples still has
    samples; with ``sample_at`` for the window edges between samples."""
    traj = result.trajectory
    end = float(np.max(traj.impact_s))
    times = np.arange(0.0, end + step_s, step_s)
    t = np.broadcast_to(times, (traj.size, times.size)).copy()
    last = np.searchsorted(times, traj.impact_s)  # first grid time at or after impact
    rows = np.arange(traj.size)
    t[rows, np.minimum(last, times.size - 1)] = traj.impact_s
    t = np.minimum(t, traj.impact_s[:, None])
    r, _ = traj.sample(t)
    alt = frames.altitude(r.reshape(-1, 3), earth).reshape(t.shape)
    extra = _band_crossings(traj, t, alt, edges_m, earth)
    if extra is not None:  # each sample is its instant's alone: merged, not sampled again
        r_extra, _ = traj.sample(extra)
        alt_extra = frames.altitude(r_extra.reshape(-1, 3), earth).reshape(extra.shape)
        t = np.concatenate([t, extra], axis=1)
        order = np.argsort(t, axis=1, kind="stable")
        t = np.take_along_axis(t, order, axis=1)
        r = np.take_along_axis(np.concatenate([r, r_extra], axis=1), order[..., None], axis=1)
        alt = np.take_along_axis(np.concatenate([alt, alt_extra], axis=1), order, axis=1)
    # Samples at or after impact repeat the impact point: only the first one is valid.
    valid = np.ones(t.shape, dtype=bool)
    valid[:, 1:] = t[:, :-1] < traj.impact_s[:, None]
    per_row = np.repeat(np.arange(traj.size), t.shape[1])
    phase = traj.phase_at(t.reshape(-1), per_row).reshape(t.shape)

    def sample_at(rows: NDArray[np.int64], t_s: FloatArray) -> FloatArray:
        out, _ = traj.state_at(t_s, rows.astype(np.intp))
        return out

    return Samples(t, r, alt, valid, sample_at), phase


EDGE_TOLERANCE_S = 1e-2
"""Bisection tolerance (s) of the instants where a trajectory crosses an intercept band's edge."""


def _band_crossings(
    traj: Trajectory,
    t: FloatArray,
    alt: FloatArray,
    edges_m: Sequence[tuple[float, bool]],
    earth: EarthModel,
) -> FloatArray | None:
    """Times (N, K) at which each trajectory crosses each edge altitude between two samples
    (``t``, ``alt`` (N, M)): the end of the final bisection bracket at or above a floor
    (flag True), at or below a ceiling; padded with the impact time. None when none."""
    rows_all: list[NDArray[np.intp]] = []
    lo_all: list[FloatArray] = []
    hi_all: list[FloatArray] = []
    h_all: list[FloatArray] = []
    floor_all: list[NDArray[np.bool_]] = []
    moving = t[:, 1:] > t[:, :-1]
    for h_m, is_floor in edges_m:
        below = alt < h_m
        cross = (below[:, 1:] != below[:, :-1]) & moving
        n_idx, j_idx = np.nonzero(cross)
        rows_all.append(n_idx)
        lo_all.append(t[n_idx, j_idx])
        hi_all.append(t[n_idx, j_idx + 1])
        h_all.append(np.full(n_idx.size, h_m))
        floor_all.append(np.full(n_idx.size, is_floor))
    if sum(x.size for x in rows_all) == 0:
        return None
    rows = np.concatenate(rows_all)
    lo, hi, h = np.concatenate(lo_all), np.concatenate(hi_all), np.concatenate(h_all)
    floor = np.concatenate(floor_all)
    lo_below = frames.altitude(traj.state_at(lo, rows)[0], earth) < h
    gap = float(np.max(hi - lo))
    for _ in range(max(0, math.ceil(math.log2(gap / EDGE_TOLERANCE_S)))):
        mid = 0.5 * (lo + hi)
        mid_below = frames.altitude(traj.state_at(mid, rows)[0], earth) < h
        same = mid_below == lo_below
        lo, hi = np.where(same, mid, lo), np.where(same, hi, mid)
    # lo stays on lo_below's side: take the end above a floor, below a ceiling.
    edge = np.where(lo_below == floor, hi, lo)
    counts = np.bincount(rows, minlength=traj.size)
    out = np.broadcast_to(traj.impact_s[:, None], (traj.size, int(counts.max()))).copy()
    order = np.argsort(rows, kind="stable")
    rows_s = rows[order]
    first = np.searchsorted(rows_s, np.arange(traj.size))
    out[rows_s, np.arange(rows_s.size) - first[rows_s]] = edge[order]
    return out
