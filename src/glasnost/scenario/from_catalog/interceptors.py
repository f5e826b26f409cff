"""Interceptor types and interceptor sites of the built-in scenarios, from the catalog: which
reference.yaml site carries which type, and what was assumed where it is silent."""

from __future__ import annotations

from typing import Any, Literal

from glasnost.scenario.from_catalog.build import ASSUMPTIONS_SOURCE, BUILTIN_SOURCE, Build
from glasnost.scenario.interceptor_types import InterceptorType
from glasnost.scenario.missiles import data_file
from glasnost.scenario.posture import InterceptorSite

# Interceptor types of assumptions.yaml that reference.yaml does not list.
EXTRA_INTERCEPTOR_NAMES = {"sm3_block_iib": "SM-3 Block IIB (cancelled 2013)"}

# reference.yaml interceptor_sites -> (interceptor type id, basing) of the sites modelled.
SITE_INTERCEPTORS: dict[str, tuple[str, Literal["land", "sea"]]] = {
    "fort_greely": ("gbi_3stage", "land"),
    "vandenberg_gbi": ("gbi_3stage", "land"),
    "aegis_ashore_deveselu": ("sm3_block_ib", "land"),
    "aegis_ashore_redzikowo": ("sm3_block_iia", "land"),
    "rota_bmd_ships": ("sm3_block_iia", "sea"),
    "yokosuka_bmd_ships": ("sm3_block_iia", "sea"),
    "pearl_harbor": ("sm3_block_iia", "sea"),
    "thaad_guam": ("thaad", "land"),
    "thaad_seongju": ("thaad", "land"),
    "moscow_a135": ("a135_53t6", "land"),
}
SHIP_SITES = ("rota_bmd_ships", "yokosuka_bmd_ships", "pearl_harbor")
SM3_PER_SHIP = 8
"""SM-3 rounds per BMD ship: loadouts are not published (reference.yaml); a round placeholder."""

SITES_LEFT_OUT = {
    "pmrf_aegis_ashore_test": "a test complex with no standing inventory",
    "us_aegis_bmd_fleet": (
        "the fleet total (38 ships in 2018) has no location; the ships homeported at Rota, "
        "Yokosuka and Pearl Harbor are modelled"
    ),
    "plesetsk_nudol": "Nudol 14A042: test programme, no kinematic data",
    "russia_s500": "S-500: no deployment sites and no burnout speed",
    "china_midcourse_test": "unnamed Chinese midcourse interceptor: no site and no kinematic data",
}

# Dates that reference.yaml states for entry into service.
IN_SERVICE_FROM = {
    "aegis_ashore_deveselu": "2016-05-12",  # declared operational 12 May 2016
    "aegis_ashore_redzikowo": "2023-12-15",  # accepted by the US Navy 15 Dec 2023
}


