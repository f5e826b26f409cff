"""Staged vehicles: stages, vehicles and batches of them stacked as arrays for the integrators.

A vehicle is a stack of stages (gross and propellant mass, burn time, vacuum specific impulse,
optional nozzle exit area for the back-pressure loss, diameter, drag curve Cd(Mach)) plus
payload and shroud. Mass is a closed-form function of time, continuous through each burn and
never rising at staging.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from glasnost.physics.constants import G0
from glasnost.physics.rows import Rows, join_rows, reorder_items

FloatArray = NDArray[np.float64]


MACH_GRID: tuple[float, ...] = (
    0.0,
    0.6,
    0.8,
    0.9,
    1.0,
    1.1,
    1.2,
    1.5,
    2.0,
    3.0,
    4.0,
    6.0,
    10.0,
    25.0,
)
"""Mach numbers at which every drag curve is tabulated (linear interpolation between them,
constant beyond the ends)."""

SLENDER_BODY_CD: tuple[float, ...] = (
    0.20,
    0.20,
    0.23,
    0.30,
    0.42,
    0.45,
    0.44,
    0.40,
    0.34,
    0.28,
    0.25,
    0.22,
    0.20,
    0.20,
)
"""A representative zero-lift drag curve of a slender missile body (shape of the V-2 and
sounding-rocket wind-tunnel curves in Sutton & Biblarz, *Rocket Propulsion Elements*, ch. 4:
subsonic 0.2, transonic peak near 0.45, falling to 0.2 at high Mach)."""


@dataclass(frozen=True)
class Stage:
    """One stage of a vehicle (SI units)."""

    gross_mass_kg: float
    propellant_mass_kg: float
    burn_time_s: float
    isp_vac_s: float
    diameter_m: float
    exit_area_m2: float = 0.0
    cd: tuple[float, ...] = SLENDER_BODY_CD

    def __post_init__(self) -> None:
        if not (0.0 < self.propellant_mass_kg < self.gross_mass_kg):
            raise ValueError("stage propellant mass must be positive and below the gross mass")
        if self.burn_time_s <= 0.0 or self.isp_vac_s <= 0.0 or self.diameter_m <= 0.0:
            raise ValueError("stage burn time, specific impulse and diameter must be positive")
        if self.exit_area_m2 < 0.0:
            raise ValueError("stage exit area must be >= 0")
        if len(self.cd) != len(MACH_GRID):
            raise ValueError(f"stage drag curve needs {len(MACH_GRID)} values on MACH_GRID")

    @property
    def mass_flow_kg_s(self) -> float:
        return self.propellant_mass_kg / self.burn_time_s

    @property
    def thrust_vac_n(self) -> float:
        return G0 * self.isp_vac_s * self.mass_flow_kg_s

    @property
    def reference_area_m2(self) -> float:
        return float(np.pi * self.diameter_m**2 / 4.0)


@dataclass(frozen=True)
class Vehicle:
    """A staged ballistic missile or interceptor booster.

    ``payload_kg`` is what flies on after the last stage (post-boost vehicle and reentry
    vehicles); the shroud is dropped when stage ``shroud_jettison_after_stage`` burns out.
    ``reentry_beta_kg_m2`` is the ballistic coefficient m / (Cd A) of the reentry vehicle.
    """

    name: str
    stages: tuple[Stage, ...]
    payload_kg: float
    shroud_kg: float = 0.0
    shroud_jettison_after_stage: int = 1
    reentry_beta_kg_m2: float = 1.2e4
    vertical_rise_s: float = 8.0
    pitch_over_s: float = 10.0

    def __post_init__(self) -> None:
        if not self.stages:
            raise ValueError("a vehicle needs at least one stage")
        if self.payload_kg <= 0.0 or self.shroud_kg < 0.0 or self.reentry_beta_kg_m2 <= 0.0:
            raise ValueError("payload and ballistic coefficient must be positive, shroud >= 0")
        if self.vertical_rise_s + self.pitch_over_s >= self.stages[0].burn_time_s:
            raise ValueError("vertical rise and pitch-over must end within the first stage")

    @property
    def launch_mass_kg(self) -> float:
        return sum(s.gross_mass_kg for s in self.stages) + self.payload_kg + self.shroud_kg

    @property
    def burn_time_s(self) -> float:
        return sum(s.burn_time_s for s in self.stages)

    def ideal_delta_v_ms(self) -> float:
        """Sum of the stages' rocket-equation velocity gains, g0 Isp ln(m0/mf) (m/s)."""
        dv, mass = 0.0, self.launch_mass_kg
        for k, stage in enumerate(self.stages):
            end = mass - stage.propellant_mass_kg
            dv += G0 * stage.isp_vac_s * float(np.log(mass / end))
            mass = end - stage.gross_mass_kg + stage.propellant_mass_kg
            if k + 1 == self.shroud_jettison_after_stage:
                mass -= self.shroud_kg
        return dv


