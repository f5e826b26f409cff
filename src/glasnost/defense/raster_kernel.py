"""The compiled rasterization of a flyout table: :func:`rasterize`, triangle by triangle.

The same arithmetic as :func:`glasnost.defense.flyout._rasterize` (the NumPy reference, which
expands every (triangle, covered node) pair into arrays and folds them with
``np.minimum.at``): each node of the uniform grid covered by a triangle (barycentric
coordinates all >= -1e-9) gets the least of the linearly interpolated times. A minimum does
not depend on the order it is taken in, so the two give the same table bit for bit (tested).
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from glasnost.physics.compiled import kernel

FloatArray = NDArray[np.float64]

EDGE = 1e-9
"""Barycentric tolerance: nodes on a triangle's edge count as inside."""


@kernel
def rasterize(
    tri_d: FloatArray,
    tri_h: FloatArray,
    tri_t: FloatArray,
    cell_m: float,
    n_d: int,
    n_h: int,
    best: FloatArray,
) -> None:
    """Fold the linearly interpolated times (s) of triangles (M, 3) with vertices at ground
    range ``tri_d`` and altitude ``tri_h`` (m) into ``best`` (n_d * n_h,), the least over the
    triangles covering each node (node (j, k) at (j cell_m, k cell_m), index j n_h + k)."""
    for m in range(tri_d.shape[0]):
        d0, d1, d2 = tri_d[m, 0], tri_d[m, 1], tri_d[m, 2]
        h0, h1, h2 = tri_h[m, 0], tri_h[m, 1], tri_h[m, 2]
        j_lo = int(min(max(math.ceil(min(d0, d1, d2) / cell_m - 1e-9), 0), n_d))
        j_hi = int(min(max(math.floor(max(d0, d1, d2) / cell_m + 1e-9), -1), n_d - 1))
        k_lo = int(min(max(math.ceil(min(h0, h1, h2) / cell_m - 1e-9), 0), n_h))
        k_hi = int(min(max(math.floor(max(h0, h1, h2) / cell_m + 1e-9), -1), n_h - 1))
        e1x, e1y = d1 - d0, h1 - h0
        e2x, e2y = d2 - d0, h2 - h0
        den = e1x * e2y - e2x * e1y
        if j_hi < j_lo or k_hi < k_lo or not abs(den) > 1e-12 * cell_m * cell_m:
            continue
        t0, t1, t2 = tri_t[m, 0], tri_t[m, 1], tri_t[m, 2]
        for j in range(j_lo, j_hi + 1):
            px = j * cell_m - d0
            for k in range(k_lo, k_hi + 1):
                py = k * cell_m - h0
                l1 = (px * e2y - e2x * py) / den
                l2 = (e1x * py - px * e1y) / den
                l0 = 1.0 - l1 - l2
                if l0 >= -EDGE and l1 >= -EDGE and l2 >= -EDGE:
                    time = l0 * t0 + l1 * t1 + l2 * t2
                    node = j * n_h + k
                    old = best[node]
                    if old == old and (time != time or time < old):  # np.minimum: NaN wins
                        best[node] = time
