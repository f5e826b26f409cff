"""The agreement actions a party writes to its log (propose, sign, final, adopt, refuse,
withdraw, suspension): their bodies, built from the agreement so that their hashes match it,
and :func:`take`, which checks an action against the lifecycle before writing it.

:func:`take` replays the lifecycle (:func:`glasnost.treaty.lifecycle.lifecycle`) from the
node's logs and refuses, with a :class:`LifecycleError` that says why, an action that the
lifecycle would give no effect:

- ``propose``: the agreement is proposed already, or the node's party is not a party of it;
- ``sign``: no proposal in the logs yet, or the party has signed already (the signature refs
  the proposal);
- ``final``: the key's administration is not the one in force under the agreement (a final
  checkpoint is written after the entry: the one the successor commits to);
- ``adopt`` / ``refuse``: no final entry pending, no checkpoint after it yet, or the key is
  not the successor's (both ref the final entry; adopt commits to its checkpoint);
- ``withdraw``: the agreement is not in force for the party.

The command line (``glasnost agreement ...``) and the exchange demo call :func:`take`.
"""

from __future__ import annotations

import base64
import datetime as dt
from typing import Literal

from pydantic import BaseModel

from glasnost.errors import TreatyError
from glasnost.exchange.node import Node, Written
from glasnost.exchange.store import StoredCheckpoint
from glasnost.treaty.agreement import Agreement
from glasnost.treaty.bodies import (
    Adopt,
    CheckpointRef,
    Final,
    Propose,
    Ref,
    Refuse,
    Sign,
    Suspension,
    Withdraw,
)
from glasnost.treaty.lifecycle import Lifecycle, lifecycle
from glasnost.treaty.logs import views_of_node

__all__ = [
    "Kind",
    "LifecycleError",
    "adopt",
    "final",
    "propose",
    "refuse",
    "sign",
    "suspension",
    "take",
    "withdraw",
]

Kind = Literal["propose", "sign", "final", "adopt", "refuse", "withdraw"]
"""The actions :func:`take` checks and writes."""


class LifecycleError(TreatyError, ValueError):
    """An agreement action the lifecycle would give no effect: which and why."""


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


# --- checked actions ----------------------------------------------------------------------------


def take(
    node: Node,
    agreement: Agreement,
    kind: Kind,
    *,
    note: str = "",
    reason: str = "",
    effective: dt.date | None = None,
    at: dt.datetime | None = None,
) -> Written:
    """Check action ``kind`` of the node's party against the lifecycle replayed from the node's
    logs at ``at`` (default: now), then write it (see the module docstring); ``note`` is
    final's, ``reason`` refuse's and withdraw's, ``effective`` withdraw's. Raises
    :class:`LifecycleError` when refused."""
    if kind in ("refuse", "withdraw") and not reason:
        raise LifecycleError(f"{kind} needs a reason, for the record")
    now = at or dt.datetime.now(dt.UTC)
    state = lifecycle(agreement, views_of_node(node), now)
    party = node.party
    mine = state.parties.get(party)
    if mine is None:
        raise LifecycleError(f"{party} is not a party of {agreement.id}")
    body: BaseModel
    refs: tuple[Ref, ...] = ()
    if kind == "propose":
        if state.proposal is not None:
            raise LifecycleError(f"already proposed ({state.proposal})")
        body = propose(agreement)
    elif kind == "sign":
        if state.proposal_entry is None:
            raise LifecycleError("no proposal of this agreement in the logs yet: sync first")
        if mine.state != "not signed":
            raise LifecycleError(f"{party} has signed already ({mine.state})")
        body, refs = sign(agreement), (state.proposal_entry.as_ref(),)
    elif kind == "final":
        _, administration = node.signer(now)
        if mine.state != "in force" or mine.administration != administration.id:
            raise LifecycleError(
                f"{party} is {mine.state!r} under {mine.administration}; only the "
                "administration in force under the agreement writes final"
            )
        body = final(agreement, administration.id, note)
    elif kind in ("adopt", "refuse"):
        final_ref, checkpoint = _pending_final(node, state)
        successor = _successor(node, state, now)
        refs = (final_ref,)
        if kind == "adopt":
            body = adopt(agreement, successor, checkpoint_ref(node.own.origin, checkpoint))
        else:
            body = refuse(agreement, successor, reason)
    elif kind == "withdraw":
        if not mine.state.startswith("in force"):
            raise LifecycleError(f"{party} is {mine.state!r}")
        if effective is None:
            raise LifecycleError("withdraw needs the date it takes effect")
        body = withdraw(agreement, effective, reason)
    else:
        raise LifecycleError(f"{kind!r} is not an agreement action")
    written = node.write(kind, body, refs=refs)
    if kind == "final":
        node.checkpoint()  # the final checkpoint the successor commits to
    return written


def _pending_final(node: Node, state: Lifecycle) -> tuple[Ref, StoredCheckpoint]:
    """The party's pending final entry and the first checkpoint of its log after it."""
    mine = state.parties[node.party]
    if mine.state != "succession pending":
        raise LifecycleError(f"{node.party} is {mine.state!r}: there is no final entry to answer")
    final_entry = mine.cause_entries[-1]
    checkpoints = node.own.checkpoints(min_size=final_entry.seq + 1)
    if not checkpoints:
        raise LifecycleError("the final entry has no checkpoint after it yet")
    return final_entry.as_ref(), checkpoints[0]


def _successor(node: Node, state: Lifecycle, now: dt.datetime) -> str:
    """The key's administration, which must succeed the outgoing one in the key record."""
    _, administration = node.signer(now)
    outgoing = state.parties[node.party].administration
    order = [a.id for a in node.party_keys.administrations]
    following = order.index(outgoing) + 1 if outgoing in order else len(order)
    expected = order[following] if following < len(order) else None
    if administration.id != expected:
        raise LifecycleError(
            f"the key given is administration {administration.id}'s; the successor of "
            f"{outgoing} is {expected or 'not in the key record yet (keys add-administration)'}"
        )
    return administration.id
