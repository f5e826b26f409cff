"""Progress of a long command, on stderr so that stdout stays the result.

On a terminal: a spinner with the current stage and the elapsed time, erased at the end. Piped
or redirected (a log file, CI): one line per stage, with the seconds since the start, so that a
log shows where the time went. ``quiet``: nothing.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.markup import escape
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

Report = Callable[[str, float], None]
"""report(stage description, fraction done in [0, 1])."""


@contextmanager
def stages(console: Console, title: str, *, quiet: bool = False) -> Iterator[Report]:
    """A ``report(stage, fraction)`` callback that shows ``title: stage`` on ``console``."""
    if quiet:
        yield lambda stage, done: None
        return
    if console.is_terminal:
        with Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        ) as bar:
            task = bar.add_task(escape(title), total=None)

            def update(stage: str, done: float) -> None:
                bar.update(task, description=escape(f"{title}: {stage}"))

            yield update
        return
    start = time.monotonic()
    last: list[str] = []

    def line(stage: str, done: float) -> None:
        if last and last[-1] == stage:
            return
        last.append(stage)
        elapsed = time.monotonic() - start
        console.print(
            f"{title}: {stage} ({elapsed:.0f} s)", markup=False, highlight=False, soft_wrap=True
        )

    yield line
