"""Maps: the folium map has its layers, map.html works offline in headless Chromium, PNG;
every table explores; days in popups count like the stops table; the overview's legend.
"""

from __future__ import annotations

import dataclasses
import re

import folium
import geopandas as gpd
import pandas as pd
import pytest

from helpers.chromium import dump_dom
from helpers.plans import solved_tiny_dir
from revlog.export.maps import CLASSES, DAY_CONVENTION, clock, map_html, schedule_html
from revlog.plan import GEO_TABLES, Plan


@pytest.fixture(scope="module")
def plan():
    return Plan.load(solved_tiny_dir())


def test_solve_writes_a_self_contained_map(plan):
    """revlog solve writes a self-contained map.html: Leaflet and jQuery inline, nothing fetched."""
    text = (solved_tiny_dir() / "map.html").read_text(encoding="utf-8")
    # no script or stylesheet is fetched from the network: Leaflet and jQuery are inlined
    assert not re.search(r"<script[^>]+src=", text)
    assert not re.search(r"<link[^>]+stylesheet", text)
    assert "Leaflet 1.9" in text and "inlined by revlog" in text
    assert "L.map(" in text


def test_map_renders_its_layers_in_headless_chromium(plan, tmp_path):
    """In Chromium the map draws every run, open outlet, assignment and stop, a layer per base."""
    dom = dump_dom(solved_tiny_dir() / "map.html")
    assert "leaflet-container" in dom  # Leaflet ran
    # every run is drawn as an SVG path with its class, and every open outlet and the plant
    runs = len(re.findall(rf'class="{CLASSES["run"]} leaflet-interactive"', dom))
    assert runs == len(plan.routes) > 0
    outlets = len(re.findall(rf'class="{CLASSES["outlet"]} leaflet-interactive"', dom))
    assert outlets == int(plan.outlets["open"].sum())
    assignments = len(re.findall(rf'class="{CLASSES["assignment"]} leaflet-interactive"', dom))
    assert assignments == len(plan.assignments)
    stops = len(re.findall(rf'class="{CLASSES["stop"]} leaflet-interactive"', dom))
    assert stops == int((plan.stops["seq"] > 0).sum() - len(plan.routes))
    # the layer control lists the layers, one per base
    labels = re.findall(r"<span> ([^<]+)</span>", dom)
    for base in plan.routes["base_id"].unique():
        assert any(lab.startswith(f"Runs from {base}") for lab in labels), labels
    assert any(lab.startswith("Outlets and plant") for lab in labels)
    assert any(lab.startswith("Line-hauls") for lab in labels)


def test_plan_explore_returns_a_folium_map_with_popups(plan):
    """Plan.explore gives a folium map with schedule popups and one run layer per base."""
    m = plan.explore(tiles=None)
    assert isinstance(m, folium.Map)
    html = map_html(m)
    run_id = plan.routes["run_id"].iloc[0]
    assert f"Run {run_id}" in html  # the stop schedule popup
    names = [c.layer_name for c in m._children.values() if isinstance(c, folium.FeatureGroup)]
    assert sum(n.startswith("Runs from") for n in names) == plan.routes["base_id"].nunique()


def test_schedule_lists_every_stop_in_order(plan):
    """A run's schedule popup lists its stops in order and shows its departure time."""
    run_id = plan.routes["run_id"].iloc[0]
    html = schedule_html(plan, run_id)
    stops = plan.stops[plan.stops["run_id"] == run_id].sort_values("seq")
    pos = [html.index(f"<td>{sid}") for sid in stops["node_id"].iloc[1:-1]]
    assert pos == sorted(pos)
    assert clock(stops["departure_h"].iloc[0]) in html


def test_clock():
    """Clock times count days from 0, like the stops table: hour 33.5 is day 1 09:30."""
    # days count from 0, like the stops table's day column
    assert clock(0.0) == "day 0 00:00"
    assert clock(33.5) == "day 1 09:30"
    assert clock(24 * 6 + 23.99) == "day 6 23:59"


