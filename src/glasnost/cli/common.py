"""What every command shares: the Typer app, the consoles, and the error exit.

Every :class:`~glasnost.errors.GlasnostError` a command lets through is answered in one place
(:class:`GlasnostGroup`): each line of the message as ``error: ...`` on stderr, exit code 2.
With ``--json`` on the command line, the error (and a usage error, with its own exit code)
is also a JSON object on stdout (:func:`error_json`), so a script reads every outcome from one
stream.
"""

from __future__ import annotations

import atexit
import copy
import json
import os
import sys
import threading
from collections.abc import Sequence
from typing import Annotated, Any

import typer
import typer.main
from rich.console import Console
from rich.markup import escape
from typer import _click

from glasnost import __version__
from glasnost.cli.help import HelpGroup
from glasnost.errors import GlasnostError, InputError

JSON_ERRORS = "glasnost.json_errors"
"""Key of the context's ``meta``: true when ``--json`` is on the command line."""


def error_lines(exc: GlasnostError) -> list[str]:
    """What the command line says of an error: its message, one entry per line."""
    text = str(exc.args[0]) if isinstance(exc, KeyError) and exc.args else str(exc)
    return text.splitlines() or [type(exc).__name__]


def error_json(exc: Exception, exit_code: int) -> dict[str, Any]:
    """An error as ``--json`` prints it: ``{"error": {kind, message, where, issues}, "exit_code"}``.

    ``kind`` is the class name (``ScenarioError``, ``KeyFileError``, ``BadParameter``), ``where``
    the file, field, option or entry (null when the message names none), ``issues`` one
    ``{path, message, line}`` per problem of a document (empty otherwise)."""
    if isinstance(exc, GlasnostError):
        where = exc.where
        message = "\n".join(error_lines(exc))
    else:  # a usage error: the option it names
        hint = getattr(exc, "param_hint", None)
        where = hint if isinstance(hint, str) else None
        message = exc.format_message() if isinstance(exc, _click.ClickException) else str(exc)
    issues = [
        {"path": i.path, "message": i.message, "line": i.line} for i in getattr(exc, "issues", [])
    ]
    error = {"kind": type(exc).__name__, "message": message, "where": where, "issues": issues}
    return {"error": error, "exit_code": exit_code}


class GlasnostGroup(HelpGroup):
    """The ``glasnost`` command group: the one handler of :mod:`glasnost.errors` for the CLI
    (and help without type placeholders, :class:`HelpGroup`)."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        options = args[: args.index("--")] if "--" in args else args
        ctx.meta[JSON_ERRORS] = "--json" in options
        return super().parse_args(ctx, args)

    def invoke(self, ctx: Any) -> Any:
        as_json = bool(ctx.meta.get(JSON_ERRORS))
        try:
            return super().invoke(ctx)
        except GlasnostError as exc:
            raise error_exit(exc, as_json=as_json) from None
        except _click.ClickException as exc:
            if as_json:
                _write_json(error_json(exc, exc.exit_code))
            raise


def error_exit(exc: GlasnostError, *, as_json: bool = False) -> typer.Exit:
    """Print an error (:func:`error_lines`, each as ``error: ...``; with ``as_json`` also
    :func:`error_json` on stdout); the exit (code 2)."""
    if as_json:
        _write_json(error_json(exc, 2))
    for line in error_lines(exc):
        errors.print(f"[bold red]error:[/] {escape(line)}", soft_wrap=True)
    return typer.Exit(code=2)


def _write_json(value: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(value, indent=2, ensure_ascii=False) + "\n")


app = typer.Typer(
    cls=GlasnostGroup,
    name="glasnost",
    help="Missile-defense transparency: trajectories, threat assessment and a verifiable exchange.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode="markdown",
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


def fail(message: str, *, where: str | None = None) -> InputError:
    """A precise error of the input (plain text; ``where``: the option, file or field), for
    ``raise``: the one handler prints it and exits with code 2, like a usage error."""
    return InputError(message, where=where)


def warn(message: str) -> None:
    """Print a warning on stderr (``warning: ...``): the command goes on."""
    errors.print(f"[bold yellow]warning:[/] {escape(message)}", soft_wrap=True)


@app.callback(invoke_without_command=True)
def main_callback(
    version: Annotated[bool, typer.Option("--version", help="Print the version and exit.")] = False,
) -> None:
    if version:
        console.print(f"glasnost {__version__}")
        raise typer.Exit()


_end_without_teardown = False


def end_without_teardown() -> None:
    """Mark the running command as one that leaves nothing open when it returns (its outputs
    written and closed, no thread running): :func:`main` then ends the process as soon as the
    command returns, without the interpreter's teardown of every module (about 0.2 s once
    NumPy, SciPy and Numba are loaded, all spent after the last output)."""
    global _end_without_teardown
    _end_without_teardown = True


def app_for(args: Sequence[str]) -> typer.Typer:
    """The app that runs the command line ``args`` (the words after ``glasnost``): the whole
    :data:`app` with only the command or command group that ``args`` names first, or the whole
    app where they name none (no words, an option first, a name that is no command: help,
    ``--version`` and the suggestions of a misspelling are those of the whole app) and for
    shell completion.

    Typer builds every command of an app from its function's signature each time the app
    runs (about 80 ms for the 38 commands here, spent before any command starts); a command
    alone builds in a few ms and parses, helps and fails exactly as within the whole app."""
    if not args or args[0].startswith("-") or "_GLASNOST_COMPLETE" in os.environ:
        return app
    commands = [
        c
        for c in app.registered_commands
        if (c.name or typer.main.get_command_name(getattr(c.callback, "__name__", ""))) == args[0]
    ]
    groups = [g for g in app.registered_groups if g.name == args[0]]
    if len(commands) + len(groups) != 1:
        return app
    one = copy.copy(app)
    one.registered_commands, one.registered_groups = commands, groups
    return one


def main() -> None:
    from glasnost.exchange import signatures

    signatures.set_processes(None)  # large batches of signatures verified on all cores
    try:
        app_for(sys.argv[1:])()
    except SystemExit as done:
        if _end_without_teardown and (done.code is None or isinstance(done.code, int)):
            _end_now(done.code or 0)
        raise


def _end_now(code: int) -> None:
    """End the process with ``code`` now: the standard streams flushed and the exit handlers
    run (as at a normal exit), the modules not torn down. Returns (for a normal exit) where
    a stream cannot be flushed or a thread other than this one still runs."""
    if threading.active_count() > 1:
        return
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):  # a closed pipe: the normal exit reports it
        return
    atexit._run_exitfuncs()
    os._exit(code)
