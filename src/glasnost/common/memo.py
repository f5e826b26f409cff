"""Results kept in memory for the next call with the same inputs: :func:`remembered`.

A sweep over the defenses (docs/uncertainty.md) runs the assessment again and again on the same
offensive forces: the same trajectories, sampled the same way and seen by the same radars, in
every sample. A function decorated with :func:`remembered` keeps its last few results by a
digest of its arguments (:func:`digest`: every array's dtype, shape and bytes, every field of
a dataclass, every scalar's ``repr``) and returns the kept result for equal arguments instead
of computing it again; deterministic functions only, so the result is the same bit for bit.

A kept result is shared between callers, so every array in it is made read-only
(:func:`freeze`): a caller that writes into one gets NumPy's error instead of changing another
caller's result. That includes arrays the result shares with the arguments (a trajectory
holds the vehicle batch it was flown with), which become read-only too. Results larger than
``max_bytes`` are returned but not kept.

Hand-written: :func:`functools.lru_cache` keys by ``hash``, which NumPy arrays do not have,
and would keep results of any size.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

import numpy as np

P = ParamSpec("P")
R = TypeVar("R")

MAX_BYTES = 64 << 20
"""Default for the largest result (bytes of its arrays) that is kept."""

_ALL_KEPT: list[OrderedDict[str, Any]] = []
"""The kept results of every decorated function (for :func:`forget_all`)."""


def forget_all() -> None:
    """Drop every kept result (of every function decorated with :func:`remembered`)."""
    for kept in _ALL_KEPT:
        kept.clear()


def digest(*values: Any) -> str:
    """SHA-256 (hex) of ``values``: arrays by dtype, shape and bytes; dataclasses by class and
    fields; tuples, lists and dicts by their items; None, bools, numbers, strings and enums by
    ``repr``. Anything else is a :class:`TypeError` (a key must not ignore part of an input).
    A dataclass met again (the same object: a batch's rows share their vehicle) is fed as the
    digest of its first meeting."""
    h = hashlib.sha256()
    seen: dict[int, bytes] = {}
    for value in values:
        _feed(h, value, seen)
    return h.hexdigest()


def _feed(h: Any, value: Any, seen: dict[int, bytes]) -> None:
    if isinstance(value, np.ndarray):
        h.update(f"array {value.dtype.str} {value.shape};".encode())
        h.update(np.ascontiguousarray(value).data.cast("B"))
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        if id(value) not in seen:
            part = hashlib.sha256(f"{type(value).__module__}.{type(value).__qualname__}(".encode())
            for f in dataclasses.fields(value):
                part.update(f"{f.name}=".encode())
                _feed(part, getattr(value, f.name), seen)
            seen[id(value)] = part.digest()
        h.update(seen[id(value)])
    elif isinstance(value, tuple | list):
        h.update(f"{type(value).__name__}[{len(value)}](".encode())
        for item in value:
            _feed(h, item, seen)
        h.update(b")")
    elif isinstance(value, dict):
        h.update(f"dict[{len(value)}](".encode())
        for key, item in value.items():
            _feed(h, key, seen)
            _feed(h, item, seen)
        h.update(b")")
    elif value is None or isinstance(value, bool | int | float | str | enum.Enum | np.generic):
        h.update(f"{type(value).__name__}:{value!r};".encode())
    else:
        raise TypeError(f"no digest for a {type(value).__name__}")


def freeze(value: Any) -> int:
    """Make every array reachable from ``value`` (through dataclass fields, tuples, lists and
    dicts) read-only; returns the bytes of those arrays."""
    seen: set[int] = set()

    def walk(v: Any) -> int:
        if id(v) in seen:
            return 0
        seen.add(id(v))
        if isinstance(v, np.ndarray):
            v.flags.writeable = False
            return int(v.nbytes)
        if dataclasses.is_dataclass(v) and not isinstance(v, type):
            return sum(walk(getattr(v, f.name)) for f in dataclasses.fields(v))
        if isinstance(v, tuple | list):
            return sum(walk(item) for item in v)
        if isinstance(v, dict):
            return sum(walk(item) for item in v.values())
        return 0

    return walk(value)


def remembered(
    size: int = 2, max_bytes: int = MAX_BYTES
) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Decorator: keep the last ``size`` results of the function by :func:`digest` of its
    arguments (module doc); its results are read-only (:func:`freeze`)."""

    def decorate(function: Callable[P, R]) -> Callable[P, R]:
        kept: OrderedDict[str, R] = OrderedDict()
        _ALL_KEPT.append(kept)
        lock = threading.Lock()

        @functools.wraps(function)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            key = digest(args, sorted(kwargs.items()))
            with lock:
                if key in kept:
                    kept.move_to_end(key)
                    return kept[key]
            result = function(*args, **kwargs)
            if freeze(result) <= max_bytes:
                with lock:
                    kept[key] = result
                    while len(kept) > size:
                        kept.popitem(last=False)
            return result

        return wrapper

    return decorate
