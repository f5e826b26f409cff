"""Evidence kept against a log: equivocations and inconsistencies, self-contained."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from glasnost.exchange.errors import Evidence
from glasnost.exchange.store.base import LogBase
from glasnost.exchange.tables import EvidenceRow


class LogEvidence(LogBase):
    """Keep and list the evidence against a log."""

    def add_evidence(self, evidence: Evidence) -> None:
        """Keep equivocation or inconsistency evidence against this log (its own commit)."""
        with self._write(self.engine) as conn:
            conn.execute(
                sa.insert(EvidenceRow),
                {
                    "log_id": self.log_id,
                    "recorded_at": self._clock(),
                    "evidence": evidence.to_json(),
                },
            )

    def evidence(self) -> list[dict[str, Any]]:
        """Every piece of evidence kept against this log, oldest first."""
        with self._read() as conn:
            rows = conn.execute(
                sa.select(EvidenceRow.evidence)
                .where(EvidenceRow.log_id == self.log_id)
                .order_by(EvidenceRow.id)
            )
            return [dict(r.evidence) for r in rows]
