"""The README's command blocks, run top to bottom in one folder as a user of a fresh clone
runs them: every fenced ``console`` and ``sh`` block, in order, each command as written.

Every fenced block is accounted for: it runs here, or the HTML comment right above it says
``not run by the tests: WHY`` (``make demo`` / ``make test``, which set up and run this very
suite) or names the test that runs it (the Python block: ``tests/unit/test_api.py``). The
changes the tests make are the ones the comments above the blocks state, and each must apply:

- ``glasnost serve ... &`` lines are real server processes, on free ports instead of the
  README's 8001 and 8002; ``kill %1 %2`` and ``wait`` stop them as a shell would; a
  ``glasnost serve`` in the foreground is a server that the test stops (Ctrl-C) once its
  dashboard answers;
- the sweeps run with ``--samples 4`` and ``--levels 2`` (each sample is a whole assessment);

every other command runs through the CLI, in-process. The folder holds a copy of ``examples/``,
as a clone does.
"""

from __future__ import annotations

import contextlib
import json
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from glasnost.cli import app

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
GLASNOST = [sys.executable, "-c", "from glasnost.cli import main; main()"]
FENCE = re.compile(r"^```(?P<lang>\w*)\n(?P<body>.*?)^```$", re.M | re.S)
NOT_RUN = "not run by the tests: "
SMALLER = {"--samples 512": "--samples 4", "--levels 9": "--levels 2"}
"""What the tests run instead (the README says so above the sweep block)."""


@dataclass(frozen=True)
class Block:
    """A fenced block of the README: its language, body, line and the comment right above."""

    lang: str
    body: str
    line: int
    note: str | None

    def commands(self) -> list[str]:
        """The command lines: ``$ ...`` lines of a console block; an sh block's lines joined
        where they end in a backslash, comments and blank lines dropped."""
        if self.lang == "console":
            return [line[2:] for line in self.body.splitlines() if line.startswith("$ ")]
        joined = self.body.replace("\\\n", " ")
        lines = [line.split("  #")[0].strip() for line in joined.splitlines()]
        return [line for line in lines if line and not line.startswith("#")]


def readme_blocks() -> list[Block]:
    text = README.read_text(encoding="utf-8")
    blocks = []
    for match in FENCE.finditer(text):
        before = text[: match.start()].rstrip()
        note = None
        if before.endswith("-->"):  # the comment right above the block
            note = before[before.rindex("<!--") + 4 : -3].strip()
        line = text.count("\n", 0, match.start()) + 1
        blocks.append(Block(match["lang"], match["body"], line, note))
    return blocks


def readme_commands() -> list[str]:
    """Every command the tests run, in the README's order."""
    out: list[str] = []
    for block in readme_blocks():
        note = block.note or ""
        if note.startswith(NOT_RUN) or note.startswith("python: run by "):
            continue
        out += block.commands()
    return out


def test_every_command_block_runs_here_or_says_why_not() -> None:
    blocks = readme_blocks()
    assert len(blocks) >= 7
    for block in blocks:
        where = f"README.md:{block.line} ({block.lang})"
        note = block.note or ""
        if note.startswith(NOT_RUN):
            assert len(note) > len(NOT_RUN) + 20, f"{where}: say why it is not run"
        elif note.startswith("python: run by "):
            runner_file = ROOT / note.removeprefix("python: run by ").split()[0]
            assert "README.md" in runner_file.read_text(), f"{where}: {runner_file} runs it"
        else:
            assert block.lang in ("console", "sh"), f"{where}: a block the tests do not run"
            assert block.commands(), f"{where}: no command"
    commands = readme_commands()
    assert commands[0] == "glasnost assess"  # the tour's first command: make demo's
    assert all(c.split()[0] in ("glasnost", "kill", "wait") for c in commands), commands


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def background() -> Iterator[list[subprocess.Popen[bytes]]]:
    processes: list[subprocess.Popen[bytes]] = []
    try:
        yield processes
    finally:
        for process in processes:
            if process.poll() is None:
                process.terminate()
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def start_server(args: list[str], folder: Path, log: Path) -> subprocess.Popen[bytes]:
    """``glasnost serve ARGS`` in a process; returns once it answers /v1/health."""
    with open(log, "wb") as out:
        process = subprocess.Popen([*GLASNOST, *args], cwd=folder, stdout=out, stderr=out)
    url = f"http://127.0.0.1:{args[args.index('--port') + 1]}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"server exited: {log.read_text()[-2000:]}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{url}/v1/health", timeout=1).status_code == 200:
                return process
        time.sleep(0.1)
    process.kill()
    pytest.fail(f"server did not answer: {log.read_text()[-2000:]}")


