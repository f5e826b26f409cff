"""The rules that decide one candidate point of :func:`glasnost.defense.engagement.engage`
(:class:`CandidateRules`: admissible, then evaluated compiled or by the NumPy reference), the
flyout tables' reach times, and the refinement of the window edges between samples.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from glasnost.defense import engagement_kernel, reach_kernel
from glasnost.defense.engagement_kernel import (
    TAU_MIN_S,
)
from glasnost.defense.engagement_types import (
    BoolArray,
    FloatArray,
    IntArray,
    LambertModel,
    SampleAt,
)
from glasnost.defense.flyout import FlyoutTable, time_to_reach
from glasnost.defense.launch_search import LaunchChunk, evaluate_chunk
from glasnost.physics import compile_ahead, frames
from glasnost.physics.compiled import kernel_array
from glasnost.physics.constants import R_MEAN, EarthModel
from glasnost.physics.cores import default_workers, map_on_threads

SPLIT_MIN_CANDIDATES = 2000
"""Searches of fewer candidates run in one kernel call on the calling thread: below this, a
second thread costs about what it saves."""

RUNS_PER_WORKER = 4
"""Runs of pairs per worker thread: a pair's cost varies by orders of magnitude (most
candidates of most pairs are dropped by the bound), so the runs are many and taken in turn."""


def _search_pairs(
    search: Callable[[IntArray], tuple[FloatArray, FloatArray, BoolArray]],
    starts: IntArray,
    order: IntArray,
) -> tuple[FloatArray, FloatArray]:
    """Least speeds and latest launches of :func:`engagement_kernel.search` (``search(starts)``
    runs it on the pairs of ``starts``, ``order`` its candidate order), the (site, trajectory)
    pairs split into runs of about equal candidate counts searched on worker threads, one per
    core (the kernel releases the interpreter lock). Pairs are searched independently of each
    other, so the result is one call's bit for bit."""
    n = int(starts[-1])
    workers = min(default_workers(), starts.size - 1) if n >= SPLIT_MIN_CANDIDATES else 1
    if workers <= 1:
        speed, latest, _ = search(starts)
        return speed, latest
    count = workers * RUNS_PER_WORKER
    cuts = np.unique(np.searchsorted(starts, np.linspace(0, n, count + 1)[1:-1]))
    bounds = [0, *cuts.tolist(), starts.size - 1]
    runs = [starts[a : b + 1] for a, b in itertools.pairwise(bounds) if b > a]
    found = map_on_threads(search, runs, workers)
    speed, latest = np.full(n, np.inf), np.full(n, -np.inf)
    for run, (run_speed, run_latest, _) in zip(runs, found, strict=True):
        mine = order[run[0] : run[-1]]
        speed[mine], latest[mine] = run_speed[mine], run_latest[mine]
    return speed, latest


def _reach_times(
    site_ecef: FloatArray,
    tables: Sequence[FlyoutTable | None],
    s_idx: IntArray,
    r_eci: FloatArray,
    t_s: FloatArray,
    earth: EarthModel,
    compiled: bool = True,
) -> FloatArray:
    """Flyout-table time to reach each candidate (n,) (NaN where its site has no table): the
    point measured in the Earth-fixed frame at its intercept time (module doc). ``compiled``:
    in two passes per candidate (:mod:`glasnost.defense.reach_kernel`); False: with NumPy
    alone, the reference it is tested against (bit for bit)."""
    reach = np.full(s_idx.size, np.nan)
    distinct: dict[int, FlyoutTable] = {}
    table_of_site = np.full(len(tables), -1, dtype=np.int64)
    for i, table in enumerate(tables):
        if table is not None:
            distinct.setdefault(id(table), table)
            table_of_site[i] = list(distinct).index(id(table))
    rows = np.flatnonzero(table_of_site[s_idx] >= 0)
    if rows.size == 0:
        return reach
    which = table_of_site[s_idx[rows]]
    if compiled:
        angle = -earth.rotation_rad_s * t_s[rows]  # frames.eci_to_ecef's turn
        cross, dot, height = reach_kernel.geometry(
            kernel_array(site_ecef),
            kernel_array(s_idx[rows], np.int64),
            kernel_array(r_eci[rows]),
            np.cos(angle),
            np.sin(angle),
        )
        ground = R_MEAN * np.arctan2(cross, dot)
        out = np.empty(rows.size)
        for k, table in enumerate(distinct.values()):
            reach_kernel.table_times(
                ground,
                height,
                np.flatnonzero(which == k),
                kernel_array(table.ground_range_m),
                kernel_array(table.altitude_m),
                kernel_array(table.time_s),
                out,
            )
        reach[rows] = out
        return reach
    r_ecef, _ = frames.eci_to_ecef(r_eci[rows], t_s[rows], earth)
    s = site_ecef[s_idx[rows]]
    angle = np.arctan2(
        np.linalg.norm(np.cross(s, r_ecef), axis=-1), np.einsum("ij,ij->i", s, r_ecef)
    )
    ground = R_MEAN * angle
    height = np.linalg.norm(r_ecef, axis=-1) - np.linalg.norm(s, axis=-1)
    for k, table in enumerate(distinct.values()):
        m = which == k
        reach[rows[m]] = time_to_reach(table, ground[m], height[m])
    return reach


