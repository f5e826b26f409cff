"""The assessment settings of the built-in scenarios, from the catalog's assumptions: dyads,
doctrine and the agreement's criteria."""

from __future__ import annotations

from glasnost.scenario.from_catalog.build import ASSUMPTIONS_SOURCE, Build
from glasnost.scenario.settings import AssessmentSettings, Criterion

SAMPLE_STEP_S = 20.0


def assessment(build: Build) -> AssessmentSettings:
    """Dyads, doctrine and criteria of assumptions.yaml (the purpose test with third parties)."""
    a = build.asm["assessment"]
    dyads = [("US", "RU")] + ([("US", "CN"), ("RU", "CN")] if build.with_china else [])
    criteria = [
        Criterion(
            id=c["id"],
            threshold=float(c["threshold"]),
            basis="assumed",
            sources=build.cite(ASSUMPTIONS_SOURCE),
            note=str(c["basis"]),
        )
        for c in a["criteria"]
    ]
    if build.third_parties:
        fraction = next(c for c in criteria if c.id == "deployed_warheads_defeatable_fraction")
        criteria.append(
            Criterion(
                id="purpose",
                threshold=fraction.threshold,
                basis="assumed",
                sources=fraction.sources,
                note="The purpose test: the defenses can engage the declared threat, and "
                "the treaty partner's warheads they could defeat stay within the "
                "defeatable-fraction threshold.",
            )
        )
    build.assumptions += [
        f"Assessment doctrine (assumptions.yaml): decision delay {a['decision_delay_s']} s "
        f"after the first track, {a['shots_per_warhead']} shots per warhead, shoot-look-shoot "
        f"kill assessment {a['shoot_look_shoot_assessment_s']} s, launch on remote "
        f"{'allowed' if a['launch_on_remote'] else 'not allowed'}; {a['basis']}.",
        "Criteria (assumptions.yaml): "
        + "; ".join(f"{c.id} <= {c.threshold:g} ({c.note})" for c in criteria)
        + ".",
        f"Trajectories are minimum-energy, sampled every {SAMPLE_STEP_S:g} s (a numerical "
        "setting of glasnost).",
    ]
    return AssessmentSettings(
        dyads=tuple(dyads),
        decision_delay_s=float(a["decision_delay_s"]),
        shots_per_warhead=int(a["shots_per_warhead"]),
        shoot_look_shoot_assessment_s=float(a["shoot_look_shoot_assessment_s"]),
        launch_on_remote=bool(a["launch_on_remote"]),
        trajectory_shape="min-energy",
        sample_step_s=SAMPLE_STEP_S,
        criteria=tuple(criteria),
        basis="assumed",
        assumed_fields=(
            "decision_delay_s",
            "shots_per_warhead",
            "shoot_look_shoot_assessment_s",
            "launch_on_remote",
        ),
        sources=build.cite(ASSUMPTIONS_SOURCE),
        note=str(a["basis"]),
    )
