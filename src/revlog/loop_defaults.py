"""Every default figure of the closed loop (grading, second life, plant, CO2), with its source.

Issue 15 closes the loop: retired packs are graded at centralized-storage outlets, the
second-life-able ones go to echelon-utilisation users (``geodata/second_life.csv``), the rest
to the plant, and CO2 is counted on the way. This leaf module states each figure once, in the
style of :mod:`revlog.regulations`: one constant per figure, its unit in the name, its source
in the ``#:`` comment above it. Nothing in it imports the rest of revlog.

How sure each figure is, is said in its comment:

* **Source:** a public figure (a secondary copy unless the comment says otherwise; see
  ``../shared/reference/domain.md`` and ``geodata/SOURCES.md`` for the addresses);
* **UNC:** a sourced figure from a single or weak copy, or used outside its original scope;
* **Assumption:** revlog's own figure (no public number found), with the reasoning;
* **Derived:** computed here from the constants above it.

The grade shares per source kind (and the SOH threshold that defines "second-life-able") are
a data table, ``geodata/grading.csv``, not constants here.
"""

from __future__ import annotations

# -- grid electricity: MEE / NBS 2022 electricity CO2 factors (announced 2024-12-20) ------------
#: Provincial average grid CO2 factor, kg CO2 per kWh consumed, for the provinces of the study
#: area. Source: MEE & NBS announcement of the 2022 electricity CO2 factors (the provincial
#: average factor, not the one excluding market-traded green power). Qinghai 0.1567 and Sichuan
#: 0.1404 are confirmed by two copies (daydaynews.cc reprint of Beijing News 2024-12-27; the
#: Sandpiper / dhirubhai.net summary for Sichuan). Gansu 0.4772, Xinjiang 0.6231 and Ningxia
#: 0.6423 come from one secondary copy (a GitHub table of the 2021/2022 factors) — UNC. Xizang is
#: not in the provincial table: the Southwest regional factor 0.2268 (same announcement, same
#: reprint) stands in for it — UNC.
GRID_KG_CO2_PER_KWH: dict[str, float] = {
    "Qinghai": 0.1567,  # hydro/solar-heavy grid
    "Gansu": 0.4772,  # UNC (single copy)
    "Xinjiang": 0.6231,  # UNC (single copy)
    "Sichuan": 0.1404,  # hydro-heavy grid
    "Ningxia": 0.6423,  # UNC (single copy)
    "Xizang": 0.2268,  # UNC: Southwest regional factor (no provincial factor published)
}
#: National average grid CO2 factor 2022, kg CO2/kWh, for a province missing above. Source: MEE
#: & NBS 2022 factors (0.5366; 0.5856 without market-traded green power), daydaynews.cc reprint
#: and the Sandpiper summary.
NATIONAL_GRID_KG_CO2_PER_KWH = 0.5366

