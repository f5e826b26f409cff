"""Backups of a node's SQLite database, and a guard against a copy that lost its write-ahead log.

A node's SQLite database runs in WAL mode: a commit is durable in ``DB-wal`` first and reaches
the database file itself only at a checkpoint. A plain copy of ``us.db`` taken while a node
serves it, without ``us.db-wal``, is a valid database that lacks everything written since the
last checkpoint; opened, it would look like a node with fewer (or no) entries. So:

- :func:`backup` copies a live database with SQLite's online backup API (a consistent snapshot,
  WAL included) into one self-contained file (journal mode DELETE);
- :func:`restore` copies such a file back into a node's path through the same API (SQLite
  handles the target's own WAL, so no stale ``-wal`` file is ever applied to it);
- :func:`mark_in_use` / :func:`mark_closed` (``glasnost serve`` calls them at start and stop)
  write a marker into the database header and checkpoint it into the file itself, so that the
  file says "a node has me open" while one does: ``PRAGMA user_version`` set to
  :data:`IN_USE`, and ``PRAGMA application_id`` to the file's inode number. :func:`check_wal`
  (which :meth:`glasnost.exchange.node.Node.open` runs, so every entry point meets it)
  refuses a marked file that is *another* file (another inode: a copy) with no ``-wal`` file
  beside it: the WAL's data is missing. The served file itself may lose its ``-wal`` file
  legitimately (after a crash, the next connection to close checkpoints it in full and deletes
  it). It reads the header through SQLite with ``immutable=1``: no lock, no ``-wal`` file
  created (an ordinary connection would create an empty one and hide the problem), and no
  separate file descriptor that, closed, would drop the POSIX locks of this process's other
  connections to the file (SQLite defers closing its own descriptors while locks are held).

PostgreSQL databases are backed up with ``pg_dump`` (:func:`pg_dump_guidance`).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Final

from glasnost.exchange.errors import ExchangeError

__all__ = [
    "IN_USE",
    "MissingWal",
    "backup",
    "check_wal",
    "mark_closed",
    "mark_in_use",
    "pg_dump_guidance",
    "restore",
    "sqlite_file",
]

IN_USE: Final = 0x676C6E75
"""``PRAGMA user_version`` while a node serves the database ("glnu")."""


def _inode(path: Path) -> int:
    """The file's inode number, as ``PRAGMA application_id`` holds it (31 bits)."""
    return path.stat().st_ino & 0x7FFFFFFF


class MissingWal(ExchangeError):  # noqa: N818 (an ExchangeError, named for what it finds)
    """A database file that a node had open, without its write-ahead log beside it."""


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite database URL or path (None for a server database)."""
    if "://" not in url:
        return Path(url)
    if url.startswith("sqlite:///"):
        return Path(url.removeprefix("sqlite:///"))
    return None


def _wal(path: Path) -> Path:
    return path.with_name(path.name + "-wal")


def check_wal(path: Path) -> None:
    """Refuse a database file that a node had open when it was copied, without its WAL."""
    if not path.is_file():
        return  # nothing to check here: opening it reports why
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
        try:
            marker = conn.execute("PRAGMA user_version").fetchone()[0]
            served = conn.execute("PRAGMA application_id").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error:
        return  # not a database, or not readable: opening it reports why
    if marker == IN_USE and served != _inode(path) and not _wal(path).exists():
        raise MissingWal(
            "copied (or its WAL removed) while a node served it, and its "
            f"write-ahead log {_wal(path).name} is not beside it: entries written since the "
            "last checkpoint are missing from this file. Put the -wal file back beside it, or "
            "restore a backup (glasnost node restore); copy a live node with glasnost node "
            "backup",
            where=str(path),
        )


def _set_marker(path: Path, value: int) -> None:
    served = _inode(path) if value else 0
    with sqlite3.connect(path, timeout=30.0) as conn:
        conn.execute(f"PRAGMA user_version = {int(value)}")
        conn.execute(f"PRAGMA application_id = {served}")
    conn.close()
    with sqlite3.connect(path, timeout=30.0) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # into the file itself, now
    conn.close()


def mark_in_use(path: Path) -> None:
    """Mark the database file as served by a node (written through to the file)."""
    _set_marker(path, IN_USE)


def mark_closed(path: Path) -> None:
    """Clear the mark when the node stops serving the database."""
    _set_marker(path, 0)


def backup(path: Path, out: Path) -> None:
    """A consistent copy of the live database at ``path`` in the new file ``out``: one
    self-contained file (journal mode DELETE, no in-use mark)."""
    if out.exists():
        raise ExchangeError("exists; a backup never overwrites a file", where=str(out))
    check_wal(path)
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30.0)
    target = sqlite3.connect(out)
    try:
        source.backup(target)
        target.execute("PRAGMA journal_mode = DELETE")
        target.execute("PRAGMA user_version = 0")
        target.execute("PRAGMA application_id = 0")
        target.commit()
    except BaseException:
        target.close()
        out.unlink(missing_ok=True)
        raise
    finally:
        source.close()
    target.close()


def restore(file: Path, path: Path) -> None:
    """Copy the backup ``file`` into the database at ``path`` (which no node may be serving)."""
    check_wal(file)
    source = sqlite3.connect(f"file:{file}?mode=ro", uri=True, timeout=30.0)
    target = sqlite3.connect(path, timeout=30.0)
    try:
        source.backup(target)
        target.execute("PRAGMA journal_mode = WAL")
        target.execute("PRAGMA user_version = 0")
        target.execute("PRAGMA application_id = 0")
        target.commit()
        target.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        source.close()
        target.close()


def pg_dump_guidance(url: str, out: Path) -> str:
    """How to back up (and restore) a PostgreSQL node database with the PostgreSQL tools (the
    URL's password is not repeated: pg_dump reads it from ~/.pgpass or PGPASSWORD)."""
    import sqlalchemy as sa

    plain = sa.make_url(url)._replace(drivername="postgresql", password=None)
    url = plain.render_as_string(hide_password=False)
    return (
        "a PostgreSQL node is backed up with PostgreSQL's own tools:\n"
        f"  pg_dump --format=custom --file {out} '{url}'\n"
        "and restored (into an empty database, the node stopped) with:\n"
        f"  pg_restore --clean --if-exists --dbname '{url}' {out}\n"
        "see docs/deploy.md"
    )
