"""Docs that run: every ``$ glasnost ...`` line of the README's console blocks succeeds."""

from __future__ import annotations

import shlex
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from glasnost.cli import app

README = Path(__file__).resolve().parents[2] / "README.md"


def _readme_commands() -> list[str]:
    commands, inside = [], False
    for line in README.read_text().splitlines():
        if line.startswith("```"):
            inside = line.strip() == "```console"
            continue
        if inside and line.startswith("$ glasnost "):
            commands.append(line[len("$ glasnost ") :])
    return commands


def test_readme_has_console_examples() -> None:
    assert len(_readme_commands()) >= 5


@pytest.mark.parametrize("command", _readme_commands())
def test_readme_example_runs(command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Run where a user would (files the examples name are there), writing into a scratch copy.
    shutil.copytree(README.parent / "examples", tmp_path / "examples")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, shlex.split(command))
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
