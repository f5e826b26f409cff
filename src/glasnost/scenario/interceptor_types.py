"""Interceptor types of a scenario: the simple kinematic model of the open literature, or a
staged vehicle that the flyout flies."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal, Self

from pydantic import Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from glasnost.common.ids import Id
from glasnost.scenario.base import (
    Basis,
    Problem,
    Provenance,
    assumed_fields_field,
    basis_field,
    raise_problems,
    sources_field,
)
from glasnost.scenario.missiles import StageData

if TYPE_CHECKING:  # NumPy only when a vehicle is built: reading a scenario needs none
    from glasnost.physics.vehicle import Vehicle


ORBITAL_SPEED_KMS = 7.9
"""First cosmic velocity at the surface (km/s): a faster "interceptor" would be in orbit."""

VERTICAL_RISE_S = 2.0
"""Default vertical rise of a staged interceptor (s), as for the catalog's missiles."""

PITCH_OVER_S = 6.0
"""Default pitch-over duration of a staged interceptor (s), as for the catalog's missiles."""


class InterceptorType(Provenance):
    """An interceptor type: the simple model or a staged vehicle.

    ``model: simple`` (the open literature's convention): a straight boost for ``burn_time_s``
    to ``burnout_velocity_kms``, then a ballistic coast; both are required. ``model: staged``:
    a stack of ``stages`` (the catalog's stage format) with a kill vehicle of ``payload_kg``,
    flown with drag, a pitch-over and a gravity turn (glasnost.defense.flyout); its burnout
    velocity and burn time are derived from the flight (the best burnout speed over the fan of
    pitch-over kicks and the stages' total burn time), so they are not given.

    ``stage_count``, ``launch_mass_kg``, ``diameter_m`` and ``length_m`` describe a simple
    type's vehicle where they are known: the flyout flies every type as a staged vehicle, a
    simple one as a stack derived from them and its burnout velocity and burn time
    (glasnost.defense.derived_stack). A staged type's stages define its stage count, launch
    mass and diameter, so only ``length_m`` may be given there.
    """

    id: Id
    name: str
    model: Literal["simple", "staged"] = "simple"
    burnout_velocity_kms: float | None = Field(
        default=None,
        gt=0,
        description="Burnout speed relative to the launch site (km/s), below orbital speed "
        "(simple model; derived for a staged one).",
        json_schema_extra={"exclusiveMaximum": ORBITAL_SPEED_KMS},
    )
    burn_time_s: float | None = Field(
        default=None,
        gt=0,
        le=600,
        description="Boost duration (s) (simple model; derived for a staged one).",
    )
    stages: tuple[StageData, ...] | None = Field(
        default=None,
        min_length=1,
        description="Stages from the bottom up (staged model), as in the missile catalog.",
    )
    payload_kg: float | None = Field(
        default=None, gt=0, description="Kill vehicle mass after the last stage (kg, staged)."
    )
    vertical_rise_s: float | None = Field(
        default=None, gt=0, description=f"Vertical rise (s, staged; default {VERTICAL_RISE_S:g})."
    )
    pitch_over_s: float | None = Field(
        default=None,
        gt=0,
        description=f"Pitch-over duration (s, staged; default {PITCH_OVER_S:g}).",
    )
    stage_count: int | None = Field(
        default=None,
        ge=1,
        le=4,
        description="Number of propulsive stages (simple model; sizes the derived stack, "
        "default 1 up to 3 km/s burnout velocity, else 2).",
    )
    launch_mass_kg: float | None = Field(
        default=None,
        gt=0,
        description="Launch mass (kg) (simple model; sizes the derived stack, default from the "
        "dimensions or the burnout velocity).",
    )
    diameter_m: float | None = Field(
        default=None,
        gt=0,
        description="Body diameter (m) (simple model; the derived stack's drag, default from "
        "the launch mass).",
    )
    length_m: float | None = Field(
        default=None, gt=0, description="Overall length (m) (sizes a derived stack's mass)."
    )
    min_intercept_altitude_km: float = Field(ge=0, description="Lowest intercept altitude (km).")
    max_intercept_altitude_km: float = Field(gt=0, description="Highest intercept altitude (km).")
    max_range_km: float | None = Field(
        default=None, gt=0, description="Greatest ground range of an intercept (km); None: any."
    )
    basis: Basis = basis_field()
    assumed_fields: tuple[str, ...] = assumed_fields_field()
    sources: tuple[str, ...] = sources_field()
    note: str | None = None

    @field_validator("burnout_velocity_kms")
    @classmethod
    def _suborbital(cls, value: float | None) -> float | None:
        if value is not None and value >= ORBITAL_SPEED_KMS:
            raise PydanticCustomError(
                "scenario",
                "{reason}",
                {"reason": f"must be below orbital speed ({ORBITAL_SPEED_KMS} km/s)"},
            )
        return value

    @model_validator(mode="after")
    def _band(self) -> Self:
        problems: list[Problem] = []
        if self.min_intercept_altitude_km >= self.max_intercept_altitude_km:
            problems.append(
                (
                    ("min_intercept_altitude_km",),
                    f"must be below max_intercept_altitude_km ({self.max_intercept_altitude_km:g})",
                    self.min_intercept_altitude_km,
                )
            )
        if self.model == "simple":
            for name in ("burnout_velocity_kms", "burn_time_s"):
                if getattr(self, name) is None:
                    problems.append(((name,), "required for a simple interceptor", None))
            for name in ("stages", "payload_kg", "vertical_rise_s", "pitch_over_s"):
                if getattr(self, name) is not None:
                    problems.append(
                        (
                            (name,),
                            "only for a staged interceptor (model: staged)",
                            getattr(self, name),
                        )
                    )
        else:
            for name in ("stages", "payload_kg"):
                if getattr(self, name) is None:
                    problems.append(((name,), "required for a staged interceptor", None))
            for name in (
                "burnout_velocity_kms",
                "burn_time_s",
                "stage_count",
                "launch_mass_kg",
                "diameter_m",
            ):
                value = getattr(self, name)
                if value is not None:
                    problems.append(
                        (
                            (name,),
                            "derived from the stages for a staged interceptor; leave it out",
                            value,
                        )
                    )
            for k, stage in enumerate(self.stages or ()):
                if stage.propellant_mass_kg >= stage.gross_mass_kg:
                    problems.append(
                        (
                            ("stages", k, "propellant_mass_kg"),
                            f"must be below the stage's gross_mass_kg ({stage.gross_mass_kg:g})",
                            stage.propellant_mass_kg,
                        )
                    )
            if self.stages:
                rise = self.vertical_rise_s or VERTICAL_RISE_S
                pitch = self.pitch_over_s or PITCH_OVER_S
                if rise + pitch >= self.stages[0].burn_time_s:
                    problems.append(
                        (
                            ("pitch_over_s",),
                            f"vertical rise ({rise:g} s) and pitch-over ({pitch:g} s) must end "
                            f"within the first stage's burn ({self.stages[0].burn_time_s:g} s)",
                            self.pitch_over_s,
                        )
                    )
        raise_problems("InterceptorType", problems)
        return self

    def vehicle(self) -> Vehicle:
        """The staged vehicle that the flyout flies (model: staged only)."""
        from glasnost.physics.vehicle import Stage, Vehicle

        if self.model != "staged" or self.stages is None or self.payload_kg is None:
            raise ValueError(f"interceptor type {self.id!r} is not a staged vehicle")
        return Vehicle(
            name=self.id,
            stages=tuple(Stage(**s.model_dump()) for s in self.stages),
            payload_kg=self.payload_kg,
            vertical_rise_s=self.vertical_rise_s or VERTICAL_RISE_S,
            pitch_over_s=self.pitch_over_s or PITCH_OVER_S,
        )
