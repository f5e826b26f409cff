"""How a node serves: who may call it, its limits, its peers and its deadlines."""

from __future__ import annotations

import datetime as dt
import ssl
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from glasnost.exchange.entries import MAX_ENTRY_BYTES
from glasnost.exchange.keys import PartyKeys
from glasnost.treaty.agreement import Agreement, builtin_agreement

PAGE_MAX = 1000
"""Most entries one request reads or pushes."""

MAX_BODY_BYTES = PAGE_MAX * 2 * MAX_ENTRY_BYTES // 64
"""Largest request body (32 MiB: a page of entries of typical size, or one of the largest)."""


@dataclass
class ServiceSettings:
    """How a node serves: who may call it, its limits, its peers and its deadlines."""

    observers: Sequence[PartyKeys] = ()
    max_body_bytes: int = MAX_BODY_BYTES
    rate_per_s: float = 200.0
    burst: int = 400
    timeout_s: float = 60.0
    peer_urls: Sequence[str] = ()
    peer_tls: ssl.SSLContext | None = None
    """How the sync loop verifies HTTPS peers and which client certificate it presents
    (:class:`glasnost.service.peer_tls.PeerTLS`); None: the system's CAs, no certificate."""
    sync_interval_s: float = 0.0
    peer_state: dict[str, dict[str, Any]] = field(default_factory=dict)
    agreement: Agreement | None = None
    """The agreement the dashboard shows (None: the built-in one)."""
    dashboard_token: str | None = None
    """None: the dashboard answers loopback clients only; else it requires this token."""
    sweeps: Path | None = None
    """A folder of sweeps (each in its own folder) whose summaries the assessments page shows
    when an assessment records a sweep with the same summary digest."""

    @property
    def acknowledgement_deadline(self) -> dt.timedelta:
        """The agreement's acknowledgement deadline (treaty parameters are the agreement's)."""
        return dt.timedelta(hours=(self.agreement or builtin_agreement()).acknowledgement_hours)
