"""The scenario format: pydantic models of one assessment input (DESIGN.md, "Scenario").

A :class:`Scenario` holds the Earth model, the missile types (catalog ids of
:mod:`glasnost.scenario.missiles` with radar cross-sections and warhead loadings), the interceptor
types (the simple kinematic model or a staged vehicle), the parties with their interceptor
sites, radars, space-based infrared, launch bases and targets, and the assessment settings with
the agreement's criteria.

Conventions:

* Every field that is not SI names its unit (``lat_deg``, ``burnout_velocity_kms``, ``range_km``).
* Every site, radar, base, target and type has an ``id``: a letter, then letters, digits, ``_``
  or ``-``. Ids are unique per kind across the whole scenario (a site id names one site of one
  party), so ``--set`` overrides and reports can address entries by id.
* Provenance: ``basis`` is ``published`` (from cited public sources), ``declared`` (declared by
  the party under the agreement) or ``assumed`` (a modelling assumption; the default, so that an
  unlabelled number is never mistaken for a fact). ``assumed_fields`` names the fields whose
  values are assumptions when the rest of the entry is published; ``sources`` are ids of the
  scenario's ``sources`` table (the citations travel with the data).
* In-service windows are inclusive: an entry is in service on ``d`` when
  ``in_service_from <= d <= in_service_until`` (a missing bound is open). :meth:`Scenario.on`
  returns the posture on a date.

Cross-references (site -> interceptor type, base -> missile type, dyads -> parties, sources) are
checked by :class:`Scenario`; errors carry the exact location, e.g.
``parties[1].interceptor_sites[3].interceptor``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from functools import cache
from typing import TYPE_CHECKING, Annotated, Any, Literal, Self, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    JsonValue,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic.config import JsonDict
from pydantic_core import InitErrorDetails, PydanticCustomError

from glasnost.common.ids import Id
from glasnost.common.ids import dotted as dotted  # re-exported: the scenario tests use it
from glasnost.scenario.missiles import (
    Derivation,
    MissileType,
    Published,
    StageData,
    catalog,
    missile,
)
from glasnost.scenario.uncertainty import DeclaredUncertainty

if TYPE_CHECKING:  # NumPy only when a vehicle is built: the exchange reads models without it
    from glasnost.physics.vehicle import Vehicle
    from glasnost.scenario.derive import StackFigures

DEFAULT_DATE = dt.date(2025, 1, 1)
"""Default assessment date: the built-in catalog describes forces as of 2024."""

ORBITAL_SPEED_KMS = 7.9
"""First cosmic velocity at the surface (km/s): a faster "interceptor" would be in orbit."""

VERTICAL_RISE_S = 2.0
"""Default vertical rise of a staged interceptor (s), as for the catalog's missiles."""

PITCH_OVER_S = 6.0
"""Default pitch-over duration of a staged interceptor (s), as for the catalog's missiles."""

Basis = Literal["published", "assumed", "declared"]
InterceptorModel = Literal["flyout", "burnout-delay", "straight-boost"]
ThreatShape = Literal["min-energy", "lofted", "depressed"]
LatDeg = Annotated[float, Field(ge=-90.0, le=90.0, description="Geodetic latitude (deg, WGS84).")]
LonDeg = Annotated[
    float, Field(ge=-180.0, le=180.0, description="Geodetic longitude (deg, WGS84).")
]
AltM = Annotated[
    float, Field(ge=-500.0, le=10_000.0, description="Height above the WGS84 ellipsoid (m).")
]

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

_T = TypeVar("_T", bound=BaseModel)

_PROVENANCE = ("basis", "assumed_fields", "sources", "note")


def _raise(title: str, problems: list[tuple[tuple[str | int, ...], str, Any]]) -> None:
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


def _catalog_ids(schema: JsonDict) -> None:
    """JSON Schema: the catalog's missile ids as examples (a defined type may use any id)."""
    ids: list[JsonValue] = list(sorted(catalog()))
    schema["examples"] = ids


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


def _basis() -> Any:
    return Field(
        default="assumed",
        description="published (cited sources), declared (by the party) or assumed.",
    )


