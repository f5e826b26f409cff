"""The assessment against the conclusions of the open literature on European missile defense.

Wilkening, "Does Missile Defence in Europe Threaten Russia?", Survival 54(1), 2012, and Butt &
Postol, "Upsetting the Reset", FAS Special Report 1, 2011, conclude that SM-3 interceptors
based in Romania and Poland (Block IA/IB about 3 km/s, Block IIA about 4.5 km/s) cannot catch
Russian ICBMs flying to the United States; Lewis & Postol (Bulletin of the Atomic Scientists,
2007) argued that faster, GBI-class interceptors (7-8 km/s) based in Poland could. The cases
below run the assessment on the built-in scenario restricted to those two sites and to Russian
launches against the US East Coast, and change the interceptor speed and the launch delay the
way those papers discuss. Each runs in the papers' own convention (``burnout-delay``: the
interceptor leaves its site at burnout speed after its burn time) and in glasnost's default
(``flyout``: each type flown as a staged vehicle with gravity and drag); both halves of each
verdict are checked (what cannot engage at SM-3 speeds, what can at GBI-class speeds).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from glasnost.defense.assessment import Direction, assess
from glasnost.scenario.builtin import builtin_scenario
from glasnost.scenario.loading import apply_overrides
from glasnost.scenario.models import Scenario

Reference = Callable[..., None]
SITES = ("aegis_ashore_deveselu", "aegis_ashore_redzikowo")
EAST_COAST = ("washington", "new_york", "boston")
WILKENING = "Wilkening 2012 (Survival 54(1)); Butt & Postol 2011 (FAS SR-1)"
LEWIS_POSTOL = "Lewis & Postol 2007 (BAS): GBI-class interceptors in Poland could engage"


@pytest.fixture(scope="module")
def europe() -> Scenario:
    """Russian ICBM and SLBM bases against three East Coast cities, the two European sites."""
    sc = builtin_scenario("us-ru")
    us, ru = sc.party("US"), sc.party("RU")
    us = us.model_copy(
        update={
            "targets": tuple(t for t in us.targets if t.id in EAST_COAST),
            "interceptor_sites": tuple(s for s in us.interceptor_sites if s.id in SITES),
            "launch_bases": (),
        }
    )
    return sc.model_copy(update={"parties": (us, ru.model_copy(update={"targets": ()}))})


MODELS = ("burnout-delay", "flyout")
"""The publications' convention and glasnost's default interceptor model."""


@pytest.fixture(params=MODELS)
def model(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def _us(scenario: Scenario, model: str, *overrides: str) -> Direction:
    settings = [f"assessment.interceptor_model={model}", *overrides]
    result = assess(apply_overrides(scenario, settings))
    return next(d for d in result.directions if d.defender == "US")


def _speeds(v: float) -> tuple[str, str]:
    return (
        f"interceptor_types.sm3_block_iia.burnout_velocity_kms={v}",
        f"interceptor_types.sm3_block_ib.burnout_velocity_kms={v}",
    )


def test_european_sm3_sites_cannot_engage_russian_icbms_to_the_us(
    europe: Scenario, model: str, reference: Reference
) -> None:
    d = _us(europe, model)
    assert [s.id for s in d.sites] == list(SITES)
    assert len(d.routes) >= 30  # most Russian bases reach the East Coast
    assert not d.table.feasible.any()  # no engagement at all (Wilkening 2012)
    needed = d.table.critical_burnout_velocity_ms.min(axis=1) / 1e3
    for site, v, declared in zip(SITES, needed, (3.0, 4.5), strict=True):
        reference(  # the speed needed exceeds the declared one: no threat
            f"{site}: least burnout velocity needed against Russian ICBMs to the East Coast",
            v,
            declared,
            0.0,
            f"{WILKENING}; interceptor model {model}",
            unit="km/s",
            relation=">=",
            kind="published",
            basis="a verdict (cannot engage), not a number: the bound is the declared speed",
        )


def test_faster_interceptors_in_poland_could_engage(
    europe: Scenario, model: str, reference: Reference
) -> None:
    feasible = [
        int(_us(europe, model, *_speeds(v)).table.feasible.sum()) for v in (4.5, 5.5, 6.5, 7.5)
    ]
    assert feasible == sorted(feasible)  # faster never engages less
    assert feasible[0] == 0  # SM-3 IIA speed: nothing (Wilkening 2012)
    reference(  # GBI-class speed: some Russian ICBMs become engageable from Poland/Romania
        "routes engageable from the two European sites at 7.5 km/s",
        feasible[-1],
        1,
        0.0,
        f"{LEWIS_POSTOL}; interceptor model {model}",
        unit="pairs",
        relation=">=",
        kind="published",
        basis="a verdict (can engage), not a number: at least one pair",
    )


def test_a_later_launch_needs_a_faster_interceptor(europe: Scenario, model: str) -> None:
    needed = [
        _us(europe, model, f"assessment.decision_delay_s={d}").table.critical_burnout_velocity_ms
        for d in (0, 60, 300)
    ]
    # The velocity needed grows with the delay between detection and launch (Wilkening 2012:
    # the earlier the launch, the slower an interceptor may be).
    assert np.all(needed[1] >= needed[0] - 1.0)
    assert np.all(needed[2] >= needed[1] - 1.0)
    assert np.nanmin(needed[2]) > np.nanmin(needed[0])
