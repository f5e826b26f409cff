"""Joining per-row arrays: results of row groups put back together (one copy), with padding."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

Rows = Sequence[NDArray[np.intp]] | None
"""Where the rows of each joined part go (indices into the result), or None: one after another."""


def join_rows(arrays: Sequence[NDArray[Any]], rows: Rows, axis: int = 0) -> NDArray[Any]:
    """Join per-row arrays along ``axis``: concatenated, or scattered to ``rows`` (one copy)."""
    if rows is None:
        return np.concatenate(arrays, axis=axis)
    n = sum(a.shape[axis] for a in arrays)
    shape = list(arrays[0].shape)
    shape[axis] = n
    out = np.empty(shape, dtype=np.result_type(*arrays))
    for a, r in zip(arrays, rows, strict=True):
        index: list[slice | NDArray[np.intp]] = [slice(None)] * a.ndim
        index[axis] = r
        out[tuple(index)] = a
    return out


def reorder_items(items: Sequence[tuple[Any, ...]], rows: Rows) -> tuple[Any, ...]:
    """Join tuples of per-row Python objects the way :func:`join_rows` joins arrays."""
    if rows is None:
        return tuple(x for part in items for x in part)
    n = sum(len(part) for part in items)
    out: list[Any] = [None] * n
    for part, r in zip(items, rows, strict=True):
        for x, i in zip(part, r, strict=True):
            out[int(i)] = x
    return tuple(out)


def pad_last(a: NDArray[np.generic], k: int, axis: int) -> NDArray[np.generic]:
    """Pad ``a`` to length ``k`` along ``axis`` by repeating its last entry."""
    missing = k - a.shape[axis]
    if missing <= 0:
        return a
    last = np.take(a, [-1], axis=axis)
    return np.concatenate([a, np.repeat(last, missing, axis=axis)], axis=axis)