def _assumed_fields() -> Any:
    return Field(
        default=(),
        description="Fields whose values are assumptions (then basis must be 'assumed').",
    )


def _sources() -> Any:
    return Field(default=(), description="Ids of the scenario's `sources` table.")


class _Provenance(_Model):
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


class _InService(_Provenance):
    @model_validator(mode="after")
    def _check_window(self) -> Self:
        start: dt.date | None = getattr(self, "in_service_from", None)
        end: dt.date | None = getattr(self, "in_service_until", None)
        if start is not None and end is not None and end < start:
            _raise(
                type(self).__name__,
                [(("in_service_until",), f"must not be before in_service_from ({start})", end)],
            )
        return self

    def in_service(self, on: dt.date) -> bool:
        """Whether the entry is in service on that date (both bounds inclusive)."""
        start: dt.date | None = getattr(self, "in_service_from", None)
        end: dt.date | None = getattr(self, "in_service_until", None)
        return (start is None or start <= on) and (end is None or on <= end)


# --- types --------------------------------------------------------------------------------------


MissileRole = Literal["icbm", "slbm", "irbm", "mrbm"]


class MissileDefinition(_Provenance):
    """Published figures of a missile type that the catalog lacks, from which glasnost derives
    its stack as the catalog derives those of its ``basis: derived`` missiles
    (glasnost.scenario.derive): a template of stage proportions scaled to ``launch_mass_kg``,
    with the payload fitted so that the maximum range on a non-rotating sphere is ``range_km``
    or, where the throw weight ``payload_kg`` is given, a common factor on the template's
    specific impulses. The figures that are not published are named in ``assumed_fields``.
    """

    name: str = Field(min_length=1, description="Name, e.g. Sejjil-2.")
    country: str | None = Field(default=None, description="Who fields it, e.g. IR.")
    role: MissileRole = Field(
        description="icbm (> 5,500 km), irbm (3,000-5,500 km), mrbm (1,000-3,000 km) or slbm."
    )
    propellant: Literal["solid", "liquid"]
    stage_count: int = Field(ge=1, le=4, description="Propulsive stages (selects the template).")
    range_km: float = Field(
        gt=0, description="Maximum range (km): the derived stack reaches it on a sphere."
    )
    launch_mass_kg: float = Field(gt=0, description="Launch mass (kg).")
    payload_kg: float | None = Field(
        default=None,
        gt=0,
        description="Throw weight (kg). Given: the specific impulses are fitted; omitted: the "
        "payload is fitted (derived).",
    )
    length_m: float | None = Field(
        default=None, gt=0, description="Overall length (m); recorded, not used by the fit."
    )
    diameter_m: float = Field(gt=0, description="First-stage diameter (m): the drag area.")
    template: str | None = Field(
        default=None,
        description="Template of stage proportions (glasnost.scenario.derive.TEMPLATES); "
        "default: the one for the propellant and stage count.",
    )
    basis: Basis = _basis()
    assumed_fields: tuple[str, ...] = _assumed_fields()
    sources: tuple[str, ...] = _sources()
    note: str | None = None

    @model_validator(mode="after")
    def _derivable(self) -> Self:
        from glasnost.scenario.derive import TEMPLATES, DerivationError, derive_stack

        template = self.resolved_template()
        if template is None:
            from glasnost.scenario.derive import template_choices

            _raise(
                "MissileDefinition",
                [
                    (
                        ("stage_count",),
                        f"no stage template for a {self.propellant} {self.stage_count}-stage "
                        f"missile; templates exist for: {template_choices()} (or name one "
                        "with `template`)",
                        self.stage_count,
                    )
                ],
            )
            return self
        if template not in TEMPLATES:
            _raise(
                "MissileDefinition",
                [(("template",), f"unknown template; templates: {', '.join(TEMPLATES)}", template)],
            )
        t = TEMPLATES[template]
        if (t.propellant, t.stage_count) != (self.propellant, self.stage_count):
            _raise(
                "MissileDefinition",
                [
                    (
                        ("template",),
                        f"template {template!r} is a {t.propellant} {t.stage_count}-stage stack, "
                        f"not {self.propellant} {self.stage_count}-stage",
                        template,
                    )
                ],
            )
        try:
            derive_stack(self.figures())
        except DerivationError as exc:
            field = exc.field if exc.field in type(self).model_fields else "range_km"
            _raise("MissileDefinition", [((field,), exc.reason, getattr(self, field))])
        return self

    def basis_of(self, field: str) -> str:
        """``published``, ``declared`` or ``assumed``: where one figure comes from."""
        if self.basis == "assumed" and self.assumed_fields and field not in self.assumed_fields:
            return "published"
        return self.basis

    def resolved_template(self) -> str | None:
        """The template named, or the default for the propellant and stage count."""
        from glasnost.scenario.derive import default_template

        if self.template is not None:
            return self.template
        return default_template(self.propellant, self.stage_count, self.role == "slbm")

    def figures(self) -> StackFigures:
        """What the derivation starts from."""
        from glasnost.scenario.derive import StackFigures

        template = self.resolved_template()
        assert template is not None  # checked by validation
        return StackFigures(
            template=template,
            launch_mass_kg=self.launch_mass_kg,
            range_km=self.range_km,
            diameter_m=self.diameter_m,
            throw_weight_kg=self.payload_kg,
        )


