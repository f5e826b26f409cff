"""Real glasnost nodes for the service tests: parties with key files, node databases in SQLite
files, and ``glasnost serve`` in a subprocess per node, on a free port of 127.0.0.1.

:class:`NodeServer` starts, stops, kills and restarts one server process; its stderr goes to a
file whose tail :meth:`NodeServer.tail` gives for assertion messages.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from glasnost.exchange.entries import SignedEntry, sign_entry
from glasnost.exchange.keys import (
    Administration,
    PartyKeys,
    PrivateKey,
    generate_key,
    write_private_key,
)
from glasnost.exchange.node import Node
from glasnost.service.auth import RequestSigner
from glasnost.treaty.bodies import NotificationEntry

GLASNOST = Path(sys.executable).parent / "glasnost"
"""The ``glasnost`` console script of the interpreter running the tests."""

HEALTH_TIMEOUT_S = 20.0
STOP_TIMEOUT_S = 30.0  # a clean stop (SIGTERM) checkpoints the WAL; a loaded machine needs time
PORT_TRIES = 8
SINCE = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True)
class Party:
    """A party (or an observer) with one administration: key record, private key, key file."""

    keys: PartyKeys
    key: PrivateKey
    key_path: Path

    @property
    def id(self) -> str:
        return self.keys.party

    @property
    def origin(self) -> str:
        return self.keys.key_name

    @property
    def key_id(self) -> str:
        return self.keys.key_id(self.keys.administrations[0])

    def signer(self, audience: str) -> RequestSigner:
        """httpx auth that signs requests as this party, for the node of origin ``audience``."""
        return RequestSigner(self.id, self.key_id, self.key, audience=audience)

    def client(self, url: str) -> httpx.Client:
        """An HTTP client for a node's API whose requests this party signs (close it); the
        node's origin, which the requests are signed for, comes from its ``/v1/health``."""
        origin = httpx.get(f"{url}/v1/health", timeout=30.0).json()["origin"]
        return httpx.Client(base_url=url, auth=self.signer(origin), timeout=30.0)

    def write_record(self, path: Path) -> Path:
        """Write the key record as JSON (what ``glasnost node keys`` writes)."""
        path.write_text(json.dumps(self.keys.model_dump(mode="json"), indent=2) + "\n")
        return path

    def notifications(
        self, start: int, count: int, *, details: str = "flight test"
    ) -> list[SignedEntry]:
        """``count`` signed notifications of this party's log from seq ``start``, created now."""
        now = dt.datetime.now(dt.UTC).replace(microsecond=0)
        return [
            notification(self.id, seq, self.key, self.key_id, details=f"{details} {seq}", at=now)
            for seq in range(start, start + count)
        ]


def notification(
    party: str,
    seq: int,
    key: PrivateKey,
    key_id: str,
    *,
    details: str = "flight test",
    at: dt.datetime | None = None,
) -> SignedEntry:
    """A notification entry of ``party``'s log at ``seq``, signed by ``key`` under ``key_id``
    (which need not be the party's: attacks sign with the wrong key)."""
    envelope = NotificationEntry.model_validate(
        {
            "party": party,
            "seq": seq,
            "created_at": at or dt.datetime.now(dt.UTC).replace(microsecond=0),
            "body": {
                "event_type": "interceptor_test",
                "phase": "pre_event",
                "window_start": "2026-04-01T00:00:00Z",
                "window_end": "2026-04-03T00:00:00Z",
                "details": details,
            },
        }
    )
    return sign_entry(envelope, key, key_id)


def make_party(party: str, folder: Path, *, key: PrivateKey | None = None) -> Party:
    """A party ``party`` (log ``glasnost/<party>``) in office since 2020, its key in a file."""
    key = key or generate_key()
    adm = Administration(
        party=party,
        id=f"{party.lower()}-2020",
        name=f"{party} administration",
        public_key=key.public_key.to_base64(),
        valid_from=SINCE,
    )
    keys = PartyKeys(party=party, key_name=f"glasnost/{party}", administrations=(adm,))
    key_path = folder / f"{party.lower()}-{key.public_key.to_base64()[:8].replace('/', '_')}.key"
    return Party(keys, key, write_private_key(key_path, key))


