"""The shipped baseline map as a person sees it at 1280×800, offline, in headless Chromium.

``revlog solve scenarios/qinghai-baseline.yaml`` runs once for the module. Then:

* a screenshot of the ``map.html`` it wrote (kept as a PNG in the test's tmp folder);
* a probe: a copy of that page with one script appended, which writes what Leaflet and
  the browser laid out — the container point of Xining, every control's bounding box —
  into the DOM that ``--dump-dom`` returns, in a viewport of the screenshot's size
  (the map fits itself again when a screenshot run resizes the viewport).

Checks: the layer control starts collapsed, the legend lists every base of the plan,
the title shows the scenario name and the KPI box the plan's figures; Xining is inside
the view and no control covers it (bounding boxes), and the screenshot's pixels around
Xining are the plan's colours, not an opaque white box (the same pixel test, run on the
legend, does see a box there). The GeoJSON files say that their lines are schematic.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from helpers.chromium import WINDOW, dump_dom, probe_map, screenshot
from helpers.plans import run_cli
from helpers.scenarios import SCENARIOS
from revlog.export.maps import CLASSES, kpi_rows
from revlog.geo import load_geodata
from revlog.plan import Plan

BASELINE = SCENARIOS / "qinghai-baseline.yaml"
#: Half the side of the square around Xining that must stay uncovered, px.
CLEAR_PX = 30

#: What the probe records: where Xining is drawn, every control's box.
PROBE = """
    out.places = {};
    out.controls = [];
    PLACES.forEach(function (p) {
      out.places[p[0]] = map.latLngToContainerPoint([p[1], p[2]]);
    });
    document.querySelectorAll(".leaflet-control").forEach(function (el) {
      var b = box(el);
      b.cls = el.className;
      out.controls.push(b);
    });
"""


@pytest.fixture(scope="module")
def shipped(tmp_path_factory) -> Path:
    """The folder that ``revlog solve`` writes for the baseline scenario."""
    out = tmp_path_factory.mktemp("baseline") / "qinghai-baseline"
    code, _, _ = run_cli(["solve", BASELINE, "-o", out, "--time-limit", 20, "--seed", 0])
    assert code == 0
    return out


@pytest.fixture(scope="module")
def plan(shipped) -> Plan:
    return Plan.load(shipped)


@pytest.fixture(scope="module")
def xining() -> tuple[float, float]:
    places = load_geodata().places.set_index("place_id")
    return float(places.loc["xining", "lon"]), float(places.loc["xining", "lat"])


@pytest.fixture(scope="module")
def view(shipped, xining, tmp_path_factory) -> dict:
    """Screenshot, DOM and probed layout of the shipped map at 1280×800."""
    folder = tmp_path_factory.mktemp("view")
    png = screenshot(shipped / "map.html", folder / "baseline-map-1280x800.png")
    dom = dump_dom(shipped / "map.html")
    places = json.dumps([["xining", xining[1], xining[0]]])
    layout = probe_map(shipped / "map.html", PROBE.replace("PLACES", places), folder, WINDOW)
    assert (layout["size"]["x"], layout["size"]["y"]) == WINDOW
    return {"png": png, "dom": dom, "layout": layout}


def test_screenshot_is_the_window(view):
    """The screenshot of the shipped map is exactly the 1280×800 window."""
    with Image.open(view["png"]) as img:
        assert img.size == WINDOW


def test_layer_control_starts_collapsed(view):
    """The layer control starts collapsed, its layers behind the toggle."""
    dom = view["dom"]
    control = re.search(r'<div class="(leaflet-control-layers[^"]*)"', dom)
    assert control, "no layer control"
    assert "leaflet-control-layers-expanded" not in control.group(1)
    # its layers are still there, behind the toggle
    assert "leaflet-control-layers-toggle" in dom


def test_legend_lists_every_base(view, plan):
    """The legend lists every base of the plan once, and says the lines are schematic."""
    dom = view["dom"]
    assert re.search(rf'class="revlog-box {CLASSES["legend"]} revlog-legend-box[^"]*"', dom)
    listed = re.findall(rf'class="{CLASSES["legend_base"]}" data-base="([^"]+)"', dom)
    assert sorted(listed) == sorted(plan.routes["base_id"].unique())
    assert len(listed) == plan.routes["base_id"].nunique() > 5
    assert "schematic" in dom and "road km" in dom


def test_title_and_kpis_show_the_plan(view, plan):
    """The title box shows the scenario name and the KPI box the plan's four figures."""
    dom = view["dom"]
    assert re.search(rf'<div class="revlog-name">{re.escape(plan.name)}</div>', dom)
    assert plan.name == "qinghai-baseline"
    for label, value in kpi_rows(plan):
        assert f"<th>{label}</th><td>{value}</td>" in dom
    assert {label for label, _ in kpi_rows(plan)} == {
        "total cost",
        "outlets open",
        "pickup runs",
        "collected",
    }