def interceptor_types(build: Build) -> list[InterceptorType]:
    """Every interceptor type of assumptions.yaml, with reference.yaml's figures where it has
    them and the derived stack's inputs of interceptors.yaml."""
    ref = {e["id"]: e for e in build.ref["interceptors"]}
    vehicles = data_file("interceptors.yaml")
    # The figures of interceptors.yaml cite their own sources: make them resolvable where
    # build() turns the cited ids into the scenario's sources table (a copy; the cached
    # catalog is not touched).
    build.ref = {**build.ref, "sources": {**build.ref["sources"], **vehicles["sources"]}}
    # reference.yaml key -> model field
    fields = {
        "burnout_velocity_km_s": "burnout_velocity_kms",
        "burn_time_s": "burn_time_s",
        "min_intercept_altitude_km": "min_intercept_altitude_km",
        "max_altitude_km": "max_intercept_altitude_km",
        "max_range_km": "max_range_km",
    }
    # reference.yaml key -> vehicle field (the derived stack's inputs)
    vehicle_fields = {
        "stages": "stage_count",
        "launch_mass_kg": "launch_mass_kg",
        "diameter_m": "diameter_m",
        "length_m": "length_m",
    }
    out = []
    for a in build.asm["interceptors"]:
        r = ref.get(a["id"], {"name": EXTRA_INTERCEPTOR_NAMES.get(a["id"], a["id"])})
        values: dict[str, Any] = {}
        assumed: list[str] = []
        for ref_key, field in fields.items():
            published = r.get(ref_key)
            if published is not None:
                values[field] = float(published)
            elif a.get(field) is not None:
                values[field] = float(a[field])
                assumed.append(field)
        cited: list[str] = []
        decided: list[str] = []
        extra = vehicles["interceptors"].get(a["id"], {})
        for ref_key, field in vehicle_fields.items():
            item = {"value": r[ref_key]} if r.get(ref_key) is not None else extra.get(field)
            if item is None:
                continue
            kind = int if field == "stage_count" else float
            values[field] = kind(item["value"])
            if "source" in item:
                cited.append(item["source"])
            elif "basis" in item:
                assumed.append(field)
                decided.append(f"{field} {item['value']:g}: {item['basis']}")
        note = f"assumptions.yaml: {a['basis']}"
        if decided:
            note = note.rstrip(".") + ". Vehicle (interceptors.yaml): " + "; ".join(decided)
        own = [ASSUMPTIONS_SOURCE] if set(assumed) - set(vehicle_fields.values()) else []
        out.append(
            InterceptorType(
                id=a["id"],
                name=r["name"],
                **values,
                basis="assumed" if assumed else "published",
                assumed_fields=tuple(assumed),
                sources=build.cite(
                    r.get("source"), cited, own, [BUILTIN_SOURCE] if decided else []
                ),
                note=note,
            )
        )
    build.assumptions.append(
        "Interceptor kinematics are stated as the simple model's burnout velocity and burn "
        "time, with the open-literature conventions of assumptions.yaml wherever "
        "reference.yaml is null: every burn time and minimum intercept altitude, and the "
        "burnout velocity of all but gbi_2stage (6.3 km/s, MDA 2007), a135_53t6 (3 km/s, "
        "Russian press) and a235_53t6m (5.5 km/s, speculative); THAAD's 200 km range and "
        "150 km ceiling are published. Exo-atmospheric types have no maximum range "
        "(max_range_km unset): their reach is limited by the kinematics."
    )
    build.assumptions.append(
        "Derived interceptor stacks (assessment.interceptor_model: flyout): no interceptor's "
        "stages are published, so each type is flown as a stack derived from its burnout "
        "velocity and burn time (glasnost.defense.derived_stack, basis: derived) -- solid "
        "stages sharing the burn time equally, a stated template of stage masses, propellant "
        "fraction (0.85) and specific impulse (270-290 s), the type's stage count, launch "
        "mass and diameter (interceptors.yaml and reference.yaml: published for SM-3 IA/IB, "
        "THAAD and the three-stage GBI; assumed for the 53T6 and 53T6M, whose open figures "
        "could not be retrieved; scaled from the dimensions or the speed where unknown), "
        "and the payload fitted so that the best burnout speed over the fan of pitch-over "
        "kicks, flown with gravity and drag, equals the burnout velocity within 0.3 %. The "
        "template and the fitted payloads are assumptions, not the real vehicles."
    )
    unused = sorted(t.id for t in out if t.id not in {i for i, _ in SITE_INTERCEPTORS.values()})
    build.assumptions.append(
        f"Interceptor types deployed at no site ({', '.join(unused)}) are included for "
        "what-if runs, e.g. --set parties.US.interceptor_sites.fort_greely."
        "interceptor=gbi_2stage."
    )
    return out


