"""``glasnost sweep``: the assessment under uncertain inputs, on Dask (docs/uncertainty.md)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from glasnost.cli import common
from glasnost.cli.common import app
from glasnost.cli.scenario import (
    BuiltinAlias,
    DateOption,
    ScenarioOption,
    SetOption,
    open_scenario,
    scenario_source,
)
from glasnost.cli.shared import parse_date, print_json

if TYPE_CHECKING:
    from glasnost.sweep.plan import Method

VaryOption = Annotated[
    list[str] | None,
    typer.Option(
        "--vary",
        metavar="PATH=DIST",
        help="An uncertain input (repeatable): a --set path and uniform(lo,hi), "
        "normal(mu,sigma), triangular(lo,mode,hi), [a,b,c] or declared+-X[%].",
    ),
]
DeclaredOption = Annotated[
    bool,
    typer.Option("--declared", help="Also vary the declared values' stated uncertainties."),
]
MethodOption = Annotated[
    str,
    typer.Option(
        "--method",
        help="sobol | lhs (quasi-random Monte Carlo), saltelli (Sobol' indices), "
        "grid (full factorial).",
    ),
]
SamplesOption = Annotated[
    int,
    typer.Option(
        "--samples", help="Samples (saltelli: base points, a power of 2; runs N*(inputs+2))."
    ),
]
LevelsOption = Annotated[int, typer.Option("--levels", help="Grid levels per input.")]
SeedOption = Annotated[int, typer.Option("--seed", help="Seed of the sample plan.")]
SchedulerOption = Annotated[
    str | None,
    typer.Option("--scheduler", help="An existing Dask scheduler, tcp://HOST:PORT."),
]
WorkersOption = Annotated[
    int | None,
    typer.Option("--workers", min=1, help="Local worker processes (default: one per core)."),
]


def check_sweep_options(method: str, scheduler: str | None, workers: int | None) -> Method:
    """The ``--method``; refuses an unknown one, and ``--workers`` beside ``--scheduler``."""
    from glasnost.sweep.plan import METHODS

    if scheduler is not None and workers is not None:
        raise typer.BadParameter(
            "--workers starts a local cluster; an existing one (--scheduler) has its own",
            param_hint="--workers",
        )
    for known in METHODS:
        if method == known:
            return known
    raise typer.BadParameter(
        f"{method!r}; choose one of {', '.join(METHODS)}", param_hint="--method"
    )


@contextmanager
def sweep_progress(disable: bool) -> Iterator[Callable[[int, int], None]]:
    """A progress bar over a sweep's samples on stderr: ``progress(done, total)``."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    with Progress(
        "sweep",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=common.errors,
        transient=True,
        disable=disable,
    ) as bar:
        task = bar.add_task("sweep", total=None)
        yield lambda done, total: bar.update(task, completed=done, total=total)


@contextmanager
def sweep_errors() -> Iterator[None]:
    """A sweep folder that cannot be used, or a cluster that cannot run it: one line."""
    from glasnost.sweep.runner import SchedulerError
    from glasnost.sweep.store import SweepStoreError

    try:
        yield
    except (SweepStoreError, SchedulerError, OSError) as exc:
        raise common.fail(escape(str(exc))) from None