# -- diesel trucks ---------------------------------------------------------------------------------
#: CO2 from burning one litre of diesel, kg CO2/L. Source: IPCC 2006 default 74,100 kg CO2/TJ ×
#: NCV 43.0 TJ/Gg × density ≈ 0.84 kg/L = 2.68 (the figure quoted by utilitysmarts.com; UK DEFRA
#: 2024 gives 2.66 kg CO2e/L, clidapt.com). Tank-to-wheel only (no well-to-tank share).
DIESEL_KG_CO2_PER_L = 2.68
#: Upper payload bound of each truck class, kg: light van ~1–2 t, medium 5–8 t, heavy 10–18 t.
#: Source: the domain memo's payload bands, which are themselves an assumption (UNC: no sourced
#: payloads). The default fleet (1.5 t van, 5 t and 10 t box trucks) falls in light / medium /
#: heavy.
TRUCK_CLASS_MAX_PAYLOAD_KG: dict[str, float] = {"light": 2000.0, "medium": 8000.0, "heavy": 18000.0}
#: Diesel use of a fully loaded truck, L/100 km. Source (UNC, Western fleet figures, no Chinese
#: per-class figure found): light commercial vehicles < 3.5 t use 8–12 L/100 km (transpocodirect
#: 2024 guide) → 11; a truck with ~16 t payload ~25 L/100 km, 23.5 t ~38 L/100 km (webfleet.com,
#: after Spain's road-freight cost observatory 2019); a 5 t (medium) box truck taken at 18 and a
#: 10 t (heavy) box truck at 25 — interpolations, UNC. Plateau altitude and grades not modelled.
TRUCK_LOADED_L_PER_100KM: dict[str, float] = {"light": 11.0, "medium": 18.0, "heavy": 25.0}
#: Diesel use of the same trucks running empty, L/100 km. Assumption: ~70–80 % of the loaded
#: figure (the lighter the truck relative to its payload, the smaller the gap), UNC; fuel use
#: is then taken linear in load between empty and full, the load-dependent fuel-consumption-rate
#: model of Xiao et al. 2012 (Computers & OR 39(7):1419).
TRUCK_EMPTY_L_PER_100KM: dict[str, float] = {"light": 9.0, "medium": 13.0, "heavy": 18.0}
#: Derived: CO2 of a fully loaded truck, kg CO2/km = loaded L/100 km / 100 × diesel kg CO2/L.
TRUCK_LOADED_KG_CO2_PER_KM: dict[str, float] = {
    k: round(v / 100.0 * DIESEL_KG_CO2_PER_L, 4) for k, v in TRUCK_LOADED_L_PER_100KM.items()
}
#: Derived: CO2 of an empty truck, kg CO2/km = empty L/100 km / 100 × diesel kg CO2/L.
TRUCK_EMPTY_KG_CO2_PER_KM: dict[str, float] = {
    k: round(v / 100.0 * DIESEL_KG_CO2_PER_L, 4) for k, v in TRUCK_EMPTY_L_PER_100KM.items()
}
#: Payload of the truck that the line-haul echelons (outlet → storage → plant, costed per t·km
#: in the scenario) are counted with, t. Assumption: the heavy class at the scenario schema's
#: default 10 t box truck.
LINE_HAUL_PAYLOAD_T = 10.0
#: Derived: line-haul CO2 per tonne-km of packs moved, kg CO2/(t·km): a heavy truck out full and
#: back empty, (loaded + empty kg CO2/km) / payload t. (≈ 0.115; GLEC v2 TTW default for a
#: 26–32 t rigid truck with average load is 0.095 kg CO2e/t·km, climatiq.io — same magnitude.)
LINE_HAUL_KG_CO2_PER_T_KM = round(
    (TRUCK_LOADED_KG_CO2_PER_KM["heavy"] + TRUCK_EMPTY_KG_CO2_PER_KM["heavy"])
    / LINE_HAUL_PAYLOAD_T,
    5,
)

# -- facility electricity per tonne handled (× GRID_KG_CO2_PER_KWH of the facility's province) ----
#: Electricity of a collection-type outlet per tonne passing through, kWh/t. Assumption (no
#: figure found): lighting, ventilation and monitoring of a ≤ 5 t store, ~500 kWh/yr over
#: ~100 t/yr passing a busy outlet → ~5, UNC.
COLLECTION_KWH_PER_T = 5.0
#: Electricity of a centralized-storage outlet per tonne stored, grading excluded, kWh/t.
#: Assumption: 24 h infrared monitoring, fire protection, forklift charging of a ≥ 30 t store
#: (GB/T 38698.2-2023 equipment), ~10, UNC.
STORAGE_KWH_PER_T = 10.0
#: Electricity of testing and grading one tonne of packs, kWh/t (added to STORAGE_KWH_PER_T for
#: the graded tonnes). Assumption: one charge + discharge capacity test of ~120–130 kWh/t of
#: residual energy (150 Wh/kg × 80–90 % SOH) on a regenerative tester returning ~85 % → ~35
#: kWh/t lost, plus ~5 kWh/t handling and climate control, UNC. A rapid internal-resistance
#: screen (Lv et al. 2022, RSC Adv. d2ra02278h) would need far less.
GRADING_KWH_PER_T = 40.0
#: Electricity of the recycling plant per tonne of packs, kWh/t (discharge, dismantling,
#: shredding, hydrometallurgy). Assumption: no sourced plant figure was found; ~600 kWh/t of
#: electricity (heat and reagents excluded), UNC.
PLANT_KWH_PER_T = 600.0