def stop(process: subprocess.Popen[bytes], log: Path, sig: int = signal.SIGTERM) -> None:
    """Stop a server as ``kill`` (SIGTERM) or Ctrl-C (SIGINT) does: it shuts down cleanly
    (the server re-raises the signal once shut down, as uvicorn does)."""
    process.send_signal(sig)
    assert process.wait(timeout=15) in (0, -sig, 128 + sig)
    assert "Traceback" not in log.read_text()


def test_readme_command_blocks_run_top_to_bottom(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    commands = readme_commands()
    assert sum(c.endswith("&") for c in commands) == 2
    assert "kill %1 %2" in commands  # the README stops what it starts
    ports = {"8001": str(free_port()), "8002": str(free_port())}
    for text in SMALLER:
        assert any(text in c for c in commands), f"the README no longer says {text}"
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    monkeypatch.chdir(tmp_path)
    runner = CliRunner(env={"COLUMNS": "200", "GLASNOST_DB": None, "GLASNOST_KEY": None})
    logs: list[Path] = []
    with background() as jobs:
        for number, line in enumerate(commands):
            for readme_port, port in ports.items():
                line = line.replace(f":{readme_port}", f":{port}").replace(
                    f"--port {readme_port}", f"--port {port}"
                )
            for text, smaller in SMALLER.items():
                line = line.replace(text, smaller)
            args = shlex.split(line.removesuffix("&"))
            if args[0] == "kill":
                for job in args[1:]:
                    number = int(job.removeprefix("%")) - 1
                    stop(jobs[number], logs[number])
                continue
            if args[0] == "wait":
                assert all(job.poll() is not None for job in jobs)
                continue
            assert args[0] == "glasnost", line
            log = tmp_path / f"server-{number}.log"
            if line.endswith("&"):
                jobs.append(start_server(args[1:], tmp_path, log))
                logs.append(log)
                continue
            if args[1] == "serve":  # in the foreground: it serves until Ctrl-C
                server = start_server(args[1:], tmp_path, log)
                page = httpx.get(f"http://127.0.0.1:{args[args.index('--port') + 1]}/")
                assert page.status_code == 200
                assert "glasnost" in page.text
                stop(server, log, signal.SIGINT)
                assert "in use" not in log.read_text()
                continue
            result = runner.invoke(app, args[1:])
            assert result.exit_code == 0, f"{line}\n{result.output}"
            assert "Traceback" not in result.output

            if line.startswith("glasnost log verify --db ru.db"):
                # what the walkthrough promises: Russia holds both entries, acknowledged
                mirror = runner.invoke(
                    app, ["log", "show", "--db", "ru.db", "--log", "US", "--json"]
                )
                shown = json.loads(mirror.stdout)
                assert [e["type"] for e in shown["entries"]] == ["declaration", "notification"]
                status = runner.invoke(app, ["node", "status", "--db", "us.db", "--json"])
                own = json.loads(status.stdout)["logs"][0]
                assert own["checkpoint"]["size"] == 2
                assert own["checkpoint"]["cosignatures"] == ["glasnost/RU"]
                # no agreement binds the nodes: the two entries are notices, not violations
                state = runner.invoke(app, ["agreement", "status", "--db", "us.db", "--json"])
                findings = json.loads(state.stdout)["findings"]
                assert [f["severity"] for f in findings] == ["notice", "notice"]
    # what the tour and the sweeps promise to write
    for path in ("report.html", "report.geojson", "report.kml", "sweep.html", "map.html"):
        assert (tmp_path / path).stat().st_size > 0, path
    for folder in ("figures", "tables", "layers", "glasnost-sweep", "grid", "glasnost-demo"):
        assert any((tmp_path / folder).iterdir()), folder
