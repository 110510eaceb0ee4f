"""Maps: the folium map has its layers, map.html works offline in headless Chromium, PNG."""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import folium
import pytest

from _revlog_plans import solved_tiny_dir
from revlog.export.maps import CLASSES, clock, map_html, schedule_html
from revlog.plan import Plan

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")


def chromium() -> str:
    for name in CHROMIUM_NAMES:
        path = shutil.which(name)
        if path:
            return path
    msg = "headless Chromium is not installed (Debian: apt-get install chromium)"
    if os.environ.get("CI"):
        pytest.fail(msg + " — CI must install it (.ci/run)")
    pytest.skip(msg)


def dump_dom(html_path, tmp_path) -> str:
    """The DOM of a page after its scripts ran, from headless Chromium (no network needed)."""
    profile = tmp_path / "chromium-profile"
    profile.mkdir()
    cmd = [
        chromium(),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={profile}",
        "--virtual-time-budget=5000",
        "--dump-dom",
        html_path.resolve().as_uri(),
    ]
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr[-2000:]
    return res.stdout


@pytest.fixture(scope="module")
def plan():
    return Plan.load(solved_tiny_dir())


def test_solve_writes_a_self_contained_map(plan):
    text = (solved_tiny_dir() / "map.html").read_text(encoding="utf-8")
    # no script or stylesheet is fetched from the network: Leaflet and jQuery are inlined
    assert not re.search(r"<script[^>]+src=", text)
    assert not re.search(r"<link[^>]+stylesheet", text)
    assert "Leaflet 1.9" in text and "inlined by revlog" in text
    assert "L.map(" in text


def test_map_renders_its_layers_in_headless_chromium(plan, tmp_path):
    dom = dump_dom(solved_tiny_dir() / "map.html", tmp_path)
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
    m = plan.explore(tiles=None)
    assert isinstance(m, folium.Map)
    html = map_html(m)
    run_id = plan.routes["run_id"].iloc[0]
    assert f"Run {run_id}" in html  # the stop schedule popup
    names = [c.layer_name for c in m._children.values() if isinstance(c, folium.FeatureGroup)]
    assert sum(n.startswith("Runs from") for n in names) == plan.routes["base_id"].nunique()


def test_schedule_lists_every_stop_in_order(plan):
    run_id = plan.routes["run_id"].iloc[0]
    html = schedule_html(plan, run_id)
    stops = plan.stops[plan.stops["run_id"] == run_id].sort_values("seq")
    pos = [html.index(f"<td>{sid}") for sid in stops["node_id"].iloc[1:-1]]
    assert pos == sorted(pos)
    assert clock(stops["departure_h"].iloc[0]) in html


def test_clock():
    assert clock(0.0) == "day 1 00:00"
    assert clock(33.5) == "day 2 09:30"


def test_overview_png(plan):
    data = (solved_tiny_dir() / "overview.png").read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) > 20_000
    fig = plan.plot()
    ax = fig.axes[0]
    assert len(ax.lines) >= len(plan.routes) + len(plan.assignments)
    assert "tiny" in ax.get_title()