# -- grading at centralized-storage outlets -------------------------------------------------------
#: Cost of testing and grading one tonne of packs at a storage outlet, CNY/t. Assumption: ≈ 10 CNY
#: per kWh of residual capacity at ~120 kWh/t — an order of magnitude below the 27.2–38.3 EUR/kWh
#: full repurposing cost (disassembly, new BMS and housing) of Lieskoski et al. 2024, Batteries
#: 10(1):36, since an outlet only tests and sorts; UNC.
GRADING_COST_CNY_PER_T = 1200.0
#: Tonnes one storage outlet can grade per year, t/year. Assumption: 4 test channels × 2 packs per
#: channel per day (8–10 h capacity test) × 0.35 t per pack × 250 days ≈ 700, less downtime, UNC.
GRADING_THROUGHPUT_T_PER_YEAR = 600.0

# -- packs ----------------------------------------------------------------------------------------
#: Pack-level specific energy when new, Wh/kg (= kWh/t). Source: domain memo (influitenergy.com:
#: ~150 Wh/kg pack, 265 Wh/kg cell).
PACK_WH_PER_KG = 150.0
#: Mean state of health of the packs graded second-life-able, share of nameplate capacity.
#: Derived assumption: retirement SOH is 70–90 % in practice (mkbandco.com); taken uniform, the
#: packs above the 80 % threshold of geodata/grading.csv average 85 %, UNC.
SECOND_LIFE_MEAN_SOH_SHARE = 0.85
#: Derived: residual energy of one tonne of second-life packs, kWh/t = PACK_WH_PER_KG ×
#: SECOND_LIFE_MEAN_SOH_SHARE (150 Wh/kg = 150 kWh/t).
SECOND_LIFE_KWH_PER_T = PACK_WH_PER_KG * SECOND_LIFE_MEAN_SOH_SHARE

# -- second-life price -----------------------------------------------------------------------------
#: Price of a new LFP energy-storage cell, CNY/Wh. Source: end-2024 transaction price of 314 Ah
#: storage cells, 0.27 CNY/Wh (cnpec.net 2025-04-23, "新能源一号"; also reportify.cn).
NEW_LFP_CELL_CNY_PER_WH = 0.27
#: Range of the second-life purchase price as a share of the new-battery price, (low, high).
#: Source: "收购价可达新电池的30%-50%" for retired LFP packs fit for echelon use (2019ldchs.com,
#: 2025 market overview), UNC (a trade page; the basis — cell or system price — is not stated).
SECOND_LIFE_PRICE_RANGE_SHARE: tuple[float, float] = (0.30, 0.50)
#: Derived: default price a second-life user pays, CNY/t = mid share × NEW_LFP_CELL_CNY_PER_WH ×
#: SECOND_LIFE_KWH_PER_T × 1000 Wh/kWh (≈ 13,800; the per-site prices of second_life.csv are drawn
#: over the whole range).
SECOND_LIFE_PRICE_CNY_PER_T = round(
    sum(SECOND_LIFE_PRICE_RANGE_SHARE) / 2 * NEW_LFP_CELL_CNY_PER_WH * SECOND_LIFE_KWH_PER_T * 1000,
    -1,
)