@dataclass(frozen=True)
class VehicleBatch:
    """Vehicles stacked as arrays for the integrator: N rows, S stages (zero-length padding)."""

    ignition_s: FloatArray  # (N, S)
    burnout_s: FloatArray  # (N, S)
    ignition_mass_kg: FloatArray  # (N, S)
    mass_flow_kg_s: FloatArray  # (N, S)
    thrust_vac_n: FloatArray  # (N, S)
    exit_area_m2: FloatArray  # (N, S)
    reference_area_m2: FloatArray  # (N, S)
    cd: FloatArray  # (N, S, G)
    vertical_rise_s: FloatArray  # (N,)
    pitch_over_s: FloatArray  # (N,)
    reentry_beta_kg_m2: FloatArray  # (N,)
    vehicles: tuple[Vehicle, ...] = field(repr=False)

    @property
    def size(self) -> int:
        return int(self.ignition_s.shape[0])

    @property
    def n_stages(self) -> int:
        return int(self.ignition_s.shape[1])

    def mass_kg(self, t_s: FloatArray) -> FloatArray:
        """Vehicle mass (kg) at times ``t_s`` (N,) of continuous thrust, payload after the last."""
        k = self.stage_index(t_s)
        rows = np.arange(self.size)
        burnt = np.clip(t_s - self.ignition_s[rows, k], 0.0, None) * self.mass_flow_kg_s[rows, k]
        burnt = np.minimum(burnt, self.mass_flow_kg_s[rows, k] * self.stage_duration_s[rows, k])
        return self.ignition_mass_kg[rows, k] - burnt

    def take(self, rows: NDArray[np.bool_] | NDArray[np.intp]) -> VehicleBatch:
        """The batch restricted to ``rows`` (a boolean mask or indices), in that order."""
        index = np.flatnonzero(rows) if np.asarray(rows).dtype == np.bool_ else np.asarray(rows)
        return VehicleBatch(
            self.ignition_s[index],
            self.burnout_s[index],
            self.ignition_mass_kg[index],
            self.mass_flow_kg_s[index],
            self.thrust_vac_n[index],
            self.exit_area_m2[index],
            self.reference_area_m2[index],
            self.cd[index],
            self.vertical_rise_s[index],
            self.pitch_over_s[index],
            self.reentry_beta_kg_m2[index],
            tuple(self.vehicles[i] for i in index),
        )

    @staticmethod
    def concat(batches: Sequence[VehicleBatch], rows: Rows = None) -> VehicleBatch:
        """Rows of several batches with the same number of stages (see :func:`join_rows`)."""
        if len({b.n_stages for b in batches}) != 1:
            raise ValueError("batches to join must have the same number of stages")
        fields = {f: join_rows([getattr(b, f) for b in batches], rows) for f in _BATCH_ARRAYS}
        return VehicleBatch(**fields, vehicles=reorder_items([b.vehicles for b in batches], rows))

    def groups(self) -> list[tuple[Vehicle, NDArray[np.intp]]]:
        """Each distinct vehicle (by equality) in order of first appearance, with its rows.

        Rows are grouped by object identity first, then the few distinct objects by equality:
        comparing or hashing every row's vehicle (a dataclass of stage tuples, hashed anew at
        each call) cost about 25 ms at 10,000 rows."""
        slot_of_id: dict[int, int] = {}
        kinds: list[Vehicle] = []
        slots = np.empty(self.size, dtype=np.intp)
        for row, veh in enumerate(self.vehicles):
            slot = slot_of_id.get(id(veh))
            if slot is None:
                slot = next((k for k, kind in enumerate(kinds) if kind == veh), len(kinds))
                if slot == len(kinds):
                    kinds.append(veh)
                slot_of_id[id(veh)] = slot
            slots[row] = slot
        return [(kind, np.flatnonzero(slots == k)) for k, kind in enumerate(kinds)]

    @property
    def stage_duration_s(self) -> FloatArray:
        return self.burnout_s - self.ignition_s

    def stage_index(self, t_s: FloatArray) -> NDArray[np.intp]:
        """Index of the stage burning at ``t_s`` (N,); the last stage after burnout."""
        k = np.sum(self.burnout_s <= np.asarray(t_s)[:, None], axis=1)
        return np.minimum(k, self.n_stages - 1)

    def rows_named(self, rows: Sequence[int] | NDArray[np.intp]) -> str:
        """Rows of the batch with their vehicles, for an error's ``where``: ``row 3
        (minuteman_iii)``, ``rows 0, 4 (rs24_yars, minuteman_iii)``, at most five rows named."""
        index = [int(i) for i in rows]
        names = ", ".join(dict.fromkeys(self.vehicles[i].name for i in index))
        shown = ", ".join(str(i) for i in index[:5])
        more = f" and {len(index) - 5} more" if len(index) > 5 else ""
        return f"row{'s' if len(index) > 1 else ''} {shown}{more} ({names})"


