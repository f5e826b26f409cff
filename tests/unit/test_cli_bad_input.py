"""Bad input on the command line: one precise line (file, field or option, reason) and exit 2,
never a traceback; with ``--json`` the same error as a JSON object on stdout. Also the options
that keep the commands consistent: ``--scenario NAME|FILE`` everywhere, ``--json`` on every
command that reports, ``keys generate --force``, shell completion."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from glasnost.cli import app
from glasnost.scenario.builtin import BUILTIN_NAMES

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "us-ru.yaml"

runner = CliRunner(
    env={"COLUMNS": "200", "FORCE_COLOR": None, "TTY_COMPATIBLE": None, "GLASNOST_DB": None}
)


def invoke(*args: str | Path) -> Result:
    return runner.invoke(app, [str(a) for a in args])


def error_of(result: Result) -> str:
    """The error line of a refused command: exit 2, no traceback, nothing on stdout."""
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def json_error_of(result: Result) -> dict[str, Any]:
    """The JSON error object of a refused ``--json`` command (exit code unchanged: 2)."""
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    data: dict[str, Any] = json.loads(result.stdout)
    assert data["exit_code"] == 2
    assert set(data["error"]) == {"kind", "message", "where", "issues"}
    return data["error"]


@pytest.fixture
def bad_date_scenario(tmp_path: Path) -> Path:
    text = EXAMPLE.read_text()
    assert "\ndate: 2025-01-01\n" in text
    path = tmp_path / "bad-date.yaml"
    path.write_text(text.replace("\ndate: 2025-01-01\n", "\ndate: 2025-13-45\n", 1))
    return path


@pytest.fixture
def key(tmp_path: Path) -> Path:
    path = tmp_path / "us.key"
    assert invoke("keys", "generate", "--party", "US", "--out", path).exit_code == 0
    return path


@pytest.fixture
def node_db(tmp_path: Path, key: Path) -> Path:
    db = tmp_path / "us.db"
    result = invoke("node", "init", "--party", "US", "--db", db, "--key", key)
    assert result.exit_code == 0, result.output
    return db


# --- scenarios ----------------------------------------------------------------------------------


def test_impossible_date_in_a_scenario_names_file_line_and_value(bad_date_scenario: Path) -> None:
    line = error_of(invoke("scenario", "validate", bad_date_scenario))
    date_line = bad_date_scenario.read_text().splitlines().index("date: 2025-13-45") + 1
    assert line.startswith(f"error: {bad_date_scenario}: invalid YAML at line {date_line},"), line
    assert "'2025-13-45' is not a valid date (month must be in 1..12)" in line


def test_impossible_date_in_an_override_names_the_override() -> None:
    line = error_of(invoke("scenario", "show", "--set", "date=2025-13-45"))
    assert line.startswith("error: --set date=2025-13-45: value is not valid YAML:"), line
    assert "'2025-13-45' is not a valid date" in line


def test_scenario_that_is_a_directory_is_named(tmp_path: Path) -> None:
    line = error_of(invoke("assess", "--scenario", tmp_path))
    assert line == f"error: {tmp_path}: is a directory, not a scenario file"


def test_unknown_builtin_scenario_lists_the_builtin_names() -> None:
    line = error_of(invoke("assess", "--scenario", "us-cn"))
    assert line == (
        "error: --scenario us-cn: neither a built-in scenario "
        f"({', '.join(BUILTIN_NAMES)}) nor a scenario file"
    )


def test_missing_scenario_file_is_named(tmp_path: Path) -> None:
    missing = tmp_path / "missing.yaml"
    assert error_of(invoke("assess", "--scenario", missing)) == f"error: {missing}: no such file"


def test_scenario_spelling_is_one_option_with_the_builtin_alias() -> None:
    by_option = invoke("scenario", "show", "--scenario", "us-ru-cn", "--json")
    by_alias = invoke("scenario", "show", "--builtin", "us-ru-cn", "--json")
    by_argument = invoke("scenario", "show", "us-ru-cn", "--json")
    assert by_option.exit_code == by_alias.exit_code == by_argument.exit_code == 0
    assert json.loads(by_option.stdout)["name"] == "us-ru-cn"
    assert by_option.stdout == by_alias.stdout == by_argument.stdout
    both = invoke("assess", "--scenario", "us-ru", "--builtin", "us-ru")
    assert "give --scenario or --builtin, not both" in both.stderr
    assert both.exit_code == 2


def test_date_outside_the_catalog_years_warns() -> None:
    result = invoke("scenario", "show", "--date", "1900-01-01", "--json")
    assert result.exit_code == 0, result.output
    # The years of the built-in us-ru: its earliest in-service date (Aegis Ashore Romania,
    # 2016-05-12) to its posture date (2025-01-01).
    assert result.stderr.startswith(
        "warning: --date 1900-01-01 is outside the years the built-in catalog describes (2016-2025)"
    ), result.stderr
    assert json.loads(result.stdout)["date"] == "1900-01-01"


@pytest.mark.parametrize(
    "args",
    [["--date", "2020-01-01"], ["--date", "2025-06-30"], [str(EXAMPLE), "--date", "1900-01-01"]],
)
def test_no_warning_within_the_catalog_years_or_for_a_scenario_file(args: list[str]) -> None:
    result = invoke("scenario", "show", *args, "--json")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""


# --- databases and keys -------------------------------------------------------------------------


def test_db_that_is_not_a_database_is_named(tmp_path: Path) -> None:
    not_db = tmp_path / "notes.db"
    not_db.write_text("these are notes, not a database\n")
    line = error_of(invoke("node", "status", "--db", not_db))
    assert line == f"error: --db: {not_db} is not a SQLite database (glasnost node init makes one)"
    assert not_db.read_text() == "these are notes, not a database\n"  # not touched


def test_db_that_is_a_directory_is_named(tmp_path: Path, key: Path) -> None:
    expected = f"error: --db: {tmp_path} is a directory, not a database file"
    assert error_of(invoke("node", "status", "--db", tmp_path)) == expected
    init = invoke("node", "init", "--party", "US", "--db", tmp_path, "--key", key)
    assert error_of(init) == expected


def test_node_init_with_a_missing_key_names_the_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.key"
    db = tmp_path / "us.db"
    line = error_of(invoke("node", "init", "--party", "US", "--db", db, "--key", missing))
    assert line == f"error: {missing}: cannot read the key file: No such file or directory"
    assert not db.exists()


def test_node_init_refuses_a_party_not_in_the_agreement(tmp_path: Path, key: Path) -> None:
    db = tmp_path / "xx.db"
    line = error_of(invoke("node", "init", "--party", "XX", "--db", db, "--key", key))
    assert line == "error: --party: XX is not a party of the agreement us-ru (US, RU)"
    assert not db.exists()  # nothing written


def test_keys_generate_over_a_key_asks_for_force(key: Path) -> None:
    before = key.read_bytes()
    line = error_of(invoke("keys", "generate", "--party", "US", "--out", key))
    assert (
        line
        == f"error: --out: {key} exists; refusing to overwrite a key (pass --force to replace it)"
    )
    assert key.read_bytes() == before
    replaced = invoke("keys", "generate", "--party", "US", "--out", key, "--force")
    assert replaced.exit_code == 0, replaced.output
    assert key.read_bytes() != before
    assert key.stat().st_mode & 0o777 == 0o600


# --- --json -------------------------------------------------------------------------------------


def test_json_error_is_an_object_on_stdout(tmp_path: Path) -> None:
    result = invoke("node", "status", "--db", tmp_path, "--json")
    error = json_error_of(result)
    assert error == {
        "kind": "InputError",
        "message": f"--db: {tmp_path} is a directory, not a database file",
        "where": "--db",
        "issues": [],
    }
    assert "error: --db:" in result.stderr  # the line for people stays on stderr


def test_json_error_of_a_document_lists_its_issues(bad_date_scenario: Path) -> None:
    error = json_error_of(invoke("scenario", "validate", bad_date_scenario, "--json"))
    assert error["kind"] == "ScenarioError"
    assert error["where"] == str(bad_date_scenario)
    (issue,) = error["issues"]
    assert "'2025-13-45' is not a valid date" in issue["message"]


def test_json_usage_error_is_an_object_with_its_option() -> None:
    result = invoke("assess", "--date", "someday", "--json")
    error = json_error_of(result)
    assert error["kind"] == "BadParameter"
    assert error["where"] == "--date"
    assert "'someday' is not a date YYYY-MM-DD" in error["message"]


def test_without_json_errors_leave_stdout_empty(tmp_path: Path) -> None:
    result = invoke("assess", "--date", "someday")
    assert result.exit_code == 2
    assert result.stdout == ""


def test_node_keys_json(tmp_path: Path, node_db: Path) -> None:
    printed = invoke("node", "keys", "--db", node_db, "--json")
    assert printed.exit_code == 0, printed.output
    assert json.loads(printed.stdout)["party"] == "US"
    out = tmp_path / "us.json"
    written = invoke("node", "keys", "--db", node_db, "--out", out, "--json")
    assert written.exit_code == 0, written.output
    assert json.loads(written.stdout) == {"file": str(out), "party": "US"}
    assert json.loads(out.read_text()) == json.loads(printed.stdout)


NOT_REPORTING = {"serve"}
"""Commands that report nothing to a script: ``serve`` runs until stopped."""


def _commands(command: Any, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Any]]:
    subcommands = getattr(command, "commands", None)
    if subcommands is None:
        return [(path, command)]
    return [found for name, sub in subcommands.items() for found in _commands(sub, (*path, name))]


def test_every_command_that_reports_takes_json() -> None:
    import typer.main

    commands = _commands(typer.main.get_command(app))
    assert len(commands) > 30
    lacking = [
        " ".join(path)
        for path, command in commands
        if " ".join(path) not in NOT_REPORTING
        and not any("--json" in getattr(p, "opts", ()) for p in command.params)
    ]
    assert lacking == []


# --- shell completion ---------------------------------------------------------------------------


def _glasnost() -> str:
    script = Path(sys.executable).with_name("glasnost")
    assert script.exists(), script
    return str(script)


def test_show_completion_prints_a_bash_script() -> None:
    # Typer's switch for tests: take the shell from the option, not from the parent process.
    env = {**os.environ, "_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION": "1"}
    result = subprocess.run(
        [_glasnost(), "--show-completion", "bash"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    assert "_GLASNOST_COMPLETE=complete_bash" in result.stdout


@pytest.mark.parametrize(
    ("words", "expected"), [("glasnost as", "assess"), ("glasnost node ke", "keys")]
)
def test_completion_completes_commands(words: str, expected: str) -> None:
    env = {
        **os.environ,
        "_GLASNOST_COMPLETE": "complete_bash",
        "COMP_WORDS": words,
        "COMP_CWORD": str(len(words.split()) - 1),
    }
    result = subprocess.run([_glasnost()], capture_output=True, text=True, env=env, check=True)
    assert result.stdout.split() == [expected]


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("ftp://x", "is not a peer node's URL"),
        ("127.0.0.1:8001", "is not a peer node's URL"),
        ("http://127.0.0.1:99999", "the port is not a number in 0-65535"),
    ],
)
@pytest.mark.parametrize("command", ["serve", "sync"])
def test_a_peer_that_is_not_a_node_url_is_refused_at_once(
    node_db: Path, key: Path, command: str, url: str, reason: str
) -> None:
    """``--peer`` is checked before a server starts or a sync is tried."""
    line = error_of(invoke(command, "--db", node_db, "--key", key, "--peer", url))
    assert line.startswith("error: --peer: ")
    assert reason in line
