"""Capacity as a maximum flow: hand-checked small networks and a brute-force comparison."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from glasnost.defense.capacity import max_warheads_defeated


def test_one_site_one_route() -> None:
    # 10 interceptors, 2 per warhead -> 5 engagements; the base holds 8 warheads.
    cap = max_warheads_defeated(
        np.array([[True]]), np.array([10]), np.array([0]), np.array([0]), np.array([8]), 1, 2
    )
    assert cap.warheads_defeatable == 5
    assert cap.by_base.tolist() == [5]
    assert cap.interceptors_used.tolist() == [10]


def test_warheads_bound_the_flow_and_infeasible_edges_carry_nothing() -> None:
    feasible = np.array([[True, False], [False, False]])
    cap = max_warheads_defeated(
        feasible, np.array([100, 100]), np.array([0, 1]), np.array([0, 1]), np.array([3, 50]), 2, 1
    )
    assert cap.warheads_defeatable == 3  # only base 0 is engageable, and it has 3 warheads
    assert cap.by_base.tolist() == [3, 0]
    assert cap.by_target.tolist() == [3, 0]
    assert cap.allocation[1].sum() == 0


def test_rejects_nonsense() -> None:
    with pytest.raises(ValueError, match="shots per warhead"):
        max_warheads_defeated(
            np.ones((1, 1), bool), np.array([1]), np.array([0]), np.array([0]), np.array([1]), 1, 0
        )
    with pytest.raises(ValueError, match=">= 0"):
        max_warheads_defeated(
            np.ones((1, 1), bool), np.array([-1]), np.array([0]), np.array([0]), np.array([1]), 1, 1
        )


def _brute_force(
    feasible: np.ndarray, engagements: np.ndarray, traj_base: np.ndarray, warheads: np.ndarray
) -> int:
    """Largest number of warheads defeated by trying every assignment of site engagements."""
    s_count, t_count = feasible.shape
    best = 0
    choices = [
        [t for t in range(t_count) if feasible[s, t]] + [-1] for s in range(s_count)
    ]  # each engagement unit of a site goes to one route or is unused
    units = [s for s in range(s_count) for _ in range(int(engagements[s]))]
    for pick in itertools.product(*[choices[s] for s in units]):
        used = np.zeros(len(warheads), dtype=int)
        for t in pick:
            if t >= 0:
                used[traj_base[t]] += 1
        best = max(best, int(np.minimum(used, warheads).sum()))
    return best


@pytest.mark.parametrize("seed", range(12))
def test_matches_brute_force_on_random_small_networks(seed: int) -> None:
    rng = np.random.default_rng(seed)
    s_count, t_count, b_count = 3, 4, 2
    feasible = rng.random((s_count, t_count)) < 0.5
    interceptors = rng.integers(0, 5, s_count)
    traj_base = rng.integers(0, b_count, t_count)
    warheads = rng.integers(0, 4, b_count)
    shots = int(rng.integers(1, 3))
    cap = max_warheads_defeated(
        feasible, interceptors, traj_base, np.arange(t_count), warheads, t_count, shots
    )
    expected = _brute_force(feasible, interceptors // shots, traj_base, warheads)
    assert cap.warheads_defeatable == expected
    assert cap.by_base.sum() == expected
    assert np.all(cap.interceptors_used <= interceptors)