@app.command()
def sweep(
    vary: VaryOption = None,
    declared: DeclaredOption = False,
    scenario: ScenarioOption = None,
    builtin: BuiltinAlias = None,
    date: DateOption = None,
    overrides: SetOption = None,
    method: MethodOption = "sobol",
    samples: SamplesOption = 64,
    levels: LevelsOption = 5,
    seed: SeedOption = 0,
    out: Annotated[
        Path, typer.Option("--out", help="Folder of the sweep (chunks, Parquet, summary).")
    ] = Path("glasnost-sweep"),
    resume: Annotated[
        bool, typer.Option("--resume", help="Continue the interrupted sweep in --out.")
    ] = False,
    scheduler: SchedulerOption = None,
    workers: WorkersOption = None,
    chunk_size: Annotated[
        int, typer.Option("--chunk-size", min=1, help="Samples per Dask task.")
    ] = 4,
    html: Annotated[
        Path | None,
        typer.Option("--html", metavar="FILE", help="Write the sweep's HTML report."),
    ] = None,
    site: Annotated[
        str | None,
        typer.Option("--site", help="Site id drawn on a grid's feasibility map."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Sweep the assessment over uncertain inputs: the verdict's probability, the inputs
    ranked by sensitivity, where the verdict flips (Parquet table + summary JSON in --out)."""
    from glasnost.sweep import run_sweep
    from glasnost.sweep.inputs import build_plan
    from glasnost.sweep.plan import PlanError

    source = scenario_source(scenario, builtin, "--scenario")
    plan_method = check_sweep_options(method, scheduler, workers)
    if html is not None and not html.parent.is_dir():
        raise typer.BadParameter(f"folder {html.parent} does not exist", param_hint="--html")
    when = parse_date(date, "--date")
    model = open_scenario(source, overrides)
    try:
        plan = build_plan(
            model,
            vary or (),
            declared=declared,
            method=plan_method,
            samples=samples,
            levels=levels,
            seed=seed,
        )
    except PlanError as exc:
        raise common.fail(escape(str(exc))) from None
    if site is not None and site not in {s.id for p in model.parties for s in p.interceptor_sites}:
        raise typer.BadParameter(f"no interceptor site {site!r}", param_hint="--site")
    with sweep_progress(disable=as_json) as progress, sweep_errors():
        result = run_sweep(
            model,
            plan,
            out,
            date=when,
            chunk_size=chunk_size,
            scheduler=scheduler,
            workers=workers,
            resume=resume,
            progress=progress,
        )
    if html is not None:
        from glasnost.report.sweep import write_sweep_html

        try:
            write_sweep_html(result, html, site=site)
        except OSError as exc:
            raise common.fail(f"{html}: {exc.strerror}") from None
    if as_json:
        print_json(result.summary)
        return
    _print_summary(result.summary)
    common.errors.print(f"wrote {out}/samples.parquet and {out}/summary.json")
    if html is not None:
        common.errors.print(f"wrote {html}")


def _print_summary(s: dict[str, Any]) -> None:
    console = common.console
    run = s["run"]
    console.print(
        f"[bold]{s['assessed']} of {s['samples']} samples assessed[/] "
        f"({s['plan']['method']}, seed {s['plan']['seed']}; {run['workers']} workers"
        + (f", {run['chunks_resumed']} chunks resumed" if run["chunks_resumed"] else "")
        + ")",
        soft_wrap=True,
    )
    if run["workers_lost"]:
        console.print(
            f"{run['workers_lost']} worker(s) left the cluster during the sweep; their chunks "
            "were run again on the others."
        )
    for failure in s["failures"]:
        console.print(f"  sample {failure['sample']} failed: {escape(failure['error'])}")
    if "no_threat" not in s:
        return
    p = s["no_threat"]
    console.print(
        f"P(no threat) = {p['p']:.1%} (95% interval {p['ci95'][0]:.1%}-{p['ci95'][1]:.1%})"
    )
    table = Table(title="Criteria")
    for col in ("criterion", "P(fails)", "p05", "median", "p95"):
        table.add_column(col, justify="left" if col == "criterion" else "right")
    for c in s["criteria"]:
        v = c["value"]
        table.add_row(
            c["criterion"],
            f"{c['fails']['p']:.1%}",
            f"{v['p05']:.3g}",
            f"{v['p50']:.3g}",
            f"{v['p95']:.3g}",
        )
    console.print(table)
    if "sensitivity" in s:
        _print_sensitivity(s["sensitivity"])
    if "flips" in s and s["flips"]["count"]:
        console.print(
            f"The verdict flips between {s['flips']['count']} pairs of neighbouring grid points "
            "(critical combinations in summary.json)."
        )
    elif "flips" in s:
        console.print("The verdict is the same at every grid point.")
    console.print(f"summary sha256 {s['sha256']}")


def _print_sensitivity(sensitivity: dict[str, Any]) -> None:
    """The inputs ranked for the verdict and for each criterion whose value varies."""
    outputs = sensitivity["outputs"]
    if not outputs:
        common.console.print(sensitivity.get("note", ""))
        return
    if outputs["no_threat"]["constant"]:
        common.console.print("The verdict is the same in every sample.")
    for name, entry in outputs.items():
        if entry["constant"]:
            continue
        what = "the verdict" if name == "no_threat" else name
        table = Table(title=f"Inputs ranked by their effect on {what}")
        table.add_column("input")
        keys = [k for k in ("S1", "ST") if k in entry["ranking"][0]]
        for key in keys:
            table.add_column(key, justify="right")
        for r in entry["ranking"]:
            table.add_row(r["input"], *(f"{r[k]:.2f}" for k in keys))
        common.console.print(table)
    common.console.print(f"Indices: {sensitivity['method']}.")
