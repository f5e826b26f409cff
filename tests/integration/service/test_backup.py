"""Backups of a served node: ``glasnost node backup`` copies the live SQLite database with its
write-ahead log, ``node restore`` brings it back, and a plain copy of the database file made
while the node serves it, without its ``-wal`` file, is refused with a message naming the file,
never shown as an emptier node."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from glasnost.cli import app
from glasnost.exchange.backup import MissingWal, mark_in_use
from glasnost.exchange.node import Node
from glasnost.exchange.store import make_engine

from .nodes import init_node, make_party
from .test_nodes import Pair, StartServer

runner = CliRunner(env={"COLUMNS": "400", "GLASNOST_DB": None, "GLASNOST_KEY": None})


def glasnost(*args: str | Path, code: int = 0) -> str:
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    return result.output


def notify(pair: Pair, details: str) -> None:
    glasnost(
        *("notify", "--db", pair.us_db, "--key", pair.us.key_path, "--event", "other"),
        *("--window-start", "2030-06-10", "--window-end", "2030-06-12", "--details", details),
    )


def notification_body(details: str) -> dict[str, Any]:
    start = dt.datetime(2030, 6, 10, tzinfo=dt.UTC)
    return {
        "event_type": "other",
        "phase": "pre_event",
        "window_start": start,
        "window_end": start + dt.timedelta(days=2),
        "details": details,
    }


def entries(db: Path) -> list[str]:
    shown = json.loads(glasnost("log", "show", "--db", db, "--json"))
    return [e["summary"].rsplit(": ", 1)[1] for e in shown["entries"]]


def test_rejects_a_copy_of_a_served_database_without_its_wal(
    pair: Pair, servers: StartServer, tmp_path: Path
) -> None:
    servers(pair.us_db, pair.us)
    notify(pair, "written while served")
    wal = Path(f"{pair.us_db}-wal")
    assert wal.stat().st_size > 0  # the entry is in the WAL, not yet in us.db itself
    copy = tmp_path / "copy.db"
    shutil.copy(pair.us_db, copy)
    output = glasnost("log", "show", "--db", copy, code=2)
    assert f"{copy}: copied (or its WAL removed) while a node served it" in output
    assert "copy.db-wal is not beside it" in output
    # with its WAL beside it, the copy is the node, entry included
    shutil.copy(wal, tmp_path / "copy.db-wal")
    assert entries(copy) == ["written while served"]


def test_a_node_stopped_cleanly_leaves_one_complete_file(
    pair: Pair, servers: StartServer, tmp_path: Path
) -> None:
    server = servers(pair.us_db, pair.us)
    notify(pair, "before the stop")
    server.stop()  # checkpoints the WAL into us.db and clears the node's mark
    copy = tmp_path / "copy.db"
    shutil.copy(pair.us_db, copy)
    assert entries(copy) == ["before the stop"]


def test_backup_of_a_served_node_and_restore(
    pair: Pair, servers: StartServer, tmp_path: Path
) -> None:
    servers(pair.us_db, pair.us)
    notify(pair, "first")
    notify(pair, "second")
    out = tmp_path / "us-backup.db"
    report = json.loads(glasnost("node", "backup", "--db", pair.us_db, "--out", out, "--json"))
    assert report["logs"] == {"US": 2, "RU": 0}
    assert report["verified"] is True
    assert not Path(f"{out}-wal").exists()  # one self-contained file
    assert entries(out) == ["first", "second"]
    output = glasnost("node", "backup", "--db", pair.us_db, "--out", out, code=2)
    assert "us-backup.db: exists; a backup never overwrites a file" in output

    restored = tmp_path / "restored.db"
    glasnost("node", "restore", out, "--db", restored)
    assert entries(restored) == ["first", "second"]
    # an existing database is replaced only when asked to
    output = glasnost("node", "restore", out, "--db", pair.ru_db, code=2)
    assert "exists; give --force to replace it" in output
    assert entries(pair.ru_db) == []
    glasnost("node", "restore", out, "--db", pair.ru_db, "--force")
    assert entries(pair.ru_db) == ["first", "second"]


def test_restore_refuses_a_file_that_is_not_a_node(tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all")
    output = glasnost("node", "restore", junk, "--db", tmp_path / "new.db", code=2)
    assert "junk.db" in output
    assert not (tmp_path / "new.db").exists()


def test_postgresql_backups_are_made_with_pg_dump(tmp_path: Path) -> None:
    out = tmp_path / "us.dump"
    url = "postgresql://glasnost:secret@db.example:5432/us"
    output = glasnost("node", "backup", "--db", url, "--out", out, code=2)
    assert "pg_dump --format=custom --file" in output
    assert "postgresql://glasnost@db.example:5432/us" in output
    assert "secret" not in output
    assert not out.exists()


def test_the_served_file_itself_opens_after_a_crash(pair: Pair, servers: StartServer) -> None:
    server = servers(pair.us_db, pair.us)
    notify(pair, "before the crash")
    server.kill()  # the mark stays; the next connection to close checkpoints and drops the WAL
    assert entries(pair.us_db) == ["before the crash"]
    assert entries(pair.us_db) == ["before the crash"]


def test_every_entry_point_refuses_a_copy_without_its_wal(tmp_path: Path) -> None:
    """The guard is in ``Node.open`` (and ``Node.init``), so the library, the service and
    every command meet it, not only the commands that used to check first."""
    us = make_party("US", tmp_path)
    db = init_node(tmp_path / "us.db", us)
    mark_in_use(db)  # as glasnost serve does at start
    node = Node.open(str(db), key=us.key)  # the served node, still open: its WAL holds the entry
    try:
        node.write("notification", notification_body("written while served"))
        assert Path(f"{db}-wal").stat().st_size > 0
        copy = tmp_path / "copy.db"
        shutil.copy(db, copy)
    finally:
        node.engine.dispose()
    for opening in (
        lambda: Node.open(str(copy)),
        lambda: Node.open(f"sqlite:///{copy}"),
        lambda: Node.open(make_engine(copy)),
        lambda: Node.init(str(copy), us.keys, us.key),
    ):
        with pytest.raises(MissingWal, match=r"copy\.db-wal is not beside it") as caught:
            opening()
        assert caught.value.where == str(copy)
    assert not Path(f"{copy}-wal").exists()  # nothing opened it (an empty WAL would hide it)
    output = glasnost("serve", "--db", copy, "--key", us.key_path, "--port", "0", code=2)
    assert "copied (or its WAL removed) while a node served it" in output
    assert "glasnost node" not in output.split("copied")[0]  # refused before any start line


def test_the_guard_keeps_the_locks_of_the_process_other_connections(tmp_path: Path) -> None:
    """A process that holds connections to a node (the demo, a test, a library user) opens it
    again while another process serves it (marks it, checkpoints its WAL). Reading the header
    through a separate file descriptor would drop this process's POSIX locks on the file when
    closed, and SQLite then fails with "disk I/O error" (sqlite.org/howtocorrupt.html, 2.2)."""
    us = make_party("US", tmp_path)
    db = init_node(tmp_path / "us.db", us)
    held = [Node.open(str(db), key=us.key) for _ in range(2)]

    def in_another_process(mark: str) -> None:
        code = f"import pathlib, glasnost.exchange.backup as b; b.{mark}(pathlib.Path({str(db)!r}))"
        subprocess.run([sys.executable, "-c", code], check=True)

    try:
        for k in range(4):
            in_another_process("mark_in_use")
            held.append(Node.open(str(db), key=us.key))
            held[-1].write("notification", notification_body(f"written {k}"))
            in_another_process("mark_closed")
        assert [n.own.size() for n in held] == [4] * len(held)
    finally:
        for node in held:
            node.engine.dispose()
