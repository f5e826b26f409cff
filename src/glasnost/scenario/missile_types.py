"""Missile types of a scenario: a catalog missile by its id, or one the scenario defines from
published figures (its stack derived as the catalog derives those of its derived missiles)."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Literal, Self

from pydantic import Field, JsonValue, model_validator
from pydantic.config import JsonDict

from glasnost.common.ids import Id
from glasnost.scenario.base import (
    Basis,
    Provenance,
    assumed_fields_field,
    basis_field,
    raise_problems,
    sources_field,
)
from glasnost.scenario.missiles import (
    Derivation,
    MissileType,
    Published,
    StageData,
    catalog,
    missile,
)

if TYPE_CHECKING:  # NumPy only when a stack is derived: reading a scenario needs none
    from glasnost.scenario.derive import StackFigures

MissileRole = Literal["icbm", "slbm", "irbm", "mrbm"]


def _catalog_ids(schema: JsonDict) -> None:
    """JSON Schema: the catalog's missile ids as examples (a defined type may use any id)."""
    ids: list[JsonValue] = list(sorted(catalog()))
    schema["examples"] = ids


class MissileDefinition(Provenance):
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
    basis: Basis = basis_field()
    assumed_fields: tuple[str, ...] = assumed_fields_field()
    sources: tuple[str, ...] = sources_field()
    note: str | None = None

    @model_validator(mode="after")
    def _derivable(self) -> Self:
        from glasnost.scenario.derive import TEMPLATES, DerivationError, derive_stack

        template = self.resolved_template()
        if template is None:
            from glasnost.scenario.derive import template_choices

            raise_problems(
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
            raise_problems(
                "MissileDefinition",
                [(("template",), f"unknown template; templates: {', '.join(TEMPLATES)}", template)],
            )
        t = TEMPLATES[template]
        if (t.propellant, t.stage_count) != (self.propellant, self.stage_count):
            raise_problems(
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
            raise_problems("MissileDefinition", [((field,), exc.reason, getattr(self, field))])
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


class MissileTypeRef(Provenance):
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
    basis: Basis = basis_field()
    assumed_fields: tuple[str, ...] = assumed_fields_field()
    sources: tuple[str, ...] = sources_field()
    note: str | None = None

    @model_validator(mode="after")
    def _catalog_or_defined(self) -> Self:
        in_catalog = self.id in catalog()
        if self.definition is None and not in_catalog:
            known = ", ".join(sorted(catalog()))
            raise_problems(
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
            raise_problems(
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
