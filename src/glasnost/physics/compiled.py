"""How the numeric kernels are compiled: Numba ``njit`` with an on-disk cache where one can be
written, and without it where none can.

Numba caches compiled machine code beside the source (``__pycache__``), else in the user's
cache directory, else in ``NUMBA_CACHE_DIR`` when that is set (Numba's own setting: point it
at a writable folder to keep the cache of a read-only install). When no such place is
writable, ``njit(cache=True)`` refuses to decorate; :func:`kernel` then compiles without a
cache, so a read-only install still runs (it compiles on first use in every process, a few
seconds, instead of loading the cache).

Kernels use NumPy's error model (a division by zero gives inf or NaN, as in NumPy, rather than
raising), so a compiled kernel and its NumPy reference treat degenerate inputs alike.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any, TypeVar

import numba
import numpy as np
from numba.core.errors import NumbaWarning
from numpy.typing import ArrayLike, DTypeLike, NDArray

F = TypeVar("F", bound=Callable[..., Any])

_OPTIONS: dict[str, Any] = {"error_model": "numpy", "nogil": True}


def kernel(function: F) -> F:
    """``numba.njit(cache=True)`` where a cache can be written, plain ``njit`` otherwise."""
    with warnings.catch_warnings():
        # Numba warns (NumbaWarning) when a cache file found cannot be used; it then compiles.
        warnings.simplefilter("ignore", NumbaWarning)
        try:
            return numba.njit(cache=True, **_OPTIONS)(function)
        except RuntimeError:  # "cannot cache function ...: no locator available"
            return numba.njit(cache=False, **_OPTIONS)(function)


def kernel_array(values: ArrayLike, dtype: DTypeLike = np.float64) -> NDArray[Any]:
    """``values`` as a kernel's argument: C-contiguous, of ``dtype`` and writable, copied only
    where it is not so already. To Numba a read-only array (a broadcast view, or a result kept
    read-only by :mod:`glasnost.common.memo`) is another argument type than a writable one:
    a second compiled specialization of the kernel, compiled on a cold cache and loaded from
    the cache in every process."""
    return np.require(values, dtype=dtype, requirements=["C", "W"])
