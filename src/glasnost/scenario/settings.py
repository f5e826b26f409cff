"""The assessment settings of a scenario: dyads, doctrine, delays, threat shapes, numerics and
the agreement's criteria (each passes when its value is at most its threshold)."""

from __future__ import annotations

from typing import Literal, Self

from pydantic import Field, model_validator

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
from glasnost.scenario.interceptor_types import ORBITAL_SPEED_KMS

InterceptorModel = Literal["flyout", "burnout-delay", "straight-boost"]
ThreatShape = Literal["min-energy", "lofted", "depressed"]

CriterionId = Literal[
    "deployed_warheads_defeatable_fraction",
    "land_interceptor_burnout_velocity_kms",
    "sea_interceptor_burnout_velocity_kms",
    "purpose",
]
CRITERIA: dict[str, str] = {
    "deployed_warheads_defeatable_fraction": (
        "fraction of the other party's deployed warheads that the interceptor inventories could "
        "defeat; passes when <= threshold"
    ),
    "land_interceptor_burnout_velocity_kms": (
        "greatest burnout velocity (km/s) of the land-based interceptors in service; passes "
        "when <= threshold"
    ),
    "sea_interceptor_burnout_velocity_kms": (
        "greatest burnout velocity (km/s) of the sea-based interceptors in service; passes "
        "when <= threshold"
    ),
    "purpose": (
        "for a party that declares the threats its defenses are for (declared_against): the "
        "fraction of the treaty partner's deployed warheads its defenses could defeat; passes "
        "when <= threshold and the defenses can engage some route of a declared threat"
    ),
}
"""The criteria the assessment knows, with their meaning. Each passes when value <= threshold."""


class Criterion(Provenance):
    """One criterion of the agreement: the value must not exceed the threshold."""

    id: CriterionId = Field(description="; ".join(f"{k}: {v}" for k, v in CRITERIA.items()))
    threshold: float = Field(ge=0)
    basis: Basis = basis_field()
    assumed_fields: tuple[str, ...] = assumed_fields_field()
    sources: tuple[str, ...] = sources_field()
    note: str | None = None

    @model_validator(mode="after")
    def _fraction(self) -> Self:
        if (self.id.endswith("_fraction") or self.id == "purpose") and self.threshold > 1:
            raise_problems(
                "Criterion", [(("threshold",), "a fraction must be <= 1", self.threshold)]
            )
        if self.id.endswith("_kms") and self.threshold >= ORBITAL_SPEED_KMS:
            raise_problems(
                "Criterion",
                [
                    (
                        ("threshold",),
                        f"must be below orbital speed ({ORBITAL_SPEED_KMS} km/s)",
                        self.threshold,
                    )
                ],
            )
        return self


class AssessmentSettings(Provenance):
    """Doctrine, delays, numerics and the agreement's criteria."""

    dyads: tuple[tuple[Id, Id], ...] = Field(
        min_length=1, description="Pairs of party ids, each assessed both ways."
    )
    decision_delay_s: float = Field(
        default=60.0, ge=0, description="From first track to interceptor launch (s)."
    )
    shots_per_warhead: int = Field(default=2, ge=1, le=10)
    shoot_look_shoot_assessment_s: float = Field(
        default=60.0, ge=0, description="Kill assessment before a further shot (s)."
    )
    launch_on_remote: bool = Field(
        default=True,
        description="Any own radar (fire control or early warning) or satellite may cue any "
        "site; otherwise only fire-control radars within 50 km of the site, and the satellites "
        "only when they are declared fire control.",
    )
    launch_delay_s: float | None = Field(
        default=None,
        ge=0,
        le=3600,
        description="When set, every interceptor launches exactly this long after the threat's "
        "launch (s), whatever the sensors see (the commit time of the published analyses).",
    )
    interceptor_model: InterceptorModel = Field(
        default="flyout",
        description="flyout: every type flown as a staged vehicle with gravity and drag "
        "(published stages, or a stack derived from its burnout speed, burn time and launch "
        "mass); burnout-delay: the interceptor leaves its site at burnout speed after its burn "
        "time (the literature's convention); straight-boost: a straight boost at constant "
        "acceleration, displacement u t_b / 2 (docs/assessment.md).",
    )
    trajectory_shape: Literal["min-energy"] = Field(
        default="min-energy",
        description="The shape flown when threat_shapes is empty (kept for older files).",
    )
    threat_shapes: tuple[ThreatShape, ...] = Field(
        default=(),
        description="Shapes each route is flown in (min-energy, lofted, depressed); the "
        "defeatable-fraction criteria take the attacker's least defeatable plan: one shape for "
        "every route, or per route the shape the fewest sites could engage (the worst case for "
        "the defended party). Empty: trajectory_shape alone.",
    )
    lofted_apogee_km: float | None = Field(
        default=None, gt=0, description="Apogee of lofted threats (km); none: full-burn loft."
    )
    lofted_fpa_deg: float | None = Field(
        default=None,
        gt=0,
        lt=90,
        description="Burnout flight-path angle of lofted threats (deg, Earth-relative).",
    )
    depressed_apogee_km: float | None = Field(
        default=None,
        gt=0,
        description="Apogee of depressed threats (km); none: full-burn depressed flight.",
    )
    depressed_fpa_deg: float | None = Field(
        default=None,
        gt=0,
        lt=90,
        description="Burnout flight-path angle of depressed threats (deg, Earth-relative).",
    )
    sample_step_s: float = Field(
        default=20.0, gt=0, le=300, description="Time step of the trajectory samples (s)."
    )
    criteria: tuple[Criterion, ...] = ()
    basis: Basis = basis_field()
    assumed_fields: tuple[str, ...] = assumed_fields_field()
    sources: tuple[str, ...] = sources_field()
    note: str | None = None

    @model_validator(mode="after")
    def _shapes(self) -> Self:
        problems: list[Problem] = []
        if len(set(self.threat_shapes)) != len(self.threat_shapes):
            problems.append((("threat_shapes",), "names a shape twice", list(self.threat_shapes)))
        for shape in ("lofted", "depressed"):
            apogee = getattr(self, f"{shape}_apogee_km")
            fpa = getattr(self, f"{shape}_fpa_deg")
            if apogee is not None and fpa is not None:
                problems.append(
                    ((f"{shape}_fpa_deg",), f"give {shape}_apogee_km or this, not both", fpa)
                )
        raise_problems("AssessmentSettings", problems)
        return self

    def shapes(self) -> tuple[str, ...]:
        """The threat shapes flown: ``threat_shapes``, or ``trajectory_shape`` alone."""
        return self.threat_shapes or (self.trajectory_shape,)

    def shape_options(self, shape: str) -> dict[str, float]:
        """Targeting options of a shape (SI): its apogee (m) or flight-path angle (deg)."""
        if shape == "min-energy":
            return {}
        apogee = getattr(self, f"{shape}_apogee_km")
        fpa = getattr(self, f"{shape}_fpa_deg")
        if apogee is not None:
            return {"apogee_m": apogee * 1e3}
        if fpa is not None:
            return {"flight_path_angle_deg": fpa}
        return {}
