"""The CPU cores this process may use: the one count every parallel part of glasnost takes
(targeting chunks, the engagement search's runs, the joins of large results), and the one way
independent pieces of work go to worker threads (:func:`map_on_threads`)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


def default_workers() -> int:
    """The CPU cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def map_on_threads(function: Callable[[T], R], items: Iterable[T], workers: int) -> list[R]:
    """``[function(x) for x in items]``, on ``workers`` worker threads (taken in turn) where
    more than one: for functions that spend their time in code that releases the interpreter
    lock (compiled kernels, NumPy copies). The threads are gone when it returns."""
    if workers <= 1:
        return [function(x) for x in items]
    with ThreadPoolExecutor(workers, thread_name_prefix="glasnost") as pool:
        return list(pool.map(function, items))
