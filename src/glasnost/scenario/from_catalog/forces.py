"""Offensive forces of the built-in scenarios, from the catalog: missile types with their
cross-sections and loadings, launch bases (silo fields, mobile garrisons, patrol points), China's
silo fields, and the aim points they fly to."""

from __future__ import annotations

from typing import Any

from glasnost.scenario.from_catalog.build import ASSUMPTIONS_SOURCE, BUILTIN_SOURCE, Build
from glasnost.scenario.missile_types import MissileTypeRef
from glasnost.scenario.missiles import catalog
from glasnost.scenario.posture import LaunchBase, Target

PATROL_NAMES = {
    "us_atlantic_patrol": "US SSBN patrol point, Atlantic",
    "us_pacific_patrol": "US SSBN patrol point, Pacific",
    "barents_bastion": "Barents Sea bastion (Northern Fleet)",
    "okhotsk_bastion": "Sea of Okhotsk bastion (Pacific Fleet)",
}
_MISSILE_LABEL = {"rs24_yars": "Yars", "rt2pm2_topol_m": "Topol-M", "r36m2_ss18": "R-36M2"}

# China (us-ru-cn): assumptions.yaml gives coordinates for two silo fields but no launchers,
# loadings or aim points; these are decisions of this module (basis assumed).
CN_MISSILE = "df31ag"
CN_LAUNCHERS = {"yumen": 50, "hami": 50}
CN_WARHEADS_PER_MISSILE = 1
CN_TARGETS = {
    # id: (name, lat_deg, lon_deg) -- approximate city centres and the two silo fields
    "beijing": ("Beijing", 39.90, 116.41),
    "shanghai": ("Shanghai", 31.23, 121.47),
    "guangzhou": ("Guangzhou", 23.13, 113.26),
    "chongqing": ("Chongqing", 29.56, 106.55),
    "wuhan": ("Wuhan", 30.59, 114.31),
    "xian": ("Xi'an", 34.34, 108.94),
    "yumen": ("Yumen silo field", 40.10, 96.60),
    "hami": ("Hami silo field", 42.30, 92.80),
}


def missile_types(build: Build, ids: list[str]) -> list[MissileTypeRef]:
    """The catalog missiles ``ids`` with assumptions.yaml's cross-sections and loadings."""
    rcs = build.asm["sensors"]["target_rcs_m2"]
    loadings = build.asm["forces"]["warheads_per_missile"]
    out = []
    for mid in ids:
        warheads = loadings.get(mid, CN_WARHEADS_PER_MISSILE if mid == CN_MISSILE else None)
        out.append(
            MissileTypeRef(
                id=mid,
                warheads=warheads,
                rcs_booster_m2=float(rcs["booster"]),
                rcs_post_boost_vehicle_m2=float(rcs["post_boost_vehicle"]),
                rcs_reentry_vehicle_m2=float(rcs["reentry_vehicle"]),
                basis="assumed",
                assumed_fields=(
                    "warheads",
                    "rcs_booster_m2",
                    "rcs_post_boost_vehicle_m2",
                    "rcs_reentry_vehicle_m2",
                ),
                sources=build.cite(
                    ASSUMPTIONS_SOURCE, [BUILTIN_SOURCE] if mid not in loadings else []
                ),
                note=(
                    "Stack and published facts: glasnost missiles catalog. Warheads: "
                    + (
                        "Nuclear Notebook estimate (assumptions.yaml forces)."
                        if mid in loadings
                        else "assumed here (one; SCMP reports up to four)."
                    )
                    + f" RCS: {build.asm['sensors']['target_rcs_basis']} (assumptions.yaml)."
                ),
            )
        )
    build.assumptions.append(
        "Missile radar cross-sections for every type: booster {booster} m^2, post-boost "
        "vehicle {post_boost_vehicle} m^2, reentry vehicle {reentry_vehicle} m^2 "
        "(assumptions.yaml sensors.target_rcs_m2).".format(**rcs)
    )
    return out