def init_node(db: Path, party: Party, *peers: Party) -> Path:
    """Make ``db`` the node of ``party``, following ``peers``; returns ``db``."""
    node = Node.init(str(db), party.keys, party.key)
    try:
        for peer in peers:
            node.follow(peer.keys)
    finally:
        node.engine.dispose()
    return db


@contextmanager
def open_node(db: Path, party: Party | None = None) -> Iterator[Node]:
    """The node in ``db`` (with ``party``'s key when given, so it can sign); disposed after."""
    node = Node.open(str(db), key=None if party is None else party.key)
    try:
        yield node
    finally:
        node.engine.dispose()


def free_port() -> int:
    """A TCP port of 127.0.0.1 that was free a moment ago (the system picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class NodeServer:
    """``glasnost serve`` for one node database in a subprocess (no background sync)."""

    def __init__(
        self,
        db: Path,
        party: Party,
        log_dir: Path,
        *,
        port: int | None = None,
        args: Sequence[str] = (),
    ) -> None:
        self.db = db
        self.party = party
        self.port = free_port() if port is None else port
        self.args = list(args)
        self._auto_port = port is None
        self.stderr_path = log_dir / f"serve-{party.id.lower()}-{self.port}.log"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        return [
            str(GLASNOST),
            "serve",
            "--db",
            str(self.db),
            "--key",
            str(self.party.key_path),
            "--port",
            str(self.port),
            "--sync-interval",
            "0",
            *self.args,
        ]

    def start(self, db: Path | None = None) -> NodeServer:
        """Start the server (from ``db`` instead, when given) and wait until it answers.

        When another process took the port meanwhile, a port picked here is replaced by another
        free one; a given port (a restart: peers know the URL) is tried again a moment later."""
        if self.process is not None:
            raise RuntimeError(f"the server on port {self.port} is running")
        if db is not None:
            self.db = db
        for _ in range(PORT_TRIES):
            if self._launch():
                return self
            if self._auto_port:
                self.port = free_port()
            else:
                time.sleep(0.25)
        raise RuntimeError(f"port {self.port} stayed in use ({PORT_TRIES} tries):\n{self.tail()}")

    def _launch(self) -> bool:
        """Start the process; True once it answers, False if its port was taken."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("GLASNOST_")}
        with open(self.stderr_path, "ab") as stderr:
            stderr.write(f"--- {' '.join(self.command())}\n".encode())
            stderr.flush()
            start = stderr.tell()
            self.process = subprocess.Popen(
                self.command(), stdin=subprocess.DEVNULL, stdout=stderr, stderr=stderr, env=env
            )
        deadline = time.monotonic() + HEALTH_TIMEOUT_S
        while True:
            code = self.process.poll()
            if code is not None:
                self.process = None
                if "address already in use" in self._log(start).lower():
                    return False
                raise RuntimeError(f"{self.url}: the server exited ({code}):\n{self.tail()}")
            try:
                response = httpx.get(f"{self.url}/v1/health", timeout=1.0)
            except httpx.HTTPError:
                pass
            else:
                if response.status_code == 200:
                    health = response.json()
                    if health.get("party") != self.party.id:
                        self.stop()
                        raise RuntimeError(f"{self.url}: another node answers: {health}")
                    return True
            if time.monotonic() > deadline:
                self.stop()
                raise TimeoutError(
                    f"{self.url}: no health after {HEALTH_TIMEOUT_S:g} s:\n{self.tail()}"
                )
            time.sleep(0.05)

    def _log(self, start: int = 0) -> str:
        try:
            with open(self.stderr_path, "rb") as log:
                log.seek(start)
                return log.read().decode("utf-8", "replace")
        except FileNotFoundError:
            return ""

    def stop(self) -> None:
        """Terminate the server (SIGTERM, then SIGKILL) and reap it; nothing if not running."""
        process, self.process = self.process, None
        if process is None:
            return
        process.terminate()
        try:
            process.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def kill(self) -> None:
        """SIGKILL the server at once (a crash) and reap it."""
        process, self.process = self.process, None
        if process is None:
            return
        process.send_signal(signal.SIGKILL)
        process.wait()

    def restart(self, db: Path | None = None) -> NodeServer:
        """Stop the server and start it again on the same port (from ``db``, when given)."""
        self.stop()
        return self.start(db)

    def tail(self, chars: int = 4000) -> str:
        """The end of the server's stderr (for assertion messages)."""
        return f"--- {self.stderr_path.name} ---\n{self._log()[-chars:]}"
