"""Identifiers and dotted field paths, shared by the scenario, the ledger and the agreement."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

ID_PATTERN = r"^[A-Za-z][A-Za-z0-9_\-]*$"

Id = Annotated[
    str,
    StringConstraints(pattern=ID_PATTERN),
    Field(description="Identifier: a letter, then letters, digits, '_' or '-'."),
]
"""A stable identifier: a letter, then letters, digits, ``_`` or ``-``."""


def dotted(loc: tuple[str | int, ...]) -> str:
    """('parties', 1, 'radars', 0) -> 'parties[1].radars[0]'."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out
