"""Validation fixtures: every reference comparison goes through ``reference``.

``reference(case, ours, expected, tolerance, source, unit=..., kind=..., basis=...)`` asserts
that |ours - expected| <= tolerance and records the comparison; with ``relation="<="`` (or
">=") it asserts the bound ours <= expected + tolerance (ours >= expected - tolerance) instead.

Every comparison states what kind of reference it is (``kind``, one of ``KINDS``) and where its
tolerance comes from (``basis``). Only the kinds in ``INDEPENDENT`` validate the code: a
published value, a closed form or a second, independent numerical method. ``consistency`` and
``fitted`` comparisons confirm that the code does what its inputs say (a catalog value against
itself, a formula against a second evaluation of the same formula, an input chosen so that the
compared value comes out) and are reported apart from the validation. A comparison that does
not give its kind is recorded as ``unclassified`` and is not counted as validation either.

When the environment variable GLASNOST_VALIDATION_DIR is set, the records are written there as
JSON (one file per worker, with ``KINDS`` beside them) and ``scripts/validation_report.py``
turns them into ``docs/validation.md``.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

KINDS = {
    "published": "a value printed in a named publication (book, standard, paper, fact sheet, "
    "published test vector)",
    "closed form": "an analytic relation evaluated independently of the code under test",
    "second method": "an independent numerical method: another integrator, solver or "
    "implementation of the same quantity",
    "consistency": "the code against its own inputs, or a formula against a second evaluation "
    "of the same formula on the same inputs: confirms the code does what the inputs say, "
    "validates nothing",
    "fitted": "an input was chosen so that this value comes out: the comparison confirms the fit "
    "still holds, it is not evidence that the value is right",
}
INDEPENDENT = ("published", "closed form", "second method")
UNCLASSIFIED = "unclassified"

_RECORDS: list[dict[str, Any]] = []

Reference = Callable[..., None]


@pytest.fixture
def reference(request: pytest.FixtureRequest) -> Reference:
    """Assert a comparison with a reference and record it, with its kind, for the report."""

    def check(
        case: str,
        ours: float,
        expected: float,
        tolerance: float,
        source: str,
        unit: str = "",
        relative: bool = False,
        relation: str = "=",
        kind: str | None = None,
        basis: str = "",
    ) -> None:
        if kind is not None and kind not in KINDS:
            raise ValueError(f"kind must be one of {sorted(KINDS)}, not {kind!r}")
        if kind is not None and not basis.strip():
            raise ValueError(f"{case}: say where the tolerance comes from (basis=...)")
        ours, expected, tolerance = float(ours), float(expected), float(tolerance)
        if relation == "=":
            error = abs(ours - expected)
        elif relation in ("<=", ">="):  # a bound: the signed amount by which it is exceeded
            error = ours - expected if relation == "<=" else expected - ours
        else:
            raise ValueError(f"relation must be '=', '<=' or '>=', not {relation!r}")
        if relative:
            error = error / abs(expected)
        ok = bool(math.isfinite(ours) and error <= tolerance)
        _RECORDS.append(
            {
                "test": request.node.nodeid,
                "case": case,
                "ours": ours,
                "reference": expected,
                "error": error,
                "tolerance": tolerance,
                "relative": bool(relative),
                "relation": relation,
                "unit": unit,
                "source": source,
                "kind": kind or UNCLASSIFIED,
                "independent": kind in INDEPENDENT,
                "basis": basis,
                "passed": ok,
            }
        )
        what = "relative error" if relative else f"error ({unit})"
        assert ok, (
            f"{case}: ours {ours:.9g} vs {expected:.9g} [{source}], "
            f"{what} {error:.3g} > {tolerance:.3g}"
        )

    return check


@pytest.fixture(scope="session", autouse=True)
def _write_records() -> Iterator[None]:
    yield
    out = os.environ.get("GLASNOST_VALIDATION_DIR")
    if out and _RECORDS:
        worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        Path(out).mkdir(parents=True, exist_ok=True)
        payload = {"kinds": KINDS, "independent": INDEPENDENT, "records": _RECORDS}
        (Path(out) / f"records-{worker}.json").write_text(json.dumps(payload, indent=1))
