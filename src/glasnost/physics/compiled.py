"""How the numeric kernels are compiled: Numba ``njit`` with an on-disk cache where one can be
written, and without it where none can.

Numba caches compiled machine code beside the source (``__pycache__``), else in the user's
cache directory, else in ``NUMBA_CACHE_DIR`` when that is set (Numba's own setting: point it
at a writable folder to keep the cache of a read-only install). When no such place is
writable, no cache can be made; :func:`kernel` then compiles without one, so a read-only
install still runs (it compiles on first use in every process, a few seconds, instead of
loading the cache).

Numba takes a cached kernel as fresh while the file that defines it is unchanged: a kernel it
calls, or a module-level constant it reads, in another file is compiled into it but not
checked (a documented limit of Numba's cache). So each kernel's cache entry also carries the
code version of ``glasnost.physics`` and ``glasnost.defense`` (:func:`kernel_sources_version`,
the digest the table cache keys its tables by): a change anywhere in them, a ``git pull``
included, compiles every kernel again instead of running stale machine code.

Kernels use NumPy's error model (a division by zero gives inf or NaN, as in NumPy, rather than
raising), so a compiled kernel and its NumPy reference treat degenerate inputs alike.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Callable
from functools import cache
from typing import Any, TypeVar

import numba
import numpy as np
from numba.core import caching
from numba.core.errors import NumbaWarning
from numpy.typing import ArrayLike, DTypeLike, NDArray

from glasnost.common.table_cache import code_version

F = TypeVar("F", bound=Callable[..., Any])

_OPTIONS: dict[str, Any] = {"error_model": "numpy", "nogil": True}


@cache
def kernel_sources_version() -> str:
    """The code version (hex) of the packages the kernels, their callees and their constants
    live in (:func:`glasnost.common.table_cache.code_version`)."""
    return code_version("glasnost.physics", "glasnost.defense")


def _stamped(locator: type[Any]) -> type[Any]:
    """Numba's cache ``locator`` whose freshness stamp also carries
    :func:`kernel_sources_version` (module doc)."""

    class Stamped(locator):  # type: ignore[misc]
        def get_source_stamp(self) -> Any:
            return (super().get_source_stamp(), kernel_sources_version())

    Stamped.__name__ = Stamped.__qualname__ = f"Stamped{locator.__name__}"
    return Stamped


class _KernelCacheImpl(caching.CompileResultCacheImpl):
    """Numba's function cache, its places (locators) in Numba's order, stamped."""

    _locator_classes = [  # noqa: RUF012 (Numba's own attribute, a list)
        _stamped(c) for c in caching.CompileResultCacheImpl._locator_classes
    ]


class _KernelCache(caching.FunctionCache):
    """Numba's ``cache=True`` cache of one kernel, stamped with the sources' version."""

    _impl_class = _KernelCacheImpl


def kernel(function: F) -> F:
    """``numba.njit`` with a cache stamped with the sources' version (module doc) where one can
    be written, without a cache otherwise."""
    with warnings.catch_warnings():
        # Numba warns (NumbaWarning) when a cache file found cannot be used; it then compiles.
        warnings.simplefilter("ignore", NumbaWarning)
        dispatcher = numba.njit(cache=False, **_OPTIONS)(function)
        # What Dispatcher.enable_caching does (njit(cache=True)), with the stamped cache;
        # RuntimeError: "cannot cache function ...: no locator available".
        with contextlib.suppress(RuntimeError):
            dispatcher._cache = _KernelCache(function)  # type: ignore[no-untyped-call]
        return dispatcher


def has_cache_entries(dispatcher: Any) -> bool | None:
    """Whether the cache of kernel ``dispatcher`` (a :func:`kernel`) holds compiled code for
    the sources' version; None where it has no cache (none can be written)."""
    cache = getattr(dispatcher, "_cache", None)
    if not isinstance(cache, _KernelCache):
        return None
    try:
        return bool(cache._cache_file._load_index())  # type: ignore[no-untyped-call]
    except Exception:  # a damaged index (any unpickling error): Numba compiles, rewrites it
        return False


def kernel_array(values: ArrayLike, dtype: DTypeLike = np.float64) -> NDArray[Any]:
    """``values`` as a kernel's argument: C-contiguous, of ``dtype`` and writable, copied only
    where it is not so already. To Numba a read-only array (a broadcast view, or a result kept
    read-only by :mod:`glasnost.common.memo`) is another argument type than a writable one:
    a second compiled specialization of the kernel, compiled on a cold cache and loaded from
    the cache in every process."""
    return np.require(values, dtype=dtype, requirements=["C", "W"])
