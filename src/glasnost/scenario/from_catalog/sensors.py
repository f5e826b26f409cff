"""Radars and space-based infrared of the built-in scenarios, from the catalog: each radar's role,
the radars left out, and the ranges assumed where reference.yaml gives none."""

from __future__ import annotations

from typing import Literal

from glasnost.scenario.from_catalog.build import ASSUMPTIONS_SOURCE, BUILTIN_SOURCE, Build
from glasnost.scenario.posture import Radar, SpaceInfrared

FIRE_CONTROL = "fire_control"
EARLY_WARNING = "early_warning"
RADAR_ROLES: dict[str, Literal["fire_control", "early_warning"]] = {
    **dict.fromkeys(
        (
            "uewr_cape_cod",
            "uewr_beale",
            "uewr_clear",
            "uewr_pituffik",
            "uewr_fylingdales",
            "cobra_dane",
            "lrdr_clear",
            "tpy2_kurecik",
            "tpy2_shariki",
            "tpy2_kyogamisaki",
            "tpy2_israel",
            "tpy2_qatar",
            "sbx1",
            "don2n",
        ),
        "fire_control",
    ),
    **dict.fromkeys(
        (
            "voronezh_lekhtusi",
            "voronezh_armavir",
            "voronezh_pionersky",
            "voronezh_mishelevka",
            "dnepr_mishelevka",
            "voronezh_barnaul",
            "voronezh_yeniseysk",
            "voronezh_orsk",
            "voronezh_olenegorsk",
            "dnepr_olenegorsk",
            "daryal_pechora",
            "cn_lpar_korla",
            "cn_lpar_heilongjiang",
            "cn_lpar_zhejiang",
            "cn_lpar_shandong",
        ),
        "early_warning",
    ),
}
RADARS_LEFT_OUT = {
    "aegis_ashore_spy1_deveselu": "AN/SPY-1 Deveselu: no range and no coordinates",
    "aegis_ashore_spy1d_redzikowo": "AN/SPY-1D(V) Redzikowo: no range",
    "tpy2_thaad_seongju": "AN/TPY-2 (terminal mode) Seongju: no range and no coordinates",
    "voronezh_vorkuta": "Voronezh Vorkuta: under construction, no sector or range",
}
# Don-2N: reference.yaml has no range_max_km or elevation limits; its note quotes an RT/Russian
# MoD claim of detection "beyond 6,000 km" (unverified).
DON2N_ASSUMED = {"range_km": 6000.0, "elevation_min_deg": 3.0, "elevation_max_deg": 85.0}


def radars(build: Build) -> dict[str, list[Radar]]:
    """The radars of reference.yaml with their roles, by party (RADARS_LEFT_OUT says why the
    others are not)."""
    by_party: dict[str, list[Radar]] = {}
    for r in build.ref["radars"]:
        rid = r["id"]
        if rid in RADARS_LEFT_OUT:
            continue
        party = build.party_of(r["country"])
        if party == "CN" and not build.with_china:
            continue
        if rid not in RADAR_ROLES:
            raise ValueError(f"reference.yaml radar {rid!r} has no role and is not left out")
        values = {
            "range_km": r.get("range_max_km"),
            "elevation_min_deg": r.get("elevation_min_deg"),
            "elevation_max_deg": r.get("elevation_max_deg"),
        }
        assumed = ["reference_rcs_m2"]
        extra = [ASSUMPTIONS_SOURCE]
        notes = [f"{r['system']}; range_km is reference.yaml range_max_km."]
        if rid == "don2n":
            for key, value in DON2N_ASSUMED.items():
                if values[key] is None:
                    values[key] = value
                    assumed.append(key)
            extra.append(BUILTIN_SOURCE)
            notes.append(
                "Range assumed from the RT/Russian MoD claim of detection beyond 6,000 km "
                "(unverified); elevation limits assumed like the other large phased arrays."
            )
        if r.get("note"):
            notes.append(str(r["note"]))
        radar = Radar.model_validate(
            {
                "id": rid,
                "name": r["name"],
                "role": RADAR_ROLES[rid],
                "lat_deg": r["lat"],
                "lon_deg": r["lon"],
                "azimuth_min_deg": r["azimuth_min_deg"],
                "azimuth_max_deg": r["azimuth_max_deg"],
                **values,
                "range_min_km": r.get("range_min_km") or 0.0,
                "reference_rcs_m2": build.rcs_ref,
                "basis": "assumed",
                "assumed_fields": assumed,
                "sources": build.cite(r["source"], extra),
                "note": " ".join(notes),
            }
        )
        by_party.setdefault(party, []).append(radar)
    build.assumptions += [
        "Radar ranges are reference.yaml range_max_km (KeepTrack model maxima, not "
        f"detection ranges), treated as detection ranges against {build.rcs_ref:g} m^2 "
        "(assumptions.yaml sensors.radar_reference_rcs_m2); against a cross-section sigma "
        f"the range is range_km * (sigma / {build.rcs_ref:g}) ** 0.25.",
        "Radar roles: the US UEWRs, Cobra Dane, LRDR, SBX-1 and the forward-based AN/TPY-2 "
        "are fire control (they track for US midcourse interceptors); Don-2N is fire control "
        "for A-135; the Russian Voronezh, Daryal and Dnepr radars are early warning"
        + (" and so are the Chinese LPARs." if build.with_china else ".")
        + " Radars in allied countries (Fylingdales, Pituffik, Kurecik, Shariki, "
        "Kyogamisaki, Israel, Qatar) count as US sensors.",
        "don2n: range 6,000 km against the reference cross-section, from the RT/Russian MoD "
        "claim of detection 'beyond 6,000 km' quoted in reference.yaml (unverified), and "
        "elevation limits 3-85 deg are assumed.",
        "Radars left out: "
        + "; ".join(f"{k} ({v})" for k, v in RADARS_LEFT_OUT.items())
        + ". Aegis Ashore and THAAD sites are cued by the other US radars (launch on "
        "remote).",
        "Radars kept in service despite status doubts in reference.yaml: voronezh_armavir "
        "(reported damaged May 2024), dnepr_mishelevka and dnepr_olenegorsk (may be retired).",
        "All sites, radars and bases are at 0 m above the ellipsoid (heights are not in the "
        "catalog).",
    ]
    return by_party


def space_infrared(build: Build) -> dict[str, SpaceInfrared]:
    """Space-based infrared launch detection of assumptions.yaml, by party."""
    out = {}
    for e in build.asm["sensors"]["space_based_infrared"]:
        out[e["party"]] = SpaceInfrared(
            detection_delay_s=float(e["detection_delay_s"]),
            fire_control=bool(e["fire_control"]),
            basis="assumed",
            sources=build.cite(ASSUMPTIONS_SOURCE),
            note=str(e["basis"]),
        )
    delays = ", ".join(f"{p} {s.detection_delay_s:g} s" for p, s in out.items())
    build.assumptions.append(
        f"Space-based infrared launch detection (assumptions.yaml): {delays} after launch, "
        "boost phase only, not fire control (cues interceptors only under launch on remote)"
        + ("; China has none in the catalog." if build.with_china else ".")
    )
    return out
