"""What every model of the scenario format shares: strict frozen models, provenance, in-service
windows, coordinate fields, and validation errors located at the field.

* Every field that is not SI names its unit (``lat_deg``, ``burnout_velocity_kms``, ``range_km``).
* Provenance: ``basis`` is ``published`` (from cited public sources), ``declared`` (declared by
  the party under the agreement) or ``assumed`` (a modelling assumption; the default, so that an
  unlabelled number is never mistaken for a fact). ``assumed_fields`` names the fields whose
  values are assumptions when the rest of the entry is published; ``sources`` are ids of the
  scenario's ``sources`` table (the citations travel with the data).
* In-service windows are inclusive: an entry is in service on ``d`` when
  ``in_service_from <= d <= in_service_until`` (a missing bound is open).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated, Any, Literal, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

Basis = Literal["published", "assumed", "declared"]
LatDeg = Annotated[float, Field(ge=-90.0, le=90.0, description="Geodetic latitude (deg, WGS84).")]
LonDeg = Annotated[
    float, Field(ge=-180.0, le=180.0, description="Geodetic longitude (deg, WGS84).")
]
AltM = Annotated[
    float, Field(ge=-500.0, le=10_000.0, description="Height above the WGS84 ellipsoid (m).")
]

Problem = tuple[tuple[str | int, ...], str, Any]
"""One validation problem: its location below the model, the reason, the value found."""

_PROVENANCE = ("basis", "assumed_fields", "sources", "note")


def raise_problems(title: str, problems: list[Problem]) -> None:
    """Raise one ValidationError with an exact location for each problem (loc, message, input).

    Raised from an ``after`` validator, pydantic prefixes each loc with the model's own location,
    so nested models report full paths.
    """
    if problems:
        raise ValidationError.from_exception_data(
            title,
            [
                InitErrorDetails(
                    type=PydanticCustomError("scenario", "{reason}", {"reason": msg}),
                    loc=loc,
                    input=value,
                )
                for loc, msg, value in problems
            ],
        )


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


def basis_field() -> Any:
    return Field(
        default="assumed",
        description="published (cited sources), declared (by the party) or assumed.",
    )


def assumed_fields_field() -> Any:
    return Field(
        default=(),
        description="Fields whose values are assumptions (then basis must be 'assumed').",
    )


def sources_field() -> Any:
    return Field(default=(), description="Ids of the scenario's `sources` table.")


class Provenance(StrictModel):
    """Checks shared by every entry that carries basis / assumed_fields / sources / note.

    The fields themselves are declared by each subclass, after its own fields (so that files and
    dumps read id first and provenance last).
    """

    if TYPE_CHECKING:
        basis: Basis
        assumed_fields: tuple[str, ...]
        sources: tuple[str, ...]
        note: str | None

    @field_validator("assumed_fields", check_fields=False)
    @classmethod
    def _check_assumed_fields(cls, value: tuple[str, ...], info: ValidationInfo) -> Any:
        valid = [f for f in cls.model_fields if f not in _PROVENANCE]
        unknown = [f for f in value if f not in valid]
        if unknown:
            raise PydanticCustomError(
                "scenario",
                "{reason}",
                {"reason": f"unknown field {unknown[0]!r}; fields: {', '.join(valid)}"},
            )
        if value and info.data.get("basis") not in (None, "assumed"):
            raise PydanticCustomError(
                "scenario",
                "{reason}",
                {"reason": f"lists assumed fields but basis is {info.data.get('basis')!r}"},
            )
        return value


class InService(Provenance):
    @model_validator(mode="after")
    def _check_window(self) -> Self:
        start: dt.date | None = getattr(self, "in_service_from", None)
        end: dt.date | None = getattr(self, "in_service_until", None)
        if start is not None and end is not None and end < start:
            raise_problems(
                type(self).__name__,
                [(("in_service_until",), f"must not be before in_service_from ({start})", end)],
            )
        return self

    def in_service(self, on: dt.date) -> bool:
        """Whether the entry is in service on that date (both bounds inclusive)."""
        start: dt.date | None = getattr(self, "in_service_from", None)
        end: dt.date | None = getattr(self, "in_service_until", None)
        return (start is None or start <= on) and (end is None or on <= end)
