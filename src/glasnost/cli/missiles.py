"""Commands of the missile catalog: fly one missile (``glasnost trajectory``) and list the
catalog (``glasnost missiles``)."""

from __future__ import annotations

import csv
import json
import math
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from glasnost.cli import common
from glasnost.cli.common import app


def _point(text: str, option: str) -> tuple[float, float]:
    """Parse 'LAT,LON' in degrees, naming the option on error."""
    parts = [p.strip() for p in text.split(",")]
    if len(parts) != 2:
        raise typer.BadParameter(f"expected LAT,LON in degrees, got {text!r}", param_hint=option)
    try:
        lat, lon = float(parts[0]), float(parts[1])
    except ValueError:
        raise typer.BadParameter(
            f"expected two numbers LAT,LON, got {text!r}", param_hint=option
        ) from None
    if not (math.isfinite(lat) and math.isfinite(lon)):
        raise typer.BadParameter("coordinates must be finite numbers", param_hint=option)
    if not -90.0 <= lat <= 90.0:
        raise typer.BadParameter(f"latitude {lat} is outside [-90, 90]", param_hint=option)
    if not -180.0 <= lon <= 180.0:
        raise typer.BadParameter(f"longitude {lon} is outside [-180, 180]", param_hint=option)
    return lat, lon


def _finite(
    value: float | None, option: str, low: float = -math.inf, high: float = math.inf
) -> None:
    if value is None:
        return
    if not math.isfinite(value):
        raise typer.BadParameter("must be a finite number", param_hint=option)
    if not low <= value <= high:
        raise typer.BadParameter(f"must be within [{low:g}, {high:g}]", param_hint=option)


@app.command()
def trajectory(
    missile: Annotated[str, typer.Option("--missile", help="Catalog id, e.g. minuteman_iii.")],
    from_: Annotated[str, typer.Option("--from", help="Launch point LAT,LON (degrees).")],
    to: Annotated[str | None, typer.Option("--to", help="Target LAT,LON (degrees).")] = None,
    azimuth_deg: Annotated[
        float | None, typer.Option("--azimuth-deg", help="Launch azimuth (max-range shape).")
    ] = None,
    shape: Annotated[
        str, typer.Option("--shape", help="min-energy | lofted | depressed | max-range.")
    ] = "min-energy",
    apogee_km: Annotated[
        float | None,
        typer.Option(
            "--apogee-km",
            help="Apogee (km above the ellipsoid) of a lofted/depressed flight, up to the "
            "apogee of the full-burn lofted flight to the same target.",
        ),
    ] = None,
    fpa_deg: Annotated[
        float | None,
        typer.Option(
            "--fpa-deg",
            help="Burnout flight-path angle of a lofted/depressed flight (deg): the angle of the "
            "velocity relative to the rotating ground above the local horizontal (the plane "
            "normal to the ellipsoid), the same angle the burnout line reports.",
        ),
    ] = None,
    earth: Annotated[str, typer.Option("--earth", help="wgs84 (rotating, J2) | sphere.")] = "wgs84",
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    csv_file: Annotated[
        Path | None, typer.Option("--csv", help="Write the trajectory every second to FILE.")
    ] = None,
) -> None:
    """Fly one missile of the catalog to a target, or as far as it goes along an azimuth."""
    from glasnost.demo.missile_flight import fly_missile
    from glasnost.physics.targeting import SHAPES
    from glasnost.scenario.missiles import UnknownMissileError

    launch = _point(from_, "--from")
    target = None if to is None else _point(to, "--to")
    if shape not in SHAPES:
        raise typer.BadParameter(
            f"{shape!r}; choose one of {', '.join(SHAPES)}", param_hint="--shape"
        )
    if earth not in ("wgs84", "sphere"):
        raise typer.BadParameter(f"{earth!r}; choose wgs84 or sphere", param_hint="--earth")
    _finite(azimuth_deg, "--azimuth-deg", -360.0, 360.0)
    _finite(apogee_km, "--apogee-km", 50.0, 10000.0)
    _finite(fpa_deg, "--fpa-deg", 0.0, 89.0)
    if shape == "max-range":
        if azimuth_deg is None or target is not None:
            raise typer.BadParameter(
                "max-range flies along --azimuth-deg, without --to", param_hint="--shape"
            )
    elif target is None:
        raise typer.BadParameter(f"the {shape} shape needs --to LAT,LON", param_hint="--to")
    if azimuth_deg is not None and shape != "max-range":
        raise typer.BadParameter(
            "only --shape max-range flies along an azimuth; the others aim at --to",
            param_hint="--azimuth-deg",
        )
    if csv_file is not None and not csv_file.parent.is_dir():
        raise typer.BadParameter(f"folder {csv_file.parent} does not exist", param_hint="--csv")
    if (apogee_km is not None or fpa_deg is not None) and shape not in ("lofted", "depressed"):
        raise typer.BadParameter(
            "only lofted and depressed flights take an apogee or FPA", param_hint="--shape"
        )
    if apogee_km is not None and fpa_deg is not None:
        raise typer.BadParameter(
            "give --apogee-km or --fpa-deg, not both", param_hint="--apogee-km"
        )
    try:
        flight = fly_missile(
            missile,
            launch[0],
            launch[1],
            target=target,
            azimuth_deg=azimuth_deg,
            shape=shape,
            apogee_km=apogee_km,
            flight_path_angle_deg=fpa_deg,
            earth=earth,
        )
    except UnknownMissileError as exc:
        raise typer.BadParameter(str(exc.args[0]), param_hint="--missile") from None
    summary = flight.summary()
    if csv_file is not None:
        rows = flight.samples()
        try:
            with csv_file.open("w", newline="") as fh:
                writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
                writer.writeheader()
                writer.writerows(rows)
        except OSError as exc:
            raise common.fail(f"--csv {csv_file}: {exc.strerror}") from None
    if as_json:
        sys.stdout.write(json.dumps(summary, indent=2) + "\n")
        return
    _print_flight(summary)
    if csv_file is not None:
        common.console.print(f"trajectory written to {csv_file}")


