"""The command line builds only the command it runs (:func:`glasnost.cli.common.app_for`):
each command helps, parses and fails exactly as within the whole app, and everything that is
not one command's line (no words, an option first, a misspelt name) gets the whole app."""

from __future__ import annotations

import pytest
import typer.main
from typer.testing import CliRunner

from glasnost.cli import app
from glasnost.cli.common import app_for

runner = CliRunner()


def _command_lines() -> list[list[str]]:
    """Every command and command group of the app, and every command of each group."""
    whole = typer.main.get_command(app)
    lines: list[list[str]] = []
    for name, command in whole.commands.items():  # type: ignore[attr-defined]
        lines.append([name])
        lines += [[name, sub] for sub in getattr(command, "commands", {})]
    return lines


LINES = _command_lines()


def test_every_command_is_listed() -> None:
    names = {line[0] for line in LINES}
    assert {"assess", "trajectory", "log", "agreement", "node", "keys", "sync"} <= names
    assert ["log", "show"] in LINES
    assert ["agreement", "status"] in LINES


@pytest.mark.parametrize("line", LINES, ids=" ".join)
def test_help_is_that_of_the_whole_app(line: list[str]) -> None:
    one = app_for(line)
    assert one is not app
    assert len(one.registered_commands) + len(one.registered_groups) == 1
    alone = runner.invoke(one, [*line, "--help"])
    whole = runner.invoke(app, [*line, "--help"])
    assert alone.exit_code == whole.exit_code == 0
    assert alone.output == whole.output


@pytest.mark.parametrize(
    "args",
    [
        ["assess", "--no-such-option"],
        ["assess", "--shape", "sideways"],
        ["trajectory"],
        ["log", "show", "--bogus"],
        ["log", "no-such-command"],
        ["agreement"],
        ["assess", "--json", "--scenario", "/nonexistent/scenario.yaml"],
    ],
    ids=" ".join,
)
def test_errors_are_those_of_the_whole_app(args: list[str]) -> None:
    alone = runner.invoke(app_for(args), args)
    whole = runner.invoke(app, args)
    assert alone.exit_code == whole.exit_code != 0
    assert alone.output == whole.output


@pytest.mark.parametrize(
    "args", [[], ["--help"], ["--version"], ["asess"], ["--json", "assess"]], ids=" ".join
)
def test_no_single_command_gets_the_whole_app(args: list[str]) -> None:
    assert app_for(args) is app


def test_misspelt_command_suggests_as_before() -> None:
    result = runner.invoke(app_for(["asess"]), ["asess"])
    assert result.exit_code == 2
    assert "assess" in result.output


def test_shell_completion_gets_the_whole_app(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("_GLASNOST_COMPLETE", "bash_complete")
    assert app_for(["assess"]) is app


def test_the_whole_app_is_left_as_it_was() -> None:
    before = (list(app.registered_commands), list(app.registered_groups))
    app_for(["assess"])
    app_for(["log", "show"])
    assert (app.registered_commands, app.registered_groups) == before
