"""The agreement page: its lifecycle replayed from both logs
(:func:`glasnost.treaty.lifecycle.lifecycle`), formatted."""

from __future__ import annotations

from typing import Any

from glasnost.service.pages.common import Site, by_party
from glasnost.treaty.lifecycle import lifecycle

__all__ = ["page"]


def page(site: Site) -> dict[str, Any]:
    """The agreement's state per party and the entries behind it, its timeline, its findings."""
    state = lifecycle(site.agreement, site.views()).to_json()
    parties = [
        {**party_state, "name": site.party_name(party)}
        for party, party_state in by_party(state["parties"], list(site.agreement.party_ids()))
    ]
    return {
        "lifecycle": state,
        "party_states": parties,
        "text_sha256": site.agreement.text_sha256(),
    }
