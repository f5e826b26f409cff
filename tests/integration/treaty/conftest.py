"""Two nodes (United States, Russia) in SQLite files with a shared, settable clock, exchanging
in-process: the same store, node and witness code as over HTTP, without the network, so the
agreement's rules can be tested at chosen times.

Each party has two administrations: ``us-1`` (in office from 2025-01-20 to 2029-01-20) and its
successor ``us-2``; ``ru-1`` and ``ru-2`` likewise (2024-05-07 to 2030-05-07).
"""

from __future__ import annotations

import datetime as dt
import secrets
import sqlite3
from collections.abc import Mapping
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel
from sqlalchemy.engine import Engine

from glasnost.exchange.keys import Administration, PartyKeys, PrivateKey
from glasnost.exchange.local_peer import LocalPeer
from glasnost.exchange.node import Node, Written
from glasnost.exchange.replication import pull
from glasnost.treaty import actions
from glasnost.treaty.agreement import Agreement, builtin_agreement
from glasnost.treaty.bodies import Ref
from glasnost.treaty.logs import LogView, views_of_node

START = dt.datetime(2026, 1, 10, 9, tzinfo=dt.UTC)

TERMS = {
    "US": (dt.datetime(2025, 1, 20, tzinfo=dt.UTC), dt.datetime(2029, 1, 20, tzinfo=dt.UTC)),
    "RU": (dt.datetime(2024, 5, 7, tzinfo=dt.UTC), dt.datetime(2030, 5, 7, tzinfo=dt.UTC)),
}


@dataclass
class Clock:
    """A settable UTC clock shared by both nodes."""

    now: dt.datetime = START

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> dt.datetime:
        self.now += dt.timedelta(**delta)
        return self.now


def party_keys(party: str, keys: list[PrivateKey]) -> PartyKeys:
    start, change = TERMS[party]
    low = party.lower()
    return PartyKeys(
        party=party,
        key_name=f"glasnost/{party}",
        administrations=(
            Administration(
                party=party,
                id=f"{low}-1",
                name=f"{party} first administration",
                public_key=keys[0].public_key.to_base64(),
                valid_from=start,
                valid_until=change,
            ),
            Administration(
                party=party,
                id=f"{low}-2",
                name=f"{party} second administration",
                public_key=keys[1].public_key.to_base64(),
                valid_from=change,
            ),
        ),
    )


@dataclass
class Side:
    """One party: its node (opened with the key of the administration in office), its keys;
    the node's database is the SQLite file ``path`` unless an ``engine`` is given."""

    party: str
    path: Path
    keys: list[PrivateKey]
    record: PartyKeys
    clock: Clock
    engine: Engine | None = None
    node: Node = field(init=False)

    def __post_init__(self) -> None:
        self.node = Node.init(self.database, self.record, self.keys[0], clock=self.clock)

    @property
    def database(self) -> str | Engine:
        return str(self.path) if self.engine is None else self.engine

    def use_administration(self, index: int) -> None:
        """Reopen the node with administration ``index``'s key (0: first, 1: successor)."""
        self.node = Node.open(self.database, key=self.keys[index], clock=self.clock)

    def write(
        self, entry_type: str, body: BaseModel | Mapping[str, Any], refs: tuple[Ref, ...] = ()
    ) -> Written:
        return self.node.write(entry_type, body, refs=refs)

    def ref(self, written: Written) -> Ref:
        return Ref(party=self.party, seq=written.seq, hash=written.hash)


@dataclass
class Pair:
    us: Side
    ru: Side
    clock: Clock
    agreement: Agreement

    def sides(self) -> tuple[Side, Side]:
        return self.us, self.ru

    def at(self, when: dt.datetime) -> None:
        """Set the clock and reopen each node with the key of the administration in office."""
        self.clock.now = when
        for side in self.sides():
            in_office = side.record.key_for(when)
            side.use_administration(side.record.administrations.index(in_office))

    def deliver(self, sender: Side, receiver: Side) -> None:
        """What a sync's pull does, in-process: the receiver pulls the sender's log (a fresh
        checkpoint, its new entries), cosigns it at the clock's time and returns the
        cosignature (:func:`glasnost.exchange.replication.pull` with a ``LocalPeer``)."""
        pull(receiver.node, LocalPeer(lambda: sender.node, receiver.party))

    def exchange(self) -> None:
        """Both directions."""
        self.deliver(self.us, self.ru)
        self.deliver(self.ru, self.us)

    def views(self, side: Side | None = None) -> dict[str, LogView]:
        """The two logs as one node sees them (the US node by default)."""
        return views_of_node((side or self.us).node)


def sign_both(pair: Pair) -> Ref:
    """US proposes; both sign (referencing the proposal) an hour later; delivered both ways
    five minutes after: the agreement is in force. Returns the proposal."""
    us, ru, agreement = pair.us, pair.ru, pair.agreement
    proposal = us.ref(us.write("propose", actions.propose(agreement)))
    pair.exchange()
    pair.clock.advance(hours=1)
    us.write("sign", actions.sign(agreement), refs=(proposal,))
    ru.write("sign", actions.sign(agreement), refs=(proposal,))
    pair.clock.advance(minutes=5)
    pair.exchange()
    return proposal


@pytest.fixture
def pair(tmp_path: Path) -> Pair:
    """US and RU nodes that follow each other, at START, with the built-in agreement."""
    return new_pair(tmp_path)


def new_pair(path: Path, engines: tuple[Engine, Engine] | None = None) -> Pair:
    """What the ``pair`` fixture gives, in ``path`` (or in the stores ``engines``, US's and
    RU's): for set-ups shared by a module."""
    clock = Clock()
    sides = []
    for i, party in enumerate(("US", "RU")):
        keys = [PrivateKey.from_seed(secrets.token_bytes(32)) for _ in range(2)]
        record = party_keys(party, keys)
        engine = None if engines is None else engines[i]
        sides.append(Side(party, path / f"{party.lower()}.db", keys, record, clock, engine))
    us, ru = sides
    us.node.follow(ru.record)
    ru.node.follow(us.record)
    return Pair(us, ru, clock, builtin_agreement())


@dataclass
class OpenedSide(Side):
    """A side over a node database that exists already (opened, not created), with the key
    of the administration in office at the clock's time."""

    def __post_init__(self) -> None:
        in_office = self.record.key_for(self.clock.now)
        key = self.keys[self.record.administrations.index(in_office)]
        self.node = Node.open(str(self.path), key=key, clock=self.clock)


def copy_pair(source: Pair, path: Path) -> Pair:
    """An independent copy of ``source`` in ``path``: both node databases copied (SQLite
    backup, consistent while the source is open), a clock of its own at the source's time."""
    clock = Clock(source.clock.now)
    sides = []
    for side in source.sides():
        target = path / side.path.name
        with closing(sqlite3.connect(side.path)) as src, closing(sqlite3.connect(target)) as dst:
            src.backup(dst)
        sides.append(OpenedSide(side.party, target, side.keys, side.record, clock))
    return Pair(sides[0], sides[1], clock, source.agreement)
