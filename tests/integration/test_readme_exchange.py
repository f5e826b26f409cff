"""The README's command blocks, run as written and in order: from the exchange walkthrough's
marker on, every ``sh`` block's commands in one folder. ``glasnost serve ... &`` lines are real
server processes (on free ports instead of the README's 8001 and 8002), ``kill %1 %2`` and
``wait`` stop them as a shell would, a ``glasnost serve`` in the foreground is a server that the
test stops (Ctrl-C) once it answers; every other command runs through the CLI."""

from __future__ import annotations

import contextlib
import json
import shlex
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from glasnost.cli import app

README = Path(__file__).resolve().parents[2] / "README.md"
MARKER = "<!-- walkthrough:"
GLASNOST = [sys.executable, "-c", "from glasnost.cli import main; main()"]


def readme_commands() -> list[list[str]]:
    """The command lines of each ``sh`` block from the marker on (comments and blanks dropped)."""
    text = README.read_text(encoding="utf-8")
    blocks = text[text.index(MARKER) :].split("```sh\n")[1:]
    out = []
    for block in blocks:
        lines = [line.split("  #")[0].strip() for line in block.split("```", 1)[0].splitlines()]
        out.append([line for line in lines if line and not line.startswith("#")])
    return out


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
    blocks = readme_commands()
    commands = [line for block in blocks for line in block]
    assert sum(c.endswith("&") for c in commands) == 2
    assert "kill %1 %2" in commands  # the README stops what it starts
    ports = {"8001": str(free_port()), "8002": str(free_port())}
    monkeypatch.chdir(tmp_path)
    runner = CliRunner(env={"COLUMNS": "200", "GLASNOST_DB": None, "GLASNOST_KEY": None})
    logs: list[Path] = []
    with background() as jobs:
        for number, line in enumerate(commands):
            for readme_port, port in ports.items():
                line = line.replace(f":{readme_port}", f":{port}").replace(
                    f"--port {readme_port}", f"--port {port}"
                )
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
