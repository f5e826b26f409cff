"""The on-disk table cache (``glasnost.common.table_cache``) and the tables kept in it: the
targeting envelopes and the staged flyout tables. A table read back equals the flown one bit
for bit; a changed input or code version is a miss; an unwritable or damaged cache is no
cache."""

from __future__ import annotations

from dataclasses import fields, replace
from pathlib import Path

import numpy as np
import pytest
from numpy.typing import NDArray

from glasnost.common import table_cache
from glasnost.common.table_cache import cached_arrays
from glasnost.defense import derived_stack, flyout
from glasnost.physics import envelope
from glasnost.physics.vehicle import Stage, Vehicle
from glasnost.scenario.missiles import missile


@pytest.fixture(autouse=True)
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    where = tmp_path / "tables"
    monkeypatch.setenv(table_cache.ENV, str(where))
    return where


def _same_bits(a: NDArray[np.generic], b: NDArray[np.generic]) -> bool:
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


class Counter:
    def __init__(self, value: float) -> None:
        self.calls = 0
        self.value = value

    def __call__(self) -> dict[str, NDArray[np.float64]]:
        self.calls += 1
        return {"x": np.array([self.value, np.nan, np.inf, -0.0]), "s": np.float64(3.0)}


def test_second_call_reads_the_stored_arrays_bit_for_bit(folder: Path) -> None:
    compute = Counter(0.1)
    first = cached_arrays("t", "inputs", "v1", compute)
    second = cached_arrays("t", "inputs", "v1", compute)
    assert compute.calls == 1
    assert len(list(folder.glob("t-*.npz"))) == 1
    assert set(second) == {"x", "s"}
    for name in first:
        assert _same_bits(first[name], second[name])
        assert not second[name].flags.writeable
        assert not first[name].flags.writeable


def test_a_changed_input_or_code_version_misses(folder: Path) -> None:
    compute = Counter(1.0)
    cached_arrays("t", "inputs", "v1", compute)
    cached_arrays("t", "other inputs", "v1", compute)
    cached_arrays("t", "inputs", "v2", compute)
    cached_arrays("u", "inputs", "v1", compute)
    assert compute.calls == 4
    assert len(list(folder.glob("*.npz"))) == 4


def test_unwritable_cache_computes_every_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "a file"
    blocker.write_text("not a folder")
    monkeypatch.setenv(table_cache.ENV, str(blocker / "tables"))
    compute = Counter(2.0)
    a = cached_arrays("t", "inputs", "v1", compute)
    b = cached_arrays("t", "inputs", "v1", compute)
    assert compute.calls == 2
    assert _same_bits(a["x"], b["x"])


def test_damaged_file_is_a_miss_and_is_rewritten(folder: Path) -> None:
    compute = Counter(3.0)
    cached_arrays("t", "inputs", "v1", compute)
    (path,) = folder.glob("t-*.npz")
    path.write_bytes(path.read_bytes()[:40])
    again = cached_arrays("t", "inputs", "v1", compute)
    assert compute.calls == 2
    assert again["x"][0] == 3.0
    cached_arrays("t", "inputs", "v1", compute)
    assert compute.calls == 2


def test_old_files_are_pruned(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(table_cache, "MAX_FILES_PER_KIND", 2)
    for k in range(4):
        cached_arrays("t", f"inputs {k}", "v1", Counter(float(k)))
    assert len(list(folder.glob("t-*.npz"))) == 2


def test_code_version_follows_the_source() -> None:
    physics = table_cache.code_version("glasnost.physics")
    assert len(physics) == 64
    assert physics != table_cache.code_version("glasnost.physics", "glasnost.defense")
    with pytest.raises(ValueError, match="not a package"):
        table_cache.code_version("glasnost.errors")


def test_code_version_follows_the_numeric_libraries(monkeypatch: pytest.MonkeyPatch) -> None:
    """Another version of NumPy (or SciPy, Numba, llvmlite, Python) is another code version."""
    import numpy

    assert f"numpy {numpy.__version__}" in table_cache.library_versions()
    before = table_cache.code_version("glasnost.physics")
    table_cache.code_version.cache_clear()
    monkeypatch.setattr(table_cache, "library_versions", lambda: "numpy 0.0")
    try:
        assert table_cache.code_version("glasnost.physics") != before
    finally:
        table_cache.code_version.cache_clear()


def test_cached_envelope_equals_the_flown_one_bit_for_bit(folder: Path) -> None:
    vehicle = missile("minuteman_iii").vehicle()
    flown = envelope.fly_envelope(vehicle)
    written = envelope.envelope.__wrapped__(vehicle)  # a miss: flies and stores
    read = envelope.envelope.__wrapped__(vehicle)  # a hit
    assert len(list(folder.glob("envelope-*.npz"))) == 1
    for f in fields(envelope.Envelope):
        assert _same_bits(getattr(flown, f.name), getattr(written, f.name)), f.name
        assert _same_bits(getattr(flown, f.name), getattr(read, f.name)), f.name
    heavier = replace(vehicle, payload_kg=vehicle.payload_kg * 1.1)
    envelope.envelope.__wrapped__(heavier)
    assert len(list(folder.glob("envelope-*.npz"))) == 2


def _interceptor() -> Vehicle:
    return Vehicle(
        "two_stage",
        (Stage(3000.0, 2600.0, 30.0, 270.0, 0.8), Stage(800.0, 680.0, 30.0, 285.0, 0.6)),
        payload_kg=60.0,
        vertical_rise_s=2.0,
        pitch_over_s=6.0,
    )


def test_cached_flyout_table_equals_the_flown_one_bit_for_bit(folder: Path) -> None:
    vehicle = _interceptor()
    args = (vehicle, 1000e3, 500e3, 30, flyout.MAX_KICK_DEG, flyout.CELL_M, flyout.STEP_S)
    flown = flyout._fly_staged_table(*args, flyout.MAX_TIME_S, True, True, None)
    written = flyout.staged_flyout_table(vehicle, 1000e3, 500e3, kicks=30)
    read = flyout.staged_flyout_table(vehicle, 1000e3, 500e3, kicks=30)
    assert len(list(folder.glob("flyout-*.npz"))) == 1
    for table in (written, read):
        assert _same_bits(flown.ground_range_m, table.ground_range_m)
        assert _same_bits(flown.altitude_m, table.altitude_m)
        assert _same_bits(flown.time_s, table.time_s)
        assert flown.burnout_speed_ms == table.burnout_speed_ms
        assert flown.burn_time_s == table.burn_time_s
    flyout.staged_flyout_table(vehicle, 1100e3, 500e3, kicks=30)
    flyout.staged_flyout_table(vehicle, 1000e3, 500e3, kicks=30, coast_drag=False)
    assert len(list(folder.glob("flyout-*.npz"))) == 3


def test_cached_derived_stack_equals_the_fitted_one(folder: Path) -> None:
    args = ("thaad_like", 2800.0, 40.0, None, None, None, None)
    fitted = derived_stack._derive.__wrapped__(*args)  # a miss: fits and stores
    read = derived_stack._derive.__wrapped__(*args)  # a hit: no fit flown
    assert len(list(folder.glob("derived-stack-*.npz"))) == 1
    assert read == fitted  # the vehicle, speeds, masses and the derivation's text
    derived_stack._derive.__wrapped__("thaad_like", 2900.0, 40.0, None, None, None, None)
    assert len(list(folder.glob("derived-stack-*.npz"))) == 2
