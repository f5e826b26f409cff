"""The log store's replay verifier: every stored row of a log checked against the entry bytes.

:func:`verify_log` (and :meth:`glasnost.exchange.store.LogStore.verify`, which calls it) replays a
whole log in one read snapshot and reports the first :class:`Violation` in a :class:`VerifyReport`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from glasnost.exchange import merkle
from glasnost.exchange.canonical import utc_iso
from glasnost.exchange.checkpoint import (
    Verifier,
    add_signatures,
    log_verifiers,
    open_checkpoint,
    open_note,
)
from glasnost.exchange.entries import SignedEntry, signature_checks, verify_entry
from glasnost.exchange.errors import ExchangeError
from glasnost.exchange.keys import SIG_COSIGNATURE_V1, PartyKeys, PublicKey
from glasnost.exchange.tables import CheckpointRow, CosignatureRow, EntryRow, LogRow, NodeRow

__all__ = ["VerifyReport", "Violation", "verify_log"]


@dataclass(frozen=True)
class Violation:
    """The first thing :func:`verify_log` found wrong: which row (table, key) and why."""

    table: str
    key: tuple[int | str, ...]
    where: str
    reason: str

    def __str__(self) -> str:
        return f"{self.where}: {self.reason}"


@dataclass(frozen=True)
class VerifyReport:
    """Outcome of replaying a log from its stored rows."""

    origin: str
    size: int
    root: bytes
    entries: int
    nodes: int
    checkpoints: int
    cosignatures: int
    violation: Violation | None

    @property
    def ok(self) -> bool:
        return self.violation is None

    def __str__(self) -> str:
        head = (
            f"log {self.origin}: {self.entries} of {self.size} entries, {self.nodes} nodes, "
            f"{self.checkpoints} checkpoints, {self.cosignatures} cosignatures checked"
        )
        return f"{head}; OK" if self.violation is None else f"{head}; FAILED at {self.violation}"


class _Found(Exception):  # noqa: N818 (internal control flow of verify)
    def __init__(self, violation: Violation) -> None:
        self.violation = violation


def verify_log(engine: Engine, log_id: int, origin: str, *, chunk: int = 4096) -> VerifyReport:
    """Replay the whole log ``log_id`` (of ``origin``) from the stored rows, in one snapshot;
    report the first violation.

    In log order: the key record; for each entry, its seq (no gap), signature, party,
    schema and normal form (:func:`verify_entry`), its created_at (column, and not
    decreasing), its stored leaf hash, and every node hash it completes, recomputed from
    the entry bytes and compared with the stored one; each checkpoint when the replay
    reaches its size (signature, size, root), then its cosignatures; finally no node or
    checkpoint beyond the log. Entries are read ``chunk`` at a time.
    """
    return _Replay(engine, log_id, origin).verify(chunk)


class _Replay:
    def __init__(self, engine: Engine, log_id: int, origin: str) -> None:
        self.engine = engine
        self.log_id = log_id
        self.origin = origin

    def verify(self, chunk: int) -> VerifyReport:
        """Replay the whole log from the stored rows, in one snapshot; report the first violation.

        In log order: the key record; for each entry, its seq (no gap), signature, party,
        schema and normal form (:func:`verify_entry`), its created_at (column, and not
        decreasing), its stored leaf hash, and every node hash it completes, recomputed from
        the entry bytes and compared with the stored one; each checkpoint when the replay
        reaches its size (signature, size, root), then its cosignatures; finally no node or
        checkpoint beyond the log.
        """
        counts = {"entries": 0, "nodes": 0, "checkpoints": 0, "cosignatures": 0}
        tree = merkle.CompactRange()
        with self.engine.connect() as conn, conn.begin():
            try:
                self._replay(conn, tree, counts, chunk)
                violation = None
            except _Found as found:
                violation = found.violation
        return VerifyReport(
            origin=self.origin,
            size=tree.size,
            root=tree.root(),
            violation=violation,
            **counts,
        )

    def _replay(
        self, conn: Connection, tree: merkle.CompactRange, counts: dict[str, int], chunk: int
    ) -> None:
        log = conn.execute(sa.select(LogRow).where(LogRow.id == self.log_id)).one()
        try:
            keys = PartyKeys.model_validate(log.party_keys)
        except ValueError as exc:
            raise _Found(Violation("logs", (self.log_id,), f"log {log.origin}", str(exc))) from None
        if keys.key_name != log.origin or keys.party != log.party:
            raise _Found(
                Violation(
                    "logs",
                    (self.log_id,),
                    f"log {log.origin}",
                    f"origin/party {log.origin}/{log.party} do not match the key record's "
                    f"{keys.key_name}/{keys.party}",
                )
            )
        checkpoints = {
            r.size: r
            for r in conn.execute(
                sa.select(CheckpointRow).where(CheckpointRow.log_id == self.log_id)
            )
        }
        party = keys.party
        last_created: dt.datetime | None = None
        self._check_checkpoint(conn, keys, tree, checkpoints, counts)
        while True:
            start = tree.size
            rows = conn.execute(
                sa.select(EntryRow)
                .where(EntryRow.log_id == self.log_id, EntryRow.seq >= start)
                .order_by(EntryRow.seq)
                .limit(chunk)
            ).all()
            if not rows:
                break
            nodes = self._nodes_completed(conn, start, start + len(rows))
            with signature_checks(_as_signed(rows), keys) as checks:  # all cores, meanwhile
                for i, row in enumerate(rows):
                    seq = tree.size
                    where = f"entry {party}#{seq}"

                    def fail(reason: str, seq: int = seq, where: str = where) -> _Found:
                        return _Found(Violation("entries", (self.log_id, seq), where, reason))

                    if row.seq != seq:
                        raise fail(f"missing: the next stored entry is seq {row.seq}")
                    for column in ("entry", "signature", "leaf_hash"):
                        if not isinstance(getattr(row, column), bytes):
                            kind = type(getattr(row, column)).__name__
                            raise fail(f"stored {column} is a {kind}, not bytes")
                    signed = SignedEntry(row.entry, row.signature, row.key_id)
                    try:
                        entry = verify_entry(signed, keys, party, seq, signature_valid=checks[i])
                    except ExchangeError as exc:
                        raise fail(f"{type(exc).__name__}: {exc.message}") from None
                    if row.created_at != utc_iso(entry.created_at):
                        raise fail(f"created_at column {row.created_at!r} is not the entry's")
                    if last_created is not None and entry.created_at < last_created:
                        raise fail("created_at is before the previous entry's")
                    last_created = entry.created_at
                    leaf = merkle.leaf_hash(row.entry)
                    if row.leaf_hash != leaf:
                        raise fail(
                            f"stored leaf hash {row.leaf_hash.hex()} is not the hash of the entry "
                            f"bytes {leaf.hex()}"
                        )
                    for node in tree.append(leaf):
                        self._check_node(nodes, node)
                        counts["nodes"] += 1
                    counts["entries"] += 1
                    self._check_checkpoint(conn, keys, tree, checkpoints, counts)
        self._check_beyond(conn, tree.size, checkpoints)

    def _nodes_completed(
        self, conn: Connection, start: int, end: int
    ) -> dict[tuple[int, int], bytes]:
        """Stored nodes completed by the leaves [start, end): node (l, i) by leaf (i+1)2^l - 1."""
        found: dict[tuple[int, int], bytes] = {}
        for level in range(end.bit_length()):
            lo, hi = (start >> level), (end >> level)  # (i + 1) << level in (start, end]
            if hi <= lo:
                continue
            rows = conn.execute(
                sa.select(NodeRow.index, NodeRow.hash).where(
                    NodeRow.log_id == self.log_id,
                    NodeRow.level == level,
                    NodeRow.index >= lo,
                    NodeRow.index < hi,
                )
            )
            found.update(((level, index), hash_) for index, hash_ in rows)
        return found

    def _check_node(self, nodes: dict[tuple[int, int], bytes], node: merkle.Node) -> None:
        key = (node.level, node.index)
        first = node.index << node.level
        where = (
            f"node (level {node.level}, index {node.index}) of entries "
            f"[{first}, {first + (1 << node.level)})"
        )
        stored = nodes.get(key)
        if stored is None:
            raise _Found(Violation("nodes", (self.log_id, *key), where, "missing"))
        if stored != node.hash:
            raise _Found(
                Violation(
                    "nodes",
                    (self.log_id, *key),
                    where,
                    f"stored hash {stored.hex()} is not the recomputed {node.hash.hex()}",
                )
            )

    def _check_checkpoint(
        self,
        conn: Connection,
        keys: PartyKeys,
        tree: merkle.CompactRange,
        checkpoints: dict[int, Any],
        counts: dict[str, int],
    ) -> None:
        row = checkpoints.get(tree.size)
        if row is None:
            return
        key: tuple[int | str, ...] = (self.log_id, row.size)
        where = f"checkpoint {self.origin}/{row.size}"

        def fail(reason: str) -> _Found:
            return _Found(Violation("checkpoints", key, where, reason))

        try:
            checkpoint, _, _ = open_checkpoint(row.note, log_verifiers(keys))
        except ExchangeError as exc:
            raise fail(f"{type(exc).__name__}: {exc}") from None
        if (checkpoint.origin, checkpoint.size) != (self.origin, row.size):
            raise fail(f"the note is of {checkpoint.origin}/{checkpoint.size}")
        if checkpoint.root_hash != row.root or row.root != tree.root():
            raise fail(
                f"root column {row.root.hex()}, note root {checkpoint.root_hash.hex()}, "
                f"replayed root {tree.root().hex()} differ"
            )
        counts["checkpoints"] += 1
        for cosig in conn.execute(
            sa.select(CosignatureRow).where(
                CosignatureRow.log_id == self.log_id, CosignatureRow.size == row.size
            )
        ):
            cwhere = f"cosignature of {where} by {cosig.witness}"
            try:
                witness = Verifier(
                    cosig.witness, PublicKey.from_base64(cosig.witness_key), SIG_COSIGNATURE_V1
                )
                _, verified = open_note(add_signatures(row.note, [cosig.line]), [witness])
            except (ExchangeError, ValueError) as exc:
                raise _Found(
                    Violation("cosignatures", (*key, cosig.witness), cwhere, str(exc))
                ) from None
            if verified[0].timestamp != cosig.timestamp:
                raise _Found(
                    Violation(
                        "cosignatures",
                        (*key, cosig.witness),
                        cwhere,
                        f"timestamp column {cosig.timestamp} is not the signed "
                        f"{verified[0].timestamp}",
                    )
                )
            counts["cosignatures"] += 1

    def _check_beyond(self, conn: Connection, size: int, checkpoints: dict[int, Any]) -> None:
        levels = conn.execute(
            sa.select(NodeRow.level).where(NodeRow.log_id == self.log_id).distinct()
        ).scalars()
        for level in sorted(levels):
            extra = conn.execute(
                sa.select(NodeRow.index)
                .where(
                    NodeRow.log_id == self.log_id,
                    NodeRow.level == level,
                    NodeRow.index >= size >> level,
                )
                .limit(1)
            ).scalar_one_or_none()
            if extra is not None:
                raise _Found(
                    Violation(
                        "nodes",
                        (self.log_id, level, extra),
                        f"node (level {level}, index {extra})",
                        f"beyond the log of {size} entries",
                    )
                )
        for cp_size in sorted(checkpoints):
            if cp_size > size:
                raise _Found(
                    Violation(
                        "checkpoints",
                        (self.log_id, cp_size),
                        f"checkpoint {self.origin}/{cp_size}",
                        f"beyond the log of {size} entries",
                    )
                )


def _as_signed(rows: Sequence[Any]) -> list[SignedEntry]:
    """Stored rows as signed entries for :func:`signature_checks`; a row whose columns are not
    bytes gets an empty placeholder (left unchecked: the replay names its fault)."""
    return [
        SignedEntry(r.entry, r.signature, r.key_id)
        if isinstance(r.entry, bytes) and isinstance(r.signature, bytes)
        else SignedEntry(b"", b"", "")
        for r in rows
    ]
