"""What every dashboard page reads: the node, the agreement, the logs as the treaty sees them,
and the caches of results that are costly to make (log verification, maps, assessments).

:class:`Site` is built once per app; each request asks it for :meth:`Site.views` (the two logs
with their receipt times, parsed again only when they changed) and keeps that one reading for
the whole page.
:class:`Once` computes a value at most once per key, even when requests ask for it at the same
time: the others wait for the first and take its result.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

from glasnost.exchange.node import Node
from glasnost.exchange.store import LogStore
from glasnost.exchange.verifier import VerifyReport
from glasnost.treaty.agreement import Agreement
from glasnost.treaty.logs import LogView, parse_entry_label, views_of_node

__all__ = ["PLOT_LOCK", "Once", "Site", "by_party", "entry_ref"]

PLOT_LOCK = threading.Lock()
"""Held while matplotlib draws: pages are served from several threads, and matplotlib's
settings (rcParams) are global."""

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Once(Generic[K, V]):
    """A small thread-safe cache that computes each key's value once (least recently used
    keys beyond ``capacity`` are forgotten). A computation that raises caches nothing."""

    def __init__(self, capacity: int = 8) -> None:
        self.capacity = capacity
        self._values: OrderedDict[K, V] = OrderedDict()
        self._pending: dict[K, threading.Lock] = {}
        self._guard = threading.Lock()

    def peek(self, key: K) -> V | None:
        """The cached value of ``key``, or None (computes nothing)."""
        with self._guard:
            return self._values.get(key)

    def get(self, key: K, compute: Callable[[], V]) -> V:
        """The value of ``key``: cached, or computed now by this caller (others wait)."""
        with self._guard:
            if key in self._values:
                self._values.move_to_end(key)
                return self._values[key]
            lock = self._pending.setdefault(key, threading.Lock())
        with lock:
            with self._guard:
                if key in self._values:
                    return self._values[key]
            try:
                value = compute()
            finally:
                with self._guard:
                    self._pending.pop(key, None)
            with self._guard:
                self._values[key] = value
                while len(self._values) > self.capacity:
                    self._values.popitem(last=False)
            return value


@dataclass
class Site:
    """The dashboard of one node: its agreement and the caches its pages share."""

    node: Node
    agreement: Agreement
    token: str | None = None
    sweeps: Path | None = None
    """The folder of sweeps the assessments page looks in (``glasnost serve --sweeps``)."""
    verified: Once[tuple[str, int], VerifyReport] = field(default_factory=lambda: Once(16))
    figures: Once[Hashable, Any] = field(default_factory=lambda: Once(16))
    assessments: Once[str, Any] = field(default_factory=lambda: Once(4))
    logs: Once[Hashable, dict[str, LogView]] = field(default_factory=lambda: Once(2))

    @property
    def party(self) -> str:
        return self.node.party

    def party_name(self, party: str) -> str:
        """The party's name in the agreement (its id when the agreement does not name it)."""
        for ref in self.agreement.parties:
            if ref.id == party:
                return ref.name
        return party

    def views(self) -> dict[str, LogView]:
        """Both logs as the treaty reads them, with receipt times: parsed again only when a
        log has grown, gained a cosignature or changed its key record (a few cheap queries
        decide; parsing a large log takes seconds)."""
        state = tuple(
            (s.origin, s.size(), s.cosignature_count(), s.party_keys.model_dump_json())
            for s in self.stores()
        )
        return self.logs.get(state, lambda: views_of_node(self.node))

    def stores(self) -> list[LogStore]:
        """The node's own log, then the mirrors of its peers' logs."""
        return [self.node.own, *self.node.peers()]

    def parties(self) -> list[str]:
        """The parties whose logs the node keeps (own first)."""
        return [store.party for store in self.stores()]

    def verify(self, store: LogStore, size: int) -> VerifyReport:
        """Replay a log (once per log size: a log only grows)."""
        return self.verified.get((store.origin, size), store.verify)

    def verified_report(self, store: LogStore, size: int) -> VerifyReport | None:
        """The replay of a log at ``size`` if one was made, without making it."""
        return self.verified.peek((store.origin, size))


def entry_ref(ref: str) -> tuple[str, int] | None:
    """``("US", 3)`` from ``"US#3"`` (how findings and the lifecycle name entries)."""
    return parse_entry_label(ref)


def by_party(items: Mapping[str, Any], order: list[str]) -> list[tuple[str, Any]]:
    """``items`` in the order of ``order`` (the others after, sorted)."""
    known = [(p, items[p]) for p in order if p in items]
    return known + sorted((p, v) for p, v in items.items() if p not in order)
