"""The CPU cores this process may use: the one count every parallel part of glasnost takes
(targeting chunks, the engagement search's runs, the joins of large results)."""

from __future__ import annotations

import os


def default_workers() -> int:
    """The CPU cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1