_BATCH_ARRAYS = (
    "ignition_s",
    "burnout_s",
    "ignition_mass_kg",
    "mass_flow_kg_s",
    "thrust_vac_n",
    "exit_area_m2",
    "reference_area_m2",
    "cd",
    "vertical_rise_s",
    "pitch_over_s",
    "reentry_beta_kg_m2",
)


def stack(vehicles: Sequence[Vehicle]) -> VehicleBatch:
    """Arrange vehicles (one per trajectory) as a :class:`VehicleBatch`."""
    distinct = list(dict.fromkeys(vehicles))
    if len(distinct) < len(vehicles):
        position = {veh: i for i, veh in enumerate(distinct)}
        return _stack(distinct).take(np.array([position[v] for v in vehicles], dtype=np.intp))
    return _stack(vehicles)


def _stack(vehicles: Sequence[Vehicle]) -> VehicleBatch:
    n, s_max, g = len(vehicles), max(len(v.stages) for v in vehicles), len(MACH_GRID)
    ign = np.zeros((n, s_max))
    bo = np.zeros((n, s_max))
    m_ign = np.zeros((n, s_max))
    mdot = np.zeros((n, s_max))
    thrust = np.zeros((n, s_max))
    exit_area = np.zeros((n, s_max))
    area = np.zeros((n, s_max))
    cd = np.zeros((n, s_max, g))
    for i, veh in enumerate(vehicles):
        t, mass = 0.0, veh.launch_mass_kg
        for k in range(s_max):
            if k < len(veh.stages):
                st = veh.stages[k]
                ign[i, k], bo[i, k], m_ign[i, k] = t, t + st.burn_time_s, mass
                mdot[i, k], thrust[i, k] = st.mass_flow_kg_s, st.thrust_vac_n
                exit_area[i, k], area[i, k], cd[i, k] = st.exit_area_m2, st.reference_area_m2, st.cd
                t += st.burn_time_s
                mass -= st.gross_mass_kg
                if k + 1 == veh.shroud_jettison_after_stage:
                    mass -= veh.shroud_kg
            else:  # padding: a zero-length, zero-thrust stage carrying the payload
                ign[i, k], bo[i, k], m_ign[i, k] = t, t, mass
                area[i, k], cd[i, k] = area[i, k - 1], cd[i, k - 1]
    return VehicleBatch(
        ign,
        bo,
        m_ign,
        mdot,
        thrust,
        exit_area,
        area,
        cd,
        np.array([v.vertical_rise_s for v in vehicles]),
        np.array([v.pitch_over_s for v in vehicles]),
        np.array([v.reentry_beta_kg_m2 for v in vehicles]),
        tuple(vehicles),
    )
