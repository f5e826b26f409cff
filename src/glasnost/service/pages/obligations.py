"""The obligations page: the compliance report (:func:`glasnost.treaty.compliance.compliance`)
as tables: what is late or missing, what is due next, what was met, the acknowledgements and
the findings."""

from __future__ import annotations

from typing import Any

from glasnost.service.pages.common import Site, by_party
from glasnost.treaty.compliance import STATUSES, compliance

__all__ = ["page"]


def page(site: Site) -> dict[str, Any]:
    """The compliance report's obligations grouped by status, acknowledgements, findings."""
    report = compliance(site.agreement, site.views()).to_json()
    obligations = report["obligations"]
    groups = [
        ("late or missing", [o for o in obligations if o["status"] in ("late", "missing")]),
        ("not yet due", [o for o in obligations if o["status"] == "not yet due"]),
        ("met", [o for o in obligations if o["status"] == "met"]),
    ]
    order = list(site.agreement.party_ids())
    return {
        "report": report,
        "statuses": STATUSES,
        "groups": groups,
        "acknowledgements": by_party(report["acknowledgements"], order),
        "in_force": report["lifecycle"]["entry_into_force"] is not None,
    }
