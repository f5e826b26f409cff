"""How the built-in scenarios are made from the open-source catalog (the generator of the data
files that :mod:`glasnost.scenario.builtin` ships; run ``scripts/build_builtin_scenarios.py``).

``data/catalog_reference.yaml`` and ``data/catalog_assumptions.yaml`` are unchanged copies of
``shared/catalog/reference.yaml`` (what public sources state, with citations) and
``assumptions.yaml`` (the modelling conventions that fill its gaps). :func:`build_scenario`
turns them into a :class:`Scenario`, keeping the catalog ids, marking every value that comes from
the assumptions (or from a decision made here) as ``basis: assumed`` with ``assumed_fields``, and
saying in words, in the scenario's ``assumptions``, what was assumed and what was left out.

* ``us-ru``: the United States and Russia, one dyad.
* ``us-ru-cn``: the same plus China (radars, two silo fields, aim points), dyads US-RU, US-CN
  and RU-CN.
* ``us-ru-ir``: ``us-ru`` plus Iran (``IR``) as a third party, in no dyad: missile types defined
  in the scenario from open-source figures (two medium-range missiles and a notional ICBM, stacks
  derived by glasnost.scenario.derive), launch bases at open-source locations, European aim
  points of the US party and the US declaring its defenses against IR (the EPAA's declared
  purpose). The figures and their citations are in ``data/third_parties.yaml``.

The script writes each scenario to ``data/builtin/<name>.yaml`` (and ``examples/us-ru.yaml``,
``examples/us-ru-ir.yaml``, the same text); nothing at run time builds a scenario here.
"""

from __future__ import annotations

from functools import cache
from typing import Any, Literal

from glasnost.scenario.builtin import BUILTIN_NAMES
from glasnost.scenario.interceptor_types import InterceptorType
from glasnost.scenario.loading import Issue, ScenarioError
from glasnost.scenario.missile_types import MissileTypeRef
from glasnost.scenario.missiles import catalog, data_file
from glasnost.scenario.models import DEFAULT_DATE, Scenario
from glasnost.scenario.posture import (
    InterceptorSite,
    LaunchBase,
    Party,
    Radar,
    SpaceInfrared,
    Target,
)
from glasnost.scenario.settings import AssessmentSettings, Criterion

THIRD_PARTIES = {"us-ru-ir": ("IR",)}
"""Third parties (data/third_parties.yaml) of each built-in scenario that has any."""

ASSUMPTIONS_SOURCE = "catalog_assumptions"
BUILTIN_SOURCE = "glasnost_builtin"
THIRD_PARTIES_SOURCE = "glasnost_third_parties"
_OWN_SOURCES = {
    ASSUMPTIONS_SOURCE: (
        "glasnost catalog assumptions.yaml (copied as glasnost/scenario/data/"
        "catalog_assumptions.yaml): modelling conventions of the open kinematic literature "
        "(Wilkening 2012; Butt & Postol 2011; NRC 2012; Lewis & Postol 2007; the 1997 US-Russia "
        "TMD statement), approximate coordinates, representative patrol points and aim points. "
        "Assumptions, not facts."
    ),
    BUILTIN_SOURCE: (
        "Decision made in glasnost.scenario.builtin where neither catalog file gives a value; "
        "stated in the scenario's assumptions list. Replace with declared values."
    ),
    THIRD_PARTIES_SOURCE: (
        "glasnost data/third_parties.yaml: third parties' open-source figures with their "
        "citations, and the assumptions that fill their gaps (named in assumed_fields, "
        "explained in each note). Assumptions, not facts, where so marked."
    ),
}

# Interceptor types of assumptions.yaml that reference.yaml does not list.
EXTRA_INTERCEPTOR_NAMES = {"sm3_block_iib": "SM-3 Block IIB (cancelled 2013)"}

PARTY_NAMES = {"US": "United States", "RU": "Russian Federation", "CN": "China"}

# --- interceptor sites -------------------------------------------------------------------------

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

# --- radars --------------------------------------------------------------------------------------

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

# --- launch bases and China ----------------------------------------------------------------------

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

SAMPLE_STEP_S = 20.0


@cache
def reference_catalog() -> dict[str, Any]:
    """The packaged copy of the catalog's reference.yaml."""
    return data_file("catalog_reference.yaml")


