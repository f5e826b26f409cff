"""Compile a large kernel in a second process, into the shared kernel cache, while this process
does other work: a cold run's compile time spread over two cores.

Numba compiles a kernel on its first call, in the calling process and on one core, with the
kernels it calls compiled into it; the engagement search takes 17-20 s of a 33 s cold
``glasnost assess`` (decision 9, amendment of 2026-12-06). The assessment reaches it only
after the targeting, which compiles and flies for as long. So the command starts the search's
compile first (:func:`start`; decision 26): a child process calls the kernel once on a small
problem of the same argument types (the kernel module's probe, ``<name>_probe()``), which
compiles it and writes it to Numba's cache. The assessment, before its first call of the
kernel, waits for that child (:func:`wait`) and then loads the kernel from the cache instead
of compiling it again.

It runs only where it pays and can work: the kernel is not compiled in this process yet, has
a cache that can be written and holds no entry for the sources' version there (a cold cache),
this process may use two cores or more, Numba compiles (``NUMBA_DISABLE_JIT`` is not set) and
``GLASNOST_COMPILE_AHEAD`` is not ``0``. Otherwise nothing starts and the kernel compiles on
its first call, as before. Either way the machine code is the same, and so are the results.
A child still running when this process ends is stopped (an exit handler). Where the child
fails, the first call compiles as it would have; where it is slow, :func:`wait` gives up
after ``timeout_s``, stops it, and the first call compiles.

The child process is Python's own (``subprocess``, this interpreter, ``-m`` this module):
no library starts a one-off compile elsewhere and leaves its result in Numba's cache.
"""

from __future__ import annotations

import atexit
import contextlib
import importlib
import os
import subprocess
import sys
from typing import Any

from glasnost.physics.compiled import has_cache_entries
from glasnost.physics.cores import default_workers

SWITCH = "GLASNOST_COMPILE_AHEAD"
"""Environment variable: ``0`` turns compiling ahead off."""

_children: dict[str, subprocess.Popen[bytes]] = {}


def _kernel(module: str, name: str) -> Any:
    return getattr(importlib.import_module(module), name)


def worth_it(module: str, name: str) -> bool:
    """Whether compiling kernel ``module.name`` ahead pays and can work (module doc)."""
    if os.environ.get(SWITCH, "1") == "0" or os.environ.get("NUMBA_DISABLE_JIT", "0") != "0":
        return False
    if default_workers() < 2:
        return False
    dispatcher = _kernel(module, name)
    if dispatcher.signatures:  # compiled in this process already
        return False
    return has_cache_entries(dispatcher) is False  # None: no cache to share


def start(module: str, name: str) -> bool:
    """Start compiling kernel ``module.name`` in a child process where it pays (module doc);
    True where a child was started (now or before)."""
    key = f"{module}.{name}"
    if key in _children:
        return True
    if not worth_it(module, name):
        return False
    try:
        child = subprocess.Popen(
            [sys.executable, "-m", __name__, module, name],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    except OSError:  # no process can be started here: compile on the first call
        return False
    _children[key] = child
    return True


def wait(module: str, name: str, timeout_s: float = 300.0) -> None:
    """Wait for the compile of kernel ``module.name`` started by :func:`start`, at most
    ``timeout_s`` s (then stop it); returns at once where none was started or it is done."""
    child = _children.get(f"{module}.{name}")
    if child is None or child.returncode is not None:
        return
    try:
        child.wait(timeout_s)
    except subprocess.TimeoutExpired:
        _stop(child)


def _stop(child: subprocess.Popen[bytes]) -> None:
    if child.poll() is None:
        child.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.wait(5.0)


@atexit.register
def _stop_all() -> None:
    """Stop every child still compiling (an exit before the kernel was needed)."""
    for child in _children.values():
        _stop(child)


def _compile(module: str, name: str) -> None:
    """The child's work: call the kernel once on its module's probe arguments."""
    arguments = _kernel(module, f"{name}_probe")()
    _kernel(module, name)(*arguments)


if __name__ == "__main__":  # the child process of start()
    _compile(sys.argv[1], sys.argv[2])
