"""A party's posture: interceptor sites, radars, space-based infrared, launch bases and the
aim points on its soil, each with its in-service window (:meth:`Party.on` keeps those in
service on a date)."""

from __future__ import annotations

import datetime as dt
from typing import Literal, Self

from pydantic import Field, model_validator

from glasnost.common.ids import Id
from glasnost.scenario.base import (
    AltM,
    Basis,
    InService,
    LatDeg,
    LonDeg,
    Problem,
    Provenance,
    StrictModel,
    assumed_fields_field,
    basis_field,
    raise_problems,
    sources_field,
)


class InterceptorSite(InService):
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
    basis: Basis = basis_field()
    assumed_fields: tuple[str, ...] = assumed_fields_field()
    sources: tuple[str, ...] = sources_field()
    note: str | None = None


class Radar(InService):
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
    basis: Basis = basis_field()
    assumed_fields: tuple[str, ...] = assumed_fields_field()
    sources: tuple[str, ...] = sources_field()
    note: str | None = None

    @model_validator(mode="after")
    def _limits(self) -> Self:
        problems: list[Problem] = []
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
        raise_problems("Radar", problems)
        return self

    @property
    def azimuth_width_deg(self) -> float:
        """Width of the clockwise sector (deg), 360 for all-round coverage."""
        width = self.azimuth_max_deg - self.azimuth_min_deg
        return 360.0 if width == 360.0 else width % 360.0


class SpaceInfrared(Provenance):
    """Space-based infrared launch detection (boost phase only)."""

    detection_delay_s: float = Field(gt=0, le=600, description="Delay after launch (s).")
    fire_control: bool = Field(
        default=False, description="May cue interceptors without launch-on-remote."
    )
    basis: Basis = basis_field()
    assumed_fields: tuple[str, ...] = assumed_fields_field()
    sources: tuple[str, ...] = sources_field()
    note: str | None = None


class LaunchBase(InService):
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
    basis: Basis = basis_field()
    assumed_fields: tuple[str, ...] = assumed_fields_field()
    sources: tuple[str, ...] = sources_field()
    note: str | None = None


class Target(Provenance):
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
    basis: Basis = basis_field()
    assumed_fields: tuple[str, ...] = assumed_fields_field()
    sources: tuple[str, ...] = sources_field()
    note: str | None = None


class Party(StrictModel):
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
