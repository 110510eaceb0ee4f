"""Generated scale scenarios: N synthetic dealers and service shops over Qinghai and its
neighbours, on top of the shipped 2030 scenario (``bench/scale.py`` measures them).

The sources are drawn (seeded, reproducible) like the embedded synthetic set
(``scripts/make_sources.py``): a place is chosen with probability proportional to its
effective population (Qinghai's county-level places in full, the neighbours' hubs at
:data:`NEIGHBOUR_SHARE`), the shop sits at a normal offset from the place point, and every shop
hands over :data:`SUPPLY_T_PER_YEAR` (the figure of issue 13's trials) with a damaged share
uniform in [0.02, 0.10]. Everything about them is SYNTHETIC.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from revlog.geo.geodata import load_geodata

__all__ = ["REGIONS", "generate_sources", "write_scale_scenario"]

#: Yearly tonnes handed over by every generated shop, t.
SUPPLY_T_PER_YEAR = 0.75

#: Share of a neighbour hub's population that counts towards its shops.
NEIGHBOUR_SHARE = 0.15

#: The study area of the 2030 scenario.
REGIONS = ("Qinghai", "Gansu", "Xizang", "Xinjiang", "Sichuan")

#: Offset of a shop from its place point: σ = 1 + 6·√(persons / 10⁶) km, at most this, km.
MAX_SIGMA_KM = 8.0

_KM_PER_DEG_LAT = 110.574
_KM_PER_DEG_LON_EQUATOR = 111.320


def generate_sources(n: int, seed: int = 0) -> pd.DataFrame:
    """``n`` synthetic sources (the sources table's columns), seeded.

    Parameters
    ----------
    n
        Number of sources.
    seed
        Random seed: the same ``(n, seed)`` gives the same table.

    Returns
    -------
    DataFrame
        ``source_id, name, kind, province, prefecture, lon, lat, supply_t_per_year,
        damaged_share``.
    """
    places = load_geodata().places
    keep = ((places["province"] == "Qinghai") & (places["level"] == "county")) | (
        (places["level"] == "hub") & places["province"].isin(REGIONS[1:])
    )
    p = places[keep & (places["node_population"] > 0)].reset_index(drop=True)
    share = np.where(p["province"] == "Qinghai", 1.0, NEIGHBOUR_SHARE)
    persons = p["node_population"].to_numpy(float) * share
    rng = np.random.default_rng(seed)
    pick = rng.choice(len(p), size=n, p=persons / persons.sum())
    sigma = np.minimum(MAX_SIGMA_KM, 1.0 + 6.0 * np.sqrt(persons[pick] / 1e6))
    dx, dy = rng.normal(0.0, 1.0, (2, n)) * sigma
    lat0 = p["lat"].to_numpy(float)[pick]
    lon0 = p["lon"].to_numpy(float)[pick]
    lat = lat0 + dy / _KM_PER_DEG_LAT
    lon = lon0 + dx / (_KM_PER_DEG_LON_EQUATOR * np.cos(np.radians(lat0)))
    dealer = rng.random(n) < 0.4
    damaged = rng.uniform(0.02, 0.10, n)
    width = max(4, math.ceil(math.log10(max(n, 1) + 1)))
    ids = [f"G-{p['place_id'].iloc[k]}-{i:0{width}d}" for i, k in enumerate(pick)]
    return pd.DataFrame(
        {
            "source_id": ids,
            "name": [
                f"{p['name_en'].iloc[k]} {'NEV dealer' if d else 'service shop'} {i} (synthetic)"
                for i, (k, d) in enumerate(zip(pick, dealer, strict=True))
            ],
            "kind": np.where(dealer, "dealer", "service_shop"),
            "province": p["province"].to_numpy(object)[pick],
            "prefecture": p["prefecture_en"].to_numpy(object)[pick],
            "lon": np.round(lon, 5),
            "lat": np.round(lat, 5),
            "supply_t_per_year": SUPPLY_T_PER_YEAR,
            "damaged_share": np.round(damaged, 3),
        }
    )


def write_scale_scenario(
    folder: Path,
    n: int,
    seed: int = 0,
    base: Path | None = None,
    method: str | None = None,
    **overrides: object,
) -> Path:
    """Write ``sources-N.csv`` and ``scale-N.yaml`` (the 2030 scenario with that table).

    Parameters
    ----------
    folder
        Where to write (created).
    n, seed
        See :func:`generate_sources`.
    base
        Scenario file to start from (default: the shipped ``scenarios/qinghai-2030.yaml``).
    method
        ``location.method`` to pin (e.g. ``"two-stage"`` or ``"lrp"``); ``None`` keeps the
        base scenario's (the schema's default). The one field a scale run changes to
        compare design methods.
    **overrides
        Top-level scenario sections merged over the base's (e.g. ``solver={...}``).

    Returns
    -------
    Path
        The scenario file. Its ``sources.supply_scale`` is 1: every shop hands over
        :data:`SUPPLY_T_PER_YEAR`.
    """
    folder.mkdir(parents=True, exist_ok=True)
    base = base or Path(__file__).resolve().parents[3] / "scenarios" / "qinghai-2030.yaml"
    doc = yaml.safe_load(base.read_text(encoding="utf-8"))
    table = folder / f"sources-{n}.csv"
    generate_sources(n, seed).to_csv(table, index=False)
    doc["name"] = f"scale-{n}"
    doc["sources"] = {"table": table.name, "supply_scale": 1.0}
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(doc.get(key), dict):
            doc[key] = {**doc[key], **value}
        else:
            doc[key] = value
    if method is not None:
        doc["location"] = {**(doc.get("location") or {}), "method": method}
    out = folder / f"scale-{n}.yaml"
    out.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return out
