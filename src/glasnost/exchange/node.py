"""A party's node: its own log, verified mirrors of its peers' logs, and its witness.

A node is a database (see :mod:`glasnost.exchange.store`) initialised for one party
(:meth:`Node.init`): the ``node`` table names the party and the origin of its own log; every
other log in the database is a mirror of a peer's log (:meth:`Node.follow`). The party's
private key is given when the node must sign (entries, checkpoints, cosignatures); reading,
proving and verifying need no key.

* :meth:`Node.write` builds the next entry of the own log, signs it with the key of the
  administration in office at its ``created_at`` and appends it (acknowledged after commit).
  The node is the one writer of its own log: every write of one :class:`Node` goes through its
  :class:`~glasnost.exchange.writer.LogWriter`, which gives out the positions in arrival order
  and commits the writes waiting together in one transaction (see decision 0014).
* :meth:`Node.checkpoint` signs and keeps a checkpoint of the own log at its current size.
* :meth:`Node.cosign` is the witness: it cosigns a peer's checkpoint only if the mirror holds
  the entries it covers (so the cosignature acknowledges receipt of verified entries) and only
  after the consistency proof from the largest checkpoint it cosigned before verifies; any
  contradiction with what the mirror holds is kept as evidence first, then refused
  (:class:`~glasnost.exchange.witness.Witness`). The cosignature's timestamp is the receipt
  time that deadlines are measured against: this node's clock, never before the checkpoint's
  signed time (:meth:`Node.checkpoint` timestamps each checkpoint of the own log).
* :meth:`Node.add_cosignatures` keeps the peers' cosignatures of the own log's checkpoints
  whose time is a receipt time; the others are kept as disputed
  (:meth:`~glasnost.exchange.store.LogStore.add_cosignature`).

The witness's name is the node's own key name (its log origin); its cosignatures use the
``cosignature/v1`` key id of the administration key in office (:func:`witness_verifiers`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel
from sqlalchemy.engine import Engine

from glasnost.exchange.backup import check_wal, sqlite_file
from glasnost.exchange.canonical import utc_iso
from glasnost.exchange.checkpoint import (
    Checkpoint,
    Verifier,
    add_signatures,
    log_verifiers,
    open_note,
    parse_checkpoint,
    parse_note,
    sign_timestamped_checkpoint,
    signed_time,
    witness_verifiers,
)
from glasnost.exchange.entries import Entry, Ref, SignedEntry, parse_entry, sign_entry
from glasnost.exchange.errors import (
    CheckpointError,
    ConflictError,
    ConsistencyError,
    EquivocationError,
    LogNotFound,
    NodeError,
    ReceiptTimeError,
    SequenceError,
    UnknownOrigin,
)
from glasnost.exchange.keys import SIG_COSIGNATURE_V1, Administration, PartyKeys, PrivateKey
from glasnost.exchange.replication import contradiction
from glasnost.exchange.store import (
    MAX_CLOCK_SKEW,
    Clock,
    LogStore,
    StoredCheckpoint,
    make_engine,
    migrate,
)
from glasnost.exchange.tables import EntryRow, LogRow, NodeIdentityRow
from glasnost.exchange.witness import Witness
from glasnost.exchange.writer import LogWriter

__all__ = ["Acknowledgement", "Node", "Written", "witness_verifiers"]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class Acknowledgement:
    """How far a peer has acknowledged (cosigned) the own log, and what is overdue: own
    entries received before ``now - deadline`` that no checkpoint cosigned by the peer covers."""

    peer: str
    witness: str
    acknowledged_size: int
    overdue: int
    first_overdue_seq: int | None

    def to_json(self) -> dict[str, Any]:
        return {
            "peer": self.peer,
            "witness": self.witness,
            "acknowledged_size": self.acknowledged_size,
            "overdue": self.overdue,
            "first_overdue_seq": self.first_overdue_seq,
        }


@dataclass(frozen=True)
class Written:
    """An entry the node wrote: its position, hash and signed bytes."""

    seq: int
    hash: str
    signed: SignedEntry

    def to_json(self) -> dict[str, Any]:
        return {"seq": self.seq, "hash": self.hash, **self.signed.to_json()}


def _engine(url: str | Engine) -> Engine:
    """The engine of a node's database; a SQLite file is checked first for a missing WAL
    (before any connection: opening it would create an empty ``-wal`` file and hide the loss)."""
    if isinstance(url, Engine):
        database = url.url.database if url.dialect.name == "sqlite" else None
        path = sqlite_file(database) if database and database != ":memory:" else None
    else:
        path = sqlite_file(url)
    if path is not None:
        check_wal(path)
    return make_engine(url) if isinstance(url, str) else url


class Node:
    """A party's node over one database (open it with :meth:`init` or :meth:`open`)."""

    def __init__(
        self,
        engine: Engine,
        own: LogStore,
        *,
        key: PrivateKey | None = None,
        clock: Clock = _now,
    ) -> None:
        self.engine = engine
        self.own = own
        self._key = key
        self._clock = clock
        self.writer: LogWriter[Entry, Written] = LogWriter(
            self.write_drafts, retry_on=(SequenceError,)
        )

    # --- opening --------------------------------------------------------------------------------

    @classmethod
    def init(
        cls,
        url: str | Engine,
        party_keys: PartyKeys,
        key: PrivateKey,
        *,
        clock: Clock = _now,
    ) -> Node:
        """Make the database at ``url`` the node of ``party_keys.party`` (migrating it first).

        ``key`` must be the key of one of the party's administrations. Refuses a database that
        is a node already."""
        engine = _engine(url)
        migrate(engine)
        _administration_of(party_keys, key)
        with engine.begin() as conn:
            existing = conn.execute(sa.select(NodeIdentityRow)).first()
        if existing is not None:
            raise NodeError(
                f"already the node of party {existing.party} (log {existing.origin})",
                where="database",
            )
        try:
            own = LogStore.open(engine, party_keys.key_name, clock=clock)
        except LogNotFound:
            own = LogStore.create(engine, party_keys, clock=clock)
        if own.party_keys != party_keys:
            raise NodeError("holds a log of this origin with another key record", where="database")
        with engine.connect() as conn, conn.begin():
            conn.execute(
                sa.insert(NodeIdentityRow),
                {
                    "id": 1,
                    "party": party_keys.party,
                    "origin": party_keys.key_name,
                    "created_at": clock(),
                },
            )
        return cls(engine, own, key=key, clock=clock)

    @classmethod
    def open(cls, url: str | Engine, *, key: PrivateKey | None = None, clock: Clock = _now) -> Node:
        """The node in the database at ``url``; :class:`NodeError` if it is not one, and
        :class:`~glasnost.exchange.backup.MissingWal` for a SQLite file copied while a node
        served it, without its ``-wal`` file (it would look like an emptier node)."""
        engine = _engine(url)
        inspector = sa.inspect(engine)
        if not inspector.has_table("node"):
            raise NodeError("is not a glasnost node; run glasnost node init", where="database")
        with engine.begin() as conn:
            row = conn.execute(sa.select(NodeIdentityRow)).first()
        if row is None:
            raise NodeError("is not a glasnost node; run glasnost node init", where="database")
        own = LogStore.open(engine, row.origin, clock=clock)
        node = cls(engine, own, key=key, clock=clock)
        if key is not None:
            _administration_of(own.party_keys, key)
        return node

    # --- identity -------------------------------------------------------------------------------

    @property
    def party(self) -> str:
        return self.own.party

    @property
    def party_keys(self) -> PartyKeys:
        return self.own.party_keys

    @property
    def witness_name(self) -> str:
        """The name the node cosigns under: its own key name."""
        return self.own.origin

    def signer(self, when: dt.datetime) -> tuple[PrivateKey, Administration]:
        """The node's key and the administration it belongs to, which must be in office."""
        if self._key is None:
            raise NodeError("this needs the party's private key (--key)", where="node")
        administration = self.party_keys.key_for(when)
        if administration.key != self._key.public_key:
            mine = _administration_of(self.party_keys, self._key)
            raise NodeError(
                f"the key given is administration {mine.id!r}'s; at {utc_iso(when)} "
                f"{administration.id!r} is in office {administration.period()}",
                where="key",
            )
        return self._key, administration

    # --- the own log ----------------------------------------------------------------------------

    def write(
        self,
        entry_type: str,
        body: BaseModel | Mapping[str, Any],
        *,
        refs: Sequence[Ref] = (),
        created_at: dt.datetime | None = None,
    ) -> Written:
        """Validate, sign and append the next entry of the own log; returns after the commit.

        Without ``created_at`` the entry waits its turn in :attr:`writer` and is dated when it
        is written; with it, it is written at once (and refused if the log has moved on)."""
        draft = self.draft(entry_type, body, refs=refs, created_at=created_at)
        if created_at is None:
            return self.writer.submit(draft)
        return self.write_drafts([draft], created_at=created_at)[0]

    def draft(
        self,
        entry_type: str,
        body: BaseModel | Mapping[str, Any],
        *,
        refs: Sequence[Ref] = (),
        created_at: dt.datetime | None = None,
    ) -> Entry:
        """An entry of the own log validated before it has its place: its seq is the log's
        size now and its time ``created_at`` or now, both given again when it is written
        (:meth:`write_drafts`). Raises :class:`SchemaError` naming the field."""
        when = created_at or self._clock().replace(microsecond=0)
        body_json = body.model_dump(mode="json") if isinstance(body, BaseModel) else dict(body)
        seq = self.own.size()
        return parse_entry(
            {
                "type": entry_type,
                "party": self.party,
                "seq": seq,
                "created_at": utc_iso(when),
                "refs": [r.model_dump(mode="json") for r in refs],
                "body": body_json,
            },
            where=f"entry {self.party}#{seq}",
        )

    def write_drafts(
        self, drafts: Sequence[Entry], *, created_at: dt.datetime | None = None
    ) -> list[Written]:
        """Give ``drafts`` the next positions of the own log, in order, and the time
        ``created_at`` (default: now), sign them with the key in office then, and append them
        in one transaction. :class:`SequenceError` if another writer took a position first.

        The default time is never before the last entry's (a client-signed entry may be dated
        up to the allowed clock skew ahead), so times do not decrease along the log."""
        size = self.own.size()
        when = created_at or self._next_time()
        key, administration = self.signer(when)
        key_id = self.party_keys.key_id(administration)
        signed = []
        for seq, draft in enumerate(drafts, start=size):
            envelope = parse_entry(
                {**draft.to_json(), "seq": seq, "created_at": utc_iso(when)},
                where=f"entry {self.party}#{seq}",
            )
            signed.append(sign_entry(envelope, key, key_id))
        self.own.append(signed)
        return [Written(seq, s.hash, s) for seq, s in enumerate(signed, start=size)]

    def _next_time(self) -> dt.datetime:
        """Now (to the second), or the last entry's ``created_at`` if that is later."""
        now = self._clock().replace(microsecond=0)
        with self.engine.connect() as conn:
            last = conn.execute(
                sa.select(EntryRow.created_at)
                .where(EntryRow.log_id == self.own.log_id)
                .order_by(EntryRow.seq.desc())
                .limit(1)
            ).scalar_one_or_none()
        return now if last is None else max(now, dt.datetime.fromisoformat(last))

    def checkpoint(self) -> StoredCheckpoint:
        """Sign, timestamp and keep a checkpoint of the own log at its current size."""
        now = self._clock()
        key, _ = self.signer(now)
        size = self.own.size()
        checkpoint = Checkpoint(self.own.origin, size, self.own.root(size))
        return self.own.add_checkpoint(
            sign_timestamped_checkpoint(checkpoint, key, int(now.timestamp()))
        )

    def published_checkpoint(self, name: str | None = None) -> str | None:
        """The latest checkpoint note of a log (see :meth:`log`) with the cosignature lines kept
        for it; None before its first. For the own log, a fresh checkpoint is signed first if
        the log has grown."""
        store = self.log(name)
        latest = store.latest_checkpoint()
        if store is self.own and store.size() > (0 if latest is None else latest.size):
            latest = self.checkpoint()
        if latest is None:
            return None
        return add_signatures(latest.note, store.cosignatures(latest.size).values())

    def add_cosignatures(self, note: str) -> dict[str, int]:
        """Keep the followed peers' cosignatures found on a checkpoint note of the own log.

        The checkpoint must be one the own log keeps (same size and root); the cosignature
        lines are verified against the peers' administration keys. Returns witness -> time."""
        checkpoint = parse_checkpoint(parse_note(note).text)
        where = f"checkpoint {checkpoint.origin}/{checkpoint.size}"
        if checkpoint.origin != self.own.origin:
            raise CheckpointError("is not a checkpoint of this node's log", where=where)
        stored = self.own.checkpoint(checkpoint.size)
        if stored is None or stored.root != checkpoint.root_hash:
            raise CheckpointError("is not a checkpoint this node's log keeps", where=where)
        verifiers = [v for peer in self.peers() for v in witness_verifiers(peer.party_keys)]
        parsed, verified = open_note(note, verifiers)
        lines = {(s.name, s.key_id): s.line() for s in parsed.signatures}
        added: dict[str, int] = {}
        for signature in verified:
            line = lines[signature.verifier.name, signature.verifier.key_id]
            added[signature.verifier.name] = self.own.add_cosignature(
                checkpoint.size, line, signature.verifier
            )
        return added

    # --- peers ----------------------------------------------------------------------------------

    def follow(self, party_keys: PartyKeys) -> LogStore:
        """Start (or reopen) the mirror of a peer's log; its key record must not change."""
        if party_keys.party == self.party or party_keys.key_name == self.own.origin:
            raise NodeError("a node does not follow its own party", where=f"party {self.party}")
        try:
            mirror = LogStore.open(self.engine, party_keys.key_name, clock=self._clock)
        except LogNotFound:
            return LogStore.create(self.engine, party_keys, clock=self._clock)
        mirror.extend_keys(party_keys)  # the same record, or a successor administration added
        return mirror

    def extend_keys(self, party_keys: PartyKeys) -> None:
        """Adopt an extension of the own key record: a successor administration and its key."""
        self.own.extend_keys(party_keys)

    def peers(self) -> list[LogStore]:
        """The mirrors of the peers' logs, by origin."""
        with self.engine.begin() as conn:
            origins = conn.execute(
                sa.select(LogRow.origin)
                .where(LogRow.origin != self.own.origin)
                .order_by(LogRow.origin)
            ).scalars()
            names = list(origins)
        return [LogStore.open(self.engine, name, clock=self._clock) for name in names]

    def log(self, name: str | None = None) -> LogStore:
        """The own log (``None``, the party id or the origin) or a peer's mirror."""
        if name is None or name in (self.party, self.own.origin):
            return self.own
        for mirror in self.peers():
            if name in (mirror.party, mirror.origin):
                return mirror
        known = ", ".join([self.party, *(m.party for m in self.peers())])
        raise LogNotFound(f"this node keeps no log of it (logs: {known})", where=f"log {name}")

    def acknowledgements(
        self, deadline: dt.timedelta, now: dt.datetime | None = None
    ) -> list[Acknowledgement]:
        """Per peer: the largest own checkpoint it cosigned, and the own entries still
        unacknowledged past ``deadline`` (counted from their receipt by this node)."""
        cutoff = (now or self._clock()) - deadline
        out = []
        for mirror in self.peers():
            cosigned = self.own.latest_cosigned(mirror.origin)
            size = 0 if cosigned is None else cosigned.size
            overdue, first = self.own.received_before(size, cutoff)
            out.append(Acknowledgement(mirror.party, mirror.origin, size, overdue, first))
        return out

    # --- the witness ----------------------------------------------------------------------------

    def cosign(
        self,
        note: str,
        *,
        proof: Sequence[bytes] | None = None,
        old_size: int | None = None,
    ) -> str:
        """Cosign a peer's signed checkpoint; returns the ``cosignature/v1`` line.

        First the evidence: once the log's signature verifies, every contradiction with a
        signed statement the mirror holds (the cosigned checkpoint, the entries held; see
        :func:`~glasnost.exchange.replication.contradiction`) is kept and raised, whatever
        the size, before any refusal that would hide it (sync first, rollback, stale old
        size). Then a log with evidence is no longer cosigned; the mirror must hold the
        entries the checkpoint covers; the witness's checks run (``proof``, from ``old_size``,
        or without it the mirror's own proof from the last cosigned checkpoint)."""
        received = self._clock()
        key, administration = self.signer(received)
        checkpoint = parse_checkpoint(parse_note(note).text)
        mirror = self._mirror_of(checkpoint.origin)
        where = f"checkpoint {checkpoint.origin}/{checkpoint.size}"
        open_note(note, log_verifiers(mirror.party_keys))  # signed by the log: it can be evidence
        cosigned = mirror.latest_cosigned(self.witness_name)
        sent_proof = (
            proof if old_size is None or cosigned is None or old_size == cosigned.size else None
        )
        found = contradiction(mirror, note, cosigned, sent_proof)
        if found is not None:
            mirror.add_evidence(found)
            if cosigned is not None and checkpoint.size == cosigned.size:
                raise EquivocationError(
                    found.reason, where=where, cosigned_size=cosigned.size, evidence=found
                )
            raise ConsistencyError(found.reason, where=where, evidence=found)
        evidence = mirror.evidence()
        if evidence:
            raise ConflictError(
                f"this node holds {len(evidence)} piece(s) of evidence that the log showed "
                f"inconsistent histories ({evidence[0]['reason']}); it no longer cosigns it",
                where=where,
                cosigned_size=0 if cosigned is None else cosigned.size,
            )
        held = mirror.size()
        if checkpoint.size > held:
            raise CheckpointError(
                f"covers {checkpoint.size} entries; this node holds {held}: sync first",
                where=where,
            )
        if proof is None:
            old = 0 if cosigned is None else cosigned.size
            proof = (
                mirror.consistency_proof(old, checkpoint.size) if 0 < old < checkpoint.size else []
            )
        witness = Witness(
            self.witness_name,
            key,
            {mirror.origin: log_verifiers(mirror.party_keys)},
            cosigned={} if cosigned is None else {mirror.origin: cosigned.note},
        )
        line = witness.cosign(
            note, proof, timestamp=self._receipt_time(note, mirror, received), old_size=old_size
        )
        mirror.add_checkpoint(note)  # the root must be the mirror's own root at that size
        verifier = Verifier(self.witness_name, administration.key, SIG_COSIGNATURE_V1)
        mirror.add_cosignature(checkpoint.size, line, verifier)
        return line

    def _receipt_time(self, note: str, mirror: LogStore, received: dt.datetime) -> int:
        """The timestamp of this node's cosignature: its clock, never before the checkpoint's
        signed time; a checkpoint dated after the clock plus the allowed skew is refused (its
        author's receipt rule would refuse any honest cosignature of it)."""
        now = int(received.timestamp())
        dated = signed_time(note, mirror.party_keys)
        if dated is None:
            return now
        if dated > now + MAX_CLOCK_SKEW.total_seconds():
            raise ReceiptTimeError(
                f"signed at {utc_iso(_from_posix(dated))}, after this node's clock "
                f"{utc_iso(received)} plus the allowed skew {MAX_CLOCK_SKEW}",
                where=f"checkpoint {mirror.origin}",
            )
        return max(now, dated)

    def _mirror_of(self, origin: str) -> LogStore:
        if origin == self.own.origin:
            raise UnknownOrigin("a node does not witness its own log", where=f"log {origin}")
        try:
            return LogStore.open(self.engine, origin, clock=self._clock)
        except LogNotFound:
            raise UnknownOrigin(
                "this node does not follow that log", where=f"log {origin}"
            ) from None


def _from_posix(seconds: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(seconds, dt.UTC)


def _administration_of(party_keys: PartyKeys, key: PrivateKey) -> Administration:
    """The administration whose key ``key`` is; :class:`NodeError` if none."""
    for adm in party_keys.administrations:
        if adm.key == key.public_key:
            return adm
    raise NodeError(
        f"is not the key of any administration of party {party_keys.party}", where="key"
    )