def _schedule_rows(html: str) -> list[list[str]]:
    rows = re.findall(r"<tr>((?:<td>[^<]*</td>)+)</tr>", html)
    return [re.findall(r"<td>([^<]*)</td>", r) for r in rows]


def test_popups_count_days_like_the_stops_table(plan):
    """Schedule popups show each stop's seq, day and start time as the stops table has them."""
    text = (solved_tiny_dir() / "map.html").read_text(encoding="utf-8")
    assert DAY_CONVENTION in text or DAY_CONVENTION.replace("'", "&#x27;") in text
    for run_id in plan.routes["run_id"]:
        html = schedule_html(plan, run_id)
        assert "day 0 is the first day of the period" in html
        stops = plan.stops[plan.stops["run_id"] == run_id].sort_values("seq")
        rows = _schedule_rows(html)
        assert len(rows) == len(stops)
        for row, s in zip(rows, stops.itertuples(index=False), strict=True):
            seq, day, _place, _arrive, start, _depart = row[:6]
            assert int(seq) == int(s.seq)
            # the day shown is the data's day, and the start time's day says the same
            assert int(day) == int(s.day)
            assert start == clock(s.start_h) and start.startswith(f"day {int(s.day)} ")


def test_every_table_of_a_plan_explores(plan):
    """Every geo table of a plan explores to a folium map, classified columns included."""
    # GeoPandas conventions work on every table: .explore() needs folium and mapclassify
    for name in GEO_TABLES:
        table = getattr(plan, name)
        assert isinstance(table, gpd.GeoDataFrame)
        m = table.explore(tiles=None)
        assert isinstance(m, folium.Map), name
        assert "L.map(" in m.get_root().render()
    # a numeric column coloured in classes is what needs mapclassify
    m = plan.routes.explore(column="km", scheme="quantiles", k=3, tiles=None)
    assert isinstance(m, folium.Map)


def test_overview_png(plan, tmp_path):
    """overview.png is a PNG; the overview draws every run and assignment, titled with the plan."""
    data = (solved_tiny_dir() / "overview.png").read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) > 20_000
    fig = plan.plot()
    ax = fig.axes[0]
    assert len(ax.lines) >= len(plan.routes) + len(plan.assignments)
    assert "tiny" in ax.get_title()
    fig.savefig(tmp_path / "overview.png", dpi=80)


def _legend_bases(fig, bases) -> dict[str, str]:
    """``{base: colour}`` of the legend entries of a figure that name a base."""
    (legend,) = fig.legends
    out = {}
    for text, handle in zip(legend.get_texts(), legend.legend_handles, strict=True):
        first = text.get_text().split(" ")[0]
        if first in bases:
            assert first not in out, f"{first} listed twice"
            out[first] = handle.get_color()
    return out


def test_overview_legend_lists_every_base_of_many(plan, tmp_path):
    """The overview legend lists each of 30 bases once in its own colour, that of its runs."""
    # 30 bases (the 2030 scenario has 22; the old legend stopped at 12)
    runs = pd.concat([plan.routes] * 30, ignore_index=True)
    runs["base_id"] = [f"B{i:02d}" for i in range(30)] * len(plan.routes)
    runs["run_id"] = [f"{b}/{i:03d}" for i, b in enumerate(runs["base_id"])]
    many = dataclasses.replace(plan, routes=gpd.GeoDataFrame(runs, crs=plan.routes.crs))
    bases = set(runs["base_id"])
    fig = many.plot()
    listed = _legend_bases(fig, bases)
    assert set(listed) == bases
    assert len(set(listed.values())) == len(bases)  # no colour repeats
    # the runs are drawn in those colours
    drawn = {line.get_color() for line in fig.axes[0].lines}
    assert set(listed.values()) <= drawn
    fig.savefig(tmp_path / "overview-30-bases.png", dpi=80)
    assert (tmp_path / "overview-30-bases.png").stat().st_size > 20_000
