"""The README's exchange walkthrough, run as written: every command in order, in one folder,
the two ``glasnost serve ... &`` lines as real server processes (on free ports instead of the
README's 8001 and 8002), the others through the CLI."""

from __future__ import annotations

import contextlib
import json
import shlex
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
MARKER = "<!-- walkthrough: exchange"
GLASNOST = [sys.executable, "-c", "from glasnost.cli import main; main()"]


def walkthrough() -> list[str]:
    """The command lines of the fenced block after the marker (comments and blanks dropped)."""
    text = README.read_text(encoding="utf-8")
    block = text[text.index(MARKER) :].split("```sh\n", 1)[1].split("```", 1)[0]
    lines = [line.strip() for line in block.splitlines()]
    return [line for line in lines if line and not line.startswith("#")]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def background(folder: Path) -> Iterator[list[subprocess.Popen[bytes]]]:
    processes: list[subprocess.Popen[bytes]] = []
    try:
        yield processes
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def wait_for(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"server exited: {log.read_text()[-2000:]}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{url}/v1/health", timeout=1).status_code == 200:
                return
        time.sleep(0.1)
    pytest.fail(f"server did not answer: {log.read_text()[-2000:]}")


def test_readme_exchange_walkthrough(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    commands = walkthrough()
    assert sum(c.endswith("&") for c in commands) == 2
    ports = {"8001": str(free_port()), "8002": str(free_port())}
    monkeypatch.chdir(tmp_path)
    runner = CliRunner(env={"COLUMNS": "200", "GLASNOST_DB": None, "GLASNOST_KEY": None})
    with background(tmp_path) as servers:
        for line in commands:
            for readme_port, port in ports.items():
                line = line.replace(f":{readme_port}", f":{port}").replace(
                    f"--port {readme_port}", f"--port {port}"
                )
            args = shlex.split(line.removesuffix("&"))
            assert args[0] == "glasnost"
            if line.endswith("&"):
                log = tmp_path / f"server-{len(servers)}.log"
                with open(log, "wb") as out:
                    servers.append(
                        subprocess.Popen(
                            [*GLASNOST, *args[1:]], cwd=tmp_path, stdout=out, stderr=out
                        )
                    )
                port = args[args.index("--port") + 1]
                wait_for(f"http://127.0.0.1:{port}", servers[-1], log)
                continue
            result = runner.invoke(app, args[1:])
            assert result.exit_code == 0, f"{line}\n{result.output}"
            assert "Traceback" not in result.output

        # what the walkthrough promises: Russia holds both entries and acknowledged them
        mirror = runner.invoke(app, ["log", "show", "--db", "ru.db", "--log", "US", "--json"])
        shown = json.loads(mirror.stdout)
        assert [e["type"] for e in shown["entries"]] == ["declaration", "notification"]
        status = json.loads(
            runner.invoke(app, ["node", "status", "--db", "us.db", "--json"]).stdout
        )
        own = status["logs"][0]
        assert own["checkpoint"]["size"] == 2
        assert own["checkpoint"]["cosignatures"] == ["glasnost/RU"]