def launch_bases(build: Build) -> tuple[dict[str, list[LaunchBase]], list[str]]:
    """The US and Russian launch bases by party, and the missile ids they carry."""
    bases_ref = build.ref["offensive_bases"]
    where: dict[str, tuple[str, dict[str, Any]]] = {}
    for section in ("us_icbm_wings", "ru_icbm_divisions", "ru_ssbn_bastions"):
        for e in bases_ref[section]:
            where[e["id"]] = (section, e)
    patrols = {p["id"]: p for p in build.asm["patrol_areas"]}
    loadings = build.asm["forces"]["warheads_per_missile"]
    entries = build.asm["forces"]["launchers"]
    repeated = {e["base"] for e in entries if sum(f["base"] == e["base"] for f in entries) > 1}
    by_party: dict[str, list[LaunchBase]] = {}
    missiles_used: list[str] = []
    skipped: list[str] = []
    for e in entries:
        bid, mid = e["base"], e["missile"]
        if mid not in catalog():
            skipped.append(f"{bid} ({mid})")
            continue
        section, r = where.get(bid, ("patrol_areas", {}))
        assumed = ["launchers", "warheads_per_missile"]
        sources: list[Any] = [r.get("source", [])]
        notes: list[str] = []
        if section == "us_icbm_wings":
            party, kind, name = "US", "silo_field", r["name"]
            lat, lon = r["base_lat"], r["base_lon"]
            notes.append(
                "Launch point at the wing's base; the silo field extends 100+ km around it "
                "(centroid not published)."
            )
            sources.append(bases_ref["us_icbm_totals"]["source"])
        elif section == "ru_icbm_divisions":
            party, name = "RU", r["name"]
            label = _MISSILE_LABEL[mid]
            entry = next(m for m in r["missiles"] if label in m)
            kind = "mobile" if "(mobile)" in entry else "silo_field"
            if r["launchers"] == e["launchers"]:
                assumed.remove("launchers")
            lat, lon = r["lat"], r["lon"]
            if lat is None or lon is None:
                c = build.asm["coordinates"][bid]
                lat, lon = c["lat"], c["lon"]
                assumed += ["lat_deg", "lon_deg"]
                notes.append(f"Coordinates assumed: {c['basis']}.")
            else:
                notes.append(f"Coordinates: {r['coord_basis']}.")
            sources.append(bases_ref["ru_icbm_totals"]["source"])
        else:
            p = patrols[bid]
            party, kind, name = p["party"], "submarine_patrol", PATROL_NAMES[bid]
            lat, lon = p["lat"], p["lon"]
            assumed += ["lat_deg", "lon_deg"]
            notes.append("Representative patrol point (patrol areas are not published).")
            fleet = "us_ssbn_fleet" if party == "US" else "ru_ssbn_totals"
            sources.append(bases_ref[fleet]["source"])
        if e.get("note"):
            notes.insert(0, f"{e['note']}.")
        bid_unique = f"{bid}_{mid}" if bid in repeated else bid
        if bid in repeated:
            name = f"{name} ({catalog()[mid].name})"
        base = LaunchBase.model_validate(
            {
                "id": bid_unique,
                "name": name,
                "kind": kind,
                "lat_deg": lat,
                "lon_deg": lon,
                "missile": mid,
                "launchers": e["launchers"],
                "warheads_per_missile": loadings[mid],
                "catalog_id": bid if bid in repeated else None,
                "basis": "assumed",
                "assumed_fields": assumed,
                "sources": build.cite(*sources, [ASSUMPTIONS_SOURCE]),
                "note": " ".join(notes) or None,
            }
        )
        by_party.setdefault(party, []).append(base)
        if mid not in missiles_used:
            missiles_used.append(mid)
    build.assumptions += [
        "Launch bases: launchers per base are assumptions.yaml's distribution of the 2024 "
        "Nuclear Notebook per-type totals (forces.launchers), warheads per missile its "
        "Nuclear Notebook estimates; the per-base split is not published.",
        "Launch points: US ICBM wings at the wing base (silo fields extend 100+ km), Russian "
        "divisions at the garrison town (mobile regiments patrol tens of km away; tatishchevo "
        "from assumptions.yaml), SSBNs at one representative patrol point per ocean or bastion "
        "with two boats on patrol each (assumptions.yaml patrol_areas); SSBNs in port are not "
        "modelled.",
        "Teykovo holds two missile groups: launch bases teykovo_rt2pm2_topol_m and "
        "teykovo_rs24_yars, both with catalog_id teykovo.",
        "Not modelled: the 12 UR-100NUTTH with the Avangard glide vehicle at Dombarovsky (not "
        "ballistic; assumptions.yaml) and the planned RS-28 Sarmat at Uzhur."
        + (
            f" Base entries whose missile is not in the catalog were skipped: {', '.join(skipped)}."
            if skipped
            else ""
        ),
    ]
    return by_party, missiles_used