def check_1d(name: str, value: ArrayLike, n: int) -> FloatArray:
    arr = np.asarray(value, dtype=np.float64)
    if arr.shape != (n,):
        raise ValueError(f"{name} must have shape ({n},), got {arr.shape}")
    return arr


@dataclass(frozen=True)
class CandidateRules:
    """The validated inputs of :func:`engage` and the rules that decide one candidate point:
    the same for the samples and for the points between them that refine the window edges."""

    site: FloatArray  # (S, 3) ECEF
    up: FloatArray  # (S, 3)
    v_bo: FloatArray  # (S,)
    burn: FloatArray  # (S,)
    h_min: FloatArray  # (S,)
    h_max: FloatArray  # (S,)
    rng_max: FloatArray  # (S,)
    early: FloatArray  # (S, T)
    late: FloatArray  # (S, T)
    tables: Sequence[FlyoutTable | None]
    tabled: bool
    earth: EarthModel
    model: LambertModel
    launch_times: int
    max_batch: int
    compiled: bool

    def admissible(
        self, s_idx: IntArray, t_idx: IntArray, t_i: FloatArray, r_i: FloatArray, alt: FloatArray
    ) -> BoolArray:
        """Whether each point (site, trajectory, time, ECI point, altitude) is a candidate: in
        the site's altitude band and range, and leaving a launch time with a coast of at least
        TAU_MIN_S after the earliest launch."""
        e = self.early[s_idx, t_idx]
        with np.errstate(invalid="ignore"):
            ok = (
                np.isfinite(t_i)
                & np.isfinite(alt)
                & np.all(np.isfinite(r_i), axis=-1)
                & (alt >= self.h_min[s_idx])
                & (alt <= self.h_max[s_idx])
                & np.isfinite(e)
                & (t_i - self.burn[s_idx] - TAU_MIN_S >= e)
            )
        ranged = ok & np.isfinite(self.rng_max[s_idx])
        if np.any(ranged):
            rows = np.flatnonzero(ranged)
            r_ecef, _ = frames.eci_to_ecef(r_i[rows], t_i[rows], self.earth)
            lat, lon, _ = frames.vector_to_geodetic(r_ecef, self.earth)
            s_lat, s_lon, _ = frames.vector_to_geodetic(self.site[s_idx[rows]], self.earth)
            ground, _ = frames.great_circle(s_lat, s_lon, lat, lon)
            ok[rows] = ground <= self.rng_max[s_idx[rows]]
        out: BoolArray = ok
        return out

    def evaluate(
        self,
        s_idx: IntArray,
        t_idx: IntArray,
        t_i: FloatArray,
        r_i: FloatArray,
        speeds: bool = True,
    ) -> tuple[FloatArray, BoolArray, FloatArray]:
        """Least required speed, feasibility and latest launch of admissible points (n,).
        Without ``speeds`` the points of sites with a flyout table get no speed (inf): their
        table alone decides."""
        n = s_idx.size
        speed, feasible, latest = np.full(n, np.inf), np.zeros(n, dtype=bool), np.full(n, -np.inf)
        reach = (
            _reach_times(self.site, self.tables, s_idx, r_i, t_i, self.earth, self.compiled)
            if self.tabled
            else np.full(n, np.nan)
        )
        todo = np.arange(n)
        if not speeds and self.tabled:
            by_table = np.flatnonzero(~np.isnan(reach))
            e = self.early[s_idx[by_table], t_idx[by_table]]
            free = t_i[by_table] - reach[by_table]
            with np.errstate(invalid="ignore"):
                feasible[by_table] = free >= e
            latest[by_table] = np.where(
                feasible[by_table],
                np.minimum(self.late[s_idx[by_table], t_idx[by_table]], free),
                -np.inf,
            )
            todo = np.flatnonzero(np.isnan(reach))
        if self.compiled:
            speed[todo], feasible[todo], latest[todo] = self._search(
                s_idx[todo], t_idx[todo], t_i[todo], r_i[todo], reach[todo], speeds
            )
            return speed, feasible, latest
        step = max(1, self.max_batch // self.launch_times)
        for lo in range(0, todo.size, step):
            sl = todo[lo : lo + step]
            si, ti = s_idx[sl], t_idx[sl]
            chunk = LaunchChunk(
                self.site[si],
                self.up[si],
                self.burn[si],
                t_i[sl],
                r_i[sl],
                self.earth,
                self.model,
            )
            speed[sl], feasible[sl], latest[sl] = evaluate_chunk(
                chunk,
                self.early[si, ti],
                self.late[si, ti],
                self.v_bo[si],
                reach[sl],
                self.launch_times,
            )
        return speed, feasible, latest

    def _search(
        self,
        s_idx: IntArray,
        t_idx: IntArray,
        t_i: FloatArray,
        r_i: FloatArray,
        reach: FloatArray,
        speeds: bool,
    ) -> tuple[FloatArray, BoolArray, FloatArray]:
        """:meth:`evaluate` by the compiled search (:mod:`glasnost.defense.engagement_kernel`:
        bound first; the candidates that cannot change the pair's results are dropped)."""
        tabled = ~np.isnan(reach)
        if t_i.size == 0:
            return np.full(0, np.inf), np.zeros(0, dtype=bool), np.full(0, -np.inf)
        group = s_idx * self.early.shape[1] + t_idx
        order = np.lexsort((t_i, group))
        in_order = group[order]
        starts = np.flatnonzero(np.r_[True, in_order[1:] != in_order[:-1], True])
        site = self.site[s_idx]
        # Nearest first within each pair: the distance from the point to the site's circle.
        rho_s = np.hypot(site[:, 0], site[:, 1])
        near = np.hypot(np.hypot(r_i[:, 0], r_i[:, 1]) - rho_s, r_i[:, 2] - site[:, 2])
        early, late = self.early[s_idx, t_idx], self.late[s_idx, t_idx]
        v_bo = self.v_bo[s_idx]
        up, burn = self.up[s_idx], self.burn[s_idx]
        fractions = np.linspace(0.0, 1.0, self.launch_times)
        t_i, r_i = np.ascontiguousarray(t_i), np.ascontiguousarray(r_i)

        def search(run: IntArray) -> tuple[FloatArray, FloatArray, BoolArray]:
            return engagement_kernel.search(
                site,
                up,
                burn,
                t_i,
                r_i,
                early,
                late,
                v_bo,
                tabled,
                run,
                order,
                near,
                speeds,
                fractions,
                self.earth.mu,
                self.earth.rotation_rad_s,
                self.model == "burnout-delay",
                True,
            )

        # Where the command compiles the search in a second process, load it from the cache
        # rather than compile it again here.
        compile_ahead.wait(engagement_kernel.__name__, "search")
        speed, latest = _search_pairs(search, starts, order)
        with np.errstate(invalid="ignore"):
            feasible = np.where(tabled, t_i - reach >= early, speed <= v_bo)
        by_table = feasible & tabled
        latest[by_table] = np.minimum(late[by_table], t_i[by_table] - reach[by_table])
        return speed, feasible, latest


def refine_edges(
    kernel: CandidateRules,
    sample_at: SampleAt,
    groups: IntArray,
    n_t: int,
    lo_t: FloatArray,
    hi_t: FloatArray,
    feasible_hi: bool,
    resolution_s: float,
    last_launch: FloatArray,
) -> tuple[FloatArray, FloatArray]:
    """Bisect window edges between two samples to ``resolution_s``.

    Per group, the bracket [lo_t, hi_t] has one feasible end: ``hi_t`` when ``feasible_hi``
    (an earliest edge), else ``lo_t`` (a latest edge). Returns the feasible end after
    bisection and its altitude (m); ``last_launch`` (flat, S * T) takes the latest launch of
    every feasible point evaluated."""
    s_idx, t_idx = groups // n_t, groups % n_t
    lo, hi = lo_t.copy(), hi_t.copy()
    alt_edge = np.full(groups.size, np.nan)
    gap = float(np.max(hi - lo, initial=0.0))
    steps = max(0, math.ceil(math.log2(gap / resolution_s))) if gap > resolution_s else 0
    for _ in range(steps):
        mid = 0.5 * (lo + hi)
        r = sample_at(t_idx, mid)
        alt = frames.altitude(r, kernel.earth)
        ok = kernel.admissible(s_idx, t_idx, mid, r, alt)
        feas = np.zeros(groups.size, dtype=bool)
        rows = np.flatnonzero(ok)
        if rows.size:
            _, f, late = kernel.evaluate(s_idx[rows], t_idx[rows], mid[rows], r[rows], speeds=False)
            feas[rows] = f
            np.maximum.at(last_launch, groups[rows[f]], late[f])
        alt_edge = np.where(feas, alt, alt_edge)
        if feasible_hi:
            hi, lo = np.where(feas, mid, hi), np.where(feas, lo, mid)
        else:
            lo, hi = np.where(feas, mid, lo), np.where(feas, hi, mid)
    return (hi if feasible_hi else lo), alt_edge
