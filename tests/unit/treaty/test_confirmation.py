"""The pure parts of the confirmation workflow: rounding to the declared precision, the
scenario made of two declarations (merging, conflicts, settings), the choice of the latest
declaration, and how a dispute words the differences. No assessment is run here."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from glasnost.exchange.canonical import sha256_hex
from glasnost.exchange.entries import parse_entry
from glasnost.exchange.keys import Administration, PartyKeys, PrivateKey
from glasnost.scenario.builtin import builtin_scenario
from glasnost.treaty.agreement import builtin_agreement
from glasnost.treaty.bodies import Assessment, Declaration, DeclaredPosture
from glasnost.treaty.confirmation import (
    SOFTWARE,
    ConfirmationError,
    Recomputation,
    _differences,
    default_settings,
    latest_declarations,
    rounded,
    scenario_from_declarations,
    scenario_sha256,
)
from glasnost.treaty.logs import LoggedEntry, LogView
from glasnost.treaty.postures import declaration_from_scenario, declared_posture

T0 = dt.datetime(2026, 1, 10, tzinfo=dt.UTC)
AGREEMENT = builtin_agreement()
SCENARIO = builtin_scenario("us-ru")


def logged(party: str, seq: int, declaration: Declaration, received: bool = True) -> LoggedEntry:
    entry = parse_entry(
        {
            "type": "declaration",
            "party": party,
            "seq": seq,
            "created_at": "2026-01-10T00:00:00Z",
            "refs": [],
            "body": declaration.model_dump(mode="json"),
        }
    )
    return LoggedEntry(
        party=party,
        seq=seq,
        entry=entry,
        hash=sha256_hex(entry.canonical()),
        administration=f"{party.lower()}-1",
        received_at=T0 + dt.timedelta(hours=seq) if received else None,
    )


def view(party: str, entries: list[LoggedEntry]) -> LogView:
    key = PrivateKey.from_seed(bytes(32))
    keys = PartyKeys(
        party=party,
        key_name=f"glasnost/{party}",
        administrations=(
            Administration(
                party=party,
                id=f"{party.lower()}-1",
                name=party,
                public_key=key.public_key.to_base64(),
                valid_from=dt.datetime(2024, 1, 1, tzinfo=dt.UTC),
            ),
        ),
    )
    return LogView(party=party, keys=keys, entries=tuple(entries))


def baseline(party: str, **update: object) -> Declaration:
    declaration = declaration_from_scenario(SCENARIO, party)
    return declaration.model_copy(update=update) if update else declaration


def both() -> dict[str, LoggedEntry]:
    return {"US": logged("US", 0, baseline("US")), "RU": logged("RU", 0, baseline("RU"))}


# --- rounding -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "quantity", "expected"),
    [
        (0.04722222222222222, "fraction", 0.0472),
        (0.00005, "fraction", 0.0),  # an exact decimal tie goes to the even step
        (0.00015, "fraction", 0.0002),
        (2.675, "velocity_kms", 2.68),  # round(2.675, 2) == 2.67 in binary; decimal says 2.68
        (0.1 + 0.2, "velocity_kms", 0.3),
        (1799.5, "time_s", 1800.0),
        (1798.5, "time_s", 1798.0),
        (-1e-9, "fraction", 0.0),
        (math.inf, "velocity_kms", None),
        (math.nan, "fraction", None),
        (None, "time_s", None),
    ],
)
def test_rounds_half_even_in_decimal(value: float | None, quantity: str, expected: float) -> None:
    got = rounded(value, quantity)  # type: ignore[arg-type]
    assert got == expected
    if got == 0.0:
        assert math.copysign(1.0, got) == 1.0  # never -0


def test_noise_below_twelve_digits_does_not_move_a_value_at_a_rounding_boundary() -> None:
    tie = 0.04725  # half-way between 0.0472 and 0.0473
    values = {rounded(tie * (1 + k * 1e-15), "fraction") for k in range(-20, 21)}
    assert values == {0.0472}


# --- the scenario from declarations --------------------------------------------------------


def test_the_declarations_make_the_builtin_posture_with_the_agreements_criteria() -> None:
    scenario = scenario_from_declarations(AGREEMENT, both())
    assert scenario.date == SCENARIO.date
    assert scenario.parties == SCENARIO.on(SCENARIO.date).parties
    assert {t.id for t in scenario.interceptor_types} <= {t.id for t in SCENARIO.interceptor_types}
    assert scenario.assessment.criteria == AGREEMENT.criteria
    assert scenario.assessment.dyads == (("US", "RU"),)
    assert scenario.assessment.decision_delay_s == default_settings().decision_delay_s
    # the order of the mapping does not matter; the digest is stable
    again = scenario_from_declarations(AGREEMENT, dict(reversed(list(both().items()))))
    assert scenario_sha256(again) == scenario_sha256(scenario)


def test_a_threat_party_declared_with_its_forces_joins_the_scenario() -> None:
    """The US declares its defenses against Iran (us-ru-ir) and, in its declaration, Iran's
    launch bases and aim points as it takes them from open sources (threat_parties): the
    scenario from the declarations holds Iran as a third party, so the purpose test can be
    recomputed from the declarations alone."""
    with_iran = builtin_scenario("us-ru-ir")
    us = declaration_from_scenario(with_iran, "US")
    assert us.posture is not None
    assert us.posture.party.declared_against == ("IR",)
    (iran,) = us.posture.threat_parties
    assert iran.launch_bases == with_iran.party("IR").launch_bases
    assert not iran.interceptor_sites
    assert not iran.radars
    assert {b.missile for b in iran.launch_bases} <= {m.id for m in us.posture.missile_types}
    scenario = scenario_from_declarations(
        AGREEMENT, {"US": logged("US", 0, us), "RU": logged("RU", 0, baseline("RU"))}
    )
    assert [p.id for p in scenario.parties] == ["US", "RU", "IR"]
    assert scenario.assessment.dyads == (("US", "RU"),)
    assert scenario.party("US").declared_against == ("IR",)
    assert scenario.party("US").targets == with_iran.party("US").targets
    assert scenario.party("IR").launch_bases == with_iran.party("IR").launch_bases
    assert any("IR: the forces of a party outside the agreement" in a for a in scenario.assumptions)


def test_a_threat_declared_without_its_forces_is_kept_out_and_said_so() -> None:
    """A declaration that names a threat (declared_against) but leaves out its forces: the
    scenario keeps the US posture without that threat and its aim points, and its assumptions
    say the purpose test is not assessed against it."""
    with_iran = builtin_scenario("us-ru-ir")
    us = declaration_from_scenario(with_iran, "US")
    assert us.posture is not None
    bare = us.model_copy(update={"posture": us.posture.model_copy(update={"threat_parties": ()})})
    scenario = scenario_from_declarations(
        AGREEMENT, {"US": logged("US", 0, bare), "RU": logged("RU", 0, baseline("RU"))}
    )
    party = scenario.party("US")
    assert party.declared_against == ()
    assert not any(t.against for t in party.targets)
    assert {t.id for t in party.targets} == {t.id for t in SCENARIO.party("US").targets}
    assert [p.id for p in scenario.parties] == ["US", "RU"]
    assert any("against IR, outside the agreement" in a for a in scenario.assumptions)


def test_a_threat_party_is_checked_in_the_declaration() -> None:
    """A threat party must be one the posture declares its defenses against, and carries
    launch bases and aim points only (no defenses of its own to declare for it)."""
    data = declared_posture(builtin_scenario("us-ru-ir"), "US").model_dump(mode="json")
    stranger = {**data, "threat_parties": [{**data["threat_parties"][0], "id": "CN"}]}
    with pytest.raises(ValueError, match=r"'CN' is not among party\.declared_against"):
        DeclaredPosture.model_validate(stranger)
    armed = {**data["threat_parties"][0], "radars": data["party"]["radars"][:1]}
    with pytest.raises(ValueError, match="launch bases and aim points only"):
        DeclaredPosture.model_validate({**data, "threat_parties": [armed]})


def test_two_declarations_of_one_threat_party_must_agree() -> None:
    """Both parties may describe a third party; the descriptions must then be identical."""
    with_iran = builtin_scenario("us-ru-ir")
    us = declaration_from_scenario(with_iran, "US")
    assert us.posture is not None
    (iran,) = us.posture.threat_parties
    fewer = iran.model_copy(update={"launch_bases": iran.launch_bases[:1]})
    missiles = {b.missile for b in fewer.launch_bases}
    ru = declared_posture(with_iran, "RU").model_dump(mode="json")
    ru["party"]["declared_against"] = ["IR"]
    ru["threat_parties"] = [fewer.model_dump(mode="json")]
    ru["missile_types"] += [
        m.model_dump(mode="json") for m in us.posture.missile_types if m.id in missiles
    ]
    ru["sources"] = {**us.posture.sources, **ru["sources"]}
    declaration = Declaration.model_validate({"kind": "baseline", "as_of": us.as_of, "posture": ru})
    with pytest.raises(ConfirmationError, match="threat party 'IR' is declared differently"):
        scenario_from_declarations(
            AGREEMENT, {"US": logged("US", 0, us), "RU": logged("RU", 0, declaration)}
        )


def test_the_settings_and_the_date_are_part_of_the_scenario_digest() -> None:
    plain = scenario_from_declarations(AGREEMENT, both())
    slower = default_settings().model_copy(update={"decision_delay_s": 120.0})
    other = scenario_from_declarations(AGREEMENT, both(), settings=slower)
    assert other.assessment.decision_delay_s == 120.0
    assert scenario_sha256(other) != scenario_sha256(plain)
    later = scenario_from_declarations(AGREEMENT, both(), date=dt.date(2025, 6, 1))
    assert scenario_sha256(later) != scenario_sha256(plain)


def test_the_date_is_the_latest_as_of() -> None:
    declarations = both()
    declarations["RU"] = logged("RU", 0, baseline("RU", as_of=dt.date(2025, 3, 1)))
    assert scenario_from_declarations(AGREEMENT, declarations).date == dt.date(2025, 3, 1)


def test_a_type_declared_differently_by_the_two_parties_is_refused() -> None:
    us = declared_posture(SCENARIO, "US")
    ru = declared_posture(SCENARIO, "RU")
    higher = us.interceptor_types[0].model_copy(
        update={"max_intercept_altitude_km": 9999.0, "sources": ()}
    )
    posture = DeclaredPosture.model_validate(
        {**ru.model_dump(), "interceptor_types": [*ru.model_dump()["interceptor_types"], higher]}
    )
    declarations = both()
    declarations["RU"] = logged("RU", 0, baseline("RU", posture=posture))
    with pytest.raises(ConfirmationError, match=f"interceptor type '{higher.id}' is declared"):
        scenario_from_declarations(AGREEMENT, declarations)


def test_a_source_cited_differently_by_the_two_parties_is_refused() -> None:
    ru = declared_posture(SCENARIO, "RU")
    shared = sorted(set(ru.sources) & set(declared_posture(SCENARIO, "US").sources))[0]
    posture = ru.model_copy(update={"sources": {**ru.sources, shared: "another text"}})
    declarations = both()
    declarations["RU"] = logged("RU", 0, baseline("RU", posture=posture))
    with pytest.raises(ConfirmationError, match=f"source '{shared}' is declared differently"):
        scenario_from_declarations(AGREEMENT, declarations)


def test_a_missing_party_or_a_stranger_is_refused() -> None:
    declarations = both()
    del declarations["RU"]
    with pytest.raises(ConfirmationError, match="no declaration with a posture from RU"):
        scenario_from_declarations(AGREEMENT, declarations)
    with pytest.raises(ConfirmationError, match="CN: not a party"):
        scenario_from_declarations(AGREEMENT, {**both(), "CN": both()["RU"]})
    with pytest.raises(ConfirmationError, match="states no criteria"):
        scenario_from_declarations(AGREEMENT.model_copy(update={"criteria": ()}), both())


# --- the latest declaration ----------------------------------------------------------------


def test_the_latest_received_declaration_with_a_posture_counts() -> None:
    early = logged("US", 0, baseline("US", as_of=dt.date(2025, 1, 1)))
    later = logged("US", 1, baseline("US", as_of=dt.date(2025, 6, 1)))
    correction = logged("US", 2, baseline("US", as_of=dt.date(2025, 6, 1)))
    stale = logged("US", 3, baseline("US", as_of=dt.date(2025, 2, 1)))  # written late, older
    unseen = logged("US", 4, baseline("US", as_of=dt.date(2025, 9, 1)), received=False)
    logs = {"US": view("US", [early, later, correction, stale, unseen]), "RU": view("RU", [])}
    assert latest_declarations(logs) == {"US": correction}
    assert latest_declarations(logs, at=T0 + dt.timedelta(hours=1)) == {"US": later}
    assert latest_declarations(logs, at=T0 - dt.timedelta(hours=1)) == {}


# --- disputes -------------------------------------------------------------------------------

KEY = "deployed_warheads_defeatable_fraction-RU-defenses-vs-US-warheads"


def recomputation(value: float, verdict: str = "pass", digest: str = "a" * 64) -> Recomputation:
    result = {
        "verdict": verdict,
        "criteria": [
            {
                "id": "deployed_warheads_defeatable_fraction",
                "subject": "RU defenses vs US warheads",
                "value": value,
                "threshold": 0.05,
                "passed": value <= 0.05,
            }
        ],
    }
    return Recomputation(SCENARIO, result, "b" * 64, digest)


def claim(value: float, verdict: str = "pass", digest: str = "c" * 64) -> Assessment:
    return Assessment.model_validate(
        {
            "scenario_sha256": "b" * 64,
            "result_sha256": digest,
            "software": SOFTWARE,
            "verdict": verdict,
            "metrics": {KEY: value},
        }
    )


def test_same_digests_make_no_difference() -> None:
    assert _differences(claim(0.0472, digest="a" * 64), recomputation(0.0472)) == []


def test_a_dispute_says_whether_a_metric_differs_by_one_rounding_step() -> None:
    near = _differences(claim(0.0473), recomputation(0.0472))
    assert f"{KEY} 0.0473 against the recomputed 0.0472 (one rounding step" in "; ".join(near)
    far = "; ".join(_differences(claim(0.01), recomputation(0.0472)))
    assert f"{KEY} 0.01 against the recomputed 0.0472" in far
    assert "rounding step" not in far
    same = "; ".join(_differences(claim(0.0472), recomputation(0.0472)))
    assert "the difference is in the detailed results" in same


def test_a_dispute_names_a_different_verdict_and_software() -> None:
    claimed = claim(0.06, verdict="fail").model_copy(update={"software": "glasnost 0.0.1"})
    text = "; ".join(_differences(claimed, recomputation(0.0472)))
    assert "verdict fail against the recomputed pass" in text
    assert f"assessed with glasnost 0.0.1, recomputed with {SOFTWARE}" in text
