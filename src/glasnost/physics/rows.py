"""Joining per-row arrays: results of row groups put back together (one copy), with padding."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from glasnost.physics.cores import default_workers, map_on_threads

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


THREADED_JOIN_BYTES = 8 << 20
"""Joins whose result is at least this large (bytes) copy their parts on worker threads: most
of such a join is the first touch of fresh memory (the kernel's page faults), which threads
share out (the 10,000 targeted trajectories of ``bench_trajectories.py``: their padded joins
took about 0.25 s on one thread)."""


def join_padded(
    arrays: Sequence[NDArray[Any]], rows: Rows, k: int, pad_axis: int, axis: int = 0
) -> NDArray[Any]:
    """:func:`join_rows` of the arrays, each padded to length ``k`` along ``pad_axis`` by
    repeating its last entry (written in place: no padded copy of a part first). The parts are
    copied on one worker thread per core where the result is large
    (:data:`THREADED_JOIN_BYTES`; NumPy's copies release the interpreter lock): each part goes
    to its own rows, so the result is the same bit for bit."""
    n = sum(a.shape[axis] for a in arrays)
    shape = list(arrays[0].shape)
    shape[axis], shape[pad_axis] = n, k
    out = np.empty(shape, dtype=np.result_type(*arrays))
    starts = np.cumsum([0] + [a.shape[axis] for a in arrays]).tolist()

    def put(i: int) -> None:
        a = arrays[i]
        m = a.shape[pad_axis]
        where = slice(starts[i], starts[i + 1]) if rows is None else rows[i]
        index: list[slice | NDArray[np.intp]] = [slice(None)] * a.ndim
        index[axis], index[pad_axis] = where, slice(0, m)
        out[tuple(index)] = a
        if m < k:
            index[pad_axis] = slice(m, k)
            out[tuple(index)] = np.take(a, [m - 1], axis=pad_axis)

    workers = min(default_workers(), len(arrays)) if out.nbytes >= THREADED_JOIN_BYTES else 1
    map_on_threads(put, range(len(arrays)), workers)
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