def china_bases(build: Build) -> list[LaunchBase]:
    """China's two silo fields (us-ru-cn), loaded as this module assumes."""
    fields = {e["id"]: e for e in build.ref["offensive_bases"]["cn_icbm_fields"]}
    out = []
    for bid, launchers in CN_LAUNCHERS.items():
        c = build.asm["coordinates"][bid]
        out.append(
            LaunchBase(
                id=bid,
                name=fields[bid]["name"],
                kind="silo_field",
                lat_deg=c["lat"],
                lon_deg=c["lon"],
                missile=CN_MISSILE,
                launchers=launchers,
                warheads_per_missile=CN_WARHEADS_PER_MISSILE,
                basis="assumed",
                assumed_fields=(
                    "lat_deg",
                    "lon_deg",
                    "missile",
                    "launchers",
                    "warheads_per_missile",
                ),
                sources=build.cite(
                    fields[bid]["source"],
                    ["reuters_2025_china_silos", ASSUMPTIONS_SOURCE, BUILTIN_SOURCE],
                ),
                note=(
                    f"About {fields[bid]['silos_approx']} silos ({fields[bid]['year']}); "
                    f"{launchers} DF-31AG assumed loaded. Coordinates assumed: {c['basis']}."
                ),
            )
        )
    build.assumptions += [
        f"China: {CN_MISSILE} (DF-31AG) with {CN_WARHEADS_PER_MISSILE} warhead each, "
        f"{' and '.join(f'{n} at {b}' for b, n in CN_LAUNCHERS.items())} (silo fields), "
        "assumed from the Reuters 2025 report of more than 100 DF-31-class "
        "missiles likely loaded in the new silo fields (the Ordos field has no coordinates; "
        "SCMP reports up to four warheads). Legacy DF-5 silos and road-mobile DF-41 are not "
        "modelled (no coordinates). China has no interceptor sites (china_midcourse_test is "
        "left out).",
        "China's aim points (six city centres and the two silo fields) are approximate and "
        "assumed here: assumptions.yaml gives none.",
    ]
    return out


def target_names(build: Build) -> dict[str, str]:
    """Names of the aim points that are bases of reference.yaml."""
    names: dict[str, str] = {}
    bases = build.ref["offensive_bases"]
    for section in ("us_icbm_wings", "us_ssbn_bases", "ru_icbm_divisions", "ru_ssbn_bases"):
        for e in bases[section]:
            names[e["id"]] = e["name"]
    names["novosibirsk_city"] = "Novosibirsk"
    return names


def targets(build: Build) -> dict[str, list[Target]]:
    """The aim points of assumptions.yaml (and China's, for us-ru-cn), by party."""
    names = target_names(build)
    out: dict[str, list[Target]] = {}
    for party, entries in build.asm["targets"].items():
        out[party] = [
            Target(
                id=t["id"],
                name=names.get(t["id"], t["id"].replace("_", " ").title()),
                lat_deg=t["lat"],
                lon_deg=t["lon"],
                basis="assumed",
                sources=build.cite(ASSUMPTIONS_SOURCE),
            )
            for t in entries
        ]
    if build.with_china:
        out["CN"] = [
            Target(
                id=tid,
                name=name,
                lat_deg=lat,
                lon_deg=lon,
                basis="assumed",
                sources=build.cite(BUILTIN_SOURCE),
            )
            for tid, (name, lat, lon) in CN_TARGETS.items()
        ]
    build.assumptions.append(
        "Targets: the approximate aim points of assumptions.yaml (city centres and the other "
        "party's forces)."
    )
    return out
