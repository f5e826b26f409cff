"""The bodies of the agreement actions a party writes to its log (propose, sign, final, adopt,
refuse, withdraw, suspension), built from the agreement so that their hashes match it."""

from __future__ import annotations

import base64
import datetime as dt

from glasnost.exchange.store import StoredCheckpoint
from glasnost.treaty.agreement import Agreement
from glasnost.treaty.bodies import (
    Adopt,
    CheckpointRef,
    Final,
    Propose,
    Refuse,
    Sign,
    Suspension,
    Withdraw,
)

__all__ = ["adopt", "final", "propose", "refuse", "sign", "suspension", "withdraw"]


def propose(agreement: Agreement) -> Propose:
    return Propose(
        agreement_id=agreement.id,
        title=agreement.title,
        text_sha256=agreement.text_sha256(),
        parties=agreement.party_ids(),
    )


def sign(agreement: Agreement) -> Sign:
    """Sign the proposed text (the entry refs the proposal)."""
    return Sign(agreement_id=agreement.id, text_sha256=agreement.text_sha256())


def final(agreement: Agreement, administration: str, note: str = "") -> Final:
    """The outgoing administration's last entry (a final checkpoint follows it)."""
    return Final(agreement_id=agreement.id, administration=administration, note=note)


def checkpoint_ref(origin: str, checkpoint: StoredCheckpoint) -> CheckpointRef:
    return CheckpointRef(
        origin=origin,
        size=checkpoint.size,
        root_hash=base64.b64encode(checkpoint.root).decode("ascii"),
    )


def adopt(agreement: Agreement, administration: str, predecessor_final: CheckpointRef) -> Adopt:
    """The successor adopts, committing to the predecessor's final checkpoint (the entry refs
    the ``final`` entry)."""
    return Adopt(
        agreement_id=agreement.id,
        administration=administration,
        predecessor_final=predecessor_final,
    )


def refuse(agreement: Agreement, administration: str, reason: str) -> Refuse:
    return Refuse(agreement_id=agreement.id, administration=administration, reason=reason)


def withdraw(agreement: Agreement, effective: dt.date, reason: str) -> Withdraw:
    return Withdraw(agreement_id=agreement.id, effective=effective, reason=reason)


def suspension(
    agreement: Agreement, effective: dt.datetime, reason: str, until: dt.datetime | None = None
) -> Suspension:
    return Suspension(agreement_id=agreement.id, reason=reason, effective=effective, until=until)
