"""``glasnost demo exchange``: the agreement end to end, between two real nodes on loopback.

In a folder (default ``glasnost-demo``): keys and nodes for the United States and Russia, each
node served by ``glasnost serve`` in its own process; the built-in agreement proposed and
signed; baseline declarations of the built-in scenario's postures; a notification of an
interceptor test; an assessment requested by the United States and confirmed by Russia; then an
administration change on each side (the United States' successor adopts the agreement,
Russia's refuses it); the status and compliance report. Every step between the parties goes
over signed HTTP requests (``sync``); the databases stay in the folder for inspection.

Two callbacks report: ``say`` the steps as they are done (the demo's story), ``progress`` what
runs now, before each part that takes seconds (a node starting, a sync, the assessment and its
recomputation, a change of administration), so that a long part is never silent.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from glasnost.exchange.keys import (
    Administration,
    PartyKeys,
    PrivateKey,
    generate_key,
    write_private_key,
)
from glasnost.exchange.node import Node
from glasnost.scenario.builtin import builtin_scenario
from glasnost.service.sync import sync_once
from glasnost.treaty import actions
from glasnost.treaty.agreement import Agreement, builtin_agreement
from glasnost.treaty.lifecycle import Lifecycle, lifecycle
from glasnost.treaty.logs import views_of_node
from glasnost.treaty.postures import declaration_from_scenario

__all__ = ["DemoResult", "run_exchange_demo"]

Say = Callable[[str], None]
"""say(text): one step done (``say``), or the part that runs now (``progress``)."""

PARTIES = {"US": "United States", "RU": "Russia"}

_DEMO_FILE = re.compile(r"(us|ru)(\.db(-wal|-shm|-journal)?|-\d+\.key|-server\.log)")
"""The files a run leaves: only those are removed when the folder is reused."""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _next_second(after: dt.datetime) -> dt.datetime:
    """The first whole second strictly after ``after``: entry times have whole seconds."""
    return after.replace(microsecond=0) + dt.timedelta(seconds=1)


def _wait_until(when: dt.datetime) -> None:
    delay = (when - _now()).total_seconds()
    if delay > 0:
        time.sleep(delay + 0.05)


@dataclass
class _Party:
    """One party of the demo: its folder files, keys, node and server process."""

    party: str
    folder: Path
    keys: list[PrivateKey] = field(default_factory=list)
    record: PartyKeys | None = None
    port: int = 0
    server: subprocess.Popen[bytes] | None = None

    @property
    def db(self) -> Path:
        return self.folder / f"{self.party.lower()}.db"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def key_file(self, index: int) -> Path:
        return self.folder / f"{self.party.lower()}-{index + 1}.key"

    def node(self) -> Node:
        """The node, opened with the key of the administration in office now."""
        assert self.record is not None
        in_office = self.record.key_for(_now())
        index = self.record.administrations.index(in_office)
        return Node.open(str(self.db), key=self.keys[index])

    def start(self) -> None:
        """Serve the node (key in office) in a process and wait until it answers."""
        assert self.record is not None
        index = self.record.administrations.index(self.record.key_for(_now()))
        log = open(self.folder / f"{self.party.lower()}-server.log", "ab")  # noqa: SIM115
        self.server = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "from glasnost.cli import main; main()",
                "serve",
                "--db",
                str(self.db),
                "--key",
                str(self.key_file(index)),
                "--port",
                str(self.port),
                "--sync-interval",
                "0",
            ],
            stdout=log,
            stderr=log,
        )
        log.close()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.server.poll() is not None:
                raise RuntimeError(f"the {self.party} node exited; see {log.name}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{self.url}/v1/health", timeout=1).status_code == 200:
                    return
            time.sleep(0.1)
        raise RuntimeError(f"the {self.party} node did not start; see {log.name}")

    def stop(self) -> None:
        if self.server is None:
            return
        self.server.terminate()
        try:
            self.server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.server.kill()
            self.server.wait()
        self.server = None


@dataclass
class DemoResult:
    """What the demo left: the folder, the status and the compliance report (JSON)."""

    folder: Path
    lifecycle: dict[str, Any]
    compliance: dict[str, Any] | None
    seconds: float
    steps: list[str]

    def to_json(self) -> dict[str, Any]:
        return {
            "folder": str(self.folder),
            "lifecycle": self.lifecycle,
            "compliance": self.compliance,
            "seconds": self.seconds,
            "steps": self.steps,
        }


def _silent(text: str) -> None:
    """A ``progress`` that reports nothing."""


def run_exchange_demo(
    folder: Path, *, say: Say = print, progress: Say = _silent, overwrite: bool = True
) -> DemoResult:
    """Run the whole exchange (module docstring) in ``folder``; returns the final status.
    ``say`` gets each step once done, ``progress`` each slow part as it starts."""
    started = time.monotonic()
    if folder.exists() and any(folder.iterdir()):
        foreign = sorted(p.name for p in folder.iterdir() if not _DEMO_FILE.fullmatch(p.name))
        if foreign or not overwrite:
            raise FileExistsError(
                f"{folder} holds files other than an earlier demo's ({', '.join(foreign[:5])}); "
                "choose another --dir"
                if foreign
                else f"{folder} is not empty"
            )
        for path in folder.iterdir():  # an earlier run's keys, databases and server logs
            path.unlink()
    folder.mkdir(parents=True, exist_ok=True)
    agreement = builtin_agreement()
    steps: list[str] = []

    def step(text: str) -> None:
        steps.append(text)
        say(text)

    parties = {p: _Party(p, folder) for p in PARTIES}
    with _servers(parties):
        _setup(parties, step, progress)
        us, ru = parties["US"], parties["RU"]

        def sync(sender: _Party, receiver: _Party) -> None:
            progress(f"syncing {sender.party} with {receiver.party} over HTTP")
            report = sync_once(sender.node(), receiver.url)
            step(
                f"  sync {sender.party} <-> {receiver.party}: pulled {report.pulled}, pushed "
                f"{report.pushed}; {receiver.party} acknowledged {report.acknowledged_size}"
            )

        step("The United States proposes the agreement; both parties sign it")
        actions.take(us.node(), agreement, "propose")
        sync(us, ru)
        for side in (us, ru):
            actions.take(side.node(), agreement, "sign")
        sync(us, ru)
        step(f"  agreement: {_status(us, agreement).state}")

        step("Baseline declarations from the built-in scenario (open-source postures)")
        scenario = builtin_scenario("us-ru")
        for side in (us, ru):
            written = side.node().write(
                "declaration", declaration_from_scenario(scenario, side.party)
            )
            step(f"  {side.party}#{written.seq}: baseline, sha256 {written.hash[:16]}")
        sync(us, ru)

        step("The United States notifies an interceptor test 12 days ahead (10 required)")
        start = (_now() + dt.timedelta(days=12)).replace(hour=0, minute=0, second=0, microsecond=0)
        us.node().write(
            "notification",
            {
                "event_type": "interceptor_test",
                "phase": "pre_event",
                "window_start": start,
                "window_end": start + dt.timedelta(days=2),
                "site_ids": [],
                "details": "intercept test of an IRBM-class target over the Pacific",
            },
        )
        sync(us, ru)

        _confirm(us, ru, agreement, step, sync, progress)

        step("Administration change in the United States: final entry; the successor adopts")
        _change(us, ru, agreement, step, sync, progress, adopt=True)
        step("Administration change in Russia: final entry; the successor refuses")
        _change(ru, us, agreement, step, sync, progress, adopt=False)

        progress("the agreement's status and compliance report")
        state = _status(us, agreement)
        report = _compliance(us, agreement)
    step(f"Done: the agreement is {state.state}; databases are in {folder}")
    return DemoResult(
        folder=folder,
        lifecycle=state.to_json(),
        compliance=report,
        seconds=time.monotonic() - started,
        steps=steps,
    )


@contextlib.contextmanager
def _servers(parties: dict[str, _Party]) -> Iterator[None]:
    try:
        yield
    finally:
        for side in parties.values():
            side.stop()


def _setup(parties: dict[str, _Party], step: Say, progress: Say) -> None:
    step("Keys and nodes for the United States and Russia; each follows the other")
    progress("generating keys and creating both node databases")
    since = _now().replace(microsecond=0) - dt.timedelta(minutes=1)
    for side in parties.values():
        key = generate_key()
        write_private_key(side.key_file(0), key)
        side.keys.append(key)
        low = side.party.lower()
        side.record = PartyKeys(
            party=side.party,
            key_name=f"glasnost/{side.party}",
            administrations=(
                Administration(
                    party=side.party,
                    id=f"{low}-1",
                    name=f"{PARTIES[side.party]}, first administration",
                    public_key=key.public_key.to_base64(),
                    valid_from=since,
                ),
            ),
        )
        Node.init(str(side.db), side.record, key)
        side.port = _free_port()
    us, ru = parties["US"], parties["RU"]
    assert us.record is not None
    assert ru.record is not None
    us.node().follow(ru.record)
    ru.node().follow(us.record)
    for side in parties.values():
        progress(f"starting the {side.party} node (glasnost serve, in its own process)")
        side.start()
        step(f"  {side.party} node on {side.url}/v1/ ({side.db.name})")


def _status(side: _Party, agreement: Agreement) -> Lifecycle:
    return lifecycle(agreement, views_of_node(side.node()))


def _compliance(side: _Party, agreement: Agreement) -> dict[str, Any] | None:
    from glasnost.treaty.compliance import compliance

    result: dict[str, Any] = compliance(agreement, views_of_node(side.node())).to_json()
    return result


def _confirm(
    us: _Party, ru: _Party, agreement: Agreement, step: Say, sync: Any, progress: Say
) -> None:
    from glasnost.treaty.confirmation import confirm_check, confirm_request

    step("The United States records an assessment of the declared postures; Russia recomputes")
    progress("the United States assesses the declared postures (trajectories, engagements)")
    written = confirm_request(us.node(), agreement)
    step(f"  US#{written.seq}: assessment")
    sync(us, ru)
    progress("Russia recomputes the assessment from the logged declarations")
    for answer in confirm_check(ru.node(), agreement):
        step(f"  RU#{answer.seq}: {_entry_type(answer)} of US#{written.seq}")
    sync(ru, us)


def _entry_type(written: Any) -> str:
    import json

    return str(json.loads(written.signed.entry)["type"])


def _change(
    side: _Party,
    peer: _Party,
    agreement: Agreement,
    step: Say,
    sync: Any,
    progress: Say,
    *,
    adopt: bool,
) -> None:
    """The outgoing administration writes final (and its checkpoint); the successor's key is
    added to the record, shared with the peer; the successor adopts or refuses."""
    assert side.record is not None
    node = side.node()
    outgoing = side.record.administrations[-1]
    final = actions.take(node, agreement, "final", note="end of term")
    final_checkpoint = node.own.checkpoints(min_size=final.seq + 1)[0]  # written with it
    step(
        f"  {side.party}#{final.seq}: final entry of {outgoing.id}; "
        f"final checkpoint {final_checkpoint.size}"
    )
    sync(side, peer)

    change_at = _next_second(_now())
    successor_key = generate_key()
    index = len(side.keys)
    write_private_key(side.key_file(index), successor_key)
    side.keys.append(successor_key)
    successor_id = f"{side.party.lower()}-{index + 1}"
    side.record = PartyKeys(
        party=side.party,
        key_name=side.record.key_name,
        administrations=(
            *side.record.administrations[:-1],
            outgoing.model_copy(update={"valid_until": change_at}),
            Administration(
                party=side.party,
                id=successor_id,
                name=f"{PARTIES[side.party]}, successor administration",
                public_key=successor_key.public_key.to_base64(),
                valid_from=change_at,
            ),
        ),
    )
    progress(f"waiting for the change of administration at {change_at:%H:%M:%S} UTC")
    _wait_until(change_at)
    progress(f"stopping the {side.party} node to add the successor's key")
    side.stop()
    Node.open(str(side.db)).extend_keys(side.record)
    peer.node().follow(side.record)  # the new record, shared out of band and checked
    progress(f"restarting the {side.party} node with the successor's key")
    side.start()
    step(f"  {side.party}: successor administration {successor_id} in office, key record shared")

    node = side.node()
    if adopt:
        written = actions.take(node, agreement, "adopt")
        step(f"  {side.party}#{written.seq}: {successor_id} adopts the agreement")
    else:
        written = actions.take(
            node, agreement, "refuse", reason="the new administration does not adopt it"
        )
        step(f"  {side.party}#{written.seq}: {successor_id} refuses the agreement")
    sync(side, peer)


def demo_folder_default() -> Path:
    return Path(os.environ.get("GLASNOST_DEMO_DIR", "glasnost-demo"))
