"""The summary of a sweep's table: probabilities, flips on a grid, sensitivity, the report."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from glasnost.report.sweep import render_sweep_html
from glasnost.sweep import SweepResult
from glasnost.sweep.analysis import MIN_RBD_SAMPLES, RBD_HARMONICS, flips, summarize
from glasnost.sweep.distributions import parse_distribution
from glasnost.sweep.evaluate import ENGAGEABLE, ERROR, PASSED, VERDICT
from glasnost.sweep.plan import Plan, Variable

SPEED = Variable("speed_kms", parse_distribution("uniform(4, 6)"))
DELAY = Variable("delay_s", parse_distribution("uniform(0, 300)"))
CRIT = "fraction | A defenses vs B warheads"


def _table(plan: Plan, fraction: np.ndarray, threshold: float = 0.05) -> pd.DataFrame:
    values = plan.values()
    return pd.DataFrame(
        {
            "sample": np.arange(plan.size),
            **{p: values[:, k] for k, p in enumerate(plan.paths)},
            ERROR: "",
            VERDICT: fraction <= threshold,
            CRIT: fraction,
            CRIT + PASSED: fraction <= threshold,
            ENGAGEABLE + "site": (fraction * 100).astype(int),
        }
    )


def _toy(values: np.ndarray) -> np.ndarray:
    """A fraction defeatable that grows with speed and falls with the delay."""
    return np.clip(0.1 * (values[:, 0] - 4.0) - 0.0004 * values[:, 1], 0.0, 1.0)


def test_grid_flips_lie_between_neighbours_of_different_verdicts() -> None:
    plan = Plan((SPEED, DELAY), "grid", levels=5)
    table = _table(plan, _toy(plan.values()))
    found = flips(plan, table)
    assert found["count"] > 0
    for point in found["critical"]:
        # Each critical combination is a midpoint along one input between values on either
        # side of the threshold: the toy plane is there within half a grid step's change of
        # it (speed: 0.1 * 0.25; delay: 0.0004 * 37.5).
        x = np.array([[point["speed_kms"], point["delay_s"]]])
        assert abs(_toy(x)[0] - 0.05) <= 0.025 + 1e-12


def test_summary_probabilities_are_the_counts() -> None:
    plan = Plan((SPEED, DELAY), "lhs", 50, seed=2)
    fraction = _toy(plan.values())
    table = _table(plan, fraction)
    table.loc[3, ERROR] = "sample 3: the assessment could not run"
    s = summarize(plan, table)
    ok = table[table[ERROR] == ""]
    assert (s["samples"], s["assessed"], s["failed"]) == (50, 49, 1)
    assert s["failures"] == [{"sample": 3, "error": "sample 3: the assessment could not run"}]
    assert s["no_threat"]["count"] == int((ok[CRIT] <= 0.05).sum())
    lo, hi = s["no_threat"]["ci95"]
    assert lo < s["no_threat"]["p"] < hi
    (crit,) = s["criteria"]
    assert crit["fails"]["p"] == pytest.approx(1 - s["no_threat"]["p"])
    assert crit["value"]["max"] == pytest.approx(ok[CRIT].max())
    ranking = s["sensitivity"]["outputs"][CRIT]["ranking"]
    # The toy model: speed spans 0.2 of the fraction, the delay 0.12: speed ranks first.
    assert [r["input"] for r in ranking] == ["speed_kms", "delay_s"]


def test_too_few_samples_give_no_indices_and_say_so() -> None:
    plan = Plan((SPEED, DELAY), "sobol", MIN_RBD_SAMPLES // 2)
    s = summarize(plan, _table(plan, _toy(plan.values())))
    assert s["sensitivity"]["outputs"] == {}
    assert "needs at least" in s["sensitivity"]["note"]


@pytest.mark.parametrize("samples", [4 * RBD_HARMONICS, 4 * RBD_HARMONICS + 1])
def test_just_too_few_samples_for_the_bootstrap_give_no_indices(samples: int) -> None:
    # SALib's bootstrap estimates on samples // 2 points, bias-corrected by 1 / (1 - 2M / n):
    # 40 or 41 samples would divide by zero there.
    plan = Plan((SPEED, DELAY), "sobol", samples)
    s = summarize(plan, _table(plan, _toy(plan.values())))
    assert s["sensitivity"]["outputs"] == {}


def test_the_fewest_samples_give_indices() -> None:
    plan = Plan((SPEED, DELAY), "sobol", MIN_RBD_SAMPLES)
    s = summarize(plan, _table(plan, _toy(plan.values())))
    ranking = s["sensitivity"]["outputs"][CRIT]["ranking"]
    assert {r["input"] for r in ranking} == {"speed_kms", "delay_s"}
    assert all(np.isfinite(r["S1_conf"]) for r in ranking)


def test_a_constant_output_is_said_constant() -> None:
    plan = Plan((SPEED, DELAY), "saltelli", 8)
    s = summarize(plan, _table(plan, np.zeros(plan.size)))
    assert s["sensitivity"]["outputs"][VERDICT] == {"constant": True, "value": 1.0, "ranking": []}


def _result(plan: Plan, folder: Path) -> SweepResult:
    table = _table(plan, _toy(plan.values()))
    summary = {
        "scenario": "toy",
        "glasnost_version": "x",
        "sha256": "0" * 64,
        "plan": plan.to_json(),
        **summarize(plan, table),
    }
    return SweepResult(plan, table, summary, folder)


def test_report_draws_the_feasibility_map_and_tornado(tmp_path: Path) -> None:
    grid = Plan((SPEED, DELAY), "grid", levels=4)
    html = render_sweep_html(_result(grid, tmp_path), site="site")
    assert "Feasibility map of site" in html
    assert html.count("data:image/png;base64,") == 2  # the map and the criterion's histogram
    html = render_sweep_html(_result(Plan((SPEED, DELAY), "lhs", 64, seed=1), tmp_path))
    assert "What drives the verdict" in html
    assert "What drives fraction | A defenses vs B warheads" in html


def test_the_terminal_ranks_the_inputs_of_each_output_that_varies(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from glasnost.cli.sweep import _print_sensitivity

    result = _result(Plan((SPEED, DELAY), "saltelli", 64, seed=3), tmp_path)
    _print_sensitivity(result.summary["sensitivity"])
    out = capsys.readouterr().out
    text = " ".join(out.split())  # table titles wrap to the table's width
    assert "Inputs ranked by their effect on the verdict" in text
    assert f"Inputs ranked by their effect on {CRIT}" in text
    lines = [line for line in out.splitlines() if "speed_kms" in line or "delay_s" in line]
    assert "speed_kms" in lines[0]  # the larger index first
    assert "Sobol' indices, Saltelli's scheme" in text
