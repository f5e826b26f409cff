"""Derive stage stacks for catalog missiles whose stage data is not published.

For each missile with ``basis: derived`` in src/glasnost/scenario/data/missiles.yaml, a
template of stage proportions (below) is scaled to the published launch mass and one free
parameter is fitted so that the maximum range on a non-rotating sphere (full burn, best
pitch-over, reentry with drag) equals the published range:

- where the throw weight is published, the payload is that throw weight and the fitted
  parameter is a common factor on the stages' specific impulses;
- otherwise the fitted parameter is the payload (post-boost vehicle and reentry vehicles).

Templates (assumptions, stated so they can be audited and replaced by declared data):
stage mass split and propellant fractions follow the Minuteman III flyout-model stack for
solids (catalog ``minuteman_iii``) and typical two- and three-stage liquid stacks; vacuum
specific impulses are typical of the propellant class (composite solids 275-300 s, N2O4/UDMH
315-330 s); burn times give the boost durations of the National Research Council (2012),
about 170-180 s for solid-propellant and 240-250 s for liquid-propellant ICBMs.

Run:  .venv/bin/python scripts/derive_missile_stacks.py   (rewrites missiles_derived.yaml)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

from glasnost.physics.constants import SPHERE
from glasnost.physics.targeting import max_range
from glasnost.physics.vehicle import Stage, Vehicle, stack
from glasnost.scenario.missiles import DEFAULT_REENTRY_BETA_KG_M2

DATA = Path(__file__).resolve().parents[1] / "src" / "glasnost" / "scenario" / "data"


@dataclass(frozen=True)
class Template:
    mass_split: tuple[float, ...]  # share of the stage stack's mass in each stage
    propellant_fraction: tuple[float, ...]
    isp_vac_s: tuple[float, ...]
    burn_time_s: tuple[float, ...]
    diameter_ratio: tuple[float, ...]  # stage diameter / first-stage diameter


TEMPLATES = {
    "solid_icbm_3": Template(
        (0.64, 0.25, 0.11), (0.90, 0.88, 0.87), (275, 295, 300), (62, 62, 54), (1.0, 0.85, 0.75)
    ),
    "solid_slbm_3": Template(
        (0.68, 0.23, 0.09), (0.90, 0.88, 0.86), (280, 290, 295), (62, 62, 50), (1.0, 1.0, 0.6)
    ),
    "liquid_icbm_2": Template((0.80, 0.20), (0.93, 0.91), (315, 330), (130, 115), (1.0, 1.0)),
    "liquid_slbm_3": Template(
        (0.64, 0.26, 0.10), (0.92, 0.90, 0.88), (310, 315, 315), (80, 80, 60), (1.0, 1.0, 0.8)
    ),
}


def build(entry: dict, template: Template, payload: float, isp_factor: float) -> Vehicle:
    d = entry["derivation"]
    launch = d.get("launch_mass_kg") or entry["published"]["launch_mass_kg"]
    stack_mass = launch - payload
    stages = tuple(
        Stage(
            gross_mass_kg=stack_mass * share,
            propellant_mass_kg=stack_mass * share * frac,
            burn_time_s=burn,
            isp_vac_s=isp * isp_factor,
            diameter_m=d["diameter_m"] * ratio,
        )
        for share, frac, isp, burn, ratio in zip(
            template.mass_split,
            template.propellant_fraction,
            template.isp_vac_s,
            template.burn_time_s,
            template.diameter_ratio,
            strict=True,
        )
    )
    return Vehicle(
        entry["id"],
        stages,
        payload,
        reentry_beta_kg_m2=DEFAULT_REENTRY_BETA_KG_M2,
        vertical_rise_s=2.0,
        pitch_over_s=6.0,
    )


def main() -> None:
    entries = [
        e
        for e in yaml.safe_load((DATA / "missiles.yaml").read_text())["missiles"]
        if e["basis"] == "derived"
    ]
    n = len(entries)
    launch = np.array(
        [e["derivation"].get("launch_mass_kg") or e["published"]["launch_mass_kg"] for e in entries]
    )
    target = np.array([e["published"]["range_km"] * 1e3 for e in entries])
    throw = np.array([e["published"].get("throw_weight_kg") or np.nan for e in entries])
    fit_isp = np.isfinite(throw)
    lo = np.where(fit_isp, 0.80, 0.005 * launch)
    hi = np.where(fit_isp, 1.20, 0.25 * launch)

    def ranges(x: np.ndarray) -> np.ndarray:
        vehicles = [
            build(
                e,
                TEMPLATES[e["derivation"]["template"]],
                throw[i] if fit_isp[i] else x[i],
                x[i] if fit_isp[i] else 1.0,
            )
            for i, e in enumerate(entries)
        ]
        result = max_range(stack(vehicles), np.zeros(n), np.zeros(n), np.zeros(n), earth=SPHERE)
        return result.trajectory.ground_range_m()

    # Range grows with the Isp factor and falls with the payload: bisect on each row.
    for _ in range(22):
        mid = 0.5 * (lo + hi)
        r = ranges(mid)
        too_far = r > target
        grow = np.where(fit_isp, ~too_far, too_far)  # move the lower end up
        lo, hi = np.where(grow, mid, lo), np.where(grow, hi, mid)
    x = 0.5 * (lo + hi)
    final = ranges(x)
    out = {}
    for i, e in enumerate(entries):
        t = TEMPLATES[e["derivation"]["template"]]
        payload = float(throw[i]) if fit_isp[i] else float(x[i])
        veh = build(e, t, payload, float(x[i]) if fit_isp[i] else 1.0)
        fitted = (
            f"Isp factor {x[i]:.3f} on the template" if fit_isp[i] else f"payload {payload:.0f} kg"
        )
        out[e["id"]] = {
            "payload_kg": round(payload, 1),
            "stages": [
                {
                    "gross_mass_kg": round(s.gross_mass_kg, 1),
                    "propellant_mass_kg": round(s.propellant_mass_kg, 1),
                    "burn_time_s": s.burn_time_s,
                    "isp_vac_s": round(s.isp_vac_s, 2),
                    "diameter_m": round(s.diameter_m, 3),
                }
                for s in veh.stages
            ],
            "derivation_note": (
                f"template {e['derivation']['template']}, launch mass {launch[i]:.0f} kg; fitted "
                f"{fitted} so that the maximum range on a non-rotating sphere is "
                f"{final[i] / 1e3:.0f} km (published {target[i] / 1e3:.0f} km)"
            ),
        }
        print(e["id"], out[e["id"]]["derivation_note"])
    header = (
        "# Generated by scripts/derive_missile_stacks.py from missiles.yaml; do not edit by hand.\n"
    )
    (DATA / "missiles_derived.yaml").write_text(
        header + yaml.safe_dump({"missiles": out}, sort_keys=True)
    )


if __name__ == "__main__":
    main()
