"""A declared value's own stated uncertainty ("4.5 +- 0.3 km/s"), in a scenario (``uncertainty:``)
and in an exchange declaration (the posture's ``uncertainty``).

The value is named by its dotted ``--set`` path (list items by id), e.g.
``interceptor_types.sm3_block_iia.burnout_velocity_kms``; it lies within ``plus_minus`` of the
declared value, in the value's own unit or in percent, uniformly or with ``plus_minus`` as one
sigma of a normal distribution. ``glasnost sweep --declared`` varies each such value by its
stated uncertainty (docs/uncertainty.md).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from glasnost.scenario.base import StrictModel


class DeclaredUncertainty(StrictModel):
    """The stated uncertainty of the value at ``path`` (see the module docstring)."""

    path: str = Field(
        min_length=1,
        description="Dotted path of the value, e.g. interceptor_types.sm3_block_iia."
        "burnout_velocity_kms (list items by id).",
    )
    plus_minus: float = Field(gt=0, description="Half-width (uniform) or one sigma (normal).")
    percent: bool = Field(default=False, description="plus_minus is a percent of the value.")
    distribution: Literal["uniform", "normal"] = Field(
        default="uniform",
        description="uniform: anywhere within +- plus_minus; normal: plus_minus is one sigma.",
    )
    note: str | None = None
