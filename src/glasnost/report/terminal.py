"""Terminal summary of an assessment (Rich): verdict, criteria, capacity, closest engagements.

Laid out to stay readable in an 80-column terminal.
"""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.panel import Panel
from rich.table import Table

from glasnost.defense.assessment import Assessment

CLOSEST = 12

LABELS = {
    "deployed_warheads_defeatable_fraction": "warheads defeatable",
    "land_interceptor_burnout_velocity_kms": "land interceptor speed",
    "sea_interceptor_burnout_velocity_kms": "sea interceptor speed",
    "purpose": "purpose",
}


def print_assessment(console: Console, assessment: Assessment) -> None:
    """Print the summary that ``glasnost assess`` shows by default."""
    data = assessment.to_dict()
    verdict = "[bold green]NO THREAT[/]" if assessment.no_threat else "[bold red]THREAT[/]"
    console.print(
        Panel.fit(
            f"{verdict} by the agreement's criteria\n"
            f"scenario [bold]{data['scenario']}[/], posture on {data['date']}: "
            f"{len(data['routes'])} routes, {len(data['engagements'])} site-route pairs",
            title="glasnost assess",
        )
    )
    console.print(_criteria(data["criteria"]))
    console.print(_capacity(data["capacity"], len(data["threat_shapes"]) > 1))
    for purpose in data["purpose"]:
        console.print(_purpose(purpose))
    console.print(_closest(data["engagements"]))
    console.print(
        f"interceptor model [bold]{data['interceptor_model']}[/]; 'needs' is the critical "
        f"burnout velocity ({data['critical_velocity_model']}); intercept windows to "
        f"{data['window_resolution_s']:.1f} s"
        + (
            f"; every interceptor launches {data['launch_delay_s']:g} s after the threat"
            if data["launch_delay_s"] is not None
            else ""
        )
    )
    for w in data["warnings"]:
        console.print(f"[yellow]warning:[/] {w}")
    console.print(
        f"{len(data['assumptions'])} assumptions stand in for undeclared values (listed with "
        "--json); declared data replaces them."
    )


def _criteria(criteria: list[dict[str, Any]]) -> Table:
    table = Table(title="Criteria", title_justify="left")
    for col in ("criterion", "for", "value", "limit", "", "driven by"):
        table.add_column(col, overflow="fold")  # ids are folded, never cut
    for c in criteria:
        table.add_row(
            LABELS.get(c["id"], c["id"]),
            c["subject"],
            _value(c["id"], c["value"]),
            _value(c["id"], c["threshold"]),
            "[green]pass[/]" if c["passed"] else "[red]fail[/]",
            "; ".join(c["drivers"]) or "-",
        )
    return table


def _capacity(capacity: list[dict[str, Any]], shapes: bool = False) -> Table:
    table = Table(
        title="Capacity: most warheads the declared interceptors could defeat",
        title_justify="left",
    )
    for col in ("defenses", "warheads of", "deployed", "defeatable", "fraction"):
        table.add_column(col, justify="left" if col in ("defenses", "warheads of") else "right")
    for c in capacity:
        table.add_row(
            c["defender"],
            f"{c['attacker']} ({c['shape']})" if shapes else c["attacker"],
            str(c["deployed_warheads"]),
            str(c["warheads_defeatable"]),
            f"{c['fraction_defeatable']:.1%}",
        )
    return table


def _value(criterion: str, value: float) -> str:
    if criterion.endswith("_fraction") or criterion == "purpose":
        return f"{value:.1%}"
    return f"{value:.2f} km/s"


def _closest(engagements: list[dict[str, Any]]) -> Table:
    """Each site's best engagement: the route needing the least burnout velocity, with the
    margin = velocity needed - velocity declared, and whether the site can engage it (its
    window, "cannot", or "no interceptors" for an empty site)."""
    best: dict[tuple[str, str], dict[str, Any]] = {}
    for e in engagements:
        if e["margin_kms"] is None:
            continue
        key = (e["defender"], e["site"])
        if key not in best or e["margin_kms"] < best[key]["margin_kms"]:
            best[key] = e
    rows = sorted(best.values(), key=lambda e: e["margin_kms"])
    table = Table(
        title="Each site's closest engagement: burnout velocity (km/s) needed and declared, "
        "and the intercept window where the site can engage",
        title_justify="left",
    )
    for col in ("site", "route", "needs", "has", "margin", "window"):
        table.add_column(
            col, justify="left" if col in ("site", "route") else "right", overflow="fold"
        )
    for e in rows[:CLOSEST]:
        margin = e["margin_kms"]
        table.add_row(
            e["site"],
            f"{e['launch']} -> {e['target']}",
            f"{e['critical_burnout_velocity_kms']:.2f}",
            f"{e['interceptor_burnout_velocity_kms']:.2f}",
            f"[red]{margin:+.2f}[/]" if margin <= 0 else f"{margin:+.2f}",
            _window(e),
        )
    if not rows:
        table.add_row("-", "no site can reach any route", "-", "-", "-", "-")
    return table


def _window(e: dict[str, Any]) -> str:
    if e["interceptors_at_site"] == 0:
        return "no interceptors"
    if not e["feasible"]:
        return "cannot"
    return f"[red]{e['window_s']:.0f} s[/]"


def _purpose(p: dict[str, Any]) -> Table:
    """The purpose test of one party: per site and in total, the routes it could engage of the
    declared threats beside those of the treaty partners."""
    declared, partner = p["declared_threat"], p["treaty_partner"]
    table = Table(
        title=f"Purpose: {p['defender']} defenses, declared against "
        f"{', '.join(declared['attackers'])}, beside the treaty partner "
        f"{', '.join(partner['attackers'])}",
        title_justify="left",
    )
    for col in ("site", "declared threat routes", "partner routes"):
        table.add_column(col, justify="left" if col == "site" else "right")
    sites = dict.fromkeys(
        [*declared["routes_engageable_by_site"], *partner["routes_engageable_by_site"]]
    )
    for site in sites:
        table.add_row(
            site,
            str(declared["routes_engageable_by_site"].get(site, 0)),
            str(partner["routes_engageable_by_site"].get(site, 0)),
        )
    table.add_row(
        "[bold]routes engageable[/]",
        f"{declared['routes_engageable']} of {declared['routes']}",
        f"{partner['routes_engageable']} of {partner['routes']}",
    )
    table.add_row(
        "[bold]warheads defeatable[/]",
        f"{declared['warheads_defeatable']} of {declared['warheads']} "
        f"({declared['fraction_defeatable']:.1%})",
        f"{partner['warheads_defeatable']} of {partner['warheads']} "
        f"({partner['fraction_defeatable']:.1%})",
    )
    return table
