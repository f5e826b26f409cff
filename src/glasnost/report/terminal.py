"""Terminal summary of an assessment (Rich): verdict, criteria, capacity, closest engagements."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.panel import Panel
from rich.table import Table

from glasnost.defense.assessment import Assessment

CLOSEST = 12


def print_assessment(console: Console, assessment: Assessment) -> None:
    """Print the summary that ``glasnost assess`` shows by default."""
    data = assessment.to_dict()
    verdict = "[bold green]NO THREAT[/]" if assessment.verdict else "[bold red]THREAT[/]"
    console.print(
        Panel.fit(
            f"{verdict} by the agreement's criteria\n"
            f"scenario [bold]{data['scenario']}[/], posture on {data['date']}, "
            f"{len(data['routes'])} routes, {len(data['engagements'])} site-route pairs",
            title="glasnost assess",
        )
    )
    crit = Table(title="Criteria", title_justify="left")
    for col in ("criterion", "subject", "value", "threshold", "result", "driven by"):
        crit.add_column(col)
    for c in data["criteria"]:
        crit.add_row(
            c["id"],
            c["subject"],
            _value(c["id"], c["value"]),
            _value(c["id"], c["threshold"]),
            "[green]pass[/]" if c["passed"] else "[red]fail[/]",
            "; ".join(c["drivers"]) or "-",
        )
    console.print(crit)
    cap = Table(
        title="Capacity (most warheads the declared inventories could defeat)", title_justify="left"
    )
    for col in ("defender", "attacker", "deployed warheads", "defeatable", "fraction"):
        cap.add_column(col, justify="right" if col not in ("defender", "attacker") else "left")
    for c in data["capacity"]:
        cap.add_row(
            c["defender"],
            c["attacker"],
            str(c["deployed_warheads"]),
            str(c["warheads_defeatable"]),
            f"{c['fraction_defeatable']:.1%}",
        )
    console.print(cap)
    console.print(_closest(data["engagements"]))
    if data["warnings"]:
        for w in data["warnings"]:
            console.print(f"[yellow]warning:[/] {w}")
    console.print(
        f"{len(data['assumptions'])} assumptions stand in for undeclared values "
        "(listed with --json); declared data replaces them."
    )


def _value(criterion: str, value: float) -> str:
    if criterion.endswith("_fraction"):
        return f"{value:.1%}"
    return f"{value:.2f} km/s"


def _closest(engagements: list[dict[str, Any]]) -> Table:
    """The engagements closest to the feasibility threshold: smallest |margin|, where the
    margin is the burnout velocity needed minus the burnout velocity declared."""
    rows = [e for e in engagements if e["margin_kms"] is not None]
    rows.sort(key=lambda e: abs(e["margin_kms"]))
    table = Table(
        title="Closest engagements (margin = burnout velocity needed - declared; "
        "negative: the site can engage)",
        title_justify="left",
    )
    for col in (
        "site",
        "interceptor",
        "route",
        "needed km/s",
        "has km/s",
        "margin",
        "feasible",
        "window s",
    ):
        table.add_column(
            col,
            justify="right" if col in ("needed km/s", "has km/s", "margin", "window s") else "left",
        )
    for e in rows[:CLOSEST]:
        margin = e["margin_kms"]
        table.add_row(
            f"{e['defender']} {e['site']}",
            e["interceptor"],
            f"{e['attacker']} {e['launch']} -> {e['target']}",
            f"{e['critical_burnout_velocity_kms']:.2f}",
            f"{e['interceptor_burnout_velocity_kms']:.2f}",
            f"[red]{margin:+.2f}[/]" if margin <= 0 else f"{margin:+.2f}",
            "[red]yes[/]" if e["feasible"] else "no",
            "-" if e["window_s"] is None else f"{e['window_s']:.0f}",
        )
    if not rows:
        table.add_row("-", "-", "no site can reach any route", "-", "-", "-", "-", "-")
    return table