@cache
def assumptions_catalog() -> dict[str, Any]:
    """The packaged copy of the catalog's assumptions.yaml."""
    return data_file("catalog_assumptions.yaml")


@cache
def third_parties_catalog() -> dict[str, Any]:
    """data/third_parties.yaml: third parties' missiles, bases, declarations and aim points."""
    return data_file("third_parties.yaml")


class _Builder:
    """Collects the sources cited and the assumptions stated while building a scenario."""

    def __init__(self, with_china: bool, third_parties: tuple[str, ...] = ()) -> None:
        self.ref = reference_catalog()
        self.asm = assumptions_catalog()
        self.with_china = with_china
        self.third = third_parties_catalog()
        self.third_parties = third_parties
        self.cited: set[str] = set()
        self.assumptions: list[str] = []
        self.rcs_ref = float(self.asm["sensors"]["radar_reference_rcs_m2"])

    def cite(self, *groups: Any) -> tuple[str, ...]:
        out: list[str] = []
        for group in groups:
            for s in [group] if isinstance(group, str) else group or ():
                if s not in out:
                    out.append(s)
        self.cited.update(out)
        return tuple(out)

    def party_of(self, country: str) -> str:
        """US-operated and allied-hosted entries belong to the US party."""
        code = country.split()[0]
        return code if code in ("RU", "CN") else "US"

    # --- types ------------------------------------------------------------------------------------

    def interceptor_types(self) -> list[InterceptorType]:
        ref = {e["id"]: e for e in self.ref["interceptors"]}
        vehicles = data_file("interceptors.yaml")
        # The figures of interceptors.yaml cite their own sources: make them resolvable where
        # build() turns the cited ids into the scenario's sources table (a copy; the cached
        # catalog is not touched).
        self.ref = {**self.ref, "sources": {**self.ref["sources"], **vehicles["sources"]}}
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
        for a in self.asm["interceptors"]:
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
                    sources=self.cite(
                        r.get("source"), cited, own, [BUILTIN_SOURCE] if decided else []
                    ),
                    note=note,
                )
            )
        self.assumptions.append(
            "Interceptor kinematics are stated as the simple model's burnout velocity and burn "
            "time, with the open-literature conventions of assumptions.yaml wherever "
            "reference.yaml is null: every burn time and minimum intercept altitude, and the "
            "burnout velocity of all but gbi_2stage (6.3 km/s, MDA 2007), a135_53t6 (3 km/s, "
            "Russian press) and a235_53t6m (5.5 km/s, speculative); THAAD's 200 km range and "
            "150 km ceiling are published. Exo-atmospheric types have no maximum range "
            "(max_range_km unset): their reach is limited by the kinematics."
        )
        self.assumptions.append(
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
        self.assumptions.append(
            f"Interceptor types deployed at no site ({', '.join(unused)}) are included for "
            "what-if runs, e.g. --set parties.US.interceptor_sites.fort_greely."
            "interceptor=gbi_2stage."
        )
        return out

    def missile_types(self, ids: list[str]) -> list[MissileTypeRef]:
        rcs = self.asm["sensors"]["target_rcs_m2"]
        loadings = self.asm["forces"]["warheads_per_missile"]
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
                    sources=self.cite(
                        ASSUMPTIONS_SOURCE, [BUILTIN_SOURCE] if mid not in loadings else []
                    ),
                    note=(
                        "Stack and published facts: glasnost missiles catalog. Warheads: "
                        + (
                            "Nuclear Notebook estimate (assumptions.yaml forces)."
                            if mid in loadings
                            else "assumed here (one; SCMP reports up to four)."
                        )
                        + f" RCS: {self.asm['sensors']['target_rcs_basis']} (assumptions.yaml)."
                    ),
                )
            )
        self.assumptions.append(
            "Missile radar cross-sections for every type: booster {booster} m^2, post-boost "
            "vehicle {post_boost_vehicle} m^2, reentry vehicle {reentry_vehicle} m^2 "
            "(assumptions.yaml sensors.target_rcs_m2).".format(**rcs)
        )
        return out

    # --- interceptor sites ----------------------------------------------------------------------

    def sites(self) -> dict[str, list[InterceptorSite]]:
        by_party: dict[str, list[InterceptorSite]] = {}
        battery = next(e for e in self.ref["interceptors"] if e["id"] == "thaad")
        battery_size = battery["launchers_per_battery"] * battery["interceptors_per_launcher"]
        coords = self.asm["coordinates"]
        for r in self.ref["interceptor_sites"]:
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
                    "sources": self.cite(r["source"], extra_sources),
                    "note": " ".join(notes),
                }
            )
            by_party.setdefault(self.party_of(r["country"]), []).append(site)
        self.assumptions += [
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
            "silos), tatishchevo" + (", yumen, hami." if self.with_china else "."),
            "Left out (no location or no kinematic data): "
            + "; ".join(f"{k} ({v})" for k, v in SITES_LEFT_OUT.items())
            + ".",
            "In service: dates only where reference.yaml states them (aegis_ashore_deveselu from "
            "2016-05-12, aegis_ashore_redzikowo from 2023-12-15); everything else is in service "
            "on any date.",
        ]
        return by_party

    # --- radars ---------------------------------------------------------------------------------

    def radars(self) -> dict[str, list[Radar]]:
        by_party: dict[str, list[Radar]] = {}
        for r in self.ref["radars"]:
            rid = r["id"]
            if rid in RADARS_LEFT_OUT:
                continue
            party = self.party_of(r["country"])
            if party == "CN" and not self.with_china:
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
                    "reference_rcs_m2": self.rcs_ref,
                    "basis": "assumed",
                    "assumed_fields": assumed,
                    "sources": self.cite(r["source"], extra),
                    "note": " ".join(notes),
                }
            )
            by_party.setdefault(party, []).append(radar)
        self.assumptions += [
            "Radar ranges are reference.yaml range_max_km (KeepTrack model maxima, not "
            f"detection ranges), treated as detection ranges against {self.rcs_ref:g} m^2 "
            "(assumptions.yaml sensors.radar_reference_rcs_m2); against a cross-section sigma "
            f"the range is range_km * (sigma / {self.rcs_ref:g}) ** 0.25.",
            "Radar roles: the US UEWRs, Cobra Dane, LRDR, SBX-1 and the forward-based AN/TPY-2 "
            "are fire control (they track for US midcourse interceptors); Don-2N is fire control "
            "for A-135; the Russian Voronezh, Daryal and Dnepr radars are early warning"
            + (" and so are the Chinese LPARs." if self.with_china else ".")
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

    def space_infrared(self) -> dict[str, SpaceInfrared]:
        out = {}
        for e in self.asm["sensors"]["space_based_infrared"]:
            out[e["party"]] = SpaceInfrared(
                detection_delay_s=float(e["detection_delay_s"]),
                fire_control=bool(e["fire_control"]),
                basis="assumed",
                sources=self.cite(ASSUMPTIONS_SOURCE),
                note=str(e["basis"]),
            )
        delays = ", ".join(f"{p} {s.detection_delay_s:g} s" for p, s in out.items())
        self.assumptions.append(
            f"Space-based infrared launch detection (assumptions.yaml): {delays} after launch, "
            "boost phase only, not fire control (cues interceptors only under launch on remote)"
            + ("; China has none in the catalog." if self.with_china else ".")
        )
        return out

    # --- launch bases ---------------------------------------------------------------------------

    def launch_bases(self) -> tuple[dict[str, list[LaunchBase]], list[str]]:
        bases_ref = self.ref["offensive_bases"]
        where: dict[str, tuple[str, dict[str, Any]]] = {}
        for section in ("us_icbm_wings", "ru_icbm_divisions", "ru_ssbn_bastions"):
            for e in bases_ref[section]:
                where[e["id"]] = (section, e)
        patrols = {p["id"]: p for p in self.asm["patrol_areas"]}
        loadings = self.asm["forces"]["warheads_per_missile"]
        entries = self.asm["forces"]["launchers"]
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
                    c = self.asm["coordinates"][bid]
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
                    "sources": self.cite(*sources, [ASSUMPTIONS_SOURCE]),
                    "note": " ".join(notes) or None,
                }
            )
            by_party.setdefault(party, []).append(base)
            if mid not in missiles_used:
                missiles_used.append(mid)
        self.assumptions += [
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
                f" Base entries whose missile is not in the catalog were skipped: "
                f"{', '.join(skipped)}."
                if skipped
                else ""
            ),
        ]
        return by_party, missiles_used

    def china_bases(self) -> list[LaunchBase]:
        fields = {e["id"]: e for e in self.ref["offensive_bases"]["cn_icbm_fields"]}
        out = []
        for bid, launchers in CN_LAUNCHERS.items():
            c = self.asm["coordinates"][bid]
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
                    sources=self.cite(
                        fields[bid]["source"],
                        ["reuters_2025_china_silos", ASSUMPTIONS_SOURCE, BUILTIN_SOURCE],
                    ),
                    note=(
                        f"About {fields[bid]['silos_approx']} silos ({fields[bid]['year']}); "
                        f"{launchers} DF-31AG assumed loaded. Coordinates assumed: {c['basis']}."
                    ),
                )
            )
        self.assumptions += [
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

    # --- targets ---------------------------------------------------------------------------------

    def target_names(self) -> dict[str, str]:
        names: dict[str, str] = {}
        bases = self.ref["offensive_bases"]
        for section in ("us_icbm_wings", "us_ssbn_bases", "ru_icbm_divisions", "ru_ssbn_bases"):
            for e in bases[section]:
                names[e["id"]] = e["name"]
        names["novosibirsk_city"] = "Novosibirsk"
        return names

    def targets(self) -> dict[str, list[Target]]:
        names = self.target_names()
        out: dict[str, list[Target]] = {}
        for party, entries in self.asm["targets"].items():
            out[party] = [
                Target(
                    id=t["id"],
                    name=names.get(t["id"], t["id"].replace("_", " ").title()),
                    lat_deg=t["lat"],
                    lon_deg=t["lon"],
                    basis="assumed",
                    sources=self.cite(ASSUMPTIONS_SOURCE),
                )
                for t in entries
            ]
        if self.with_china:
            out["CN"] = [
                Target(
                    id=tid,
                    name=name,
                    lat_deg=lat,
                    lon_deg=lon,
                    basis="assumed",
                    sources=self.cite(BUILTIN_SOURCE),
                )
                for tid, (name, lat, lon) in CN_TARGETS.items()
            ]
        self.assumptions.append(
            "Targets: the approximate aim points of assumptions.yaml (city centres and the other "
            "party's forces)."
        )
        return out

    # --- assessment ----------------------------------------------------------------------------

    def assessment(self) -> AssessmentSettings:
        a = self.asm["assessment"]
        dyads = [("US", "RU")] + ([("US", "CN"), ("RU", "CN")] if self.with_china else [])
        criteria = [
            Criterion(
                id=c["id"],
                threshold=float(c["threshold"]),
                basis="assumed",
                sources=self.cite(ASSUMPTIONS_SOURCE),
                note=str(c["basis"]),
            )
            for c in a["criteria"]
        ]
        if self.third_parties:
            fraction = next(c for c in criteria if c.id == "deployed_warheads_defeatable_fraction")
            criteria.append(
                Criterion(
                    id="purpose",
                    threshold=fraction.threshold,
                    basis="assumed",
                    sources=fraction.sources,
                    note="The purpose test: the defenses can engage the declared threat, and "
                    "the treaty partner's warheads they could defeat stay within the "
                    "defeatable-fraction threshold.",
                )
            )
        self.assumptions += [
            f"Assessment doctrine (assumptions.yaml): decision delay {a['decision_delay_s']} s "
            f"after the first track, {a['shots_per_warhead']} shots per warhead, shoot-look-shoot "
            f"kill assessment {a['shoot_look_shoot_assessment_s']} s, launch on remote "
            f"{'allowed' if a['launch_on_remote'] else 'not allowed'}; {a['basis']}.",
            "Criteria (assumptions.yaml): "
            + "; ".join(f"{c.id} <= {c.threshold:g} ({c.note})" for c in criteria)
            + ".",
            f"Trajectories are minimum-energy, sampled every {SAMPLE_STEP_S:g} s (a numerical "
            "setting of glasnost).",
        ]
        return AssessmentSettings(
            dyads=tuple(dyads),
            decision_delay_s=float(a["decision_delay_s"]),
            shots_per_warhead=int(a["shots_per_warhead"]),
            shoot_look_shoot_assessment_s=float(a["shoot_look_shoot_assessment_s"]),
            launch_on_remote=bool(a["launch_on_remote"]),
            trajectory_shape="min-energy",
            sample_step_s=SAMPLE_STEP_S,
            criteria=tuple(criteria),
            basis="assumed",
            assumed_fields=(
                "decision_delay_s",
                "shots_per_warhead",
                "shoot_look_shoot_assessment_s",
                "launch_on_remote",
            ),
            sources=self.cite(ASSUMPTIONS_SOURCE),
            note=str(a["basis"]),
        )

    # --- third parties (us-ru-ir) ----------------------------------------------------------------

    def third_party(self, pid: str) -> tuple[list[MissileTypeRef], list[LaunchBase]]:
        """A third party's missile types (defined from published figures, stacks derived) and
        launch bases, from data/third_parties.yaml."""
        entry = self.third["parties"][pid]
        rcs = self.asm["sensors"]["target_rcs_m2"]
        mtypes = []
        for m in entry["missile_types"]:
            definition = {
                **m["definition"],
                "sources": self.cite(m["definition"]["sources"], [THIRD_PARTIES_SOURCE]),
            }
            mtypes.append(
                MissileTypeRef.model_validate(
                    {
                        "id": m["id"],
                        "warheads": m["warheads"],
                        "rcs_booster_m2": float(rcs["booster"]),
                        "rcs_reentry_vehicle_m2": float(rcs["reentry_vehicle"]),
                        "definition": definition,
                        "basis": "assumed",
                        "assumed_fields": ["warheads", "rcs_booster_m2", "rcs_reentry_vehicle_m2"],
                        "sources": self.cite(ASSUMPTIONS_SOURCE, BUILTIN_SOURCE),
                        "note": f"{m['note']} RCS: {self.asm['sensors']['target_rcs_basis']} "
                        "(assumptions.yaml, as for the catalog's missiles).",
                    }
                )
            )
        bases = [
            LaunchBase.model_validate(
                {**b, "sources": self.cite(b["sources"], [THIRD_PARTIES_SOURCE])}
            )
            for b in entry["launch_bases"]
        ]
        derived = "; ".join(
            f"{m.id} ({'NOTIONAL, ' if d.name.lower().startswith('notional') else ''}"
            f"{d.name}: {d.stage_count}-stage {d.propellant}, {d.range_km:,.0f} km, "
            f"{d.launch_mass_kg:,.0f} kg; assumed: {', '.join(d.assumed_fields) or 'all'}; "
            f"{_fit_summary(m)})"
            for m in mtypes
            if (d := m.definition) is not None
        )
        launchers = ", ".join(f"{b.id} {b.launchers} x {b.missile}" for b in bases)
        self.assumptions += [
            f"Third party {pid} ({entry['name']}): in no dyad; its missiles fly only where a "
            "party declares its defenses against it. Its missile types are defined in the "
            "scenario from open-source figures (data/third_parties.yaml) and their stacks derived "
            f"as the catalog's derived missiles are (glasnost.scenario.derive, basis: derived): "
            f"{derived}. Each definition's note says why its assumed figures were chosen; a "
            "fitted payload is a fit parameter, not a warhead mass.",
            f"{pid} launch bases (launchers assumed, no open count; one warhead each): "
            f"{launchers}. Coordinates: the Simorgh pad as published, the others approximate "
            "town or site positions (assumed); ir_tabriz is an assumed deployment area.",
            f"{pid} radar cross-sections: assumptions.yaml's booster "
            f"{rcs['booster']} m^2 and reentry vehicle {rcs['reentry_vehicle']} m^2 "
            "(the catalog convention; no post-boost vehicle: single warheads).",
        ]
        return mtypes, bases

    def declarations(self) -> dict[str, tuple[str, ...]]:
        """declared_against of the treaty parties, for this scenario's third parties."""
        out: dict[str, tuple[str, ...]] = {}
        for d in self.third["declarations"]:
            against = tuple(t for t in d["declared_against"] if t in self.third_parties)
            if against:
                out[d["party"]] = against
                self.cite(d["sources"])
                self.assumptions.append(
                    f"{d['party']} declares its defenses against {', '.join(against)} "
                    f"(declared_against): {d['note']} Sources: {', '.join(d['sources'])}."
                )
        return out

    def declared_threat_targets(self) -> dict[str, list[Target]]:
        """Aim points of the third parties' missiles on the declaring parties' side."""
        out: dict[str, list[Target]] = {}
        for party, entries in self.third["targets"].items():
            out[party] = [
                Target(
                    **t,
                    against=tuple(self.third_parties),
                    basis="assumed",
                    sources=self.cite(BUILTIN_SOURCE),
                    note="Aim point of the declared threat; approximate position.",
                )
                for t in entries
            ]
            self.assumptions.append(
                f"Aim points of the declared threat added to the {party} party's targets: "
                + ", ".join(t.id for t in out[party])
                + " (approximate positions, assumed). Allied-hosted aim points count as the US "
                "party's, as allied-hosted sites and radars do (the EPAA defends 'our Allies in "
                "Europe' and U.S. forces there). Only the third parties' missiles fly to them "
                "(Target.against), so the treaty partners' numbers are those of us-ru."
            )
        return out

    def build(self, name: str) -> Scenario:
        self.assumptions.append(
            "Every value marked basis: assumed (assumed_fields names which) comes from the "
            "catalog's assumptions.yaml or from a decision of glasnost.scenario.builtin stated "
            "here; everything else is from reference.yaml with its sources. Replace assumptions "
            "with declared values."
        )
        itypes = self.interceptor_types()
        sites = self.sites()
        radars = self.radars()
        infrared = self.space_infrared()
        bases, missiles_used = self.launch_bases()
        if self.with_china:
            bases["CN"] = self.china_bases()
            missiles_used.append(CN_MISSILE)
        mtypes = self.missile_types(missiles_used)
        targets = self.targets()
        names = dict(PARTY_NAMES)
        for pid in self.third_parties:
            third_types, bases[pid] = self.third_party(pid)
            mtypes += third_types
            names[pid] = str(self.third["parties"][pid]["name"])
        declared = self.declarations() if self.third_parties else {}
        if self.third_parties:
            for party, extra in self.declared_threat_targets().items():
                targets[party] = targets.get(party, []) + extra
        assessment = self.assessment()
        party_ids = ["US", "RU"] + (["CN"] if self.with_china else []) + list(self.third_parties)
        parties = [
            Party(
                id=pid,
                name=names[pid],
                interceptor_sites=tuple(sites.get(pid, [])),
                radars=tuple(radars.get(pid, [])),
                space_based_infrared=infrared.get(pid),
                launch_bases=tuple(bases.get(pid, [])),
                targets=tuple(targets.get(pid, [])),
                declared_against=declared.get(pid, ()),
            )
            for pid in party_ids
        ]
        self.assumptions.append(
            f"Posture as of {DEFAULT_DATE} (the catalog describes forces as of 2024)."
        )
        ref_sources = {**self.ref["sources"], **self.third["sources"]}
        sources = {
            s: str(ref_sources[s]) if s in ref_sources else _OWN_SOURCES[s]
            for s in sorted(self.cited)
        }
        treaty = [p for p in party_ids if p not in self.third_parties]
        who = " and ".join(names[p] for p in treaty)
        third = (
            f", with {' and '.join(names[p] for p in self.third_parties)} as a third party "
            "(data/third_parties.yaml)"
            if self.third_parties
            else ""
        )
        return Scenario(
            name=name,
            description=(
                f"Built-in scenario: {who}{third}, from glasnost's open-source catalog "
                "(reference.yaml with its citations, gaps filled from assumptions.yaml). Values "
                "marked assumed are modelling conventions to be replaced by declared data."
            ),
            earth="wgs84",
            date=DEFAULT_DATE,
            sources=sources,
            missile_types=tuple(mtypes),
            interceptor_types=tuple(itypes),
            parties=tuple(parties),
            assessment=assessment,
            assumptions=tuple(self.assumptions),
        )


def build_scenario(name: str = "us-ru") -> Scenario:
    """Build the built-in scenario ``name`` from the catalog (what its data file holds)."""
    if name not in BUILTIN_NAMES:
        raise ScenarioError(
            f"--builtin {name}",
            [Issue("", f"unknown built-in scenario; choose one of {', '.join(BUILTIN_NAMES)}")],
        )
    builder = _Builder(with_china=name == "us-ru-cn", third_parties=THIRD_PARTIES.get(name, ()))
    return builder.build(name)


def _fit_summary(ref: MissileTypeRef) -> str:
    """What the derivation fitted for a defined type, in words (for the assumptions)."""
    from glasnost.scenario.derive import derive_stack

    d = ref.definition
    assert d is not None
    fitted = derive_stack(d.figures()).fitted
    if d.payload_kg is not None:
        return f"throw weight {d.payload_kg:,.0f} kg published, fitted {fitted}"
    return f"fitted {fitted}"