def test_legend_sits_in_a_bottom_corner(view):
    """The legend sits in a bottom corner and takes less than 40 % of the width."""
    layout = view["layout"]
    (legend,) = [c for c in layout["controls"] if "revlog-legend-box" in c["cls"]]
    height, width = layout["size"]["y"], layout["size"]["x"]
    assert legend["bottom"] > height - 80  # above the scale bar at most
    assert legend["left"] < 20 or legend["right"] > width - 20
    assert legend["right"] - legend["left"] < 0.4 * width


def test_no_control_covers_xining(view):
    """Xining is in view and no map control covers the square around it."""
    layout = view["layout"]
    x, y = layout["places"]["xining"]["x"], layout["places"]["xining"]["y"]
    w, h = layout["size"]["x"], layout["size"]["y"]
    assert CLEAR_PX < x < w - CLEAR_PX and CLEAR_PX < y < h - CLEAR_PX, "Xining out of view"
    assert len(layout["controls"]) >= 5  # zoom, layers, scale, title box, legend
    for c in layout["controls"]:
        overlap = (
            c["left"] < x + CLEAR_PX
            and c["right"] > x - CLEAR_PX
            and c["top"] < y + CLEAR_PX
            and c["bottom"] > y - CLEAR_PX
        )
        assert not overlap, f"{c['cls']} covers Xining at ({x:.0f}, {y:.0f}): {c}"


#: Leaflet's container background: what the map shows where nothing is drawn, offline.
BACKGROUND = np.array([0xDD, 0xDD, 0xDD], dtype=float)


def _shares(pixels: np.ndarray) -> tuple[float, float]:
    """Shares of (near-)white pixels and of drawn pixels (neither white nor background)."""
    px = pixels.reshape(-1, 3).astype(float)
    white = np.all(px >= 245, axis=1)
    background = np.max(np.abs(px - BACKGROUND), axis=1) <= 10
    return float(np.mean(white)), float(np.mean(~white & ~background))


def test_xining_looks_uncovered_in_the_screenshot(view):
    """Around Xining the screenshot shows drawn features, not a white box like the legend's."""
    layout = view["layout"]
    x = round(layout["places"]["xining"]["x"])
    y = round(layout["places"]["xining"]["y"])
    with Image.open(view["png"]) as img:
        pixels = np.asarray(img.convert("RGB"))
    around = pixels[y - CLEAR_PX : y + CLEAR_PX, x - CLEAR_PX : x + CLEAR_PX]
    white, drawn = _shares(around)
    # Xining, its outlets, the plant and the runs: drawn features, not a white panel
    assert white < 0.35, f"{white:.0%} of the pixels around Xining are white"
    assert drawn > 0.25, f"only {drawn:.0%} of the pixels around Xining are drawn"
    # the same measure sees the legend and the title box as the opaque boxes they are
    for cls in ("revlog-legend-box", "revlog-title-box"):
        (box,) = [c for c in layout["controls"] if cls in c["cls"]]
        cx = round((box["left"] + box["right"]) / 2)
        cy = round((box["top"] + box["bottom"]) / 2)
        white_box, _ = _shares(pixels[cy - 15 : cy + 15, cx - 15 : cx + 15])
        assert white_box > 0.6, cls


def test_geojson_says_lines_are_schematic(shipped, view):
    """The GeoJSON metadata says the lines are schematic and how much shorter than road km."""
    for name in ("routes", "assignments", "linehauls"):
        doc = json.loads((shipped / f"{name}.geojson").read_text(encoding="utf-8"))
        meta = doc["revlog"]
        assert meta["table"] == name
        assert meta["geometry"].startswith("schematic")
        assert "road km" in meta["km"]
        assert 0.6 < meta["drawn_to_road_km"] < 1.0
    stops = json.loads((shipped / "stops.geojson").read_text(encoding="utf-8"))["revlog"]
    assert "day 0 is the first day" in stops["day"]
    # the legend states the same shortfall as the routes' metadata
    share = json.loads((shipped / "routes.geojson").read_text(encoding="utf-8"))["revlog"]
    shorter = round(100 * (1 - share["drawn_to_road_km"]))
    assert f"the runs are {shorter} % shorter than their road km" in view["dom"]
