"""The envelope of a vehicle: vacuum range, apogee and flight-path angles by pitch-over kick and
thrust-termination time, flown once on a non-rotating sphere. Targeting takes its first
guesses and the limits of each trajectory shape's kicks from it.

An envelope depends only on its vehicle and on the physics code, so it is kept on disk
(:mod:`glasnost.common.table_cache`, keyed by the vehicle and the source of
:mod:`glasnost.physics`) and flown only on a miss (:func:`fly_envelope`).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from functools import lru_cache

import numpy as np
from numpy.typing import NDArray

from glasnost.common.table_cache import cached_arrays, code_version
from glasnost.physics.coast import time_to_radius
from glasnost.physics.constants import R_MEAN, EarthModel
from glasnost.physics.impact import min_energy_fpa_deg
from glasnost.physics.kepler import propagate
from glasnost.physics.rocket import BoostProblem, fly_boost
from glasnost.physics.vehicle import Vehicle, stack

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

MIN_BURNOUT_ALTITUDE_M = 80e3
"""Kicks that burn out lower than this are not used (the vehicle would fly through the
atmosphere on its way, which the vacuum coast does not model)."""

KICK_GRID_DEG = np.arange(1.0, 70.01, 0.5)
"""The pitch-over kicks (deg) of the envelope."""


@dataclass(frozen=True)
class Envelope:
    """Vacuum performance of one vehicle on a non-rotating sphere (first guesses).

    ``range_m``, ``apogee_m`` and ``fpa_deg`` have shape (kicks, cutoffs); ``valid`` marks kicks
    that never touch the ground and burn out (at depletion) above MIN_BURNOUT_ALTITUDE_M.
    """

    kicks_deg: FloatArray
    cutoffs_s: FloatArray
    range_m: FloatArray
    apogee_m: FloatArray
    fpa_deg: FloatArray
    min_energy_fpa_deg: FloatArray
    valid: BoolArray

    def cutoff_for_range(self, range_m: FloatArray) -> FloatArray:
        """Termination time (kicks, N) that reaches each range with each kick (NaN if none)."""
        out = np.full((self.kicks_deg.size, len(range_m)), np.nan)
        for k in range(self.kicks_deg.size):
            rk = np.maximum.accumulate(self.range_m[k])
            ok = (range_m >= rk[0]) & (range_m <= rk[-1])
            out[k, ok] = np.interp(range_m[ok], rk, self.cutoffs_s)
        return out

    @property
    def full_burn_range_m(self) -> FloatArray:
        return self.range_m[:, -1]

    @property
    def max_range_kick_deg(self) -> float:
        r = np.where(self.valid, self.full_burn_range_m, -np.inf)
        return float(self.kicks_deg[int(np.argmax(r))])


@lru_cache(maxsize=64)
def envelope(vehicle: Vehicle) -> Envelope:
    """The envelope of ``vehicle`` (:func:`fly_envelope`), from the on-disk cache when it holds
    one for this vehicle and this physics code (bit for bit the flown one)."""
    arrays = cached_arrays(
        "envelope",
        repr((vehicle, KICK_GRID_DEG.tolist(), MIN_BURNOUT_ALTITUDE_M)),
        code_version("glasnost.physics"),
        lambda: _as_arrays(fly_envelope(vehicle)),
    )
    return Envelope(**{f.name: arrays[f.name] for f in fields(Envelope)})


def _as_arrays(env: Envelope) -> dict[str, FloatArray | BoolArray]:
    """The envelope's fields by name, as the cache keeps them."""
    return {f.name: getattr(env, f.name) for f in fields(Envelope)}


def fly_envelope(vehicle: Vehicle) -> Envelope:
    """Fly ``vehicle`` over the kick grid (non-rotating sphere, launch north from the equator)
    and tabulate vacuum range, apogee and burnout flight-path angle by termination time."""
    n = KICK_GRID_DEG.size
    sphere = EarthModel("calibration", R_MEAN, 0.0, 0.0, 0.0)
    batch = stack([vehicle] * n)
    problem = BoostProblem(batch, np.zeros(n), np.radians(KICK_GRID_DEG), sphere)
    r0 = np.tile([R_MEAN, 0.0, 0.0], (n, 1))
    boost = fly_boost(problem, r0, np.zeros((n, 3)))
    t_first = (
        float(batch.burnout_s[0, 0])
        if batch.n_stages > 1
        else vehicle.vertical_rise_s + vehicle.pitch_over_s
    )
    cutoffs = np.linspace(t_first, float(batch.burnout_s[0, -1]), 64)
    rng = np.empty((n, cutoffs.size))
    apo = np.empty_like(rng)
    fpa = np.empty_like(rng)
    opt = np.empty_like(rng)
    for j, tc in enumerate(cutoffs):
        r, v = boost.state_at(np.full(n, tc))
        rn = np.linalg.norm(r, axis=-1)
        dt = time_to_radius(r, v, np.full(n, R_MEAN), sphere.mu)
        ri, _ = propagate(r, v, np.nan_to_num(dt), mu=sphere.mu)
        cos_angle = np.clip(ri[:, 0] / np.linalg.norm(ri, axis=-1), -1.0, 1.0)
        rng[:, j] = np.where(np.isfinite(dt), R_MEAN * np.arccos(cos_angle), np.nan)
        energy = 0.5 * np.sum(v * v, axis=-1) - sphere.mu / rn
        a = -sphere.mu / (2.0 * energy)
        h2 = np.sum(np.cross(r, v) ** 2, axis=-1)
        e = np.sqrt(np.maximum(1.0 - h2 / (sphere.mu * a), 0.0))
        ascending = np.sum(r * v, axis=-1) > 0.0
        apo[:, j] = np.where(ascending, a * (1.0 + e), rn) - R_MEAN
        fpa[:, j] = np.degrees(
            np.arcsin(np.sum(r * v, axis=-1) / (rn * np.linalg.norm(v, axis=-1)))
        )
        opt[:, j] = min_energy_fpa_deg(r, ri)
    lowest = np.min(np.linalg.norm(boost.r[:, 1:], axis=-1), axis=1) - R_MEAN
    valid = (lowest > 0.0) & (rng[:, -1] > 0.0) & (apo[:, -1] > 0.0)
    valid &= np.linalg.norm(boost.r[:, -1], axis=-1) - R_MEAN >= MIN_BURNOUT_ALTITUDE_M
    return Envelope(KICK_GRID_DEG.copy(), cutoffs, np.nan_to_num(rng), apo, fpa, opt, valid)
