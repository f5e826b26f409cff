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


def join_padded(
    arrays: Sequence[NDArray[Any]], rows: Rows, k: int, pad_axis: int, axis: int = 0
) -> NDArray[Any]:
    """:func:`join_rows` of the arrays, each padded to length ``k`` along ``pad_axis`` by
    repeating its last entry (written in place: no padded copy of a part first)."""
    n = sum(a.shape[axis] for a in arrays)
    shape = list(arrays[0].shape)
    shape[axis], shape[pad_axis] = n, k
    out = np.empty(shape, dtype=np.result_type(*arrays))
    start = 0
    for i, a in enumerate(arrays):
        count, m = a.shape[axis], a.shape[pad_axis]
        where = slice(start, start + count) if rows is None else rows[i]
        start += count
        index: list[slice | NDArray[np.intp]] = [slice(None)] * a.ndim
        index[axis], index[pad_axis] = where, slice(0, m)
        out[tuple(index)] = a
        if m < k:
            index[pad_axis] = slice(m, k)
            out[tuple(index)] = np.take(a, [m - 1], axis=pad_axis)
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
