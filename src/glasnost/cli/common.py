"""What every command shares: the Typer app, the consoles, and the error exit."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from glasnost import __version__
from glasnost.cli.help import HelpGroup

app = typer.Typer(
    cls=HelpGroup,
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