def sites(build: Build) -> dict[str, list[InterceptorSite]]:
    """The interceptor sites modelled, by party (SITE_INTERCEPTORS; SITES_LEFT_OUT says why
    the others are not)."""
    by_party: dict[str, list[InterceptorSite]] = {}
    battery = next(e for e in build.ref["interceptors"] if e["id"] == "thaad")
    battery_size = battery["launchers_per_battery"] * battery["interceptors_per_launcher"]
    coords = build.asm["coordinates"]
    for r in build.ref["interceptor_sites"]:
        sid = r["id"]
        if sid in SITES_LEFT_OUT:
            continue
        if sid not in SITE_INTERCEPTORS:
            raise ValueError(f"reference.yaml site {sid!r} is neither mapped nor left out")
        interceptor, basing = SITE_INTERCEPTORS[sid]
        assumed: list[str] = []
        extra_sources: list[str] = []
        notes = [f"reference.yaml interceptor_type: {r['interceptor_type']}."]
        lat, lon = r["lat"], r["lon"]
        if lat is None or lon is None:
            c = coords[sid]
            lat, lon = c["lat"], c["lon"]
            assumed += ["lat_deg", "lon_deg"]
            extra_sources.append(ASSUMPTIONS_SOURCE)
            notes.append(f"Coordinates assumed: {c['basis']}.")
        else:
            notes.append(f"Coordinates: {r['coord_basis']}.")
        count = r["interceptors"]
        if sid in SHIP_SITES:
            ships = r.get("ships") or 0
            count = ships * SM3_PER_SHIP
            assumed += ["interceptor", "count"]
            extra_sources.append(BUILTIN_SOURCE)
            notes.append(
                f"{ships} ships x {SM3_PER_SHIP} SM-3 Block IIA assumed (loadouts and block "
                "mix not published); modelled at the homeport, which is not a firing position."
            )
        elif count is None and interceptor == "thaad":
            count = battery_size
            assumed.append("count")
            extra_sources.append(BUILTIN_SOURCE)
            notes.append(f"Inventory not published: one full battery ({battery_size}) assumed.")
        if r.get("note"):
            notes.append(str(r["note"]))
        from_ = IN_SERVICE_FROM.get(sid)
        site = InterceptorSite.model_validate(
            {
                "id": sid,
                "name": r["name"],
                "interceptor": interceptor,
                "basing": basing,
                "count": count,
                "lat_deg": lat,
                "lon_deg": lon,
                "in_service_from": from_,
                "basis": "assumed" if assumed else "published",
                "assumed_fields": assumed,
                "sources": build.cite(r["source"], extra_sources),
                "note": " ".join(notes),
            }
        )
        by_party.setdefault(build.party_of(r["country"]), []).append(site)
    build.assumptions += [
        "Interceptor sites: fort_greely and vandenberg_gbi carry gbi_3stage; "
        "aegis_ashore_deveselu sm3_block_ib (USN 2015, C4Defence 2016; Altair 2023 says "
        "Block IA); aegis_ashore_redzikowo sm3_block_iia; thaad_guam and thaad_seongju thaad; "
        "moscow_a135 the 53T6 (a135_53t6; the 53T6M modernization is the what-if type "
        "a235_53t6m).",
        f"Aegis BMD ships are sea-based sites at their homeports (rota_bmd_ships 4 ships, "
        f"yokosuka_bmd_ships 7, counts of reference.yaml), each ship with {SM3_PER_SHIP} SM-3 "
        "Block IIA: loadouts and the block mix are not published, and the IIA, the fastest "
        "SM-3 in service, is the conservative choice for a no-threat assessment. Homeports are "
        "not firing positions. The Pearl Harbor ship count was not found: pearl_harbor has "
        "count 0 (set it with --set parties.US.interceptor_sites.pearl_harbor.count=N).",
        f"thaad_guam: inventory not published; one full battery ({battery_size} = "
        f"{battery['launchers_per_battery']} launchers x "
        f"{battery['interceptors_per_launcher']}, reference.yaml thaad) assumed.",
        "Coordinates from assumptions.yaml where reference.yaml is null: "
        "aegis_ashore_deveselu, thaad_seongju, moscow_a135 (one point for the ring of A-135 "
        "silos), tatishchevo" + (", yumen, hami." if build.with_china else "."),
        "Left out (no location or no kinematic data): "
        + "; ".join(f"{k} ({v})" for k, v in SITES_LEFT_OUT.items())
        + ".",
        "In service: dates only where reference.yaml states them (aegis_ashore_deveselu from "
        "2016-05-12, aegis_ashore_redzikowo from 2023-12-15); everything else is in service "
        "on any date.",
    ]
    return by_party
