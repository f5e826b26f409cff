"""What every command shares: the Typer app, the consoles, and the error exit.

Every :class:`~glasnost.errors.GlasnostError` a command lets through is answered in one place
(:class:`GlasnostGroup`): each line of the message as ``error: ...`` on stderr, exit code 2.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

from glasnost import __version__
from glasnost.cli.help import HelpGroup
from glasnost.errors import GlasnostError


def error_lines(exc: GlasnostError) -> list[str]:
    """What the command line says of an error: its message, one entry per line."""
    text = str(exc.args[0]) if isinstance(exc, KeyError) and exc.args else str(exc)
    return text.splitlines() or [type(exc).__name__]


class GlasnostGroup(HelpGroup):
    """The ``glasnost`` command group: the one handler of :mod:`glasnost.errors` for the CLI
    (and help without type placeholders, :class:`HelpGroup`)."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except GlasnostError as exc:
            raise error_exit(exc) from None


def error_exit(exc: GlasnostError) -> typer.Exit:
    """Print an error (:func:`error_lines`, each as ``error: ...``); the exit (code 2)."""
    for line in error_lines(exc):
        errors.print(f"[bold red]error:[/] {escape(line)}", soft_wrap=True)
    return typer.Exit(code=2)


app = typer.Typer(
    cls=GlasnostGroup,
    name="glasnost",
    help="Missile-defense transparency: trajectories, threat assessment and a verifiable exchange.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode="markdown",
    add_completion=False,
)
PIPED_WIDTH = 160
"""Columns of the output when it is piped or redirected: wide enough that tables keep whole
ids (the ids that ``--set`` and other commands take)."""


def _stdout_console() -> Console:
    """The console of the results: the terminal's width, or at least ``PIPED_WIDTH`` piped."""
    terminal = Console()
    return terminal if terminal.is_terminal else Console(width=max(terminal.width, PIPED_WIDTH))


console = _stdout_console()
errors = Console(stderr=True)


def fail(message: str) -> typer.Exit:
    """Print a precise error and return the exit (code 2, like a usage error)."""
    errors.print(f"[bold red]error:[/] {message}", soft_wrap=True)
    return typer.Exit(code=2)


@app.callback(invoke_without_command=True)
def main_callback(
    version: Annotated[bool, typer.Option("--version", help="Print the version and exit.")] = False,
) -> None:
    if version:
        console.print(f"glasnost {__version__}")
        raise typer.Exit()


def main() -> None:
    app()
