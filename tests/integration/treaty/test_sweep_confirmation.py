"""A sweep recorded and confirmed through the exchange: the US declares its interceptor's burnout
velocity with a stated uncertainty, assesses both declarations under a grid over that
uncertainty and the launch delay and records the sweep's plan and summary digest; Russia reruns
the plan on real Dask workers from the same logged declarations and confirms; a tampered summary
digest, and a plan that cannot run on the declarations, are disputed.

The postures are those of the two-party test scenario with the burnout-delay interceptor model
(each assessment well under a second), so the sweeps are real but small (4 samples).
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from glasnost.scenario.models import Scenario
from glasnost.sweep.confirmation import Cluster, SweepSpec, sweep_checking, sweep_recording
from glasnost.sweep.store import CHUNKS, SAMPLES, SUMMARY
from glasnost.treaty import bodies
from glasnost.treaty.bodies import Confirmation, Dispute
from glasnost.treaty.confirmation import (
    confirm_check,
    confirm_request,
    request_assessment,
)
from glasnost.treaty.postures import declaration_from_scenario
from tests.integration.sweep.conftest import _data
from tests.integration.treaty.conftest import Pair
from tests.integration.treaty.test_lifecycle import sign_both

VELOCITY = "interceptor_types.gbi.burnout_velocity_kms"
SPEC = SweepSpec(
    vary=("assessment.launch_delay_s=[60, 600]",), declared=True, method="grid", levels=2
)
ONE_WORKER = Cluster(workers=1, chunk_size=2)


def declared_mini(velocity_kms: float | None = None) -> Scenario:
    """The test scenario with the stated uncertainty of the US interceptor's burnout velocity
    (declared as ``velocity_kms`` when given)."""
    data = _data()
    data["uncertainty"] = [{"path": VELOCITY, "plus_minus": 0.3}]
    if velocity_kms is not None:
        data["interceptor_types"][0]["burnout_velocity_kms"] = velocity_kms  # type: ignore[index]
    return Scenario.model_validate(data)


def declare_mini(pair: Pair, velocity_kms: float | None = None) -> Scenario:
    """Sign; both declare their postures of the test scenario (the US with its stated
    uncertainty); delivered both ways."""
    sign_both(pair)
    scenario = declared_mini(velocity_kms)
    pair.clock.advance(hours=1)
    for side in pair.sides():
        side.write("declaration", declaration_from_scenario(scenario, side.party))
    pair.clock.advance(minutes=5)
    pair.exchange()
    pair.clock.advance(minutes=5)
    return scenario


def exchange(pair: Pair) -> None:
    pair.clock.advance(minutes=5)
    pair.exchange()
    pair.clock.advance(hours=1)


def test_russia_reruns_the_us_sweep_and_confirms_its_summary_digest(
    pair: Pair, tmp_path: Path
) -> None:
    mini = declare_mini(pair)
    settings = mini.assessment
    us_out, ru_out = tmp_path / "us-sweep", tmp_path / "ru-sweeps"
    written = confirm_request(
        pair.us.node,
        pair.agreement,
        at=pair.clock.now,
        settings=settings,
        sweep=sweep_recording(SPEC, us_out, ONE_WORKER),
    )
    body = bodies.Assessment.model_validate(json.loads(written.signed.entry)["body"])
    assert body.sweep is not None
    us_summary = json.loads((us_out / SUMMARY).read_text())
    assert body.sweep.summary_sha256 == us_summary["sha256"]
    assert body.sweep.plan.size == 4  # the declared +- 0.3 km/s at 2 levels x 2 delays
    assert [v.path for v in body.sweep.plan.variables] == ["assessment.launch_delay_s", VELOCITY]
    gbi = {v.path: v.params for v in body.sweep.plan.variables}[VELOCITY]
    declared = next(t for t in mini.interceptor_types if t.id == "gbi").burnout_velocity_kms
    assert gbi == (declared - 0.3, declared + 0.3)  # uniform within the stated +- 0.3 km/s
    assert body.sweep.no_threat == us_summary["no_threat"]["p"]
    exchange(pair)

    answers = confirm_check(
        pair.ru.node,
        pair.agreement,
        at=pair.clock.now,
        settings=settings,
        sweeps=sweep_checking(ru_out, ONE_WORKER),
    )
    assert len(answers) == 1
    entry = json.loads(answers[0].signed.entry)
    assert entry["type"] == "confirmation"
    confirmed = Confirmation.model_validate(entry["body"])
    assert confirmed.summary_sha256 == body.sweep.summary_sha256
    assert confirmed.result_sha256 == body.result_sha256
    # Russia's sweep was computed in its own folder, chunk by chunk, to the same table
    (folder,) = ru_out.iterdir()
    assert len(list((folder / CHUNKS).glob("*.parquet"))) == 2
    pd.testing.assert_frame_equal(
        pd.read_parquet(folder / SAMPLES), pd.read_parquet(us_out / SAMPLES)
    )


def test_a_tampered_sweep_summary_digest_is_disputed(pair: Pair, tmp_path: Path) -> None:
    mini = declare_mini(pair)
    settings = mini.assessment
    request = request_assessment(
        pair.agreement,
        pair.views(),
        at=pair.clock.now,
        settings=settings,
        sweep=sweep_recording(SPEC, tmp_path / "us-sweep", ONE_WORKER),
    )
    assert request.body.sweep is not None
    true_digest = request.body.sweep.summary_sha256
    tampered = request.body.sweep.model_copy(update={"summary_sha256": "0" * 64})
    missing_path = request.body.sweep.plan.variables[0].model_copy(
        update={"path": "interceptor_types.nope.burnout_velocity_kms"}
    )
    unrunnable = request.body.sweep.model_copy(
        update={
            "plan": request.body.sweep.plan.model_copy(
                update={"variables": (missing_path, *request.body.sweep.plan.variables[1:])}
            )
        }
    )
    for claim in (tampered, unrunnable):
        pair.us.write(
            "assessment", request.body.model_copy(update={"sweep": claim}), refs=request.refs
        )
    exchange(pair)

    answers = confirm_check(
        pair.ru.node,
        pair.agreement,
        at=pair.clock.now,
        settings=settings,
        sweeps=sweep_checking(tmp_path / "ru-sweeps", ONE_WORKER),
    )
    disputes = [Dispute.model_validate(json.loads(a.signed.entry)["body"]) for a in answers]
    assert [json.loads(a.signed.entry)["type"] for a in answers] == ["dispute", "dispute"]
    assert f"sweep summary digest {'0' * 64} differs from the recomputed {true_digest}" in (
        disputes[0].reason
    )
    assert disputes[0].summary_sha256 == true_digest
    assert "the sweep cannot be rerun" in disputes[1].reason
    assert "no item 'nope' in interceptor_types" in disputes[1].reason


def test_the_declared_uncertainty_reaches_the_assessed_scenario(pair: Pair) -> None:
    mini = declare_mini(pair)
    request = request_assessment(
        pair.agreement, pair.views(), at=pair.clock.now, settings=mini.assessment
    )
    assert request.body.sweep is None
    assert "sweep" not in request.body.model_dump(mode="json")  # no sweep: the bytes of before
    scenario = request.recomputation.scenario
    assert scenario.uncertainty is not None
    assert [(u.path, u.plus_minus) for u in scenario.uncertainty] == [(VELOCITY, 0.3)]