class MissileTypeRef(_Provenance):
    """A missile type of the scenario: a catalog missile (``glasnost missiles``) by its id, or
    one the scenario defines from published figures (``definition``), with scenario data."""

    id: Id = Field(
        description="Catalog id (glasnost.scenario.missiles), e.g. minuteman_iii; any other id "
        "when `definition` is given.",
        json_schema_extra=_catalog_ids,
    )
    warheads: int | None = Field(
        default=None, ge=1, description="Default warheads per missile (a base may override)."
    )
    rcs_booster_m2: float = Field(gt=0, description="Radar cross-section while thrusting (m^2).")
    rcs_post_boost_vehicle_m2: float | None = Field(
        default=None, gt=0, description="Radar cross-section of the post-boost vehicle (m^2)."
    )
    rcs_reentry_vehicle_m2: float = Field(
        gt=0, description="Radar cross-section of a reentry vehicle after burnout (m^2)."
    )
    definition: MissileDefinition | None = Field(
        default=None,
        description="Published figures of a missile type the catalog lacks: glasnost derives "
        "its stack (basis: derived) as for the catalog's derived missiles.",
    )
    basis: Basis = _basis()
    assumed_fields: tuple[str, ...] = _assumed_fields()
    sources: tuple[str, ...] = _sources()
    note: str | None = None

    @model_validator(mode="after")
    def _catalog_or_defined(self) -> Self:
        in_catalog = self.id in catalog()
        if self.definition is None and not in_catalog:
            known = ", ".join(sorted(catalog()))
            _raise(
                "MissileTypeRef",
                [
                    (
                        ("id",),
                        f"unknown missile {self.id!r}; known: {known} (or define it with "
                        "`definition`)",
                        self.id,
                    )
                ],
            )
        if self.definition is not None and in_catalog:
            _raise(
                "MissileTypeRef",
                [
                    (
                        ("id",),
                        f"{self.id!r} is a catalog missile; a defined missile needs an id the "
                        "catalog does not use",
                        self.id,
                    )
                ],
            )
        return self

    def missile(self) -> MissileType:
        """Published facts and the stack the trajectory engine flies: the catalog entry, or for a
        defined type the stack derived from its figures (cached on them)."""
        if self.definition is None:
            return missile(self.id)
        return _defined_missile(self.id, self.definition)


