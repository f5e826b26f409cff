"""A peer's node in the same process: the :class:`~glasnost.exchange.replication.Peer` that
tests, the demo and tools use where no network is needed (in the manner of httpx's
``MockTransport``): the same node, store and witness code as over HTTP, the same requests,
called directly.

Each request is made as the node of ``client``: it reads the peer's own log, writes only to
the peer's mirror of the client's log, and submits only the client's checkpoints. Errors the
peer's node raises come back as :class:`~glasnost.exchange.replication.SyncError` (a
:class:`~glasnost.exchange.replication.PeerConflict` where HTTP would answer 409), as
``HttpPeer`` reports an error answer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING

from glasnost.exchange.checkpoint import (
    decode_add_checkpoint,
    encode_add_checkpoint,
    parse_checkpoint,
    parse_note,
)
from glasnost.exchange.entries import SignedEntry
from glasnost.exchange.errors import ConflictError, ExchangeError, LogNotFound
from glasnost.exchange.replication import PAGE, MirrorState, PeerConflict, SyncError

if TYPE_CHECKING:
    from glasnost.exchange.node import Node
    from glasnost.exchange.store import LogStore

__all__ = ["LocalPeer"]


class LocalPeer:
    """The node ``node`` as the node of party ``client`` sees it (a replication ``Peer``)."""

    def __init__(self, node: Node | Callable[[], Node], client: str) -> None:
        """``node`` may be a callable returning the node, for a node that is reopened between
        calls (e.g. with the key of another administration)."""
        self._node = node
        self.client = client

    @property
    def node(self) -> Node:
        return self._node() if callable(self._node) else self._node

    @property
    def name(self) -> str:
        return f"node {self.node.party}"

    @property
    def party(self) -> str:
        return self.node.party

    @property
    def origin(self) -> str:
        return self.node.own.origin

    @contextmanager
    def _request(self) -> Iterator[None]:
        try:
            yield
        except ConflictError as exc:
            raise PeerConflict(f"{self.name}: {exc}") from None
        except ExchangeError as exc:
            raise SyncError(f"{self.name}: {exc}") from None

    def _client_mirror(self) -> LogStore:
        node = self.node
        if self.client == node.party:
            raise SyncError(f"{self.name}: a node does not mirror or witness its own log")
        with self._request():
            return node.log(self.client)

    # --- reading ----------------------------------------------------------------------------

    def checkpoint(self) -> str | None:
        with self._request():
            return self.node.published_checkpoint()

    def entries(self, start: int, end: int) -> list[SignedEntry]:
        with self._request():
            return self.node.own.entries(start, min(end, start + PAGE))

    def consistency(self, old: int, new: int) -> list[bytes]:
        with self._request():
            return self.node.own.consistency_proof(old, new)

    def mirror_state(self, origin: str) -> MirrorState | None:
        node = self.node
        try:
            mirror = node.log(origin)
        except LogNotFound:
            return None
        if mirror is node.own:
            return None
        cosigned = mirror.latest_cosigned(node.witness_name)
        return MirrorState(mirror.size(), 0 if cosigned is None else cosigned.size)

    # --- writing ----------------------------------------------------------------------------

    def push_entries(self, start: int, entries: Sequence[SignedEntry]) -> int:
        mirror = self._client_mirror()
        held = mirror.size()
        if start != held:
            raise PeerConflict(f"{self.name}: holds {held} entries of {mirror.origin}")
        with self._request():
            mirror.append(entries)
        return mirror.size()

    def add_checkpoint(self, old_size: int, proof: Sequence[bytes], note: str) -> str:
        mirror = self._client_mirror()
        with self._request():
            request = decode_add_checkpoint(encode_add_checkpoint(old_size, proof, note))
            origin = parse_checkpoint(parse_note(request.note).text).origin
            if origin != mirror.origin:
                raise SyncError(f"{self.name}: {self.client} may submit its own log's only")
            return self.node.cosign(request.note, proof=request.proof, old_size=request.old_size)

    def return_cosignature(self, note: str) -> dict[str, int]:
        self._client_mirror()
        with self._request():
            return self.node.add_cosignatures(note)
