"""A finding: something in the logs that breaks the agreement, or that a party should know.

Every finding names the party, the entry (``PARTY#SEQ``) when there is one, and why, in words a
treaty implementer reads; the compliance report and the dashboard list them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

__all__ = ["Finding"]


@dataclass(frozen=True)
class Finding:
    """One finding: its kind (e.g. ``lifecycle``, ``late``, ``missing``), the party it is
    about, the entry, the reason, and whether it is a violation or a notice."""

    kind: str
    party: str
    reason: str
    entry: str | None = None
    severity: Literal["violation", "notice"] = "violation"

    def __str__(self) -> str:
        where = f"{self.entry}: " if self.entry else f"{self.party}: "
        return f"{self.severity}: {where}{self.reason}"

    def to_json(self) -> dict[str, Any]:
        return asdict(self)