# -- recycling plant revenue ----------------------------------------------------------------------
#: What a recycler pays for one tonne of retired LFP batteries, CNY/t — taken as the plant's net
#: revenue from the recovered material (value after its own processing cost). Source: Sept-2025
#: price of prismatic aluminium-case LFP cells, 7,620 CNY/t (2019ldchs.com); pack = cell value
#: per tonne assumed (casing steel/aluminium roughly offsets the lighter content), UNC.
#: Cross-check: at the 2023 lithium price LFP packs fetched ~18,000 CNY/t (w603.cn).
LFP_PACK_VALUE_CNY_PER_T = 7620.0
#: The same for NCM (ternary) batteries, CNY/t. Source: Sept-2025 price of NCM soft-pack cells,
#: 23,400 CNY/t (2019ldchs.com), UNC; 2023 level ~38,000 CNY/t for NCM packs (w603.cn).
NCM_PACK_VALUE_CNY_PER_T = 23400.0
#: Share of LFP in today's retired stream (by mass). Assumption: LFP was 68.3 % of installations
#: in H1 2023 (cmtcm.com) but NCM led passenger cars in 2017–2019, when today's retirements were
#: built (auto.jgvogel.cn); Qinghai's e-buses are LFP → 0.6, UNC.
RETIRED_LFP_SHARE = 0.6
#: Derived: plant revenue per tonne of packs received, CNY/t, at the chemistry mix above
#: (0.6 × 7,620 + 0.4 × 23,400 ≈ 13,930). Cross-check: WMG (Univ. of Warwick) puts the material
#: value of end-of-life BEV packs at £3.3/kg.
PLANT_REVENUE_CNY_PER_T = round(
    RETIRED_LFP_SHARE * LFP_PACK_VALUE_CNY_PER_T
    + (1.0 - RETIRED_LFP_SHARE) * NCM_PACK_VALUE_CNY_PER_T,
    -1,
)

# -- CO2 avoided by second life -------------------------------------------------------------------
#: Life-cycle GHG of producing a new LFP battery in China, kg CO2e per kWh. Source: Hao et al.
#: 2017, Sustainability 9(4):504: 3,061 kg CO2e for a 28 kWh LFP pack → 109.3. Cross-checks:
#: 41–89 kg CO2e/kWh for cells in 2020 (Xu et al. 2022, Resour. Conserv. Recycl. 187:106606);
#: ~95 kg CO2e/kWh for NCM packs (Changjiang Securities, via e993.com).
NEW_BATTERY_KG_CO2E_PER_KWH = 109.3
#: Share of a new battery's production that a kWh of second-life capacity displaces.
#: Assumption: a second-life pack serves about half as long as a new storage battery, so it
#: avoids half of one, UNC (the literature's credit depends on this life ratio).
SECOND_LIFE_DISPLACEMENT_SHARE = 0.5
#: Derived: CO2e avoided per tonne sent to second life, kg CO2e/t = SECOND_LIFE_KWH_PER_T ×
#: NEW_BATTERY_KG_CO2E_PER_KWH × SECOND_LIFE_DISPLACEMENT_SHARE (≈ 6,970). Repurposing energy is
#: not netted here: it is counted as GRADING_KWH_PER_T at the outlet.
SECOND_LIFE_AVOIDED_KG_CO2E_PER_T = round(
    SECOND_LIFE_KWH_PER_T * NEW_BATTERY_KG_CO2E_PER_KWH * SECOND_LIFE_DISPLACEMENT_SHARE, 1
)


def truck_class(payload_kg: float) -> str:
    """The truck class (``light``, ``medium``, ``heavy``) of a vehicle with this payload.

    Parameters
    ----------
    payload_kg : float
        The vehicle type's payload limit, kg.

    Returns
    -------
    str
        The smallest class whose upper payload bound (:data:`TRUCK_CLASS_MAX_PAYLOAD_KG`) is at
        least ``payload_kg``; ``heavy`` above every bound.
    """
    for name, bound in sorted(TRUCK_CLASS_MAX_PAYLOAD_KG.items(), key=lambda kv: kv[1]):
        if payload_kg <= bound:
            return name
    return "heavy"


def truck_kg_co2_per_km(payload_kg: float, load_kg: float) -> float:
    """CO2 of a diesel truck per km, kg CO2/km, linear in its load between empty and full.

    Parameters
    ----------
    payload_kg : float
        The vehicle type's payload limit, kg (picks the class, :func:`truck_class`).
    load_kg : float
        What it carries on the leg, kg; clipped to [0, payload_kg].

    Returns
    -------
    float
        ``empty + (loaded − empty) × load / payload`` of the class (Xiao et al. 2012's
        load-dependent rate).
    """
    cls = truck_class(payload_kg)
    empty, full = TRUCK_EMPTY_KG_CO2_PER_KM[cls], TRUCK_LOADED_KG_CO2_PER_KM[cls]
    share = min(max(load_kg / payload_kg, 0.0), 1.0) if payload_kg > 0 else 0.0
    return empty + (full - empty) * share
