"""What an interceptor type can do, as the assessment uses it: its flyout table (staged types,
and every type under the flyout model), its burnout velocity and burn time (declared, or
derived from the flyout table), where its stack comes from, and the closed model behind the
critical burnout velocity.
"""

from __future__ import annotations

import functools

from glasnost.defense.derived_stack import interceptor_stack, interceptor_vehicle
from glasnost.defense.engagement import LambertModel
from glasnost.defense.flyout import FlyoutTable, staged_flyout_table
from glasnost.scenario.interceptor_types import InterceptorType

FLYOUT_MAX_RANGE_KM = 8000.0
"""Ground range covered by the flyout table of a staged type that states no maximum range
(km); intercept points farther away are out of its reach."""


FLYOUT_MAX_TIME_S = 1800.0
"""Flight time covered by the flyout tables (s after the interceptor's launch)."""


FLYOUT_MAX_KICK_DEG = 180.0
"""Largest pitch-over kick flown (deg from vertical); the fan stops at the flattest kick whose
boost stays above ground. Kicks past 90 deg shape flat and depressed arcs: with a 90-deg cap a
fast vehicle's flattest arc still climbs steeply and low, distant points lie below the whole
fan, so a faster interceptor would reach fewer points than a slower one."""


def critical_velocity_model(interceptor_model: str) -> LambertModel:
    """The closed model behind the critical burnout velocity (and behind feasibility at sites
    without a flyout table): the literature's burnout delay, except under ``straight-boost``."""
    return "straight-boost" if interceptor_model == "straight-boost" else "burnout-delay"


def is_flown(itype: InterceptorType, model: str) -> bool:
    """Whether a type gets a flyout table: staged types always (their burnout speed comes from
    it), simple types under the flyout model (through a derived stack)."""
    return itype.model == "staged" or model == "flyout"


@functools.lru_cache(maxsize=32)
def flyout_table(itype: InterceptorType) -> FlyoutTable:
    """The flyout table of an interceptor type (computed once per distinct type): its vehicle
    (published stages, or the stack derived from its burnout speed, burn time and launch mass)
    flown with drag over a fan of pitch-over kicks, out to its maximum range (or
    ``FLYOUT_MAX_RANGE_KM``) and its highest intercept altitude."""
    max_range_km = FLYOUT_MAX_RANGE_KM if itype.max_range_km is None else itype.max_range_km
    return staged_flyout_table(
        interceptor_vehicle(itype),
        max_range_km * 1e3,
        itype.max_intercept_altitude_km * 1e3,
        max_time_s=FLYOUT_MAX_TIME_S,
        max_kick_deg=FLYOUT_MAX_KICK_DEG,
    )


def stack_note(itype: InterceptorType) -> str:
    """Where the stack a type flies comes from: its published stages or the derivation."""
    if itype.model == "staged":
        return "published stages (model: staged)"
    return interceptor_stack(itype).derivation


def type_burnout_kms(itype: InterceptorType, tables: dict[str, FlyoutTable]) -> float:
    """Burnout velocity (km/s) of a type: the declared one, or for a staged type the one its
    flyout table derives."""
    if itype.burnout_velocity_kms is None and itype.id in tables:
        return tables[itype.id].burnout_speed_ms / 1e3
    return declared_burnout_kms(itype)


def type_burn_time_s(itype: InterceptorType, tables: dict[str, FlyoutTable]) -> float:
    """Burn time (s) of a type: its flyout table's where it has one, else declared."""
    if itype.id in tables:
        return tables[itype.id].burn_time_s
    if itype.burn_time_s is None:
        raise ValueError(f"interceptor type {itype.id!r} declares no burn time (staged)")
    return itype.burn_time_s


def declared_burnout_kms(itype: InterceptorType) -> float:
    """The declared burnout velocity (km/s) of a simple interceptor type."""
    if itype.burnout_velocity_kms is None:
        raise ValueError(f"interceptor type {itype.id!r} declares no burnout velocity (staged)")
    return itype.burnout_velocity_kms
