"""An on-disk cache of deterministic numeric tables (NumPy arrays), keyed by their inputs and
the code that computes them.

Some tables are flown once per vehicle and take a noticeable part of a run (the targeting
envelopes, the interceptors' flyout tables), although they depend only on their inputs and on
the code. :func:`cached_arrays` stores such a table as an ``.npz`` file (no pickles) whose name
is the SHA-256 of the table's kind, the caller's description of its inputs (a ``repr`` of
frozen dataclasses and floats, which Python writes exactly) and :func:`code_version` of the
packages that compute it (their source, and the versions of Python and of the numeric
libraries): any change of an input, of a source file there or of a library is a miss.

The folder is ``GLASNOST_CACHE_DIR`` when set, else ``$XDG_CACHE_HOME/glasnost/tables`` or
``~/.cache/glasnost/tables``. Files are written to a temporary name and renamed, so a reader
never sees half a table; a file that cannot be read is a miss. Where nothing can be written
(a read-only home), the table is computed in every process, as without a cache. Each kind
keeps at most :data:`MAX_FILES_PER_KIND` files (the oldest go first), so a sweep that varies
an interceptor's speed in every sample does not fill the disk.
"""

from __future__ import annotations

import hashlib
import os
import platform
import tempfile
import zipfile
from collections.abc import Callable, Mapping
from functools import cache
from importlib import metadata, util
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

Arrays = dict[str, NDArray[Any]]

ENV = "GLASNOST_CACHE_DIR"
"""Environment variable naming the cache folder (the default is in the module doc)."""

MAX_FILES_PER_KIND = 256
"""Files kept per kind of table; older ones are removed when a new one is written."""


def cache_dir() -> Path:
    """The cache folder (it may not exist yet)."""
    chosen = os.environ.get(ENV)
    if chosen:
        return Path(chosen)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "glasnost" / "tables"


LIBRARIES = ("numpy", "scipy", "numba", "llvmlite")
"""The numeric libraries whose versions are part of every code version: a table computed under
other versions (other rounding in their functions or compiled code) is a miss."""


def library_versions() -> str:
    """Python's version and those of :data:`LIBRARIES` (``name version`` pairs)."""
    pairs = [f"python {platform.python_version()}"]
    for name in LIBRARIES:
        try:
            pairs.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            pairs.append(f"{name} absent")
    return "; ".join(pairs)


@cache
def code_version(*packages: str) -> str:
    """SHA-256 (hex) of the source files of ``packages`` (dotted names), in path order, and of
    :func:`library_versions`."""
    digest = hashlib.sha256()
    digest.update(library_versions().encode())
    digest.update(b"\0")
    for package in packages:
        spec = util.find_spec(package)
        if spec is None or not spec.submodule_search_locations:
            raise ValueError(f"{package} is not a package")
        for folder in spec.submodule_search_locations:
            for path in sorted(Path(folder).rglob("*.py")):
                digest.update(path.relative_to(folder).as_posix().encode())
                digest.update(b"\0")
                digest.update(path.read_bytes())
                digest.update(b"\0")
    return digest.hexdigest()


def cache_key(kind: str, inputs: str, version: str) -> str:
    """The file stem of a table: SHA-256 (hex) of its kind, inputs and code version."""
    return hashlib.sha256("\0".join((kind, inputs, version)).encode()).hexdigest()


def cached_arrays(
    kind: str, inputs: str, version: str, compute: Callable[[], Mapping[str, NDArray[Any]]]
) -> Arrays:
    """The arrays ``compute()`` returns for ``inputs``, read from the cache when there, else
    computed and written to it (where it can be); read-only either way, and bit for bit the
    same. ``kind`` names the table (a file-name prefix); ``inputs`` describes every input
    exactly; ``version`` is :func:`code_version` of the code that computes it."""
    folder = cache_dir()
    path = folder / f"{kind}-{cache_key(kind, inputs, version)}.npz"
    stored = _read(path)
    if stored is not None:
        return stored
    arrays = {name: np.array(value) for name, value in compute().items()}
    _write(folder, kind, path, arrays)
    for array in arrays.values():
        array.flags.writeable = False
    return arrays


def _read(path: Path) -> Arrays | None:
    try:
        with open(path, "rb") as f, np.load(f, allow_pickle=False) as data:
            arrays: Arrays = {name: data[name] for name in data.files}
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):  # absent or damaged
        return None
    for array in arrays.values():
        array.flags.writeable = False
    return arrays


def _write(folder: Path, kind: str, path: Path, arrays: Arrays) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{kind}-", suffix=".npz")
        try:
            with os.fdopen(handle, "wb") as f:
                np.savez(f, allow_pickle=False, **arrays)
            os.replace(temporary, path)
        except BaseException:
            os.unlink(temporary)
            raise
        _prune(folder, kind)
    except OSError:  # read-only or full: the table was computed, the cache is skipped
        return


def _prune(folder: Path, kind: str) -> None:
    """Remove the oldest files of ``kind`` beyond :data:`MAX_FILES_PER_KIND`."""
    files = list(folder.glob(f"{kind}-*.npz"))
    if len(files) <= MAX_FILES_PER_KIND:
        return
    files.sort(key=lambda p: p.stat().st_mtime)
    for old in files[: len(files) - MAX_FILES_PER_KIND]:
        old.unlink(missing_ok=True)