def _print_flight(s: dict[str, Any]) -> None:
    table = Table(title=f"{s['missile_name']} — {s['shape']} ({s['earth']})", show_header=False)
    table.add_column(style="bold")
    table.add_column(justify="right")
    launch, impact, bo = s["launch"], s["impact"], s["burnout"]
    table.add_row("launch", f"{launch['lat_deg']:.3f}, {launch['lon_deg']:.3f}")
    if s["target"]:
        table.add_row("target", f"{s['target']['lat_deg']:.3f}, {s['target']['lon_deg']:.3f}")
    table.add_row("impact", f"{impact['lat_deg']:.3f}, {impact['lon_deg']:.3f}")
    if s["miss_km"] is not None:
        table.add_row("miss", f"{s['miss_km'] * 1000:.0f} m")
    table.add_row("ground range", f"{s['ground_range_km']:,.0f} km")
    table.add_row("flight time", f"{s['flight_time_s'] / 60:.1f} min")
    table.add_row("apogee", f"{s['apogee_km']:,.0f} km")
    table.add_row("launch azimuth", f"{s['azimuth_deg']:.2f}°")
    table.add_row(
        "burnout",
        f"{bo['time_s']:.0f} s, {bo['altitude_km']:.0f} km, "
        f"{bo['speed_kms']:.2f} km/s, {bo['flight_path_angle_deg']:.1f}°",
    )
    table.add_row("reentry (100 km)", f"{s['reentry']['speed_kms']:.2f} km/s")
    table.add_row("stack", s["stack_basis"])
    common.console.print(table)


@app.command()
def missiles(as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """List the missile types of the built-in catalog with their provenance."""
    from glasnost.scenario.missiles import catalog

    rows: list[dict[str, Any]] = [
        {
            "id": m.id,
            "name": m.name,
            "country": m.country,
            "role": m.role,
            "published_range_km": m.published.range_km,
            "launch_mass_kg": round(m.launch_mass_kg),
            "stages": len(m.stages),
            "basis": m.basis,
            "confidence": m.confidence,
        }
        for m in catalog().values()
    ]
    if as_json:
        sys.stdout.write(json.dumps(rows, indent=2) + "\n")
        return
    table = Table(title="Missile catalog")
    for col in ("id", "name", "country", "range km", "launch t", "stages", "stack", "confidence"):
        table.add_column(col, no_wrap=col == "id")
    for r in rows:
        table.add_row(
            r["id"],
            r["name"],
            r["country"],
            f"{r['published_range_km']:,.0f}",
            f"{r['launch_mass_kg'] / 1000:.1f}",
            str(r["stages"]),
            r["basis"],
            r["confidence"],
        )
    common.console.print(table)