@cache
def _defined_missile(ident: str, d: MissileDefinition) -> MissileType:
    from glasnost.scenario.derive import derive_stack

    derived = derive_stack(d.figures())
    return MissileType(
        id=ident,
        name=d.name,
        country=d.country,
        role=d.role,
        propellant=d.propellant,
        published=Published(
            range_km=d.range_km,
            launch_mass_kg=d.launch_mass_kg,
            throw_weight_kg=d.payload_kg,
            length_m=d.length_m,
            diameter_m=d.diameter_m,
        ),
        sources=d.sources,
        confidence=None,
        basis="derived",
        derivation=Derivation(template=derived.figures.template, diameter_m=d.diameter_m),
        payload_kg=derived.payload_kg,
        stages=tuple(
            StageData(
                gross_mass_kg=s.gross_mass_kg,
                propellant_mass_kg=s.propellant_mass_kg,
                burn_time_s=s.burn_time_s,
                isp_vac_s=s.isp_vac_s,
                diameter_m=s.diameter_m,
            )
            for s in derived.stages
        ),
        assumed_fields=d.assumed_fields,
        note=d.note,
        derivation_note=f"Defined in the scenario (figures: basis {d.basis}"
        + (f", assumed: {', '.join(d.assumed_fields)}" if d.assumed_fields else "")
        + f"); {derived.describe(d.basis_of('range_km'))}",
    )


class InterceptorType(_Provenance):
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
    basis: Basis = _basis()
    assumed_fields: tuple[str, ...] = _assumed_fields()
    sources: tuple[str, ...] = _sources()
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
        problems: list[tuple[tuple[str | int, ...], str, Any]] = []
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
        _raise("InterceptorType", problems)
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


# --- a party's posture --------------------------------------------------------------------------


class InterceptorSite(_InService):
    """Interceptors of one type at one place (a silo field, a battery, or ships' homeport)."""

    id: Id
    name: str
    interceptor: Id = Field(description="Id of one of the scenario's interceptor_types.")
    basing: Literal["land", "sea"] = Field(
        default="land", description="land or sea (ships; for the sea-based criterion)."
    )
    count: int = Field(ge=0, description="Interceptors at the site.")
    lat_deg: LatDeg
    lon_deg: LonDeg
    alt_m: AltM = 0.0
    in_service_from: dt.date | None = None
    in_service_until: dt.date | None = None
    basis: Basis = _basis()
    assumed_fields: tuple[str, ...] = _assumed_fields()
    sources: tuple[str, ...] = _sources()
    note: str | None = None


class Radar(_InService):
    """A radar: position, azimuth sector, elevation limits, range against a reference RCS.

    The azimuth sector runs clockwise from ``azimuth_min_deg`` to ``azimuth_max_deg`` (0 and 360
    for all-round coverage). The range against a target of cross-section sigma is
    ``range_km * (sigma / reference_rcs_m2) ** 0.25`` (radar equation).
    """

    id: Id
    name: str
    role: Literal["fire_control", "early_warning"]
    lat_deg: LatDeg
    lon_deg: LonDeg
    alt_m: AltM = 0.0
    azimuth_min_deg: float = Field(ge=0, le=360, description="Sector start, clockwise (deg).")
    azimuth_max_deg: float = Field(ge=0, le=360, description="Sector end, clockwise (deg).")
    elevation_min_deg: float = Field(ge=-90, le=90, description="Lowest beam elevation (deg).")
    elevation_max_deg: float = Field(ge=-90, le=90, description="Highest beam elevation (deg).")
    range_min_km: float = Field(default=0.0, ge=0, description="Minimum range (km).")
    range_km: float = Field(gt=0, description="Detection range against reference_rcs_m2 (km).")
    reference_rcs_m2: float = Field(gt=0, description="Cross-section that range_km refers to.")
    in_service_from: dt.date | None = None
    in_service_until: dt.date | None = None
    basis: Basis = _basis()
    assumed_fields: tuple[str, ...] = _assumed_fields()
    sources: tuple[str, ...] = _sources()
    note: str | None = None

    @model_validator(mode="after")
    def _limits(self) -> Self:
        problems: list[tuple[tuple[str | int, ...], str, Any]] = []
        if self.azimuth_min_deg == self.azimuth_max_deg:
            problems.append(
                (
                    ("azimuth_max_deg",),
                    "equals azimuth_min_deg (empty sector); use 0 and 360 for all-round",
                    self.azimuth_max_deg,
                )
            )
        if self.elevation_min_deg >= self.elevation_max_deg:
            problems.append(
                (
                    ("elevation_min_deg",),
                    f"must be below elevation_max_deg ({self.elevation_max_deg:g})",
                    self.elevation_min_deg,
                )
            )
        if self.range_min_km >= self.range_km:
            problems.append(
                (
                    ("range_min_km",),
                    f"must be below range_km ({self.range_km:g})",
                    self.range_min_km,
                )
            )
        _raise("Radar", problems)
        return self

    @property
    def azimuth_width_deg(self) -> float:
        """Width of the clockwise sector (deg), 360 for all-round coverage."""
        width = self.azimuth_max_deg - self.azimuth_min_deg
        return 360.0 if width == 360.0 else width % 360.0


