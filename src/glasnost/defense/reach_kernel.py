"""The flyout-table time to reach candidate points, compiled: :func:`geometry` and
:func:`table_times`.

What :func:`glasnost.defense.candidate_rules._reach_times` computes with NumPy (its
reference, tested against these kernels bit for bit) in two passes per candidate instead of
some thirty over every candidate array (the built-in assessment's large search: 112,000
candidates): the point turned into the Earth-fixed frame of its intercept time, the cross and
dot products with its site that give the ground range along the sphere, its height above the
site's radius (:func:`geometry`), and the table's bilinear time
(:func:`glasnost.defense.flyout.time_to_reach`; :func:`table_times`). The same operations in
the same order; the sines, cosines and arctangent stay NumPy's (between the passes), since the
C library's may differ from them in the last bit.

SI units; candidates along the first axis.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from glasnost.physics.compiled import kernel

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


@kernel
def _last_at_or_below(grid: FloatArray, x: float) -> int:
    """``np.searchsorted(grid, x, side="right") - 1`` for one point."""
    lo, hi = 0, grid.size
    while lo < hi:
        mid = (lo + hi) >> 1
        if grid[mid] <= x:
            lo = mid + 1
        else:
            hi = mid
    return lo - 1


@kernel
def geometry(
    site_ecef: FloatArray,
    s_idx: IntArray,
    r_eci: FloatArray,
    cos_turn: FloatArray,
    sin_turn: FloatArray,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """|s x r|, s . r (m^2) and |r| - |s| (m) of each candidate (n,): r its point ``r_eci``
    (n, 3) turned about z by the angle whose cosine and sine are given (n,) (the Earth-fixed
    frame of its intercept time), s its site ``site_ecef[s_idx]`` (ECEF)."""
    n = s_idx.size
    cross, dot, height = np.empty(n), np.empty(n), np.empty(n)
    for i in range(n):
        c, s = cos_turn[i], sin_turn[i]
        x, y, z = r_eci[i, 0], r_eci[i, 1], r_eci[i, 2]
        rx, ry, rz = c * x - s * y, s * x + c * y, z
        p = s_idx[i]
        sx, sy, sz = site_ecef[p, 0], site_ecef[p, 1], site_ecef[p, 2]
        cx, cy, cz = sy * rz - sz * ry, sz * rx - sx * rz, sx * ry - sy * rx
        cross[i] = math.sqrt(cx * cx + cy * cy + cz * cz)
        dot[i] = (sx * rx + sz * rz) + sy * ry  # the order of np.einsum("ij,ij->i") for 3
        height[i] = math.sqrt(rx * rx + ry * ry + rz * rz) - math.sqrt(sx * sx + sy * sy + sz * sz)
    return cross, dot, height


@kernel
def table_times(
    ground: FloatArray,
    height: FloatArray,
    rows: IntArray,
    ground_m: FloatArray,
    altitude_m: FloatArray,
    time_s: FloatArray,
    out: FloatArray,
) -> None:
    """Write into ``out[rows]`` the table's time (s) to reach (``ground[rows]``,
    ``height[rows]``) (m): the grids (G,), (H,) and times (G, H) of a
    :class:`~glasnost.defense.flyout.FlyoutTable`, bilinear; inf outside the grid, for
    non-finite input and where a corner with weight is inf."""
    g, a = ground_m, altitude_m
    for i in rows:
        d, h = ground[i], height[i]
        if not (d >= g[0] and d <= g[g.size - 1] and h >= a[0] and h <= a[a.size - 1]):
            out[i] = math.inf
            continue
        j = min(max(_last_at_or_below(g, d), 0), g.size - 2)
        k = min(max(_last_at_or_below(a, h), 0), a.size - 2)
        wd = (d - g[j]) / (g[j + 1] - g[j])
        wh = (h - a[k]) / (a[k + 1] - a[k])
        total = 0.0
        reachable = True
        for corner in range(4):
            dj, dk = corner & 1, corner >> 1
            w = (wd if dj else 1.0 - wd) * (wh if dk else 1.0 - wh)
            value = time_s[j + dj, k + dk]
            if math.isfinite(value):
                total += w * value
            elif w > 0.0:
                reachable = False
            else:
                total += w * 0.0
        out[i] = total if reachable else math.inf
