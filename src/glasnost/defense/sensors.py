"""Sensors: which radar sees which trajectory sample, first detection and track, cueing.

Pure NumPy on SI arrays (docs/assessment.md, "Sensors"). Shapes: ``R`` radars, ``T``
trajectories, ``P`` samples per trajectory, ``S`` interceptor sites. Trajectory positions are
ECI (aligned with ECEF at t = 0, the common launch time), radar positions ECEF.

A sample is *visible* to a radar when, in the radar's local east-north-up frame (up is the
ellipsoid normal), the radar-to-object vector

- has an elevation between ``elevation_min_deg`` and ``elevation_max_deg`` (a non-negative
  minimum elevation also enforces the Earth horizon: the ellipsoid lies below every local
  horizontal plane; for a negative minimum the line of sight is checked against the ellipsoid),
- has an azimuth inside the sector that runs clockwise from ``azimuth_min_deg`` to
  ``azimuth_max_deg`` (it may wrap through north, 347 -> 227; 0 -> 360 is the full circle),
- is no longer than the detection range for the sample's radar cross-section sigma,
  ``range_m * (sigma / reference_rcs_m2) ** 0.25`` (radar equation: received power goes as
  sigma / R^4), and no shorter than ``range_min_m``.

The kernels are mask-based and chunked over samples (and over trajectories for the reductions)
so that no temporary exceeds about ``CHUNK_ELEMENTS`` radar-sample pairs; there is no Python
loop over radars, trajectories or samples.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray

from glasnost.common.memo import remembered
from glasnost.defense import radar_kernel
from glasnost.physics import frames
from glasnost.physics.compiled import kernel_array
from glasnost.physics.constants import WGS84, EarthModel
from glasnost.physics.trajectory import Phase

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

CHUNK_ELEMENTS = 1 << 20
"""Radar-sample pairs handled at once by :func:`visible` (bounds the temporaries, ~100 MB)."""


def _floats(x: ArrayLike) -> FloatArray:
    return np.asarray(x, dtype=np.float64)


@dataclass(frozen=True)
class Radars:
    """R radars as arrays (each of shape (R,), positions (R, 3)); SI except angles in degrees.

    ``elevation_min_deg`` includes the horizon constraint. ``range_m`` is the detection range
    against ``reference_rcs_m2``. ``fire_control`` is the role (True: fire control, False:
    early warning). ``range_min_m`` (optional, default 0) is the minimum instrumented range.
    """

    position_ecef_m: FloatArray
    azimuth_min_deg: FloatArray
    azimuth_max_deg: FloatArray
    elevation_min_deg: FloatArray
    elevation_max_deg: FloatArray
    range_m: FloatArray
    reference_rcs_m2: FloatArray
    fire_control: BoolArray
    range_min_m: FloatArray | None = field(default=None)

    def __post_init__(self) -> None:
        pos = _floats(self.position_ecef_m).reshape(-1, 3)
        n = len(pos)
        object.__setattr__(self, "position_ecef_m", pos)
        for name in (
            "azimuth_min_deg",
            "azimuth_max_deg",
            "elevation_min_deg",
            "elevation_max_deg",
            "range_m",
            "reference_rcs_m2",
        ):
            value = np.broadcast_to(_floats(getattr(self, name)), (n,)).copy()
            object.__setattr__(self, name, value)
        object.__setattr__(
            self, "fire_control", np.broadcast_to(np.asarray(self.fire_control, bool), (n,)).copy()
        )
        rmin = 0.0 if self.range_min_m is None else self.range_min_m
        object.__setattr__(self, "range_min_m", np.broadcast_to(_floats(rmin), (n,)).copy())
        if np.any(self.reference_rcs_m2 <= 0.0):
            raise ValueError("reference radar cross-sections must be positive")
        if np.any(self.elevation_min_deg > self.elevation_max_deg):
            raise ValueError("elevation_min_deg must not exceed elevation_max_deg")

    @staticmethod
    def from_geodetic(
        lat_deg: ArrayLike,
        lon_deg: ArrayLike,
        *,
        azimuth_min_deg: ArrayLike,
        azimuth_max_deg: ArrayLike,
        elevation_min_deg: ArrayLike,
        elevation_max_deg: ArrayLike,
        range_m: ArrayLike,
        reference_rcs_m2: ArrayLike,
        fire_control: ArrayLike = False,
        alt_m: ArrayLike = 0.0,
        range_min_m: ArrayLike = 0.0,
        earth: EarthModel = WGS84,
    ) -> Radars:
        """Radars at geodetic latitudes, longitudes (deg) and heights (m); others broadcast."""
        pos = frames.geodetic_to_vector(lat_deg, lon_deg, alt_m, earth).reshape(-1, 3)
        return Radars(
            pos,
            _floats(azimuth_min_deg),
            _floats(azimuth_max_deg),
            _floats(elevation_min_deg),
            _floats(elevation_max_deg),
            _floats(range_m),
            _floats(reference_rcs_m2),
            np.asarray(fire_control, dtype=bool),
            _floats(range_min_m),
        )

    @property
    def size(self) -> int:
        return len(self.position_ecef_m)

    def take(self, rows: NDArray[np.intp] | BoolArray) -> Radars:
        """The selected radars (indices or a boolean mask)."""
        assert self.range_min_m is not None
        return Radars(
            self.position_ecef_m[rows],
            self.azimuth_min_deg[rows],
            self.azimuth_max_deg[rows],
            self.elevation_min_deg[rows],
            self.elevation_max_deg[rows],
            self.range_m[rows],
            self.reference_rcs_m2[rows],
            self.fire_control[rows],
            self.range_min_m[rows],
        )


def sector_span_deg(azimuth_min_deg: ArrayLike, azimuth_max_deg: ArrayLike) -> FloatArray:
    """Width (deg) of the clockwise sector from min to max: 347 -> 227 is 240, 0 -> 360 is 360.

    Equal bounds give a zero-width sector; bounds that differ by a multiple of 360 the full
    circle.
    """
    lo, hi = _floats(azimuth_min_deg), _floats(azimuth_max_deg)
    span = np.mod(hi - lo, 360.0)
    return _floats(np.where((span == 0.0) & (hi != lo), 360.0, span))


def in_sector(
    azimuth_deg: ArrayLike, azimuth_min_deg: ArrayLike, azimuth_max_deg: ArrayLike
) -> BoolArray:
    """Whether azimuths (deg clockwise from north) lie in the clockwise sector min -> max
    (edges included; broadcasting)."""
    span = sector_span_deg(azimuth_min_deg, azimuth_max_deg)
    offset = np.mod(_floats(azimuth_deg) - _floats(azimuth_min_deg), 360.0)
    return np.asarray((span >= 360.0) | (offset <= span), dtype=bool)


def detection_range_m(radars: Radars, rcs_m2: ArrayLike) -> FloatArray:
    """Detection range (m) of each radar against targets of cross-section ``rcs_m2``: shape
    (R, *rcs.shape); a non-positive or NaN cross-section gives 0."""
    rcs = np.nan_to_num(np.maximum(_floats(rcs_m2), 0.0), nan=0.0)
    extra = (1,) * rcs.ndim
    ratio = rcs[None] / radars.reference_rcs_m2.reshape(-1, *extra)
    return _floats(radars.range_m.reshape(-1, *extra) * ratio**0.25)


def _radar_frames(radars: Radars, earth: EarthModel) -> tuple[FloatArray, FloatArray]:
    """ENU bases (R, 3, 3) (rows east, north, up in ECEF) and geodetic heights (R,)."""
    lat, lon, h = frames.vector_to_geodetic(radars.position_ecef_m, earth)
    return frames.enu_basis(lat, lon), _floats(h)


def _line_of_sight_clear(
    radar_ecef: FloatArray, obj_ecef: FloatArray, earth: EarthModel
) -> BoolArray:
    """Whether segments radar (R, 1, 3) -> object (1, n, 3) stay outside the ellipsoid (scaled to
    a sphere of the equatorial radius)."""
    a = earth.equatorial_radius_m
    scale = np.array([1.0, 1.0, a / earth.polar_radius_m])
    p = radar_ecef * scale
    d = obj_ecef * scale - p
    dd = np.sum(d * d, axis=-1)
    s = np.clip(-np.sum(p * d, axis=-1) / np.where(dd > 0.0, dd, 1.0), 0.0, 1.0)
    closest = p + s[..., None] * d
    return np.asarray(np.sum(closest * closest, axis=-1) >= a * a, dtype=bool)


def visible(
    radars: Radars,
    r_eci: ArrayLike,
    t_s: ArrayLike,
    rcs_m2: ArrayLike,
    valid: ArrayLike,
    earth: EarthModel = WGS84,
    compiled: bool = True,
) -> BoolArray:
    """Which radar sees which sample: (R, T, P) from positions (T, P, 3) ECI at times (T, P),
    cross-sections (T, P) and a validity mask (T, P) (module doc for the conditions).
    ``compiled``: in one pass (:func:`glasnost.defense.radar_kernel.seen`); False: with NumPy,
    the reference it is tested against (the same answer for every pair)."""
    r = _floats(r_eci)
    shape = r.shape[:-1]
    r = r.reshape(-1, 3)
    t = np.broadcast_to(_floats(t_s), shape).reshape(-1)
    rcs = np.broadcast_to(_floats(rcs_m2), shape).reshape(-1)
    ok = np.broadcast_to(np.asarray(valid, dtype=bool), shape).reshape(-1)
    n_radars, n = radars.size, len(r)
    out = np.zeros((n_radars, n), dtype=bool)
    if n_radars == 0 or n == 0:
        return out.reshape(n_radars, *shape)
    basis, _ = _radar_frames(radars, earth)
    pos = radars.position_ecef_m[:, None, :]
    sin_lo = np.sin(np.radians(radars.elevation_min_deg))[:, None]
    sin_hi = np.sin(np.radians(radars.elevation_max_deg))[:, None]
    full = (sector_span_deg(radars.azimuth_min_deg, radars.azimuth_max_deg) >= 360.0)[:, None]
    az_lo, az_hi = radars.azimuth_min_deg[:, None], radars.azimuth_max_deg[:, None]
    assert radars.range_min_m is not None
    rmin = radars.range_min_m[:, None]
    check_los = bool(np.any(radars.elevation_min_deg < 0.0))
    if compiled:
        r_ecef, _ = frames.eci_to_ecef(r, t, earth)
        radar_kernel.seen(
            kernel_array(r_ecef),
            kernel_array(ok, np.bool_),
            kernel_array(rcs),
            kernel_array(radars.position_ecef_m),
            kernel_array(basis),
            kernel_array(sin_lo[:, 0]),
            kernel_array(sin_hi[:, 0]),
            kernel_array(full[:, 0], np.bool_),
            kernel_array(radars.azimuth_min_deg),
            kernel_array(sector_span_deg(radars.azimuth_min_deg, radars.azimuth_max_deg)),
            kernel_array(rmin[:, 0]),
            kernel_array(radars.range_m),
            kernel_array(radars.reference_rcs_m2),
            check_los,
            earth.equatorial_radius_m,
            earth.equatorial_radius_m / earth.polar_radius_m,
            out,
        )
        return out.reshape(n_radars, *shape)
    chunk = max(1, CHUNK_ELEMENTS // n_radars)
    with np.errstate(invalid="ignore", over="ignore"):
        for start in range(0, n, chunk):
            sl = slice(start, min(start + chunk, n))
            r_ecef, _ = frames.eci_to_ecef(r[sl], t[sl], earth)
            d = r_ecef[None, :, :] - pos  # (R, n, 3)
            enu = np.einsum("rij,rnj->rni", basis, d)
            east, north, up = enu[..., 0], enu[..., 1], enu[..., 2]
            slant = np.sqrt(east * east + north * north + up * up)
            seen = ok[None, sl] & (up >= slant * sin_lo) & (up <= slant * sin_hi)
            seen &= (slant <= detection_range_m(radars, rcs[sl])) & (slant >= rmin)
            az = np.mod(np.degrees(np.arctan2(east, north)), 360.0)
            seen &= full | in_sector(az, az_lo, az_hi)
            if check_los:
                seen &= (up >= 0.0) | _line_of_sight_clear(pos, r_ecef[None], earth)
            out[:, sl] = seen
    return out.reshape(n_radars, *shape)


def _first_run_times(seen: BoolArray, t_s: FloatArray, k: int) -> FloatArray:
    """Time of the k-th of the first k consecutive True samples along the last axis (inf if
    none): ``seen`` (R, T, P), ``t_s`` (T, P) -> (R, T)."""
    if seen.shape[-1] == 0:
        return np.full(seen.shape[:-1], np.inf)
    if k == 1:
        hit = seen
    else:
        c = np.cumsum(seen, axis=-1, dtype=np.int64)
        window = c.copy()
        window[..., k:] -= c[..., :-k]
        hit = window >= k
    idx = np.argmax(hit, axis=-1)
    times = np.take_along_axis(np.broadcast_to(t_s, seen.shape), idx[..., None], axis=-1)[..., 0]
    return _floats(np.where(np.any(hit, axis=-1), times, np.inf))


@remembered(size=4)
def first_detection_s(
    radars: Radars,
    r_eci: ArrayLike,
    t_s: ArrayLike,
    rcs_m2: ArrayLike,
    valid: ArrayLike,
    earth: EarthModel = WGS84,
    min_dwell_samples: int = 1,
) -> FloatArray:
    """First time (s) each radar sees each trajectory, (R, T); inf if never.

    With ``min_dwell_samples`` = k, a track needs k consecutive visible samples and the time
    returned is that of the k-th (samples are taken in time order along the last axis).
    """
    if min_dwell_samples < 1:
        raise ValueError("min_dwell_samples must be at least 1")
    r = _floats(r_eci)
    n_traj, n_samples = r.shape[0], r.shape[1]
    t = np.broadcast_to(_floats(t_s), (n_traj, n_samples))
    rcs = np.broadcast_to(_floats(rcs_m2), (n_traj, n_samples))
    ok = np.broadcast_to(np.asarray(valid, dtype=bool), (n_traj, n_samples))
    out = np.full((radars.size, n_traj), np.inf)
    if radars.size == 0 or n_traj == 0:
        return out
    chunk = max(1, CHUNK_ELEMENTS // max(radars.size * n_samples, 1))
    for start in range(0, n_traj, chunk):
        sl = slice(start, min(start + chunk, n_traj))
        seen = visible(radars, r[sl], t[sl], rcs[sl], ok[sl], earth)
        out[:, sl] = _first_run_times(seen, t[sl], min_dwell_samples)
    return out


def infrared_detection_s(t_launch_s: ArrayLike, delay_s: float | None) -> FloatArray:
    """Space-based infrared launch detection time (s) of each trajectory (T,): launch +
    ``delay_s``, or inf for a party without such satellites (``delay_s`` None)."""
    t = _floats(t_launch_s)
    if delay_s is None:
        return np.full(t.shape, np.inf)
    return _floats(t + float(delay_s))


def earliest_cue_s(
    detection_s: ArrayLike,
    can_cue: ArrayLike,
    infrared_s: ArrayLike | None = None,
    infrared_cues: ArrayLike | None = None,
) -> tuple[FloatArray, NDArray[np.int64]]:
    """Earliest cue (s) per site and trajectory, (S, T), and the sensor that gives it.

    The earliest detection (or track) time ``detection_s`` (R, T) over the radars that may cue
    each site (``can_cue`` (S, R)), and the space-based infrared detection ``infrared_s`` (T,)
    for the sites it may cue (``infrared_cues`` (S,), default all). Returns the times (inf
    where nothing can cue the site) and the cueing sensor (S, T): a radar's row ``0..R-1``,
    ``R`` for the infrared satellites, -1 for none; on a tie the radar with the lowest row
    wins, and a radar wins over the satellites.
    """
    det = _floats(detection_s)
    cue = np.asarray(can_cue, dtype=bool)
    n_sites, n_radars = cue.shape
    if det.ndim != 2 or det.shape[0] != n_radars:
        raise ValueError(f"detection_s has shape {det.shape}, expected ({n_radars}, T)")
    n_traj = det.shape[1]
    best = np.full((n_sites, n_traj), np.inf)
    by = np.full((n_sites, n_traj), -1, dtype=np.int64)
    if n_radars:
        chunk = max(1, CHUNK_ELEMENTS // max(n_radars * n_traj, 1))
        for start in range(0, n_sites, chunk):
            sl = slice(start, min(start + chunk, n_sites))
            masked = np.where(cue[sl, :, None], det[None], np.inf)
            k = np.argmin(masked, axis=1)
            t = np.take_along_axis(masked, k[:, None, :], axis=1)[:, 0, :]
            best[sl] = t
            by[sl] = np.where(np.isfinite(t), k, -1)
    if infrared_s is not None:
        ir = np.broadcast_to(_floats(infrared_s), (n_traj,))
        cues = (
            np.ones(n_sites, dtype=bool)
            if infrared_cues is None
            else np.broadcast_to(np.asarray(infrared_cues, dtype=bool), (n_sites,))
        )
        ir_st = np.where(cues[:, None], ir[None, :], np.inf)
        sooner = ir_st < best
        best = np.where(sooner, ir_st, best)
        by = np.where(sooner, n_radars, by)
    return best, by


def earliest_launch_s(
    detection_s: ArrayLike,
    can_cue: ArrayLike,
    decision_delay_s: float,
    infrared_s: ArrayLike | None = None,
    infrared_cues: ArrayLike | None = None,
) -> FloatArray:
    """Earliest interceptor launch time (s) per site and trajectory, (S, T): the earliest cue
    (:func:`earliest_cue_s`) plus ``decision_delay_s``; inf where nothing can cue the site."""
    best, _ = earliest_cue_s(detection_s, can_cue, infrared_s, infrared_cues)
    return _floats(best + float(decision_delay_s))


def rcs_by_phase(
    phase: ArrayLike, booster_m2: ArrayLike, reentry_vehicle_m2: ArrayLike
) -> FloatArray:
    """Radar cross-section (m^2) of each sample (T, P) from its :class:`Phase` (T, P): the
    booster's (T,) while thrusting, the reentry vehicle's (T,) in the coast and reentry, 0
    before launch and after impact (nothing to see)."""
    ph = np.asarray(phase)
    n_traj = ph.shape[0]
    booster = np.broadcast_to(_floats(booster_m2), (n_traj,))[:, None]
    rv = np.broadcast_to(_floats(reentry_vehicle_m2), (n_traj,))[:, None]
    return _floats(
        np.select(
            [ph == Phase.BOOST, (ph == Phase.COAST) | (ph == Phase.REENTRY)],
            [np.broadcast_to(booster, ph.shape), np.broadcast_to(rv, ph.shape)],
            0.0,
        )
    )


def ground_range_limits_rad(
    radius_m: float,
    radar_alt_m: float,
    altitude_m: float,
    elevation_min_deg: float,
    elevation_max_deg: float,
    range_min_m: float,
    range_max_m: float,
) -> tuple[float, float]:
    """Earth central angles (rad) between which a radar at height ``radar_alt_m`` sees objects
    at height ``altitude_m`` on a sphere of ``radius_m``; (nan, nan) when it sees none.

    With r1 = R + h_radar and r2 = R + h, the elevation e at central angle psi satisfies
    r1 cos e = r2 cos(e + psi), so the minimum elevation bounds psi <= arccos(r1 cos e / r2) - e
    (the geometric horizon R arccos(R / (R + h)) for e = 0 and a radar on the surface; Wertz &
    Larson, SMAD, sec. 5.2) and the maximum elevation bounds it below; the slant range d gives
    cos psi = (r1^2 + r2^2 - d^2) / (2 r1 r2) (law of cosines).
    """
    r1, r2 = radius_m + radar_alt_m, radius_m + altitude_m

    def elevation_angle(e_deg: float) -> float:
        e = np.radians(e_deg)
        c = r1 * np.cos(e) / r2
        return float(np.arccos(c) - e) if c <= 1.0 else np.nan

    def range_angle(d: float) -> float:
        return float(np.arccos(np.clip((r1 * r1 + r2 * r2 - d * d) / (2.0 * r1 * r2), -1.0, 1.0)))

    outer_e = elevation_angle(elevation_min_deg)
    if not np.isfinite(outer_e) or range_max_m < abs(r2 - r1):
        return np.nan, np.nan
    inner_e = elevation_angle(elevation_max_deg)
    inner = max(0.0 if not np.isfinite(inner_e) else inner_e, range_angle(range_min_m), 0.0)
    outer = min(outer_e, range_angle(range_max_m))
    if not outer > inner:
        return np.nan, np.nan
    return inner, outer


def coverage_polygon(
    radars: Radars,
    index: int,
    rcs_m2: float,
    altitude_m: float,
    n: int = 64,
    earth: EarthModel = WGS84,
) -> tuple[FloatArray, FloatArray]:
    """Ground footprint of radar ``index``'s coverage of an object of cross-section ``rcs_m2``
    at height ``altitude_m``: the sub-points of the heights-``altitude_m`` points it sees.

    A closed ring (last point = first) of latitudes and longitudes (deg): for a sector, the
    outer arc along ``n`` azimuths from ``azimuth_min_deg`` to ``azimuth_max_deg`` and back
    along the inner arc (the radar's sub-point when the inner limit is 0); for a full circle,
    the outer ring only (the small hole above the maximum elevation is not drawn). Empty arrays
    when the radar sees nothing at that height.

    For maps: the geometry is that of a sphere through the radar's foot point (radius = its
    geocentric distance minus its height) with great-circle ground ranges; against the exact
    ellipsoidal test of :func:`visible` the boundary is off by up to a few km.
    """
    pos = radars.position_ecef_m[index]
    lat, lon, h = (float(x) for x in frames.vector_to_geodetic(pos, earth))
    radius = float(np.linalg.norm(pos)) - h
    assert radars.range_min_m is not None
    d_max = float(detection_range_m(radars.take(np.array([index])), rcs_m2)[0])
    inner, outer = ground_range_limits_rad(
        radius,
        h,
        altitude_m,
        float(radars.elevation_min_deg[index]),
        float(radars.elevation_max_deg[index]),
        float(radars.range_min_m[index]),
        d_max,
    )
    if not np.isfinite(outer):
        return np.empty(0), np.empty(0)
    span = float(sector_span_deg(radars.azimuth_min_deg[index], radars.azimuth_max_deg[index]))
    az0 = float(radars.azimuth_min_deg[index])
    if span >= 360.0:
        az = az0 + np.linspace(0.0, 360.0, n, endpoint=False)
        ring_lat, ring_lon = frames.destination(lat, lon, az, outer * radius, radius)
    else:
        az = az0 + np.linspace(0.0, span, n)
        out_lat, out_lon = frames.destination(lat, lon, az, outer * radius, radius)
        if inner > 0.0:
            in_lat, in_lon = frames.destination(lat, lon, az[::-1], inner * radius, radius)
        else:
            in_lat, in_lon = np.array([lat]), np.array([lon])
        ring_lat = np.concatenate([out_lat, in_lat])
        ring_lon = np.concatenate([out_lon, in_lon])
    return _floats(np.append(ring_lat, ring_lat[0])), _floats(np.append(ring_lon, ring_lon[0]))
