"""Capacity: how many of the attacker's warheads the defender's inventories could defeat.

A maximum flow (``scipy.sparse.csgraph.maximum_flow``) in warhead units:

    source --(interceptors // shots_per_warhead)--> site
    site   --(unbounded, where the engagement is feasible)--> trajectory (base, target)
    trajectory --(unbounded)--> base --(warheads at the base)--> sink

Each defeated warhead takes ``shots_per_warhead`` interceptors from one site (the doctrine's
salvo), and a base's warheads may fly any of its routes: the flow lets the attacker's warheads
take the routes where the defender can engage them, so the result is the *most* warheads the
declared posture could defeat — the quantity a no-threat confirmation must bound.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.sparse import csr_array
from scipy.sparse.csgraph import maximum_flow

IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]


@dataclass(frozen=True)
class Capacity:
    """The maximum flow and where it goes."""

    warheads_defeatable: int
    by_base: IntArray  # (B,) warheads defeatable per base
    by_target: IntArray  # (G,) per target
    by_site: IntArray  # (S,) warheads engaged per site
    allocation: IntArray  # (S, T) warheads each site engages on each trajectory
    interceptors_used: IntArray  # (S,)


def max_warheads_defeated(
    feasible: BoolArray,
    interceptors: IntArray,
    trajectory_base: IntArray,
    trajectory_target: IntArray,
    base_warheads: IntArray,
    n_targets: int,
    shots_per_warhead: int,
) -> Capacity:
    """Solve the flow network above.

    ``feasible`` (S, T); ``interceptors`` (S,) per site; ``trajectory_base`` and
    ``trajectory_target`` (T,) indices of each trajectory's base (< B) and target
    (< ``n_targets``); ``base_warheads`` (B,).
    """
    feasible = np.asarray(feasible, dtype=bool)
    s_count, t_count = feasible.shape
    b_count = len(base_warheads)
    if shots_per_warhead < 1:
        raise ValueError("shots per warhead must be at least 1")
    if np.any(np.asarray(interceptors) < 0) or np.any(np.asarray(base_warheads) < 0):
        raise ValueError("interceptor and warhead counts must be >= 0")
    # Node numbering: 0 source, sites, trajectories, bases, sink.
    site0, traj0 = 1, 1 + s_count
    base0 = traj0 + t_count
    sink = base0 + b_count
    big = int(np.sum(base_warheads)) + 1
    s_idx, t_idx = np.nonzero(feasible)
    tails = np.concatenate(
        [
            np.zeros(s_count, dtype=np.int64),
            site0 + s_idx,
            traj0 + np.arange(t_count),
            base0 + np.arange(b_count),
        ]
    )
    heads = np.concatenate(
        [
            site0 + np.arange(s_count),
            traj0 + t_idx,
            base0 + np.asarray(trajectory_base, dtype=np.int64),
            np.full(b_count, sink),
        ]
    )
    caps = np.concatenate(
        [
            np.asarray(interceptors, dtype=np.int64) // shots_per_warhead,
            np.full(s_idx.size, big),
            np.full(t_count, big),
            np.asarray(base_warheads, dtype=np.int64),
        ]
    ).astype(np.int32)
    n_nodes = sink + 1
    graph = csr_array((caps, (tails, heads)), shape=(n_nodes, n_nodes))
    result = maximum_flow(graph, 0, sink)
    flow = result.flow.toarray() if hasattr(result.flow, "toarray") else np.asarray(result.flow)
    allocation = flow[site0 + s_idx, traj0 + t_idx]
    alloc = np.zeros((s_count, t_count), dtype=np.int64)
    alloc[s_idx, t_idx] = allocation
    per_traj = alloc.sum(axis=0)
    by_target = np.bincount(
        np.asarray(trajectory_target, dtype=np.int64), weights=per_traj, minlength=n_targets
    ).astype(np.int64)
    by_base = np.bincount(
        np.asarray(trajectory_base, dtype=np.int64), weights=per_traj, minlength=b_count
    ).astype(np.int64)
    by_site = alloc.sum(axis=1)
    return Capacity(
        int(result.flow_value), by_base, by_target, by_site, alloc, by_site * shots_per_warhead
    )
