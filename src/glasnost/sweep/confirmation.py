"""A sweep recorded and confirmed through the exchange like a single assessment.

The confirmation workflow (:mod:`glasnost.treaty.confirmation`) assesses the parties' declared
postures; with a sweep it also runs a sample plan over that scenario and records, in the
``assessment`` entry, the plan and the digest of the sweep's summary (``sha256``: the summary's
canonical JSON, which names the seed, the plan, the scenario digest and the software version).
The other party reruns the recorded plan on the scenario it makes of the same logged
declarations and confirms only when it obtains the same digest; a plan that cannot run on that
scenario (a path it lacks, a value outside a field's range) is disputed with the reason.

* :func:`sweep_recording`: the ``sweep=`` of :func:`~glasnost.treaty.confirmation.confirm_request`;
* :func:`sweep_checking`: the ``sweeps=`` of :func:`~glasnost.treaty.confirmation.confirm_check`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from glasnost.exchange.canonical import canonical_json
from glasnost.scenario.loading import ScenarioError
from glasnost.scenario.models import Scenario
from glasnost.sweep.distributions import DistributionError
from glasnost.sweep.inputs import build_plan
from glasnost.sweep.plan import Method, Plan, PlanError
from glasnost.sweep.runner import Progress
from glasnost.sweep.store import PLAN
from glasnost.sweep.sweep import DEFAULT_CHUNK_SIZE, SweepResult, run_sweep
from glasnost.treaty.bodies import SweepClaim, SweepPlan
from glasnost.treaty.confirmation import ConfirmationError, SweepCheck, SweepRun
from glasnost.treaty.digest import scenario_sha256


@dataclass(frozen=True)
class SweepSpec:
    """What to sweep (the ``glasnost sweep`` options): ``--vary`` texts, the declared values'
    stated uncertainties (``declared``), the method, sample count, grid levels and seed."""

    vary: tuple[str, ...] = ()
    declared: bool = False
    method: Method = "sobol"
    samples: int = 64
    levels: int = 5
    seed: int = 0

    def plan(self, scenario: Scenario) -> Plan:
        return build_plan(
            scenario,
            self.vary,
            declared=self.declared,
            method=self.method,
            samples=self.samples,
            levels=self.levels,
            seed=self.seed,
        )


@dataclass(frozen=True)
class Cluster:
    """Where sweeps run: local worker processes, or an existing scheduler (docs/uncertainty.md)."""

    workers: int | None = None
    scheduler: str | None = None
    chunk_size: int = DEFAULT_CHUNK_SIZE
    progress: Progress | None = None

    def run(self, scenario: Scenario, plan: Plan, out: Path) -> SweepResult:
        """Run ``plan`` into ``out``, continuing the same sweep when ``out`` holds one."""
        return run_sweep(
            scenario,
            plan,
            out,
            chunk_size=self.chunk_size,
            scheduler=self.scheduler,
            workers=self.workers,
            resume=(out / PLAN).exists(),
            progress=self.progress,
        )


def claim_of(result: SweepResult) -> SweepClaim:
    """What an assessment entry records of a sweep: its plan and summary digest."""
    p = result.summary.get("no_threat")
    return SweepClaim(
        plan=SweepPlan.model_validate(result.plan.to_json()),
        summary_sha256=result.summary["sha256"],
        no_threat=None if p is None else p["p"],
    )


def plan_of(claim: SweepClaim) -> Plan:
    """The recorded plan (:class:`ConfirmationError` if it does not describe one)."""
    try:
        plan = Plan.from_json(claim.plan.model_dump(mode="json"))
    except (PlanError, DistributionError) as exc:
        raise ConfirmationError(f"the recorded plan is not a plan: {exc}") from None
    if plan.size != claim.plan.size:
        raise ConfirmationError(
            f"the recorded plan runs {plan.size} samples, not the {claim.plan.size} it states"
        )
    return plan


def sweep_recording(spec: SweepSpec, out: Path, cluster: Cluster | None = None) -> SweepRun:
    """Run ``spec`` over the assessed scenario into the folder ``out`` (as ``glasnost sweep
    --out`` does) and give the claim to record."""

    def record(scenario: Scenario) -> SweepClaim:
        try:
            plan = spec.plan(scenario)
            return claim_of((cluster or Cluster()).run(scenario, plan, out))
        except (PlanError, ScenarioError) as exc:
            raise ConfirmationError(f"the sweep of the declarations: {exc}") from None

    return record


def sweep_checking(out: Path, cluster: Cluster | None = None) -> SweepCheck:
    """Rerun recorded plans, each into its own folder under ``out`` (named by the scenario and
    plan digests, so a sweep checked twice is computed once): the summary digest obtained."""

    def check(scenario: Scenario, claim: SweepClaim) -> str:
        plan = plan_of(claim)
        key = hashlib.sha256(
            canonical_json({"scenario": scenario_sha256(scenario), "plan": plan.to_json()})
        ).hexdigest()[:16]
        try:
            result = (cluster or Cluster()).run(scenario, plan, out / key)
        except ScenarioError as exc:
            raise ConfirmationError(str(exc)) from None
        digest: str = result.summary["sha256"]
        return digest

    return check
