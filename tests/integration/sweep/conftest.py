"""The smallest useful sweep: the two-party test scenario (one interceptor site engaging), the
burnout-delay interceptor model (no flyout tables), a few samples of two inputs."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from glasnost.scenario.loading import validate_scenario
from glasnost.scenario.models import Scenario
from glasnost.sweep.inputs import vary_variable
from glasnost.sweep.plan import Plan
from tests.unit.scenario.conftest import MINIMAL

VARY = (
    "interceptor_types.gbi.burnout_velocity_kms=uniform(3, 6.5)",
    "assessment.launch_delay_s=uniform(60, 600)",
)


def _data() -> dict[str, object]:
    data = copy.deepcopy(MINIMAL)
    data["assessment"]["interceptor_model"] = "burnout-delay"  # type: ignore[index]
    return data


@pytest.fixture(scope="session")
def mini() -> Scenario:
    return validate_scenario(_data())


@pytest.fixture
def mini_file(tmp_path: Path) -> Path:
    path = tmp_path / "mini.yaml"
    path.write_text(yaml.safe_dump(_data()))
    return path


def mini_plan(scenario: Scenario, method: str = "sobol", samples: int = 4) -> Plan:
    variables = tuple(vary_variable(scenario, text) for text in VARY)
    return Plan(variables, method, samples, levels=3, seed=11)  # type: ignore[arg-type]
