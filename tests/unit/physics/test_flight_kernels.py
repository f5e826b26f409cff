"""The compiled boost integrator (``physics/flight_kernels.py``) against its NumPy reference
(``rocket.BoostProblem.acceleration`` stepped by ``rocket._rk4_step``): the same equations and
the same RK4 arithmetic, so the flights agree to rounding. Tolerance: 1e-6 m and 1e-9 m/s
over a whole boost (the two differ only in the last bits of ``exp`` and of sums, measured at
0 m and 2e-13 m/s).

And the compiled kernels run where no cache can be written (a read-only install)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import glasnost
from glasnost.defense import coast_drag
from glasnost.defense.coast_drag import CoastDrag
from glasnost.physics import coast, flight_kernels, frames, rocket
from glasnost.physics.constants import SPHERE, WGS84, EarthModel
from glasnost.physics.vehicle import MACH_GRID, stack
from glasnost.scenario.missiles import missile

pytestmark = pytest.mark.unit

MISSILES = ("minuteman_iii", "rs24_yars", "df41", "trident_ii_d5", "r30_bulava")


def random_boosts(
    earth: EarthModel,
    drag: bool = True,
    gravity: bool = True,
    n: int = 40,
    seed: int = 3,
    missiles: tuple[str, ...] = MISSILES,
) -> tuple[rocket.BoostProblem, np.ndarray, np.ndarray, np.ndarray]:
    """Boosts of catalog missiles in turn from random points in random directions: the
    problem, the launch states (ECI) and thrust terminations at 0.3-1.2 times the full burn
    (a termination after burnout burns every stage)."""
    rng = np.random.default_rng(seed)
    vehicles = stack([missile(missiles[i % len(missiles)]).vehicle() for i in range(n)])
    lat, lon = rng.uniform(-85.0, 85.0, n), rng.uniform(-180.0, 180.0, n)
    r0, v0 = frames.ecef_to_eci(frames.geodetic_to_vector(lat, lon, 0.0, earth), 0.0, earth)
    problem = rocket.BoostProblem(
        vehicles,
        np.radians(rng.uniform(0.0, 360.0, n)),
        np.radians(rng.uniform(1.0, 60.0, n)),
        earth,
        drag,
        gravity,
    )
    return problem, r0, v0, vehicles.burnout_s[:, -1] * rng.uniform(0.3, 1.2, n)


def boosts(
    earth: EarthModel, drag: bool = True, gravity: bool = True, n: int = 40
) -> tuple[rocket.BoostResult, rocket.BoostResult]:
    problem, r0, v0, cutoff = random_boosts(earth, drag, gravity, n)
    reference = rocket.fly_boost(problem, r0, v0, cutoff, compiled=False)
    return reference, rocket.fly_boost(problem, r0, v0, cutoff)


@pytest.mark.parametrize(
    ("earth", "drag", "gravity"),
    [(WGS84, True, True), (SPHERE, True, True), (WGS84, False, True), (WGS84, True, False)],
)
def test_compiled_boost_matches_the_numpy_reference(
    earth: EarthModel, drag: bool, gravity: bool
) -> None:
    reference, compiled = boosts(earth, drag, gravity)
    assert np.array_equal(compiled.t, reference.t)
    np.testing.assert_allclose(compiled.r_nodes, reference.r_nodes, rtol=0.0, atol=1e-6)
    np.testing.assert_allclose(compiled.v_nodes, reference.v_nodes, rtol=0.0, atol=1e-9)
    # the flights are real boosts: every row has flown tens of km, most reach km/s
    assert np.all(np.linalg.norm(compiled.r[:, -1] - compiled.r[:, 0], axis=-1) > 20e3)
    assert np.median(np.linalg.norm(compiled.v[:, -1], axis=-1)) > 3e3


def test_compiled_boost_leaves_the_initial_state_alone() -> None:
    vehicles = stack([missile("minuteman_iii").vehicle()])
    r0, v0 = frames.ecef_to_eci(frames.geodetic_to_vector(40.0, -100.0, 0.0, WGS84), 0.0, WGS84)
    r0, v0 = r0.reshape(1, 3).copy(), v0.reshape(1, 3).copy()
    kept = r0.copy(), v0.copy()
    problem = rocket.BoostProblem(vehicles, np.radians([30.0]), np.radians([10.0]), WGS84)
    rocket.fly_boost(problem, r0, v0)
    assert np.array_equal(r0, kept[0])
    assert np.array_equal(v0, kept[1])


def test_a_boost_row_does_not_depend_on_the_row_it_is_paired_with() -> None:
    """The boost kernel steps rows two at a time (an odd last row with itself): each row's
    nodes are bit for bit those of the row flown alone, and of the batch in reverse order."""
    problem, r0, v0, _ = random_boosts(WGS84, n=5, seed=11, missiles=("minuteman_iii",))
    together = rocket.fly_boost(problem, r0, v0)
    backwards = np.arange(5)[::-1]
    reversed_problem = rocket.BoostProblem(
        problem.vehicles.take(backwards),
        problem.azimuth_rad[backwards],
        problem.kick_rad[backwards],
        WGS84,
    )
    reverse = rocket.fly_boost(reversed_problem, r0[backwards], v0[backwards])
    assert np.array_equal(reverse.r_nodes[..., ::-1], together.r_nodes)
    assert np.array_equal(reverse.v_nodes[..., ::-1], together.v_nodes)
    for row in range(5):
        alone_problem = rocket.BoostProblem(
            problem.vehicles.take(np.array([row])),
            problem.azimuth_rad[row : row + 1],
            problem.kick_rad[row : row + 1],
            WGS84,
        )
        alone = rocket.fly_boost(alone_problem, r0[row : row + 1], v0[row : row + 1])
        assert np.array_equal(alone.r_nodes[..., 0], together.r_nodes[..., row])
        assert np.array_equal(alone.v_nodes[..., 0], together.v_nodes[..., row])


def test_kernels_run_from_a_read_only_install(tmp_path: Path) -> None:
    """No writable cache anywhere (the package's __pycache__, the user's cache directory and
    NUMBA_CACHE_DIR all blocked by files where folders would go): the kernels compile without
    a cache, with no warning, and fly the same boost."""
    package = tmp_path / "site" / "glasnost"
    shutil.copytree(
        Path(glasnost.__file__).parent, package, ignore=shutil.ignore_patterns("__pycache__")
    )
    for folder in package.rglob("*"):
        if folder.is_dir():
            (folder / "__pycache__").write_text("not a folder")
    (package / "__pycache__").write_text("not a folder")
    blocked = tmp_path / "blocked"
    blocked.write_text("not a folder")
    script = (
        "import numpy as np\n"
        "from glasnost.physics import frames, rocket\n"
        "from glasnost.physics.constants import WGS84\n"
        "from glasnost.physics.vehicle import stack\n"
        "from glasnost.scenario.missiles import missile\n"
        f"assert rocket.__file__.startswith({str(package)!r})\n"
        "v = stack([missile('minuteman_iii').vehicle()])\n"
        "r0, v0 = frames.ecef_to_eci(frames.geodetic_to_vector(40.0, -100.0, 0.0, WGS84),"
        " 0.0, WGS84)\n"
        "p = rocket.BoostProblem(v, np.radians([30.0]), np.radians([10.0]), WGS84)\n"
        "a = rocket.fly_boost(p, r0.reshape(1, 3), v0.reshape(1, 3))\n"
        "b = rocket.fly_boost(p, r0.reshape(1, 3), v0.reshape(1, 3), compiled=False)\n"
        "assert np.allclose(a.r_nodes, b.r_nodes, rtol=0.0, atol=1e-6)\n"
        "from glasnost.physics import flight_kernels\n"
        "print(type(flight_kernels.fly_segment._cache).__name__)\n"
    )
    env = {
        **os.environ,
        "PYTHONPATH": str(package.parent),
        "NUMBA_CACHE_DIR": str(blocked / "numba"),
        "XDG_CACHE_HOME": str(blocked / "cache"),
        "HOME": str(blocked),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    done = subprocess.run(
        [sys.executable, "-W", "error", "-c", script],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "NullCache"  # compiled, without a cache


def test_compiled_state_at_matches_the_numpy_reference() -> None:
    """Hermite interpolation inside the boost with the compiled accelerations at the nodes
    against the NumPy ones: 1e-6 m and 1e-9 m/s (the same arithmetic to rounding)."""
    _, boost = boosts(WGS84)
    rng = np.random.default_rng(4)
    t = boost.burnout_s * rng.uniform(0.0, 1.0, boost.burnout_s.size)
    t[:3] = 0.0
    t[3:6] = boost.burnout_s[3:6]
    r, v = boost.state_at(t)
    r_ref, v_ref = boost.state_at(t, compiled=False)
    np.testing.assert_allclose(r, r_ref, rtol=0.0, atol=1e-6)
    np.testing.assert_allclose(v, v_ref, rtol=0.0, atol=1e-9)
    assert np.all(np.linalg.norm(v[6:] - boost.v[6:, 0], axis=-1) > 10.0)  # they have flown


def test_compiled_reentry_step_matches_the_numpy_reference() -> None:
    """One RK4 step of reentry vehicles (J2 gravity and drag) from 120 km down to 5 km, steps
    of 0.02-5 s: the compiled step (coast._rk4) against coast.rk4_numpy, to 1e-6 m and
    1e-9 m/s."""
    rng = np.random.default_rng(8)
    n = 200
    lat, lon = rng.uniform(-85.0, 85.0, n), rng.uniform(-180.0, 180.0, n)
    up = frames.geodetic_to_vector(lat, lon, rng.uniform(5e3, 120e3, n), WGS84)
    r = up.T.copy()
    v = (-up / np.linalg.norm(up, axis=1)[:, None] * 3e3 + rng.normal(0.0, 4e3, (n, 3))).T
    h = rng.uniform(0.02, 5.0, n)
    rows = rng.permutation(n)
    reentry = coast.ReentryVehicle(WGS84, rng.uniform(2e3, 2e4, n))
    got = coast._rk4(reentry, r, v, h, rows)
    want = coast.rk4_numpy(reentry, r, v, h, rows)
    np.testing.assert_allclose(got[0], want[0], rtol=0.0, atol=1e-6)
    np.testing.assert_allclose(got[1], want[1], rtol=0.0, atol=1e-9)
    # drag acts: the same step without air is different by more than rounding
    vacuum = coast.rk4_numpy(coast.GravityOnly(WGS84), r, v, h, rows)
    assert np.max(np.abs(vacuum[1] - want[1])) > 1.0


def test_compiled_drag_coast_matches_the_numpy_reference() -> None:
    """The kill vehicle's coast with drag (CoastDrag on the non-rotating sphere of the flyout
    tables), 8 steps of 0.25 s from 5-60 km at 1-5 km/s: flight_kernels.drag_coast_steps
    against coast_drag._rk4 stepped 8 times, to 1e-6 m and 1e-9 m/s."""
    rng = np.random.default_rng(9)
    n = 300
    up = rng.normal(size=(n, 3))
    up /= np.linalg.norm(up, axis=1)[:, None]
    r = (up * (SPHERE.equatorial_radius_m + rng.uniform(5e3, 60e3, n))[:, None]).T.copy()
    v = (rng.normal(size=(n, 3)) * rng.uniform(1e3, 5e3, n)[:, None] / np.sqrt(3.0)).T.copy()
    drag = CoastDrag(60.0, 0.3)
    want_r, want_v = r, v
    for _ in range(8):
        want_r, want_v = coast_drag._rk4(drag, want_r, want_v, 0.25, SPHERE)
    got_r, got_v = flight_kernels.drag_coast_steps(
        r,
        v,
        0.25,
        8,
        0.5 * drag.reference_area_m2 / drag.mass_kg,
        np.asarray(drag.cd),
        flight_kernels.earth_parameters(SPHERE),
        np.asarray(MACH_GRID),
        flight_kernels.atmosphere_table(),
    )
    np.testing.assert_allclose(got_r, want_r, rtol=0.0, atol=1e-6)
    np.testing.assert_allclose(got_v, want_v, rtol=0.0, atol=1e-9)
    assert np.max(np.abs(got_v - v)) > 100.0  # drag and gravity changed the velocities


@pytest.mark.parametrize("compiled", [True, False])
def test_state_at_points_of_rows_equals_the_state_of_those_rows_taken(compiled: bool) -> None:
    """Several points per row, rows in any order: bit for bit what ``subset(rows)`` gives (the
    same arithmetic on the same nodes; only the gathering differs)."""
    _, boost = boosts(WGS84, n=12)
    rng = np.random.default_rng(5)
    rows = rng.integers(0, 12, 60)
    t = boost.burnout_s[rows] * rng.uniform(-0.1, 1.1, rows.size)
    r, v = boost.state_at(t, compiled=compiled, rows=rows)
    r_ref, v_ref = boost.subset(rows).state_at(t, compiled=compiled)
    assert np.array_equal(r, r_ref)
    assert np.array_equal(v, v_ref)
