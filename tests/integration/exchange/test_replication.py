"""Two nodes in SQLite files syncing in process through :class:`LocalPeer`: the same pull and
push as over HTTP (:mod:`glasnost.exchange.replication`), and the attacks a pull must catch."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from glasnost.exchange.entries import SignedEntry
from glasnost.exchange.errors import SequenceError
from glasnost.exchange.local_peer import LocalPeer
from glasnost.exchange.node import Node
from glasnost.exchange.replication import SyncError, pull, sync

from .conftest import Party


def node(path: Path, party: Party, peer: Party) -> Node:
    opened = Node.init(str(path), party.keys, party.key)
    opened.follow(peer.keys)
    return opened


def test_one_sync_moves_entries_and_cosignatures_both_ways(
    tmp_path: Path, us: Party, ru: Party
) -> None:
    us_node, ru_node = node(tmp_path / "us.db", us, ru), node(tmp_path / "ru.db", ru, us)
    us_node.own.append(us.entries(0, 3))
    ru_node.own.append(ru.entries(0, 2))
    report = sync(us_node, LocalPeer(ru_node, "US"), page=2)
    assert (report.pulled, report.mirror_size, report.cosigned_size) == (2, 2, 2)
    assert (report.pushed, report.acknowledged_size) == (3, 3)
    assert ru_node.log("US").entries() == us_node.own.entries()
    assert us_node.log("RU").entries() == ru_node.own.entries()
    # each side keeps the other's cosignature of its own checkpoint: the acknowledgement
    assert list(us_node.own.cosignatures(3)) == [ru.keys.key_name]
    assert list(ru_node.own.cosignatures(2)) == [us.keys.key_name]
    again = sync(us_node, LocalPeer(ru_node, "US"))
    assert (again.pulled, again.pushed) == (0, 0)


def test_pull_from_a_node_that_does_not_follow_us_is_refused(
    tmp_path: Path, us: Party, ru: Party
) -> None:
    us_node = node(tmp_path / "us.db", us, ru)
    stranger = Node.init(str(tmp_path / "ru.db"), ru.keys, ru.key)
    us_node.own.append(us.entries(0, 1))
    with pytest.raises(SyncError, match=r"does not follow log glasnost\.example/US"):
        sync(us_node, LocalPeer(stranger, "US"))


@pytest.mark.parametrize(
    ("second_history", "reason"),
    [
        (
            [("forked", 0, 1)],
            "fork: the signed checkpoint of size 1 is not a prefix of the one of size 3",
        ),
        ([("kept", 0, 1), ("forked", 1, 5)], "the history was rewritten"),
    ],
    ids=["smaller-forked", "rewritten"],
)
def test_detects_a_log_that_changed_its_history(
    tmp_path: Path,
    us: Party,
    ru: Party,
    second_history: list[tuple[str, int, int]],
    reason: str,
) -> None:
    ru_node = node(tmp_path / "ru.db", ru, us)
    honest = node(tmp_path / "us.db", us, ru)
    honest.own.append(us.entries(0, 3))
    pull(ru_node, LocalPeer(honest, "RU"))
    liar = node(tmp_path / "us-other.db", us, ru)  # the same keys, another history
    for kind, start, end in second_history:
        if kind == "kept":
            liar.own.append(us.entries(start, end))
        else:
            liar.own.append([us.entry(seq, details="rewritten") for seq in range(start, end)])
    with pytest.raises(SyncError, match=reason):
        pull(ru_node, LocalPeer(liar, "RU"))
    mirror = ru_node.log("US")
    assert mirror.size() == 3
    [evidence] = mirror.evidence()
    assert reason in evidence["reason"]
    with pytest.raises(SyncError, match="no longer cosigns"):  # the witness stops for good
        pull(ru_node, LocalPeer(honest, "RU"))


def test_a_stale_checkpoint_is_lag_not_a_fork(tmp_path: Path, us: Party, ru: Party) -> None:
    """A peer that serves an older checkpoint of the same history (a restored replica, a
    publication behind its log) is behind, not forked: nothing is pulled, no evidence is kept,
    and cosigning goes on once it catches up (issue 12, finding 6)."""
    ru_node = node(tmp_path / "ru.db", ru, us)
    honest = node(tmp_path / "us.db", us, ru)
    honest.own.append(us.entries(0, 3))
    pull(ru_node, LocalPeer(honest, "RU"))
    behind = node(tmp_path / "us-behind.db", us, ru)  # the same keys and history, shorter
    behind.own.append(us.entries(0, 1))
    assert pull(ru_node, LocalPeer(behind, "RU")) == (0, None, True)
    mirror = ru_node.log("US")
    assert mirror.size() == 3
    assert mirror.evidence() == []
    honest.own.append(us.entries(3, 4))
    assert pull(ru_node, LocalPeer(honest, "RU")) == (1, 4, False)


class _Recording(LocalPeer):
    """A peer that records the pages asked for, and on the third stores two pages itself into
    the puller's mirror first, as a second sync running at the same time would."""

    def __init__(self, node: Node, client: str, puller: Node) -> None:
        super().__init__(node, client)
        self.asked: list[tuple[int, int, str]] = []
        self.puller = puller

    def entries(self, start: int, end: int) -> list[SignedEntry]:
        self.asked.append((start, end, threading.current_thread().name))
        if len(self.asked) == 3:
            mirror = self.puller.log(self.party)
            while True:  # the pull may store its page between our size and our append
                held = mirror.size()
                try:
                    mirror.append(self.node.own.entries(held, held + 4))
                    break
                except SequenceError:
                    continue
        return super().entries(start, end)


def test_pull_fetches_ahead_and_resumes_after_another_sync(
    tmp_path: Path, us: Party, ru: Party
) -> None:
    us_node, ru_node = node(tmp_path / "us.db", us, ru), node(tmp_path / "ru.db", ru, us)
    ru_node.own.append(ru.entries(0, 11))
    ru_node.checkpoint()
    peer = _Recording(ru_node, "US", us_node)
    pulled, cosigned, behind = pull(us_node, peer, page=2)
    assert not behind
    assert cosigned == 11
    assert us_node.log("RU").entries() == ru_node.own.entries()
    assert pulled == 11 - 4  # the other sync stored 4 of them (whichever append came first)
    # pages asked ahead, in a fetching thread; after the conflict, from the mirror's new size
    assert all(name.startswith("glasnost-pull") for *_, name in peer.asked)
    starts = [start for start, _, _ in peer.asked]
    assert starts[:3] == [0, 2, 4]
    assert starts[-1] == 10
    assert starts == sorted(set(starts))  # no page asked twice