class SpaceInfrared(_Provenance):
    """Space-based infrared launch detection (boost phase only)."""

    detection_delay_s: float = Field(gt=0, le=600, description="Delay after launch (s).")
    fire_control: bool = Field(
        default=False, description="May cue interceptors without launch-on-remote."
    )
    basis: Basis = _basis()
    assumed_fields: tuple[str, ...] = _assumed_fields()
    sources: tuple[str, ...] = _sources()
    note: str | None = None


class LaunchBase(_InService):
    """Missiles of one type launched from one point: a silo field, a mobile division's garrison,
    or a submarine patrol point."""

    id: Id
    name: str
    kind: Literal["silo_field", "mobile", "submarine_patrol"]
    lat_deg: LatDeg
    lon_deg: LonDeg
    missile: Id = Field(description="Id of one of the scenario's missile_types.")
    launchers: int = Field(ge=0, description="Deployed missiles (one per launcher).")
    warheads_per_missile: int | None = Field(
        default=None, ge=1, description="Warheads per missile; default: the missile type's."
    )
    catalog_id: str | None = Field(
        default=None,
        description="Catalog id of the base when it differs from id (several missile groups).",
    )
    in_service_from: dt.date | None = None
    in_service_until: dt.date | None = None
    basis: Basis = _basis()
    assumed_fields: tuple[str, ...] = _assumed_fields()
    sources: tuple[str, ...] = _sources()
    note: str | None = None


class Target(_Provenance):
    """An aim point in this party's territory for the other parties' missiles."""

    id: Id
    name: str
    lat_deg: LatDeg
    lon_deg: LonDeg
    against: tuple[Id, ...] = Field(
        default=(),
        description="Parties whose missiles fly to this aim point (e.g. an allied city that "
        "only a declared third-party threat aims at); empty: every party assessed against this "
        "one.",
    )
    basis: Basis = _basis()
    assumed_fields: tuple[str, ...] = _assumed_fields()
    sources: tuple[str, ...] = _sources()
    note: str | None = None


class Party(_Model):
    """One state party: its defenses, sensors, offensive forces and the targets on its soil.

    A party in no ``assessment.dyads`` pair is a third party (e.g. IR): usually launch bases
    only, whose missiles a treaty party's defenses may be declared against
    (``declared_against``).
    """

    id: Id = Field(description="Short id, e.g. US, RU, CN.")
    name: str
    interceptor_sites: tuple[InterceptorSite, ...] = ()
    radars: tuple[Radar, ...] = ()
    space_based_infrared: SpaceInfrared | None = None
    launch_bases: tuple[LaunchBase, ...] = ()
    targets: tuple[Target, ...] = ()
    declared_against: tuple[Id, ...] = Field(
        default=(),
        description="Ids of the other parties whose missiles this party declares its defenses "
        "to be for (e.g. [IR]).",
    )

    def on(self, date: dt.date) -> Party:
        """This party with the sites, radars and bases in service on that date."""
        return self.model_copy(
            update={
                "interceptor_sites": tuple(s for s in self.interceptor_sites if s.in_service(date)),
                "radars": tuple(r for r in self.radars if r.in_service(date)),
                "launch_bases": tuple(b for b in self.launch_bases if b.in_service(date)),
            }
        )

    @property
    def interceptors(self) -> int:
        return sum(s.count for s in self.interceptor_sites)

    @property
    def launchers(self) -> int:
        return sum(b.launchers for b in self.launch_bases)


