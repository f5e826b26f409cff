"""The search over launch times of the NumPy reference path, chunk by chunk: the least required
speed of each candidate point (grid, then parabolic refinement) and the latest launch that
still reaches it; the compiled kernel (:mod:`glasnost.defense.engagement_kernel`) keeps this
algorithm.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from glasnost.defense.engagement_kernel import (
    G_BOUND,
    GOLD,
    MAX_SPEED_MS,
    MIN_SEARCH_STEPS,
    ROOT_STEPS,
    TAU_MIN_S,
    X_TOL,
    end_refinement_point,
)
from glasnost.defense.engagement_types import BoolArray, FloatArray, IntArray, LambertModel
from glasnost.defense.required_speed import required_flat
from glasnost.physics.constants import EarthModel


def _group_best(groups: IntArray, key: FloatArray) -> tuple[IntArray, IntArray]:
    """Per group present: the group id and the position of its smallest key (first on ties)."""
    order = np.lexsort((key, groups))
    g = groups[order]
    first = np.ones(g.size, dtype=bool)
    first[1:] = g[1:] != g[:-1]
    return g[first], order[first]


def update_best(
    best_key: FloatArray,
    best_val: NDArray[np.float64] | IntArray,
    groups: IntArray,
    key: FloatArray,
    val: NDArray[np.float64] | IntArray,
) -> None:
    """Keep, per group, the value whose key is smallest (in place; earlier calls win ties)."""
    if groups.size == 0:
        return
    g, pos = _group_best(groups, key)
    better = key[pos] < best_key[g]
    best_key[g[better]] = key[pos[better]]
    best_val[g[better]] = val[pos[better]]


@dataclass(frozen=True)
class LaunchChunk:
    """Candidate points of one chunk: site, its vertical, burn time, intercept time and point.

    Launch times are searched in x = ln(coast time): t_L = t_I - t_b - exp(x). The required
    speed goes as distance / coast for short coasts and rises slowly for long (lofted) ones, so
    it is far better scaled in x than in t_L (a window can be 30 times the best coast).
    """

    site: FloatArray  # (n, 3) ECEF
    up: FloatArray  # (n, 3) ECEF
    burn_s: FloatArray  # (n,)
    t_i: FloatArray  # (n,)
    r_i: FloatArray  # (n, 3) ECI
    earth: EarthModel
    model: LambertModel

    def launch(self, x: FloatArray, rows: IntArray) -> FloatArray:
        """Launch times (len(rows), m) of log coast times x (len(rows), m)."""
        out: FloatArray = (self.t_i[rows] - self.burn_s[rows])[:, None] - np.exp(x)
        return out

    def speed(self, x: FloatArray, rows: IntArray) -> FloatArray:
        """Required speeds for candidate ``rows`` at log coast times x (len(rows), m)."""
        m = x.shape[1]
        out = required_flat(
            np.repeat(self.site[rows], m, axis=0),
            np.repeat(self.up[rows], m, axis=0),
            np.repeat(self.burn_s[rows], m),
            self.launch(x, rows).reshape(-1),
            np.repeat(self.t_i[rows], m),
            np.repeat(self.r_i[rows], m, axis=0),
            self.earth,
            self.model,
        )
        return out.reshape(len(rows), m)

    def shortest_coast(self) -> FloatArray:
        """Coast time (n,) below which every launch time needs more than MAX_SPEED_MS.

        The distance from r_I to the circle that the site describes in ECI is a lower bound d
        of |r_I - r_site(t)| at every time; with the bound of the screen in
        :func:`required_flat`, |u| (t_b / 2 + tau) >= d - |v_s| (t_b + tau) - g tau^2 / 2, so
        coasts with g tau^2 / 2 + (|v_s| + V) tau < d - |v_s| t_b - V t_b / 2 need |u| > V
        (burnout delay: |u| tau >= d - |v_s| tau - g tau^2 / 2, the same with t_b = 0).
        """
        rho_s = np.hypot(self.site[:, 0], self.site[:, 1])
        rho_i = np.hypot(self.r_i[:, 0], self.r_i[:, 1])
        d = np.hypot(rho_i - rho_s, self.r_i[:, 2] - self.site[:, 2])
        v_s = self.earth.rotation_rad_s * rho_s
        if self.model == "burnout-delay":
            slack = d
        else:
            slack = d - v_s * self.burn_s - 0.5 * MAX_SPEED_MS * self.burn_s
        b = v_s + MAX_SPEED_MS
        tau = (
            2.0
            * np.maximum(slack, 0.0)
            / (b + np.sqrt(b * b + 2.0 * G_BOUND * np.maximum(slack, 0.0)))
        )
        out: FloatArray = np.maximum(tau, TAU_MIN_S)
        return out


def _least_speed(
    chunk: LaunchChunk, grid: FloatArray, v_grid: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]:
    """Refine each row's grid minimum (grid of log coast times, increasing): bracket (a, b, c)
    around it, then safeguarded successive parabolic interpolation with a golden-section
    fallback. Returns a, b, c, V(a), V(b), V(c) with V(b) the least speed found.

    A row whose grid minimum is at an end of the window and whose refinement's last point
    (:func:`end_refinement_point`) needs no less is settled by that point alone: b stays and
    the last point becomes the bracket's far end, as after the steps (the kernel's rule,
    :func:`engagement_kernel._candidate`)."""
    n, k = v_grid.shape
    rows = np.arange(n)
    kb = np.argmin(v_grid, axis=1)
    ka, kc = np.maximum(kb - 1, 0), np.minimum(kb + 1, k - 1)
    a, b, c = grid[rows, ka], grid[rows, kb], grid[rows, kc]
    fa, fb, fc = v_grid[rows, ka], v_grid[rows, kb], v_grid[rows, kc]
    settled = np.zeros(n, dtype=bool)
    ends = np.flatnonzero(((kb == k - 1) | (kb == 0)) & np.isfinite(fb))
    x_end = np.array([end_refinement_point(a[i], b[i], c[i]) for i in ends])
    ends, x_end = ends[~np.isnan(x_end)], x_end[~np.isnan(x_end)]
    if ends.size:
        f_end = chunk.speed(x_end[:, None], ends)[:, 0]
        keep = ~(f_end < fb[ends])
        top, bottom = keep & (kb[ends] != 0), keep & (kb[ends] == 0)
        a[ends[top]], fa[ends[top]] = x_end[top], f_end[top]
        c[ends[bottom]], fc[ends[bottom]] = x_end[bottom], f_end[bottom]
        settled[ends[keep]] = True
    for _ in range(MIN_SEARCH_STEPS):
        act = np.flatnonzero(np.isfinite(fb) & (c - a > X_TOL) & ~settled)
        if act.size == 0:
            break
        aa, bb, cc = a[act], b[act], c[act]
        ffa, ffb, ffc = fa[act], fb[act], fc[act]
        d1, d2 = bb - aa, bb - cc
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
            num = d1 * d1 * (ffb - ffc) - d2 * d2 * (ffb - ffa)
            den = d1 * (ffb - ffc) - d2 * (ffb - ffa)
            x = bb - 0.5 * num / den
        golden = np.where(bb - aa > cc - bb, bb - GOLD * (bb - aa), bb + GOLD * (cc - bb))
        good = (
            np.isfinite(x)
            & (x > aa + 0.5 * X_TOL)
            & (x < cc - 0.5 * X_TOL)
            & (np.abs(x - bb) > 0.5 * X_TOL)
        )
        x = np.where(good, x, golden)
        fx = chunk.speed(x[:, None], act)[:, 0]
        better, left = fx < ffb, x < bb
        a[act] = np.where(better, np.where(left, aa, bb), np.where(left, x, aa))
        fa[act] = np.where(better, np.where(left, ffa, ffb), np.where(left, fx, ffa))
        c[act] = np.where(better, np.where(left, bb, cc), np.where(left, cc, x))
        fc[act] = np.where(better, np.where(left, ffb, ffc), np.where(left, ffc, fx))
        b[act] = np.where(better, x, bb)
        fb[act] = np.where(better, fx, ffb)
    return a, b, c, fa, fb, fc


def _latest_launch(
    chunk: LaunchChunk,
    rows: IntArray,
    pts: FloatArray,
    vals: FloatArray,
    x_best: FloatArray,
    v_bo: FloatArray,
) -> FloatArray:
    """Largest launch time with required speed <= v_bo, per feasible candidate ``rows``.

    ``pts`` / ``vals`` (len(rows), m): the log coast times evaluated so far and their speeds;
    ``x_best`` the least-speed one (speed <= v_bo). The latest launch is the shortest feasible
    coast: the root of V(x) = v_bo below ``x_best`` is bracketed on those points, refined by
    Illinois steps and interpolated; when the shortest coast evaluated is feasible, it is the
    answer (shorter ones need more than MAX_SPEED_MS, are shorter than TAU_MIN_S, or launch
    after the latest launch allowed).
    """
    m = len(rows)
    idx = np.arange(m)
    ok_pts = np.where((pts <= x_best[:, None]) & (vals <= v_bo[:, None]), pts, np.inf)
    k_ok = np.argmin(ok_pts, axis=1)
    ok, f_ok = pts[idx, k_ok], vals[idx, k_ok] - v_bo
    no_pts = np.where((pts < ok[:, None]) & (vals > v_bo[:, None]), pts, -np.inf)
    k_no = np.argmax(no_pts, axis=1)
    no, f_no = no_pts[idx, k_no], vals[idx, k_no] - v_bo
    x_root: FloatArray = ok.copy()
    r = np.flatnonzero(np.isfinite(no))
    if r.size:
        ok, no, f_ok, f_no, vb = ok[r], no[r], f_ok[r], f_no[r], v_bo[r]
        kept = np.zeros(r.size, dtype=np.int8)  # which end was kept last: 1 no, -1 ok
        for _ in range(ROOT_STEPS):
            with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
                x = ok - f_ok * (no - ok) / (f_no - f_ok)
            inside = np.isfinite(x) & (x < ok) & (x > no)
            x = np.where(inside, x, 0.5 * (ok + no))
            fx = chunk.speed(x[:, None], rows[r])[:, 0] - vb
            feasible = fx <= 0.0
            # Illinois: halve the value of the end that is kept a second time in a row.
            f_no = np.where(feasible & (kept == 1), 0.5 * f_no, f_no)
            f_ok = np.where(~feasible & (kept == -1), 0.5 * f_ok, f_ok)
            ok, f_ok = np.where(feasible, x, ok), np.where(feasible, fx, f_ok)
            no, f_no = np.where(feasible, no, x), np.where(feasible, f_no, fx)
            kept = np.where(feasible, 1, -1).astype(np.int8)
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
            est = ok - f_ok * (no - ok) / (f_no - f_ok)
        x_root[r] = np.where(np.isfinite(est) & (est <= ok) & (est >= no), est, ok)
    return chunk.launch(x_root[:, None], rows)[:, 0]


def evaluate_chunk(
    chunk: LaunchChunk,
    early: FloatArray,
    late: FloatArray,
    v_bo: FloatArray,
    reach: FloatArray,
    launch_times: int,
) -> tuple[FloatArray, BoolArray, FloatArray]:
    """Least required speed, feasibility and latest launch of each candidate of ``chunk``.

    Launch times run from ``early`` to ``late`` (n,) (``late`` inf: no bound). ``reach`` (n,):
    the flyout table's least time to reach each candidate, NaN where its site has no table
    (then the Lambert speed decides feasibility)."""
    n = early.size
    x_hi = np.log(chunk.t_i - chunk.burn_s - early)  # the longest coast: launch at once
    with np.errstate(invalid="ignore", divide="ignore"):
        x_late = np.log(np.maximum(chunk.t_i - chunk.burn_s - late, 0.0))
    x_lo = np.minimum(np.maximum(np.log(chunk.shortest_coast()), x_late), x_hi)
    grid = x_lo[:, None] + (x_hi - x_lo)[:, None] * np.linspace(0.0, 1.0, launch_times)[None, :]
    grid[:, -1] = x_hi
    v_grid = chunk.speed(grid, np.arange(n))
    a, b, c, fa, fb, fc = _least_speed(chunk, grid, v_grid)

    tabled = ~np.isnan(reach)
    latest = np.full(n, -np.inf)
    with np.errstate(invalid="ignore"):
        feasible = np.where(tabled, chunk.t_i - reach >= early, fb <= v_bo)
    by_table = np.flatnonzero(feasible & tabled)
    latest[by_table] = np.minimum(late[by_table], chunk.t_i[by_table] - reach[by_table])
    feas = np.flatnonzero(feasible & ~tabled)
    if feas.size:
        pts = np.concatenate([grid[feas], np.stack([a[feas], b[feas], c[feas]], axis=1)], axis=1)
        vals = np.concatenate(
            [v_grid[feas], np.stack([fa[feas], fb[feas], fc[feas]], axis=1)], axis=1
        )
        latest[feas] = _latest_launch(chunk, feas, pts, vals, b[feas], v_bo[feas])
    return fb, feasible, latest
