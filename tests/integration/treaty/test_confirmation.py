"""The confirmation workflow between two nodes: the US assesses the declared postures, Russia
recomputes from the same logged declarations and confirms; an assessment whose digest is not
reproduced, or that references an entry not in the logs, is disputed; the digest is the same
in another process pinned to one core with another hash seed.

The assessment of the built-in postures takes several seconds, so this module keeps one
recomputation per scenario digest (``assess_once``); the determinism test runs it afresh.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from glasnost.defense.assessment import Assessment, assess
from glasnost.scenario.builtin import builtin_scenario
from glasnost.scenario.models import Scenario
from glasnost.scenario.settings import Criterion
from glasnost.treaty import bodies, confirmation, digest
from glasnost.treaty.bodies import Confirmation, Dispute, Ref
from glasnost.treaty.confirmation import (
    NOT_IN_LOGS,
    SOFTWARE,
    check_assessment,
    confirm_check,
    confirm_request,
    latest_declarations,
    recompute,
    request_assessment,
    scenario_from_declarations,
    scenario_sha256,
)
from glasnost.treaty.lifecycle import lifecycle
from glasnost.treaty.logs import LoggedEntry
from glasnost.treaty.postures import declaration_from_scenario
from tests.integration.treaty.conftest import Pair
from tests.integration.treaty.test_lifecycle import sign_both

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module", autouse=True)
def assess_once() -> Iterator[dict[str, Assessment]]:
    """``assess`` as the digest module calls it, computed once per scenario digest."""
    done: dict[str, Assessment] = {}

    def cached(scenario: Scenario) -> Assessment:
        key = scenario_sha256(scenario)
        if key not in done:
            done[key] = assess(scenario)
        return done[key]

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(digest, "assess", cached)
        yield done


def declare_both(pair: Pair) -> None:
    """Sign the agreement, then both declare their baselines of the built-in scenario."""
    sign_both(pair)
    scenario = builtin_scenario("us-ru")
    pair.clock.advance(hours=1)
    for side in pair.sides():
        side.write("declaration", declaration_from_scenario(scenario, side.party))
    pair.clock.advance(minutes=5)
    pair.exchange()
    pair.clock.advance(minutes=5)


def ref_of(entry: LoggedEntry) -> Ref:
    return Ref(party=entry.party, seq=entry.seq, hash=entry.hash)


def assessment_by_hand(pair: Pair, change: Callable[[bodies.Assessment], dict[str, object]]) -> Ref:
    """The US writes an assessment of the latest declarations, altered by ``change``."""
    request = request_assessment(pair.agreement, pair.views(), at=pair.clock.now)
    body = request.body.model_copy(update=change(request.body))
    written = pair.us.write("assessment", body, refs=request.refs)
    pair.clock.advance(minutes=5)
    pair.exchange()
    pair.clock.advance(minutes=5)
    return pair.us.ref(written)


def test_russia_confirms_the_us_assessment_of_both_declarations(pair: Pair) -> None:
    declare_both(pair)
    agreement = pair.agreement
    written = confirm_request(pair.us.node, agreement, at=pair.clock.now)
    assessment = json.loads(written.signed.entry)
    body = bodies.Assessment.model_validate(assessment["body"])
    assert body.software == SOFTWARE
    assert body.verdict == "fail"  # US land-based interceptors: 7.5 km/s > 5.5
    assert body.metrics["land_interceptor_burnout_velocity_kms-US-land-based-interceptors"] == 7.5
    assert body.metrics["sea_interceptor_burnout_velocity_kms-US-sea-based-interceptors"] == 4.5
    for key, value in body.metrics.items():
        step = 1e-4 if "_fraction-" in key else 1e-2
        assert value == pytest.approx(round(value / step) * step, abs=1e-12), key
    refs = assessment["refs"]
    declarations = latest_declarations(pair.views())
    assert refs == [
        {"party": p, "seq": declarations[p].seq, "hash": declarations[p].hash} for p in ("US", "RU")
    ]
    pair.clock.advance(minutes=5)
    pair.exchange()

    pair.clock.advance(hours=2)
    answers = confirm_check(pair.ru.node, agreement, at=pair.clock.now)
    assert len(answers) == 1
    entry = json.loads(answers[0].signed.entry)
    assert entry["type"] == "confirmation"
    assert Confirmation.model_validate(entry["body"]).result_sha256 == body.result_sha256
    assert entry["refs"] == [{"party": "US", "seq": written.seq, "hash": written.hash}]
    assert confirm_check(pair.ru.node, agreement, at=pair.clock.now) == []  # answered already
    assert confirm_check(pair.us.node, agreement, at=pair.clock.now) == []  # RU assessed nothing

    pair.clock.advance(minutes=5)
    pair.exchange()
    for side in pair.sides():
        for store in (side.node.own, *side.node.peers()):
            assert store.verify().ok, store.origin
        state = lifecycle(agreement, pair.views(side), pair.clock.now)
        assert state.state == "in force"
        assert state.findings == []
    assert [e.type for e in pair.views(pair.us)["RU"].entries][-1] == "confirmation"


def test_russia_recomputes_the_purpose_test_from_the_us_declaration(pair: Pair) -> None:
    """The US declares its defenses against Iran together with Iran's forces as it takes them
    from open sources (us-ru-ir: threat_parties). Under an agreement that states the purpose
    criterion, the US assessment carries the purpose metric, it equals the one of assessing
    us-ru-ir directly, and Russia reproduces it from the logged declarations alone."""
    sign_both(pair)
    pair.clock.advance(hours=1)
    with_iran = builtin_scenario("us-ru-ir")
    pair.us.write("declaration", declaration_from_scenario(with_iran, "US"))
    pair.ru.write("declaration", declaration_from_scenario(builtin_scenario("us-ru"), "RU"))
    pair.clock.advance(minutes=5)
    pair.exchange()
    pair.clock.advance(minutes=5)
    purpose = Criterion(id="purpose", threshold=0.05, basis="assumed")
    agreement = pair.agreement.model_copy(update={"criteria": (*pair.agreement.criteria, purpose)})
    request = request_assessment(agreement, pair.views(), at=pair.clock.now)
    assert "IR" in [p.id for p in request.recomputation.scenario.parties]
    key = "purpose-US-defenses-declared-against-IR"
    direct = assess(with_iran)
    (expected,) = [c.value for c in direct.criteria if c.id == "purpose"]
    assert request.body.metrics[key] == pytest.approx(expected, abs=1e-4)
    written = pair.us.write("assessment", request.body, refs=request.refs)
    pair.clock.advance(minutes=5)
    pair.exchange()
    entry = next(e for e in pair.views(pair.ru)["US"].entries if e.seq == written.seq)
    verdict = check_assessment(agreement, pair.views(pair.ru), entry)
    assert isinstance(verdict.body, Confirmation), verdict.body


def test_an_assessment_whose_digest_is_not_reproduced_is_disputed(pair: Pair) -> None:
    declare_both(pair)
    wrong = "0" * 64
    ref = assessment_by_hand(pair, lambda _: {"result_sha256": wrong})
    answers = confirm_check(pair.ru.node, pair.agreement, at=pair.clock.now)
    assert len(answers) == 1
    entry = json.loads(answers[0].signed.entry)
    assert entry["type"] == "dispute"
    assert entry["refs"] == [ref.model_dump(mode="json")]
    dispute = Dispute.model_validate(entry["body"])
    expected = request_assessment(pair.agreement, pair.views(pair.ru)).body.result_sha256
    assert dispute.result_sha256 == expected
    assert f"result digest {wrong} differs from the recomputed {expected}" in dispute.reason
    assert "the verdict and every metric agree at the declared precision" in dispute.reason


def test_an_assessment_with_altered_metrics_is_disputed_naming_them(pair: Pair) -> None:
    declare_both(pair)
    fraction = "deployed_warheads_defeatable_fraction-RU-defenses-vs-US-warheads"

    def understate(body: bodies.Assessment) -> dict[str, object]:
        metrics = dict(body.metrics)
        metrics[fraction] = 0.0001
        return {"metrics": metrics, "verdict": "pass", "result_sha256": "1" * 64}

    assessment_by_hand(pair, understate)
    views = pair.views(pair.ru)
    entry = views["US"].of_type("assessment")[-1]
    verdict = check_assessment(pair.agreement, views, entry)
    assert not verdict.confirmed
    assert verdict.type == "dispute"
    assert isinstance(verdict.body, Dispute)
    assert "verdict pass against the recomputed fail" in verdict.body.reason
    assert f"{fraction} 0.0001 against the recomputed 0.0472" in verdict.body.reason


def test_an_assessment_referencing_an_entry_not_in_the_logs_is_disputed(pair: Pair) -> None:
    declare_both(pair)
    ghost = Ref(party="RU", seq=99, hash="ab" * 32)
    ref = assessment_by_hand(pair, lambda _: {})
    # the same body again, now also naming an entry that no log holds
    views = pair.views(pair.us)
    body = views["US"].by_hash(ref.hash)
    assert body is not None
    written = pair.us.write("assessment", body.entry.body, refs=(*body.entry.refs, ghost))
    pair.clock.advance(minutes=5)
    pair.exchange()
    answers = confirm_check(pair.ru.node, pair.agreement, at=pair.clock.now)
    assert [json.loads(a.signed.entry)["type"] for a in answers] == ["confirmation", "dispute"]
    dispute = json.loads(answers[1].signed.entry)
    assert dispute["refs"] == [{"party": "US", "seq": written.seq, "hash": written.hash}]
    assert NOT_IN_LOGS in dispute["body"]["reason"]
    assert "RU#99" in dispute["body"]["reason"]
    assert dispute["body"]["result_sha256"] is None  # nothing was recomputed


def test_an_assessment_referencing_a_non_declaration_is_disputed(pair: Pair) -> None:
    declare_both(pair)
    views = pair.views(pair.us)
    sign = views["RU"].of_type("sign")[0]
    us_declaration = latest_declarations(views)["US"]
    request_body = request_assessment(pair.agreement, views).body
    pair.us.write(
        "assessment",
        request_body,
        refs=(Ref(party="US", seq=us_declaration.seq, hash=us_declaration.hash), ref_of(sign)),
    )
    pair.clock.advance(minutes=5)
    pair.exchange()
    answers = confirm_check(pair.ru.node, pair.agreement, at=pair.clock.now)
    reason = json.loads(answers[0].signed.entry)["body"]["reason"]
    assert f"references {sign.ref}, a sign with no declared posture" in reason


def test_no_assessment_before_both_postures_are_received(pair: Pair) -> None:
    sign_both(pair)
    pair.us.write("declaration", declaration_from_scenario(builtin_scenario("us-ru"), "US"))
    pair.exchange()
    with pytest.raises(
        confirmation.ConfirmationError, match="no declaration with a posture from RU"
    ):
        confirm_request(pair.us.node, pair.agreement, at=pair.clock.now)


def test_no_assessment_before_entry_into_force(pair: Pair) -> None:
    with pytest.raises(confirmation.ConfirmationError, match="the agreement is not proposed"):
        confirm_request(pair.us.node, pair.agreement, at=pair.clock.now)


def test_the_digest_is_the_same_in_another_process_on_one_core(
    pair: Pair, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Recomputed afresh here (the module's cache bypassed) and in a subprocess pinned to one
    CPU with another hash seed, from the scenario's JSON: both digests agree."""
    declare_both(pair)
    declarations = latest_declarations(pair.views())
    scenario = scenario_from_declarations(pair.agreement, declarations)
    path = tmp_path / "scenario.json"
    path.write_text(scenario.model_dump_json(), encoding="utf-8")
    code = (
        "import os, sys\n"
        "if hasattr(os, 'sched_setaffinity'):\n"
        "    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})\n"
        "from glasnost.scenario.models import Scenario\n"
        "from glasnost.treaty.confirmation import recompute\n"
        "r = recompute(Scenario.model_validate_json(open(sys.argv[1]).read()))\n"
        "print(r.scenario_sha256, r.result_sha256)\n"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345", "OMP_NUM_THREADS": "1"}
    child = subprocess.Popen(
        [sys.executable, "-c", code, str(path)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    cached = recompute(scenario)  # through the module's cache
    monkeypatch.setattr(digest, "assess", assess)
    fresh = recompute(scenario)
    out, err = child.communicate(timeout=300)
    assert child.returncode == 0, err
    assert fresh.result == cached.result
    assert (fresh.scenario_sha256, fresh.result_sha256) == (
        cached.scenario_sha256,
        cached.result_sha256,
    )
    assert out.split() == [cached.scenario_sha256, cached.result_sha256]
