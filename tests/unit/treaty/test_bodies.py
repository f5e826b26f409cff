"""The agreement's entry bodies: every entry type of the design registered with the ledger, a
declared posture that makes an assessable scenario, and commitments that reveals must open."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from pydantic import ValidationError

from glasnost.exchange.commitments import commit
from glasnost.exchange.entries import BODY_TYPES, verify_entry
from glasnost.exchange.errors import CommitmentError
from glasnost.scenario.models import Scenario
from glasnost.treaty.bodies import (
    CommittedItem,
    Declaration,
    DeclarationEntry,
    DeclaredPosture,
    Reveal,
    check_reveal,
)
from tests.unit.exchange.test_entries import (
    HANDOVER,
    NOW,
    UTC,
    Party,
    make_party,
    posture,
    scenario,
)


@pytest.fixture(scope="module")
def us() -> Party:
    start = dt.datetime(2021, 1, 20, 17, tzinfo=UTC)
    return make_party("US", [("old", start, HANDOVER), ("new", HANDOVER, None)])


def test_every_entry_type_of_the_design_has_a_schema() -> None:
    # DESIGN.md, "Entry types"
    assert set(BODY_TYPES) == {
        "propose", "sign", "adopt", "refuse", "withdraw", "final",
        "declaration", "reveal", "notification", "objection", "clarification_request",
        "clarification", "assessment", "confirmation", "dispute", "withheld", "suspension",
    }  # fmt: skip


def test_declared_postures_make_a_scenario_that_can_be_assessed() -> None:
    s = scenario()
    declared = [posture("US"), posture("RU")]
    rebuilt = Scenario(
        name="declared",
        date=s.date,
        interceptor_types=tuple({t.id: t for p in declared for t in p.interceptor_types}.values()),
        missile_types=tuple({m.id: m for p in declared for m in p.missile_types}.values()),
        parties=tuple(p.party for p in declared),
        assessment=s.assessment,
        sources={k: v for p in declared for k, v in p.sources.items()},
    )
    assert rebuilt.counts() == s.counts()


def test_declaration_with_commitments_and_reveal(us: Party) -> None:
    item = posture("US").party.interceptor_sites[0].model_dump(mode="json")
    commitment, salt = commit(item)
    body = Declaration(
        kind="change",
        as_of=dt.date(2025, 2, 1),
        commitments=(CommittedItem(label="interceptor_sites/0", commitment=commitment),),
    )
    entry = DeclarationEntry(party="US", seq=0, created_at=NOW, body=body)
    assert verify_entry(us.sign(entry, "new"), us.keys, "US", 0) == entry
    reveal = Reveal.model_validate(
        {
            "items": [{"label": "interceptor_sites/0", "salt": salt.hex(), "item": item}],
            "inclusion": {
                "checkpoint": {
                    "origin": "glasnost.example/US",
                    "size": 1,
                    "root_hash": "A" * 43 + "=",
                },
                "leaf_index": 0,
                "hashes": [],
            },
        }
    )
    check_reveal(body, reveal)
    forged = reveal.model_copy(
        update={"items": (reveal.items[0].model_copy(update={"item": {**item, "count": 1}}),)}
    )
    with pytest.raises(CommitmentError, match=r"items\[0\] \('interceptor_sites/0'\)"):
        check_reveal(body, forged)


def _with_uncertainty(stated: list[dict[str, object]]) -> dict[str, object]:
    return {**posture("US").model_dump(mode="json"), "uncertainty": stated}


def test_a_declared_value_carries_its_stated_uncertainty() -> None:
    stated = {"path": "interceptor_types.sm3_block_iia.burnout_velocity_kms", "plus_minus": 0.3}
    declared = DeclaredPosture.model_validate(_with_uncertainty([stated]))
    assert declared.uncertainty[0].plus_minus == 0.3
    assert declared.model_dump(mode="json")["uncertainty"] == [
        {**stated, "percent": False, "distribution": "uniform", "note": None}
    ]
    # none stated: the field is left out, so postures written before it keep their bytes
    assert "uncertainty" not in posture("US").model_dump(mode="json")


@pytest.mark.parametrize(
    ("stated", "reason"),
    [
        (
            {"path": "interceptor_types.sm3_block_iia.burnout_speed_kms", "plus_minus": 0.3},
            "uncertainty[0].path: no key 'burnout_speed_kms' at interceptor_types.sm3_block_iia",
        ),
        (
            {"path": "parties.RU.interceptor_sites", "plus_minus": 1},
            "uncertainty[0].path: no item 'RU' in parties",
        ),
        (
            {"path": "parties.US.name", "plus_minus": 1},
            "uncertainty[0].path: parties.US.name holds 'United States', not a number",
        ),
        (
            {"path": "interceptor_types.sm3_block_iia.burnout_velocity_kms", "plus_minus": 0},
            "uncertainty.0.plus_minus",
        ),
    ],
)
def test_a_stated_uncertainty_must_name_a_number_of_the_own_posture(
    stated: dict[str, object], reason: str
) -> None:
    with pytest.raises(ValidationError, match=re.escape(reason)):
        DeclaredPosture.model_validate(_with_uncertainty([stated]))


def test_a_value_has_one_stated_uncertainty() -> None:
    stated = {"path": "interceptor_types.sm3_block_iia.burnout_velocity_kms", "plus_minus": 0.3}
    with pytest.raises(ValidationError, match=r"uncertainty\[1\].path: .* already"):
        DeclaredPosture.model_validate(_with_uncertainty([stated, stated]))
