"""Results kept in memory (``glasnost.common.memo``): the digest of arguments tells equal
inputs from any change, a kept result comes back for equal inputs without computing it again,
read-only, and only the last few (and none too large) are kept."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

from glasnost.common import memo
from glasnost.common.memo import digest, remembered

pytestmark = pytest.mark.unit


@dataclass(frozen=True)
class Part:
    name: str
    values: np.ndarray
    scale: float = 1.0


def test_equal_inputs_have_equal_digests_whatever_the_objects() -> None:
    a = (Part("x", np.arange(6.0).reshape(2, 3)), [1, 2.5, None, "s"], {"k": True})
    b = (Part("x", np.arange(6.0).reshape(2, 3).copy()), [1, 2.5, None, "s"], {"k": True})
    assert digest(*a) == digest(*b)
    shared = Part("y", np.ones(3))
    assert digest((shared, shared)) == digest((Part("y", np.ones(3)), Part("y", np.ones(3))))


@pytest.mark.parametrize(
    "changed",
    [
        (Part("x", np.arange(6.0).reshape(3, 2)), [1, 2.5, None, "s"], {"k": True}),  # shape
        (Part("x", np.arange(6).reshape(2, 3)), [1, 2.5, None, "s"], {"k": True}),  # dtype
        (Part("x", np.arange(6.0).reshape(2, 3) + 1e-15), [1, 2.5, None, "s"], {"k": True}),
        (Part("x", np.arange(6.0).reshape(2, 3), 2.0), [1, 2.5, None, "s"], {"k": True}),
        (Part("z", np.arange(6.0).reshape(2, 3)), [1, 2.5, None, "s"], {"k": True}),
        (Part("x", np.arange(6.0).reshape(2, 3)), [1.0, 2.5, None, "s"], {"k": True}),  # 1 vs 1.0
        (Part("x", np.arange(6.0).reshape(2, 3)), (1, 2.5, None, "s"), {"k": True}),
        (Part("x", np.arange(6.0).reshape(2, 3)), [1, 2.5, None, "s"], {"k": False}),
    ],
)
def test_any_change_changes_the_digest(changed: tuple[object, ...]) -> None:
    base = (Part("x", np.arange(6.0).reshape(2, 3)), [1, 2.5, None, "s"], {"k": True})
    assert digest(*changed) != digest(*base)


def test_an_input_it_cannot_read_is_refused() -> None:
    with pytest.raises(TypeError, match="no digest for a object"):
        digest([object()])


def test_equal_inputs_return_the_kept_result_read_only() -> None:
    calls: list[float] = []

    @remembered(size=2)
    def scaled(values: np.ndarray, factor: float) -> tuple[np.ndarray, Part]:
        calls.append(factor)
        return values * factor, Part("p", values + factor)

    first = scaled(np.arange(4.0), 2.0)
    again = scaled(np.arange(4.0), 2.0)
    assert again is first
    assert calls == [2.0]
    with pytest.raises(ValueError, match="read-only"):
        first[0][0] = 9.0
    with pytest.raises(ValueError, match="read-only"):
        first[1].values[0] = 9.0
    assert scaled(np.arange(4.0), 3.0) is not first
    assert calls == [2.0, 3.0]


def test_only_the_last_results_are_kept() -> None:
    calls: list[int] = []

    @remembered(size=2)
    def square(x: int) -> np.ndarray:
        calls.append(x)
        return np.array([x * x])

    square(1), square(2), square(1), square(3)  # 2 is now the oldest: dropped
    assert calls == [1, 2, 3]
    square(1)
    square(2)
    assert calls == [1, 2, 3, 2]
    memo.forget_all()
    square(1)
    assert calls == [1, 2, 3, 2, 1]


def test_results_too_large_or_failed_calls_are_not_kept() -> None:
    calls: list[int] = []

    @remembered(size=4, max_bytes=800)
    def zeros(n: int) -> np.ndarray:
        calls.append(n)
        if n < 0:
            raise ValueError("negative")
        return np.zeros(n)

    zeros(100), zeros(100)  # 800 bytes: kept
    zeros(101), zeros(101)  # 808 bytes: computed each time
    assert calls == [100, 101, 101]
    for _ in range(2):
        with pytest.raises(ValueError, match="negative"):
            zeros(-1)
    assert calls == [100, 101, 101, -1, -1]