# --- assessment ---------------------------------------------------------------------------------


class Criterion(_Provenance):
    """One criterion of the agreement: the value must not exceed the threshold."""

    id: CriterionId = Field(description="; ".join(f"{k}: {v}" for k, v in CRITERIA.items()))
    threshold: float = Field(ge=0)
    basis: Basis = _basis()
    assumed_fields: tuple[str, ...] = _assumed_fields()
    sources: tuple[str, ...] = _sources()
    note: str | None = None

    @model_validator(mode="after")
    def _fraction(self) -> Self:
        if (self.id.endswith("_fraction") or self.id == "purpose") and self.threshold > 1:
            _raise("Criterion", [(("threshold",), "a fraction must be <= 1", self.threshold)])
        if self.id.endswith("_kms") and self.threshold >= ORBITAL_SPEED_KMS:
            _raise(
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


class AssessmentSettings(_Provenance):
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
    basis: Basis = _basis()
    assumed_fields: tuple[str, ...] = _assumed_fields()
    sources: tuple[str, ...] = _sources()
    note: str | None = None

    @model_validator(mode="after")
    def _shapes(self) -> Self:
        problems: list[tuple[tuple[str | int, ...], str, Any]] = []
        if len(set(self.threat_shapes)) != len(self.threat_shapes):
            problems.append((("threat_shapes",), "names a shape twice", list(self.threat_shapes)))
        for shape in ("lofted", "depressed"):
            apogee = getattr(self, f"{shape}_apogee_km")
            fpa = getattr(self, f"{shape}_fpa_deg")
            if apogee is not None and fpa is not None:
                problems.append(
                    ((f"{shape}_fpa_deg",), f"give {shape}_apogee_km or this, not both", fpa)
                )
        _raise("AssessmentSettings", problems)
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


# --- the scenario -------------------------------------------------------------------------------


class Scenario(_Model):
    """One assessment input: types, parties' postures and settings (DESIGN.md, Scenario)."""

    name: str = Field(min_length=1)
    description: str = ""
    earth: Literal["wgs84", "sphere"] = Field(
        default="wgs84", description="wgs84: rotating ellipsoid with J2; sphere: textbook Earth."
    )
    date: dt.date = Field(default=DEFAULT_DATE, description="Date of the posture assessed.")
    missile_types: tuple[MissileTypeRef, ...] = ()
    interceptor_types: tuple[InterceptorType, ...] = ()
    parties: tuple[Party, ...] = Field(min_length=1)
    assessment: AssessmentSettings
    assumptions: tuple[str, ...] = Field(
        default=(), description="What was assumed, in words (reports repeat it)."
    )
    sources: dict[str, str] = Field(
        default_factory=dict, description="Citations: source id -> text."
    )
    uncertainty: tuple[DeclaredUncertainty, ...] | None = Field(
        default=None,
        description="Declared values' stated uncertainties (glasnost sweep --declared).",
    )

    @model_validator(mode="after")
    def _cross_references(self) -> Self:
        problems: list[tuple[tuple[str | int, ...], str, Any]] = []

        def unique(kind: str, entries: list[tuple[tuple[str | int, ...], str]]) -> set[str]:
            first: dict[str, tuple[str | int, ...]] = {}
            for loc, ident in entries:
                if ident in first:
                    problems.append(
                        (
                            (*loc, "id"),
                            f"duplicate {kind} id {ident!r} (also {dotted(first[ident])})",
                            ident,
                        )
                    )
                else:
                    first[ident] = loc
            return set(first)

        missiles = unique(
            "missile type", [(("missile_types", i), m.id) for i, m in enumerate(self.missile_types)]
        )
        interceptors = unique(
            "interceptor type",
            [(("interceptor_types", i), t.id) for i, t in enumerate(self.interceptor_types)],
        )
        parties = unique("party", [(("parties", i), p.id) for i, p in enumerate(self.parties)])
        for field, kind in (
            ("interceptor_sites", "interceptor site"),
            ("radars", "radar"),
            ("launch_bases", "launch base"),
            ("targets", "target"),
        ):
            unique(
                kind,
                [
                    (("parties", i, field, j), e.id)
                    for i, p in enumerate(self.parties)
                    for j, e in enumerate(getattr(p, field))
                ],
            )
        unique(
            "criterion",
            [(("assessment", "criteria", i), c.id) for i, c in enumerate(self.assessment.criteria)],
        )

        warheads = {m.id: m.warheads for m in self.missile_types}
        for i, p in enumerate(self.parties):
            for j, s in enumerate(p.interceptor_sites):
                if s.interceptor not in interceptors:
                    problems.append(
                        (
                            ("parties", i, "interceptor_sites", j, "interceptor"),
                            _unknown("interceptor type", s.interceptor, interceptors),
                            s.interceptor,
                        )
                    )
            for j, b in enumerate(p.launch_bases):
                loc: tuple[str | int, ...] = ("parties", i, "launch_bases", j)
                if b.missile not in missiles:
                    problems.append(
                        (
                            (*loc, "missile"),
                            _unknown("missile type", b.missile, missiles),
                            b.missile,
                        )
                    )
                elif b.warheads_per_missile is None and warheads[b.missile] is None:
                    problems.append(
                        (
                            (*loc, "warheads_per_missile"),
                            f"required: missile type {b.missile!r} gives no default warheads",
                            None,
                        )
                    )

        for i, p in enumerate(self.parties):
            declared: set[str] = set()
            for n, ident in enumerate(p.declared_against):
                loc = ("parties", i, "declared_against", n)
                if ident == p.id:
                    problems.append(
                        (loc, "a party cannot declare its defenses against itself", ident)
                    )
                elif ident not in parties:
                    problems.append((loc, _unknown("party", ident, parties - {p.id}), ident))
                elif ident in declared:
                    problems.append((loc, f"{ident!r} is listed twice", ident))
                declared.add(ident)

        for i, p in enumerate(self.parties):
            for k, t in enumerate(p.targets):
                for n, ident in enumerate(t.against):
                    if ident not in parties or ident == p.id:
                        problems.append(
                            (
                                ("parties", i, "targets", k, "against", n),
                                _unknown("party", ident, parties - {p.id}),
                                ident,
                            )
                        )

        seen_pairs: dict[frozenset[str], int] = {}
        for k, (x, y) in enumerate(self.assessment.dyads):
            for n, ident in enumerate((x, y)):
                if ident not in parties:
                    problems.append(
                        (("assessment", "dyads", k, n), _unknown("party", ident, parties), ident)
                    )
            if x == y:
                problems.append(
                    (("assessment", "dyads", k), f"a party cannot face itself ({x!r})", [x, y])
                )
            pair = frozenset((x, y))
            if pair in seen_pairs:
                problems.append(
                    (
                        ("assessment", "dyads", k),
                        f"duplicate dyad (also assessment.dyads[{seen_pairs[pair]}]; "
                        "each dyad is assessed both ways)",
                        [x, y],
                    )
                )
            seen_pairs.setdefault(pair, k)

        for loc, entry in self._provenance_entries():
            for n, source in enumerate(entry.sources):
                if source not in self.sources:
                    problems.append(
                        (
                            (*loc, "sources", n),
                            f"unknown source {source!r}; define it under the top-level `sources`",
                            source,
                        )
                    )
        _raise("Scenario", problems)
        return self

    def _provenance_entries(self) -> Iterator[tuple[tuple[str | int, ...], _Provenance]]:
        for i, m in enumerate(self.missile_types):
            yield ("missile_types", i), m
            if m.definition is not None:
                yield ("missile_types", i, "definition"), m.definition
        for i, t in enumerate(self.interceptor_types):
            yield ("interceptor_types", i), t
        for i, p in enumerate(self.parties):
            for field in ("interceptor_sites", "radars", "launch_bases", "targets"):
                for j, e in enumerate(getattr(p, field)):
                    yield ("parties", i, field, j), e
            if p.space_based_infrared is not None:
                yield ("parties", i, "space_based_infrared"), p.space_based_infrared
        yield ("assessment",), self.assessment
        for i, c in enumerate(self.assessment.criteria):
            yield ("assessment", "criteria", i), c

    # --- queries ---------------------------------------------------------------------------------

    def on(self, date: dt.date) -> Scenario:
        """The posture on that date: sites, radars and bases whose in-service window holds it."""
        return self.model_copy(
            update={"date": date, "parties": tuple(p.on(date) for p in self.parties)}
        )

    def party(self, party_id: str) -> Party:
        return _by_id(self.parties, party_id, "party")

    def interceptor_type(self, type_id: str) -> InterceptorType:
        return _by_id(self.interceptor_types, type_id, "interceptor type")

    def missile_type(self, type_id: str) -> MissileTypeRef:
        return _by_id(self.missile_types, type_id, "missile type")

    def warheads_per_missile(self, base: LaunchBase) -> int:
        """The base's loading, or its missile type's default."""
        if base.warheads_per_missile is not None:
            return base.warheads_per_missile
        default = self.missile_type(base.missile).warheads
        assert default is not None  # checked by validation
        return default

    def directions(self) -> tuple[tuple[Party, Party], ...]:
        """(attacker, defender) for each dyad, both ways, in dyad order; then, one way, each
        party's declared threats (``declared_against``) against it."""
        out: list[tuple[Party, Party]] = []
        for a, b in self.assessment.dyads:
            out += [(self.party(a), self.party(b)), (self.party(b), self.party(a))]
        pairs = {(a.id, d.id) for a, d in out}
        for party in self.parties:
            for threat in party.declared_against:
                if (threat, party.id) not in pairs:
                    out.append((self.party(threat), party))
                    pairs.add((threat, party.id))
        return tuple(out)

    def targets_of(self, attacker: Party, defender: Party) -> tuple[Target, ...]:
        """The defender's aim points for the attacker's missiles (``Target.against``)."""
        return tuple(t for t in defender.targets if not t.against or attacker.id in t.against)

    def trajectory_count(self) -> int:
        """Trajectories the assessment flies: attacker bases x the defender's aim points for
        them, per direction and threat shape."""
        per_shape = sum(
            len(att.launch_bases) * len(self.targets_of(att, dfn)) for att, dfn in self.directions()
        )
        return per_shape * len(self.assessment.shapes())

    def counts(self) -> dict[str, int]:
        """How much the scenario holds (for summaries and reports)."""
        sites = [s for p in self.parties for s in p.interceptor_sites]
        bases = [b for p in self.parties for b in p.launch_bases]
        return {
            "parties": len(self.parties),
            "interceptor_sites": len(sites),
            "interceptors": sum(s.count for s in sites),
            "radars": sum(len(p.radars) for p in self.parties),
            "launch_bases": len(bases),
            "launchers": sum(b.launchers for b in bases),
            "warheads": sum(b.launchers * self.warheads_per_missile(b) for b in bases),
            "targets": sum(len(p.targets) for p in self.parties),
            "dyads": len(self.assessment.dyads),
            "trajectories": self.trajectory_count(),
        }

    def summary(self) -> str:
        """One line: the counts of the scenario."""
        c = self.counts()
        return (
            f"scenario {self.name!r} on {self.date}: {c['parties']} parties "
            f"({', '.join(p.id for p in self.parties)}), {c['interceptor_sites']} interceptor "
            f"sites ({c['interceptors']} interceptors), {c['radars']} radars, "
            f"{c['launch_bases']} launch bases ({c['launchers']} launchers, {c['warheads']} "
            f"warheads), {c['targets']} targets, {c['dyads']} dyads, "
            f"{c['trajectories']} trajectories"
        )


def _by_id(entries: tuple[_T, ...], ident: str, kind: str) -> _T:
    for e in entries:
        if getattr(e, "id", None) == ident:
            return e
    known = {str(getattr(e, "id", "")) for e in entries}
    raise KeyError(_unknown(kind, ident, known))


def _unknown(kind: str, ident: str, known: set[str]) -> str:
    return f"unknown {kind} {ident!r}; known: {', '.join(sorted(known)) or '(none)'}"
