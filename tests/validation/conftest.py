"""Validation fixtures: every reference comparison goes through ``reference``.

``reference(case, ours, expected, tolerance, source, unit=...)`` asserts that
|ours - expected| <= tolerance and records the comparison; with ``relation="<="`` (or ">=")
it asserts the bound ours <= expected + tolerance (ours >= expected - tolerance) instead.
When the environment variable GLASNOST_VALIDATION_DIR is set, the records are written there as
JSON (one file per worker) and ``scripts/validation_report.py`` turns them into the table of
``docs/validation.md``.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

_RECORDS: list[dict[str, Any]] = []

Reference = Callable[..., None]


@pytest.fixture
def reference(request: pytest.FixtureRequest) -> Reference:
    """Assert a comparison with an independent reference and record it for the report."""

    def check(
        case: str,
        ours: float,
        expected: float,
        tolerance: float,
        source: str,
        unit: str = "",
        relative: bool = False,
        relation: str = "=",
    ) -> None:
        ours, expected = float(ours), float(expected)
        if relation == "=":
            error = abs(ours - expected)
        elif relation in ("<=", ">="):  # a bound: the signed amount by which it is exceeded
            error = ours - expected if relation == "<=" else expected - ours
        else:
            raise ValueError(f"relation must be '=', '<=' or '>=', not {relation!r}")
        if relative:
            error = error / abs(expected)
        ok = math.isfinite(ours) and error <= tolerance
        _RECORDS.append(
            {
                "test": request.node.nodeid,
                "case": case,
                "ours": ours,
                "reference": expected,
                "error": error,
                "tolerance": tolerance,
                "relative": relative,
                "relation": relation,
                "unit": unit,
                "source": source,
                "passed": ok,
            }
        )
        kind = "relative error" if relative else f"error ({unit})"
        assert ok, (
            f"{case}: ours {ours:.9g} vs {expected:.9g} [{source}], "
            f"{kind} {error:.3g} > {tolerance:.3g}"
        )

    return check


@pytest.fixture(scope="session", autouse=True)
def _write_records() -> Iterator[None]:
    yield
    out = os.environ.get("GLASNOST_VALIDATION_DIR")
    if out and _RECORDS:
        worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        Path(out).mkdir(parents=True, exist_ok=True)
        (Path(out) / f"records-{worker}.json").write_text(json.dumps(_RECORDS, indent=1))
