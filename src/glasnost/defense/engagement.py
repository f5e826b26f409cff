"""Engagement feasibility: which interceptor site can reach which trajectory, when, how fast.

SI arrays (docs/assessment.md, "Engagement"); the search over launch times runs compiled
(:mod:`glasnost.defense.engagement_kernel`, below) with this module's NumPy path as its
reference. Shapes: ``S`` interceptor sites, ``T`` trajectories, ``P`` samples per trajectory,
``K`` launch times per candidate point.

Interceptor model (the open literature's simple model, e.g. Wilkening, *Survival* 54(1), 2012):

- The interceptor leaves its site at the launch time t_L with the site's inertial velocity
  v_s = omega x r_site (the site turns with the Earth) and boosts along a straight line for
  ``burn_time_s`` t_b with a constant acceleration, reaching the burnout velocity u *relative to
  the site* (inertial burnout velocity v_s + u). The burnout point is therefore

      r_bo = r_site(t_L) + v_s t_b + u t_b / 2.

  Gravity is not modelled separately during the boost: the *total* acceleration (thrust plus
  gravity) is taken constant, so the displacement is the mean of the initial and the burnout
  velocities times t_b whatever gravity does, and gravity losses are part of the rocket's
  delta-v budget behind the stated burnout velocity (the literature's convention). What this
  leaves out is the shape of a real boost (thrust that is not constant, a path that gravity
  curves), as the literature's model does.
- It then coasts on a two-body conic (point-mass gravity, ``earth.mu``) from r_bo to the
  intercept point r_I, arriving at t_I, coast time tau = t_I - t_L - t_b >= ``TAU_MIN_S``.

Required burnout velocity. For given (t_L, t_I, r_I) the burnout velocity is the fixed point of
u = lambert(r_bo(u), r_I, tau) - v_s (zero revolutions, the short way: the transfer angle is
below 180 degrees). The first guess (``required_speed._boost_guess``):

- for coasts shorter than ``STRAIGHT_GUESS_COASTS`` (2) burn times, the straight line with
  gravity, no Lambert solve: r_I = r_bo + (v_s + u) tau + G, G = int_0^tau (tau - t) g dt
  taken with g at the chord's middle, then by Simpson's rule along the straight path from
  the burnout point that gives;
- for longer coasts, the coast from mid-boost: an interceptor coasting at v_s + u from
  c = r_site(t_L) + v_s t_b / 2 from t_L + t_b / 2 would reach r_bo at t_L + t_b but for
  gravity over that half boost, which drops it g t_b^2 / 8 and adds g t_b / 2 to its
  velocity; so u_0 = lambert(c + g t_b^2 / 8, r_I, tau + t_b / 2) + g t_b / 2 - v_s (g at c).

Then ``FIXED_POINT_ITERATIONS`` (2) damped steps u <- u + (lambert(r_bo(u), r_I, tau) - v_s -
u) / (1 + t_b / (2 tau)): the damping is Newton's step with the straight-line Jacobian of the
Lambert map (d v_1 / d r_1 ~ -1 / tau), which keeps the iteration contracting even for coasts
shorter than the boost. The two steps leave the burnout speed within 0.01 m/s of the
converged fixed point (``test_straight_boost_speed_is_its_converged_fixed_point``: 4,000
random geometries, burns of 20-80 s, coasts of 1-1,800 s; 7.4e-3 m/s the most). Until
2026-12-06 the guess was the uncorrected coast from mid-boost, hundreds of m/s off, and
three steps followed: one Lambert solve more at every launch time, two more for the short
coasts (decision 27). The required burnout speed is |u|. A flight is impossible
(speed inf) when the coast is shorter than ``TAU_MIN_S``, when u points below the site's local
horizontal (the straight boost would run into the ground), or when the speed exceeds
``MAX_SPEED_MS`` (no interceptor; such rows are also screened out before any Lambert solve by a
lower bound).

Burnout-delay model (``model="burnout-delay"``, the convention of the critical-velocity
analyses: Wilkening 2012; Lewis and Postol 2007): the burn is a delay. The interceptor leaves
the site at t_L + t_b from r_0 = r_site(t_L + t_b) with velocity v_s(t_L + t_b) + u and coasts
for tau = t_I - t_L - t_b, so u = lambert(r_0, r_I, tau) - v_s directly (no fixed point); the
same screens (coast, horizon, speed bound) apply.

Kernel (:func:`engage`). Candidate points of a (site, trajectory) pair are the valid samples
whose altitude lies in the interceptor's band, whose ground range from the site (great circle
between the site and the sample's sub-point on the rotating Earth at t_I) is within the maximum
range, and that leave at least one launch time: earliest launch <= t_I - t_b - TAU_MIN_S. For
each candidate the least required speed over launch times in [earliest, t_I - t_b - TAU_MIN_S]
is searched in x = ln(coast time), where the speed is well scaled (distance / coast for short
coasts, a slow rise for long lofted ones; a window may be 30 times the best coast): a grid of
``launch_times`` equally spaced x from the shortest coast that could need less than
``MAX_SPEED_MS`` (a bound from the distance between r_I and the circle the site describes) to
the longest (launch at the earliest time), then ``MIN_SEARCH_STEPS`` steps of safeguarded
successive parabolic interpolation (golden-section fallback) in the bracket around the grid
minimum. Where the grid minimum is at an end of the window every step would be a golden
section towards that end; the last of them is evaluated first, and where it needs no less, the
grid minimum stands and that point closes the bracket, as after the steps (they would not
move it where the speed is unimodal in the bracket, which the refinement assumes anyway;
decision 28). A candidate is feasible when that least speed is at most the interceptor's
burnout velocity; per pair:

- ``critical_burnout_velocity_ms``: the least speed over candidates (inf: no candidate);
- ``feasible``: critical <= burnout velocity (so the critical speed is the exact threshold);
- the intercept window: earliest and latest t_I of the feasible candidates, with altitudes;
- ``latest_launch_s``: over feasible candidates, the largest t_L with required speed <= burnout
  velocity (the shortest feasible coast), bracketed on the points evaluated on the short-coast
  side of the minimum, refined by ``ROOT_STEPS`` Illinois (regula falsi) steps in x, then
  interpolated;
- ``shots``: shoot-look-shoot, each further shot intercepting at least ``assessment_s`` after
  the previous intercept: 1 + floor(window / assessment_s) when feasible, else 0.

Launch times may also be bounded above (``latest_launch_s``): equal to the earliest launch
they fix it (a commit time), and the search runs over that one coast.

Window edges between samples. With ``samples.sample_at`` (positions of the trajectories at any
time), the earliest intercept of each feasible pair is bisected between its first feasible
sample and the sample before it, and the latest between its last feasible sample and the one
after, to ``window_resolution_s`` (0.5 s): the same rules decide each new point
(:class:`_Kernel`). The window, its altitudes, the latest launch and the shots use the refined
edges, so they do not depend on the sampling step; ``EngagementTable.window_resolution_s``
states the resolution (the largest sample gap where nothing was refined).

Flyout tables (the staged-vehicle model, :mod:`glasnost.defense.flyout`). A site may come with
a :class:`~glasnost.defense.flyout.FlyoutTable`: the least time T(d, h) from launch to reach a
ground range d and altitude h, computed once per interceptor type in the site's frame. For such
a site the table decides feasibility: each candidate point (the same candidates as above) is
measured in the Earth-fixed frame at its intercept time t_I -- d = mean Earth radius times the
central angle between the site and the point, h = the point's radius minus the site's -- so
the site's motion with the Earth during the flight is accounted for (the Coriolis acceleration
of the interceptor's own flight is not; the flyout module quantifies it), and it is feasible
when t_I - T(d, h) >= the earliest launch. The window, the altitudes and the shots follow from
the feasible candidates as above; the latest launch is the largest t_I - T(d, h) over them.
The table's ``burnout_speed_ms`` and ``burn_time_s`` replace the site's burnout velocity and
burn time, and the critical burnout velocity is still the simple model's least required speed
with that burn time: for a staged type, the speed an *equivalent simple interceptor* would
need, so ``feasible`` need not equal critical <= burnout speed at such a site.

Everything runs on flat arrays of candidates (indices from one mask over (S, T, P)), with
per-pair reductions by index (lexsort / ufunc ``at``); no Python loop runs over sites,
trajectories, samples or candidates (only over the few distinct flyout tables). The search of
each candidate (grid, refinement, latest launch) runs in the compiled kernel
(:func:`glasnost.defense.engagement_kernel.search`), bound first: a lower bound on
the speed a candidate needs drops the candidates that cannot change their pair's results (not
feasible and not critical; inside the window found, not critical and unable to launch later);
the others get the search above, with the same arithmetic, and every Lambert solve of a
fixed point, or of the refinement, is warm-started from a neighbouring solution.
``engage(..., compiled=False)`` runs the NumPy path instead -- every candidate, in chunks of
at most ``max_batch`` Lambert problems --
the reference the kernel is tested against (the same feasible pairs and shots, speeds and
times within 1e-9 relative).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike

from glasnost.defense.candidate_rules import CandidateRules, check_1d, refine_edges
from glasnost.defense.engagement_kernel import (
    TAU_MIN_S,
)
from glasnost.defense.engagement_types import (
    MAX_BATCH,
    WINDOW_RESOLUTION_S,
    BoolArray,
    EngagementTable,
    FloatArray,
    Interceptors,
    LambertModel,
    Samples,
)
from glasnost.defense.flyout import FlyoutTable
from glasnost.defense.launch_search import update_best
from glasnost.defense.required_speed import required_burnout_velocity, up_ecef
from glasnost.physics import frames
from glasnost.physics.constants import WGS84, EarthModel

__all__ = [
    "MAX_BATCH",
    "WINDOW_RESOLUTION_S",
    "EngagementTable",
    "Interceptors",
    "LambertModel",
    "Samples",
    "engage",
    "required_burnout_velocity",
]


def engage(
    site_ecef: ArrayLike,
    interceptors: Interceptors,
    samples: Samples,
    earliest_launch_s: ArrayLike,
    assessment_s: float,
    earth: EarthModel = WGS84,
    launch_times: int = 8,
    *,
    max_batch: int = MAX_BATCH,
    flyout: Sequence[FlyoutTable | None] | None = None,
    latest_launch_s: ArrayLike | None = None,
    model: LambertModel = "straight-boost",
    window_resolution_s: float = WINDOW_RESOLUTION_S,
    compiled: bool = True,
) -> EngagementTable:
    """Engagement table of every (site, trajectory) pair (module doc).

    Args:
        site_ecef: interceptor sites, ECEF (m), shape (S, 3).
        interceptors: the sites' interceptor types, fields of shape (S,).
        samples: the offensive trajectories sampled (T, P); with ``samples.sample_at`` the
            window edges are refined between samples to ``window_resolution_s``.
        earliest_launch_s: earliest interceptor launch (s) per (site, trajectory), (S, T);
            inf where nothing can cue the site.
        assessment_s: time (s) to assess an intercept before the next shot (> 0).
        earth: Earth model (rotation, mu, ellipsoid).
        launch_times: launch times on the grid of each candidate point (>= 2).
        max_batch: bound on the Lambert problems solved at once.
        flyout: per site, its interceptor type's flyout table or None (length S); a table
            decides the site's feasibility, window and latest launch, and its burnout speed and
            burn time replace the site's (module doc, "Flyout tables"). None: no tables.
        latest_launch_s: latest interceptor launch allowed (s), (S, T) (default: no bound);
            equal to ``earliest_launch_s`` it fixes the launch time (a commit time).
        model: the closed interceptor model of the required speed: ``straight-boost`` or
            ``burnout-delay`` (module doc).
        window_resolution_s: how closely the window edges are bisected between samples (s).
        compiled: run the compiled search (:mod:`glasnost.defense.engagement_kernel`: bound
            first, then the search where needed); False runs the NumPy path, its reference.
    """
    site = np.asarray(site_ecef, dtype=np.float64)
    if site.ndim != 2 or site.shape[1] != 3:
        raise ValueError(f"site_ecef must have shape (S, 3), got {site.shape}")
    n_s = site.shape[0]
    v_bo = check_1d("burnout_velocity_ms", interceptors.burnout_velocity_ms, n_s)
    burn = check_1d("burn_time_s", interceptors.burn_time_s, n_s)
    h_min = check_1d("min_altitude_m", interceptors.min_altitude_m, n_s)
    h_max = check_1d("max_altitude_m", interceptors.max_altitude_m, n_s)
    rng_max = check_1d("max_range_m", interceptors.max_range_m, n_s)
    tables: list[FlyoutTable | None] = [None] * n_s if flyout is None else list(flyout)
    if len(tables) != n_s:
        raise ValueError(f"flyout must have one entry per site ({n_s}), got {len(tables)}")
    if model not in ("straight-boost", "burnout-delay"):
        raise ValueError(f"model must be 'straight-boost' or 'burnout-delay', got {model!r}")
    tabled_sites = np.array([t is not None for t in tables], dtype=bool)
    if tabled_sites.any():
        v_bo, burn = v_bo.copy(), burn.copy()
        for i, table in enumerate(tables):
            if table is not None:
                v_bo[i], burn[i] = table.burnout_speed_ms, table.burn_time_s
    if np.any(~np.isfinite(burn) | (burn < 0.0)):
        raise ValueError("burn_time_s must be finite and non-negative")
    t_s = np.asarray(samples.t_s, dtype=np.float64)
    if t_s.ndim != 2:
        raise ValueError(f"samples.t_s must have shape (T, P), got {t_s.shape}")
    n_t, n_p = t_s.shape
    r_eci = np.asarray(samples.r_eci, dtype=np.float64)
    alt = np.asarray(samples.altitude_m, dtype=np.float64)
    valid = np.asarray(samples.valid, dtype=bool)
    if r_eci.shape != (n_t, n_p, 3) or alt.shape != (n_t, n_p) or valid.shape != (n_t, n_p):
        raise ValueError("samples: r_eci must be (T, P, 3), altitude_m and valid (T, P)")
    early = np.asarray(earliest_launch_s, dtype=np.float64)
    if early.shape != (n_s, n_t):
        raise ValueError(f"earliest_launch_s must have shape ({n_s}, {n_t}), got {early.shape}")
    late = (
        np.full((n_s, n_t), np.inf)
        if latest_launch_s is None
        else np.asarray(latest_launch_s, dtype=np.float64)
    )
    if late.shape != (n_s, n_t):
        raise ValueError(f"latest_launch_s must have shape ({n_s}, {n_t}), got {late.shape}")
    with np.errstate(invalid="ignore"):
        if np.any(late < early):
            raise ValueError("latest_launch_s must not be before earliest_launch_s")
    if not (math.isfinite(assessment_s) and assessment_s > 0.0):
        raise ValueError("assessment_s must be finite and positive")
    if launch_times < 2:
        raise ValueError("launch_times must be at least 2")
    if max_batch < 1:
        raise ValueError("max_batch must be positive")
    if not (math.isfinite(window_resolution_s) and window_resolution_s > 0.0):
        raise ValueError("window_resolution_s must be finite and positive")
    kernel = CandidateRules(
        site,
        up_ecef(site, earth),
        v_bo,
        burn,
        h_min,
        h_max,
        rng_max,
        early,
        late,
        tables,
        bool(tabled_sites.any()),
        earth,
        model,
        launch_times,
        max_batch,
        compiled,
    )

    # ---- candidate points: one mask over (S, T, P) ------------------------------------------
    with np.errstate(invalid="ignore"):
        ok_tp = valid & np.isfinite(t_s) & np.isfinite(alt) & np.all(np.isfinite(r_eci), axis=-1)
        mask = (
            ok_tp[None] & (alt[None] >= h_min[:, None, None]) & (alt[None] <= h_max[:, None, None])
        )
        mask &= np.isfinite(early)[:, :, None]
        mask &= t_s[None] - burn[:, None, None] - TAU_MIN_S >= early[:, :, None]
    ranged = np.flatnonzero(np.isfinite(rng_max))
    if ranged.size and np.any(mask[ranged]):
        # Padding samples get a harmless point on the equator (the geodetic conversion is
        # undefined near the Earth's centre); they are masked out anyway.
        r_safe = np.where(ok_tp[..., None], r_eci, np.array([earth.equatorial_radius_m, 0, 0]))
        t_safe = np.where(ok_tp, t_s, 0.0)
        r_ecef, _ = frames.eci_to_ecef(r_safe, t_safe, earth)
        lat, lon, _ = frames.vector_to_geodetic(r_ecef, earth)
        s_lat, s_lon, _ = frames.vector_to_geodetic(site[ranged], earth)
        ground, _ = frames.great_circle(
            s_lat[:, None, None], s_lon[:, None, None], lat[None], lon[None]
        )
        mask[ranged] &= ground <= rng_max[ranged, None, None]
    s_idx, t_idx, p_idx = np.nonzero(mask)
    s_idx, t_idx, p_idx = (x.astype(np.int64) for x in (s_idx, t_idx, p_idx))
    n_groups = n_s * n_t
    groups = s_idx * n_t + t_idx
    t_i = t_s[t_idx, p_idx]
    speed, feas, latest = kernel.evaluate(s_idx, t_idx, t_i, r_eci[t_idx, p_idx])

    # ---- per-pair reductions ----------------------------------------------------------------
    critical = np.full(n_groups, np.inf)
    best_sample = np.full(n_groups, -1, dtype=np.int64)
    finite = np.isfinite(speed)
    update_best(critical, best_sample, groups[finite], speed[finite], p_idx[finite])
    first_t = np.full(n_groups, np.inf)
    first_p = np.full(n_groups, -1, dtype=np.int64)
    neg_last_t = np.full(n_groups, np.inf)
    last_p = np.full(n_groups, -1, dtype=np.int64)
    update_best(first_t, first_p, groups[feas], t_i[feas], p_idx[feas])
    update_best(neg_last_t, last_p, groups[feas], -t_i[feas], p_idx[feas])
    last_launch = np.full(n_groups, -np.inf)
    np.maximum.at(last_launch, groups[feas], latest[feas])
    feasible = np.isfinite(first_t)
    last_t = -neg_last_t
    g_all = np.arange(n_groups)
    t_row = g_all % n_t
    first_alt = np.where(feasible, alt[t_row, np.maximum(first_p, 0)], np.nan)
    last_alt = np.where(feasible, alt[t_row, np.maximum(last_p, 0)], np.nan)

    # ---- window edges between samples -------------------------------------------------------
    resolution = _sample_gap(t_s, valid)
    if samples.sample_at is not None and np.any(feasible):
        g = np.flatnonzero(feasible)
        tr = g % n_t
        pf, pl = first_p[g], last_p[g]
        before = pf >= 1
        if np.any(before):
            gb = g[before]
            edge, a_edge = refine_edges(
                kernel,
                samples.sample_at,
                gb,
                n_t,
                t_s[tr[before], pf[before] - 1],
                t_s[tr[before], pf[before]],
                True,
                window_resolution_s,
                last_launch,
            )
            first_alt[gb] = np.where(edge < first_t[gb], a_edge, first_alt[gb])
            first_t[gb] = np.minimum(edge, first_t[gb])
        nxt = np.minimum(pl + 1, n_p - 1)
        after = (pl + 1 < n_p) & valid[tr, nxt]
        if np.any(after):
            ga = g[after]
            edge, a_edge = refine_edges(
                kernel,
                samples.sample_at,
                ga,
                n_t,
                t_s[tr[after], pl[after]],
                t_s[tr[after], nxt[after]],
                False,
                window_resolution_s,
                last_launch,
            )
            last_alt[ga] = np.where(edge > last_t[ga], a_edge, last_alt[ga])
            last_t[ga] = np.maximum(edge, last_t[ga])
        resolution = min(resolution, window_resolution_s)

    nan = np.full(n_groups, np.nan)
    window = np.where(feasible, last_t - first_t, nan)
    with np.errstate(invalid="ignore"):
        shots = np.where(feasible, 1 + np.floor(np.nan_to_num(window) / assessment_s), 0)
    shape = (n_s, n_t)
    return EngagementTable(
        feasible=feasible.reshape(shape),
        critical_burnout_velocity_ms=critical.reshape(shape),
        earliest_intercept_s=np.where(feasible, first_t, nan).reshape(shape),
        latest_intercept_s=np.where(feasible, last_t, nan).reshape(shape),
        earliest_intercept_altitude_m=first_alt.reshape(shape),
        latest_intercept_altitude_m=last_alt.reshape(shape),
        latest_launch_s=np.where(feasible, last_launch, nan).reshape(shape),
        window_s=window.reshape(shape),
        shots=shots.astype(np.int64).reshape(shape),
        best_sample=best_sample.reshape(shape),
        window_resolution_s=float(resolution),
    )


def _sample_gap(t_s: FloatArray, valid: BoolArray) -> float:
    """The largest time (s) between two successive valid samples (0 with fewer than two)."""
    if t_s.shape[1] < 2:
        return 0.0
    both = valid[:, 1:] & valid[:, :-1]
    gaps = np.where(both, np.diff(t_s, axis=1), 0.0)
    return float(np.max(gaps, initial=0.0))
