"""The reductions chart's geometry: each declaration holds from its *as of* date until the next,
so a party with one declaration is a line over time, not one point on empty axes."""

from __future__ import annotations

import datetime as dt
import re

from glasnost.service.pages.reductions import chart_svg, held
from glasnost.treaty.agreement import ReductionStep

D = dt.date


def test_each_value_holds_until_the_next_and_the_last_until_the_end() -> None:
    x, y = held([D(2025, 1, 1), D(2026, 6, 1)], [1549.0, 1600.0], D(2027, 8, 1))
    assert x == [D(2025, 1, 1), D(2026, 6, 1), D(2026, 6, 1), D(2027, 8, 1)]
    assert y == [1549.0, 1549.0, 1600.0, 1600.0]


def test_one_declaration_is_a_line_to_the_end() -> None:
    x, y = held([D(2025, 1, 1)], [700.0], D(2027, 1, 1))
    assert (x, y) == ([D(2025, 1, 1), D(2027, 1, 1)], [700.0, 700.0])
    # a declaration dated after the chart's end is still a point at its date
    assert held([D(2028, 1, 1)], [700.0], D(2027, 1, 1))[0] == [D(2028, 1, 1)] * 2


def test_the_chart_names_each_party_line_and_the_schedule() -> None:
    steps = [
        ReductionStep(by=D(2027, 2, 5), deployed_warheads=1550),
        ReductionStep(by=D(2029, 2, 5), deployed_warheads=1400),
    ]
    series = [
        ("US", [{"as_of": "2025-01-01", "deployed_warheads": 1419}]),
        ("RU", [{"as_of": "2025-01-01", "deployed_warheads": 1549}]),
    ]
    svg = chart_svg(
        "deployed_warheads", "Deployed warheads", series, steps, ["US", "RU"], D(2026, 12, 5)
    )
    groups = re.findall(r'<g id="(deployed_warheads-[\w-]+)"', svg)
    assert sorted(groups) == [  # drawn in z order: the limit under the parties' lines
        "deployed_warheads-declared-RU",
        "deployed_warheads-declared-US",
        "deployed_warheads-limit",
        "deployed_warheads-unchanged-RU",  # after today, if the declaration stays unchanged
        "deployed_warheads-unchanged-US",
    ]
    assert "limit 1,550 from 2027-02-05; 1,400 from 2029-02-05" in svg
    assert "today" in svg
