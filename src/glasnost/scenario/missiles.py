"""The built-in catalog of offensive missile types, with provenance.

Published facts and the stacks of ``data/missiles.yaml`` are merged with the fitted stacks of
``data/missiles_derived.yaml`` (written by ``scripts/derive_missile_stacks.py``) and validated
with pydantic. :func:`missile` returns a :class:`MissileType`, whose :meth:`vehicle` is the
physics model that the trajectory engine flies. A scenario may define further missile types from
published figures (``MissileTypeRef.definition``): their stacks are derived at run time by
glasnost.scenario.derive, the implementation the generator of ``missiles_derived.yaml`` uses,
and they are :class:`MissileType` s too (``basis: derived``), though not in the catalog.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field

from glasnost.errors import InputError

if TYPE_CHECKING:  # NumPy only when a vehicle is built: the exchange reads models without it
    from glasnost.physics.vehicle import Vehicle


DEFAULT_REENTRY_BETA_KG_M2 = 1.2e4
"""Ballistic coefficient m/(Cd A) of a modern reentry vehicle, about 120 kN/m^2 (open-literature
order of magnitude for slender conical RVs); an assumption for every missile of the catalog."""


class UnknownMissileError(InputError, KeyError):
    """No missile type of the catalog has this id."""


class StageData(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    gross_mass_kg: float = Field(gt=0)
    propellant_mass_kg: float = Field(gt=0)
    burn_time_s: float = Field(gt=0)
    isp_vac_s: float = Field(gt=0)
    diameter_m: float = Field(gt=0)
    exit_area_m2: float = Field(default=0.0, ge=0)


class Published(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    range_km: float | None = None
    launch_mass_kg: float | None = None
    throw_weight_kg: float | None = None
    length_m: float | None = None
    diameter_m: float | None = None


class Derivation(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    template: str
    diameter_m: float = Field(gt=0)
    launch_mass_kg: float | None = Field(default=None, gt=0)


class MissileType(BaseModel):
    """One missile type: published facts, the stack flown and where each number comes from."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    name: str
    country: str | None
    role: Literal["icbm", "slbm", "irbm", "mrbm"]
    propellant: Literal["solid", "liquid"]
    published: Published
    range_note: str | None = None
    sources: tuple[str, ...]
    confidence: Literal["high", "medium", "low"] | None  # None: not rated (scenario-defined)
    basis: Literal["published", "derived"]
    derivation: Derivation | None = None
    payload_kg: float = Field(gt=0)
    stages: tuple[StageData, ...] = Field(min_length=1)
    reentry_beta_kg_m2: float = Field(default=DEFAULT_REENTRY_BETA_KG_M2, gt=0)
    vertical_rise_s: float = Field(default=2.0, gt=0)
    pitch_over_s: float = Field(default=6.0, gt=0)
    assumed_fields: tuple[str, ...] = ()  # figures of `published` that are assumptions
    note: str | None = None
    derivation_note: str | None = None

    def vehicle(self, payload_kg: float | None = None) -> Vehicle:
        """The physics model of this missile (optionally with another payload, kg)."""
        from glasnost.physics.vehicle import Stage, Vehicle

        return Vehicle(
            name=self.id,
            stages=tuple(Stage(**s.model_dump()) for s in self.stages),
            payload_kg=self.payload_kg if payload_kg is None else payload_kg,
            reentry_beta_kg_m2=self.reentry_beta_kg_m2,
            vertical_rise_s=self.vertical_rise_s,
            pitch_over_s=self.pitch_over_s,
        )

    @property
    def launch_mass_kg(self) -> float:
        return sum(s.gross_mass_kg for s in self.stages) + self.payload_kg


def packaged_yaml(text: str) -> Any:
    """The data of a YAML file shipped with the package (generated and trusted): libyaml's safe
    loader where PyYAML has it (the same data, about 10 times faster than the pure-Python one,
    which is the fallback)."""
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def data_file(name: str) -> dict[str, Any]:
    """The mapping in the packaged YAML file ``data/<name>``."""
    text = resources.files("glasnost.scenario").joinpath("data", name).read_text("utf-8")
    data = packaged_yaml(text)
    assert isinstance(data, dict)
    return data


@cache
def catalog() -> dict[str, MissileType]:
    """All missile types of the built-in catalog, by id."""
    base = data_file("missiles.yaml")
    derived = data_file("missiles_derived.yaml").get("missiles", {})
    assert isinstance(derived, dict)
    out: dict[str, MissileType] = {}
    for entry in base["missiles"]:
        merged = dict(entry)
        if merged.get("basis") == "derived":
            merged.update(derived.get(merged["id"], {}))
        mt = MissileType.model_validate(merged)
        out[mt.id] = mt
    return out


def source_text(source_id: str) -> str:
    """The citation behind a source id of the catalog."""
    sources = data_file("missiles.yaml")["sources"]
    assert isinstance(sources, dict)
    return str(sources[source_id])


def missile(missile_id: str) -> MissileType:
    """The missile type with this catalog id (``minuteman_iii``, ``rs24_yars``, ...)."""
    try:
        return catalog()[missile_id]
    except KeyError:
        known = ", ".join(sorted(catalog()))
        raise UnknownMissileError(
            f"unknown missile; known: {known}", where=f"missile {missile_id!r}"
        ) from None
