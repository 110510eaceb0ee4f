"""Maps of a plan: an interactive folium map (HTML that works offline) and a static PNG.

:func:`plan_map` draws the open outlets and the plant sized by throughput, the closed
candidate sites, the source → outlet assignments, the line-hauls, and every pickup run
coloured by its base, with a popup holding the stop schedule. Each kind of feature is
its own layer in the layer control (collapsed: it opens on hover or tap). On the map:

* a title box with the scenario name and a KPI box (total cost, outlets open, runs per
  period, tonnes collected), top left;
* a legend, bottom left: every base with its colour, the outlet symbols, and what the
  lines are — **schematic**: straight segments between the places of the road links a
  run uses (no road alignments offline), so they look shorter than the road km that
  every popup and table states; the legend gives the drawn share of the road km;
* offline context from the embedded geodata: names of the prefecture seats (and of the
  neighbour hubs inside the view) and the road network's links;
* the view fits the plan to the part of the map that the boxes leave free (again when
  the page is resized, until the user moves the map).

Days in popups are counted as in the ``stops`` table's ``day`` column: from 0, day 0
being the first day of the planning period (:func:`clock`).

Colours of the bases come from :mod:`revlog.export.palette` (distinct for any number of
bases, neighbouring bases far apart), for the map and the PNG alike.

:func:`save_map_html` writes the map as a single self-contained HTML file: folium links
Leaflet, jQuery, Bootstrap and marker icons from CDNs; here Leaflet (JS and CSS, its
images as data URIs) and jQuery (which folium's popups need) are inlined from the
PyPI packages ``xstatic-leaflet`` and ``xstatic-jquery``, and the links that the map does
not use (Bootstrap, Font Awesome, awesome-markers) are dropped. Only the background tiles
(OpenStreetMap) need a network; without one the map shows every layer, the place names
and the road links on a blank background. Province outlines are not drawn: no
licence-clean boundary data installs from PyPI (the packages that bundle Chinese
province polygons take them from Amap / DataV.GeoAtlas, whose terms allow no
redistribution; the Natural Earth packages bundle country borders only or download at
run time).
"""

from __future__ import annotations

import base64
import html
import math
import re
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING, Any

from revlog.export.geojson import drawn_share
from revlog.export.palette import KIND_COLOURS, assign_colours, plan_base_colours

if TYPE_CHECKING:
    import folium
    import pandas as pd
    from matplotlib.figure import Figure

__all__ = [
    "CLASSES",
    "KIND_COLOURS",
    "base_colours",
    "clock",
    "context_places",
    "context_roads",
    "kpi_rows",
    "legend_html",
    "map_html",
    "offline_assets",
    "plan_map",
    "save_map_html",
    "save_overview_png",
    "schedule_html",
    "schematic_note",
]

#: CSS classes given to the map's features and boxes (so tests and stylesheets find them).
CLASSES = {
    "outlet": "revlog-outlet",
    "opened": "revlog-outlet revlog-opened",
    "closed": "revlog-closed-site",
    "assignment": "revlog-assignment",
    "linehaul": "revlog-linehaul",
    "run": "revlog-run",
    "stop": "revlog-stop",
    "road": "revlog-road",
    "place": "revlog-place",
    "title": "revlog-title",
    "kpis": "revlog-kpis",
    "legend": "revlog-legend",
    "legend_base": "revlog-legend-base",
}
#: Popups pan into the part of the map that the title box and legend leave free, and
#: scroll when long (a run's stop schedule).
_POPUP = {"auto_pan_padding_top_left": [340, 140], "auto_pan_padding_bottom_right": [60, 30]}
_POPUP_WIDE = {**_POPUP, "max_width": 640, "max_height": 430}
ASSIGNMENT_COLOUR = "#777777"
ROAD_COLOUR = "#B9A88C"
CLOSED_COLOUR = "#999999"
#: Ring of an outlet opened in the year a multi-year map shows.
OPENED_RING_COLOUR = "#111111"
#: Place levels of the embedded geodata that get a name on the maps: the prefecture
#: seats always (inside the view), the neighbour hubs when inside the plan's extent.
LABEL_LEVELS = ("prefecture", "hub")
#: What "day N" means wherever a map shows a time.
DAY_CONVENTION = "Days as in the stops table's day column: day 0 is the first day of the period."


def base_colours(base_ids: list[str], plan: Any = None) -> dict[str, str]:
    """A distinct colour per base id (see :mod:`revlog.export.palette`).

    Parameters
    ----------
    base_ids
        The bases.
    plan
        If given, its outlets place the bases, so that neighbouring bases get colours
        far apart; otherwise the colours follow the sorted ids.
    """
    if plan is not None:
        colours = plan_base_colours(plan)
        if set(base_ids) <= set(colours):
            return {b: colours[b] for b in sorted(set(base_ids))}
    return assign_colours(base_ids)


def clock(hours: float) -> str:
    """Hours from the start of the period as ``day N HH:MM``, day 0 being the first day.

    Days count from 0 like the ``day`` column of the stops table (the calendar day in
    which a stop's service starts is ``clock(start_h)``'s day).
    """
    minutes = round(float(hours) * 60.0)
    day, rest = divmod(minutes, 24 * 60)
    return f"day {day} {rest // 60:02d}:{rest % 60:02d}"


def _popup_table(title: str, rows: list[tuple[str, str]]) -> str:
    body = "".join(
        f"<tr><th style='text-align:left;padding-right:6px'>{html.escape(k)}</th>"
        f"<td>{html.escape(v)}</td></tr>"
        for k, v in rows
    )
    return f"<b>{html.escape(title)}</b><table>{body}</table>"


def schedule_html(plan: Any, run_id: str) -> str:
    """The stop schedule of one run as an HTML table (for popups and reports).

    The ``day`` column is the stops table's ``day``; times are :func:`clock` strings on
    the same count (day 0 = the first day of the period), as the header says.
    """
    runs = plan.routes.set_index("run_id")
    run = runs.loc[run_id]
    stops = plan.stops[plan.stops["run_id"] == run_id].sort_values("seq")
    head = (
        f"<b>Run {html.escape(run_id)}</b> — {html.escape(str(run['vehicle_type']))} "
        f"#{int(run['vehicle'])}, trip {int(run['trip'])}<br>"
        f"{float(run['km']):,.1f} road km, {float(run['drive_h']):.2f} h driving, "
        f"{float(run['duty_h']):.2f} h on duty, "
        f"{(float(run['intact_kg']) + float(run['damaged_kg'])):,.0f} kg "
        f"({float(run['damaged_kg']):,.0f} kg damaged), {float(run['cost_cny']):,.0f} CNY"
        f"<br><i class='revlog-day-convention'>{html.escape(DAY_CONVENTION)}</i>"
    )
    cells = ["#", "day", "place", "arrive", "start", "depart", "pickup kg", "load kg"]
    rows = []
    for s in stops.itertuples(index=False):
        name = getattr(s, "name", None)
        place = f"{s.node_id}" + (f" {name}" if isinstance(name, str) and name else "")
        pickup = float(s.pickup_intact_kg) + float(s.pickup_damaged_kg)
        load = float(s.load_intact_kg) + float(s.load_damaged_kg)
        day = getattr(s, "day", None)
        rows.append(
            [
                str(int(s.seq)),
                str(int(day)) if day is not None and day == day else "",
                place,
                clock(s.arrival_h),
                clock(s.start_h),
                clock(s.departure_h),
                f"{pickup:,.0f}",
                f"{load:,.0f}",
            ]
        )
    breaks = plan.breaks[plan.breaks["run_id"] == run_id]
    table = "".join(f"<th>{c}</th>" for c in cells)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in r) + "</tr>" for r in rows
    )
    brk = ""
    if len(breaks):
        brk = "<br>Breaks: " + ", ".join(
            f"{html.escape(str(b.kind))} {clock(b.start_h)} ({float(b.duration_h) * 60:.0f} min)"
            for b in breaks.itertuples(index=False)
        )
    return (
        f"<div class='revlog-schedule'>{head}<table style='font-size:11px'>"
        f"<tr>{table}</tr>{body}</table>{brk}</div>"
    )


# ---------------------------------------------------------------------------- context
def _load_geodata(geodata: Any) -> Any:
    if geodata is not None:
        return geodata
    from revlog.geo import load_geodata

    try:
        return load_geodata()
    except Exception:  # no embedded geodata: a map without context is still a map
        return None


def _inside(lon: float, lat: float, bounds: tuple[float, float, float, float], pad: float) -> bool:
    return bounds[0] - pad <= lon <= bounds[2] + pad and bounds[1] - pad <= lat <= bounds[3] + pad


def context_places(
    bounds: tuple[float, float, float, float], geodata: Any = None, pad_deg: float = 0.5
) -> pd.DataFrame:
    """The places that get a name on a map of ``bounds``.

    Parameters
    ----------
    bounds
        ``(lon_min, lat_min, lon_max, lat_max)`` of the plan.
    geodata
        A :class:`revlog.geo.Geodata` (default: the embedded one).
    pad_deg
        Margin around ``bounds``, degrees.

    Returns
    -------
    pandas.DataFrame
        ``place_id, name, name_zh, level, population, lon, lat`` of the prefecture seats
        and neighbour hubs inside the padded bounds (:data:`LABEL_LEVELS`), in label
        priority order (prefecture seats first, then by population); empty without
        geodata.
    """
    import pandas as pd

    cols = ["place_id", "name", "name_zh", "level", "population", "lon", "lat"]
    geo = _load_geodata(geodata)
    places = getattr(geo, "places", None)
    if places is None or not len(places) or "level" not in places.columns:
        return pd.DataFrame(columns=cols)
    rows = []
    for p in places.itertuples(index=False):
        level = str(getattr(p, "level", ""))
        if level not in LABEL_LEVELS:
            continue
        lon, lat = float(p.lon), float(p.lat)
        if not _inside(lon, lat, bounds, pad_deg if level == "prefecture" else 0.0):
            continue
        name = str(getattr(p, "name_en", "") or p.place_id)
        pop = pd.to_numeric(getattr(p, "population", 0), errors="coerce")
        rows.append(
            [
                str(p.place_id),
                name,
                str(getattr(p, "name_zh", "") or ""),
                level,
                0.0 if pd.isna(pop) else float(pop),
                lon,
                lat,
            ]
        )
    out = pd.DataFrame(rows, columns=cols)
    out["_level"] = out["level"].map({lv: i for i, lv in enumerate(LABEL_LEVELS)})
    out = out.sort_values(["_level", "population", "place_id"], ascending=[True, False, True])
    return out.drop(columns="_level").reset_index(drop=True)


def context_roads(
    bounds: tuple[float, float, float, float], geodata: Any = None, pad_deg: float = 1.0
) -> list[tuple[str, list[tuple[float, float]]]]:
    """The road network's links near ``bounds`` as ``(label, [(lon, lat), (lon, lat)])``.

    Each link is the straight segment between its end places, as in the plan's lines.
    """
    geo = _load_geodata(geodata)
    roads = getattr(geo, "roads", None)
    places = getattr(geo, "places", None)
    if roads is None or places is None or not len(roads):
        return []
    xy = {str(p.place_id): (float(p.lon), float(p.lat)) for p in places.itertuples(index=False)}
    for extra in ("plant", "candidates"):
        table = getattr(geo, extra, None)
        key = "plant_id" if extra == "plant" else "site_id"
        if table is not None and key in table.columns and {"lon", "lat"} <= set(table.columns):
            for r in table.itertuples(index=False):
                xy.setdefault(str(getattr(r, key)), (float(r.lon), float(r.lat)))
    out = []
    n = len(roads)
    names = roads["road"] if "road" in roads.columns else [""] * n
    classes = roads["road_class"] if "road_class" in roads.columns else [""] * n
    lengths = roads["length_km"] if "length_km" in roads.columns else [math.nan] * n
    for frm, to, road, cls, km in zip(
        roads["from"], roads["to"], names, classes, lengths, strict=True
    ):
        a, b = xy.get(str(frm)), xy.get(str(to))
        if a is None or b is None:
            continue
        if not (_inside(*a, bounds, pad_deg) or _inside(*b, bounds, pad_deg)):
            continue
        label = f"{road} ({cls}), {float(km):,.0f} road km" if cls else f"{float(km):,.0f} road km"
        out.append((label, [a, b]))
    return out


# ---------------------------------------------------------------------------- boxes
def schematic_note(plan: Any) -> str:
    """The legend's sentence on what the lines are, with the plan's drawn share of road km."""
    if plan.meta.get("geometry", "schematic") != "schematic":
        return "Lines follow the road network's alignment; all km are road km."
    share = drawn_share(plan.routes) if len(plan.routes) else None
    if share is None:
        share = drawn_share(plan.assignments) if len(plan.assignments) else None
    text = (
        "Lines are schematic: straight segments between the towns of the road links used, "
        "not the roads themselves."
    )
    if share is not None and share < 1.0:
        text += (
            f" Drawn, the runs are {100 * (1 - share):.0f} % shorter than their road km; "
            "all km in popups and tables are road km."
        )
    else:
        text += " All km in popups and tables are road km."
    return text


def _money(v: float) -> str:
    if abs(v) >= 1e6:
        return f"{v / 1e6:,.2f} M"
    return f"{v:,.0f}"


def kpi_rows(plan: Any) -> list[tuple[str, str]]:
    """The KPI box's rows ``(label, value with unit)`` from ``plan.kpis`` and ``plan.meta``."""
    k = plan.kpis
    days = plan.meta.get("days_per_period") if isinstance(plan.meta, dict) else None
    period = f"{int(days)}-day period" if days else "period"
    rows = []
    if "total_cost_cny_per_year" in k.index:
        rows.append(("total cost", f"{_money(float(k['total_cost_cny_per_year']))} CNY/year"))
    if "outlets_open" in k.index:
        rows.append(("outlets open", f"{int(k['outlets_open'])}"))
    if "runs_per_period" in k.index:
        rows.append(("pickup runs", f"{int(k['runs_per_period'])} per {period}"))
    if "collected_t_per_year" in k.index:
        value = f"{float(k['collected_t_per_year']):,.0f} t/year"
        if "served_share" in k.index:
            value += f" ({100 * float(k['served_share']):.0f} % of supply)"
        rows.append(("collected", value))
    return rows


def _short_name(name: Any) -> str:
    text = str(name or "")
    text = re.sub(r"^(Collection|Centralized storage|Centralised storage) outlet ", "", text)
    return text if len(text) <= 34 else text[:33] + "…"


def _line_swatch(colour: str, dash: bool = False, weight: int = 3) -> str:
    style = "dashed" if dash else "solid"
    return (
        f"<span class='revlog-swatch-line' style='border-top:{weight}px {style} {colour}'></span>"
    )


def _dot_swatch(colour: str, fill: bool = True, size: int = 12) -> str:
    bg = colour if fill else "transparent"
    return (
        f"<span class='revlog-swatch-dot' style='width:{size}px;height:{size}px;"
        f"border:2px solid {colour};background:{bg}'></span>"
    )


def legend_html(
    plan: Any,
    colours: dict[str, str] | None = None,
    extra_symbols: tuple[tuple[str, str], ...] = (),
) -> str:
    """The map legend: every base with its colour, the symbols, the note on the lines.

    ``extra_symbols`` are ``(swatch HTML, label)`` pairs added after the outlet symbols.
    """
    colours = colours if colours is not None else base_colours(list(plan.routes["base_id"]), plan)
    names = dict(zip(plan.outlets["site_id"], plan.outlets["name"], strict=True))
    many = len(colours) > 12  # then ids only (the name shows on hover), in columns
    bases = "".join(
        f"<div class='{CLASSES['legend_base']}' data-base='{html.escape(b)}' "
        f"title='{html.escape(str(names.get(b, '') or ''))}'>{_line_swatch(c)}"
        f"<b>{html.escape(b)}</b>"
        + ("" if many else f" {html.escape(_short_name(names.get(b)))}")
        + "</div>"
        for b, c in colours.items()
    )
    cols = 1 if not many else (2 if len(colours) <= 40 else 3)
    symbols = [
        (_dot_swatch(KIND_COLOURS["plant"], size=14), "recycling plant"),
        (_dot_swatch(KIND_COLOURS["storage"]), "storage outlet"),
        (_dot_swatch(KIND_COLOURS["collection"]), "collection outlet"),
        (_dot_swatch(CLOSED_COLOUR, fill=False, size=8), "closed candidate site"),
        *extra_symbols,
        (_line_swatch("#000", dash=True), "line-haul (full loads)"),
        (_line_swatch(ASSIGNMENT_COLOUR, weight=2), "source → outlet"),
        (_line_swatch(ROAD_COLOUR, weight=2), "road link"),
        ("<span class='revlog-swatch-place'></span>", "prefecture seat"),
    ]
    sym = "".join(f"<div>{a}{html.escape(b)}</div>" for a, b in symbols)
    return (
        f"<details open><summary>Legend</summary>"
        f"<div class='revlog-legend-head'>Pickup runs, by base ({len(colours)})</div>"
        f"<div class='revlog-legend-bases' style='column-count:{cols}'>{bases}</div>"
        f"<div class='revlog-legend-head'>Outlets (size: throughput) and lines</div>"
        f"<div class='revlog-legend-symbols'>{sym}</div>"
        f"<div class='revlog-legend-note'>{html.escape(schematic_note(plan))} "
        f"{html.escape(DAY_CONVENTION)} Offline, the background stays blank.</div>"
        f"</details>"
    )


def _title_html(plan: Any) -> str:
    meta = plan.meta if isinstance(plan.meta, dict) else {}
    sub = ["revlog plan"]
    if meta.get("planning_year"):
        sub.append(f"planning year {meta['planning_year']}")
    if meta.get("periods_per_year") and meta.get("days_per_period"):
        sub.append(
            f"{meta['periods_per_year']} pickup periods of {meta['days_per_period']} days a year"
        )
    rows = "".join(
        f"<tr><th>{html.escape(a)}</th><td>{html.escape(b)}</td></tr>" for a, b in kpi_rows(plan)
    )
    return (
        f"<div class='{CLASSES['title']}'><div class='revlog-name'>{html.escape(plan.name)}</div>"
        f"<div class='revlog-sub'>{html.escape(' · '.join(sub))}</div></div>"
        f"<table class='{CLASSES['kpis']}'>{rows}</table>"
    )


_CSS = """
.revlog-box {background: rgba(255,255,255,0.93); padding: 6px 9px; border-radius: 5px;
  box-shadow: 0 1px 5px rgba(0,0,0,0.35); font: 12px/1.35 "Helvetica Neue", Arial,
  Helvetica, sans-serif; color: #222;}
.leaflet-top.leaflet-left .revlog-title-box {clear: none; max-width: 360px;}
.revlog-title .revlog-name {font-size: 16px; font-weight: bold;}
.revlog-title .revlog-sub {color: #555; font-size: 11px;}
table.revlog-kpis {border-collapse: collapse; margin-top: 4px;}
table.revlog-kpis th {text-align: left; font-weight: normal; color: #555; padding: 0 8px 0 0;}
table.revlog-kpis td {font-weight: bold; padding: 0;}
.revlog-legend-box {max-height: calc(100vh - 230px); max-width: 46vw; overflow-y: auto;}
.revlog-legend-box summary {font-weight: bold; cursor: pointer;}
.revlog-legend-head {font-weight: bold; margin-top: 4px; color: #333;}
.revlog-legend-bases {column-gap: 14px;}
.revlog-legend-base {white-space: nowrap; break-inside: avoid;}
.revlog-legend-symbols {display: grid; grid-template-columns: auto auto; column-gap: 12px;}
.revlog-legend-symbols div {white-space: nowrap;}
.revlog-legend-note {max-width: 300px; margin-top: 4px; color: #444; font-size: 11px;}
.revlog-swatch-line {display: inline-block; width: 20px; height: 0; vertical-align: middle;
  margin-right: 5px;}
.revlog-swatch-dot {display: inline-block; border-radius: 50%; vertical-align: middle;
  margin: 0 6px 0 2px; box-sizing: border-box; opacity: 0.8;}
.revlog-swatch-place, .revlog-place-dot {display: inline-block; width: 7px; height: 7px;
  border-radius: 50%; background: #333; border: 1px solid #fff; vertical-align: middle;
  margin: 0 9px 0 6px;}
.revlog-schedule {font-size: 12px; line-height: 1.3;}
.revlog-schedule td, .revlog-schedule th {padding: 0 5px 0 0; vertical-align: top;}
.revlog-schedule td:not(:nth-child(3)) {white-space: nowrap;}
.revlog-place {pointer-events: none;}
.revlog-place .revlog-place-dot {position: absolute; left: 0; top: 0; margin: 0;}
.revlog-place .revlog-place-name {position: absolute; left: 10px; top: -5px;
  white-space: nowrap; font: bold 12px/1 "Helvetica Neue", Arial, sans-serif; color: #222;
  text-shadow: 0 0 3px #fff, 0 0 3px #fff, 0 0 2px #fff, 0 0 1px #fff;}
.revlog-place.revlog-hub .revlog-place-name {font-weight: normal; font-style: italic;
  color: #444;}
"""


def _box_elements(title: str, legend: str) -> list[Any]:
    """The title/KPI box (top left) and the legend (bottom left) as map controls."""
    from branca.element import MacroElement
    from jinja2 import Template

    class _Boxes(MacroElement):
        _template = Template(
            """
            {% macro header(this, kwargs) %}<style>{{ this.css }}</style>{% endmacro %}
            {% macro script(this, kwargs) %}
            (function () {
                var map = {{ this._parent.get_name() }};
                window.revlogMap = map;
                function box(position, cls, inner) {
                    var c = L.control({position: position});
                    c.onAdd = function () {
                        var div = L.DomUtil.create("div", "revlog-box " + cls);
                        div.innerHTML = inner;
                        L.DomEvent.disableClickPropagation(div);
                        L.DomEvent.disableScrollPropagation(div);
                        return div;
                    };
                    c.addTo(map);
                    return c.getContainer();
                }
                box("topleft", "revlog-title-box", {{ this.title|tojson }});
                box("bottomleft", "{{ this.legend_class }} revlog-legend-box",
                    {{ this.legend|tojson }});
            })();
            {% endmacro %}
            """
        )

        def __init__(self) -> None:
            super().__init__()
            self._name = "RevlogBoxes"
            self.css = _CSS
            self.title = title
            self.legend = legend
            self.legend_class = CLASSES["legend"]

    return [_Boxes()]


def _fit_element(bounds: tuple[float, float, float, float]) -> Any:
    """Fit the plan into the part of the map that the title box and legend leave free.

    Three layouts are tried — the plan right of the legend and below the title box,
    right of both, or between them — and the one with the larger zoom wins. The map is
    fitted again when it is resized, until the user first touches it.
    """
    from branca.element import MacroElement
    from jinja2 import Template

    class _Fit(MacroElement):
        _template = Template(
            """
            {% macro script(this, kwargs) %}
            (function () {
                var map = {{ this._parent.get_name() }};
                var bounds = L.latLngBounds({{ this.bounds|tojson }});
                function fit() {
                    var root = map.getContainer().getBoundingClientRect();
                    function rect(cls) {
                        var el = map.getContainer().querySelector("." + cls);
                        if (!el) { return null; }
                        var r = el.getBoundingClientRect();
                        return {left: r.left - root.left, top: r.top - root.top,
                                right: r.right - root.left, bottom: r.bottom - root.top,
                                width: r.width, height: r.height};
                    }
                    var title = rect("revlog-title-box"), legend = rect("revlog-legend-box");
                    var top = title ? title.bottom + 12 : 12;
                    var left = Math.max(title ? title.right : 0, legend ? legend.right : 0) + 12;
                    var above = legend ? root.height - legend.top + 12 : 12;
                    // the layer control, top right (collapsed: 44 px wide)
                    var control = rect("leaflet-control-layers");
                    var right = 12 + (control ? Math.max(control.width, 32) : 32);
                    var options = [
                        // right of the legend, below the title box
                        {paddingTopLeft: [legend ? legend.right + 12 : 12, top],
                         paddingBottomRight: [right, 12]},
                        // right of both boxes
                        {paddingTopLeft: [left, 12], paddingBottomRight: [right, 12]},
                        // between the title box and the legend
                        {paddingTopLeft: [12, top], paddingBottomRight: [right, above]}
                    ];
                    var best = options[0], zoom = -Infinity;
                    options.forEach(function (o) {
                        var pad = L.point(o.paddingTopLeft).add(o.paddingBottomRight);
                        var z = map.getBoundsZoom(bounds, false, pad);
                        if (z > zoom + 1e-9) { zoom = z; best = o; }
                    });
                    best.animate = false;  // no zoom animation: a screenshot may come at once
                    map.fitBounds(bounds, best);
                    declutter();
                }
                // Place names: hide a name that would overlap a name of higher rank.
                function declutter() {
                    var names = Array.prototype.slice.call(
                        map.getContainer().querySelectorAll(".revlog-place-name"));
                    names.sort(function (a, b) {
                        return (+a.dataset.rank) - (+b.dataset.rank);
                    });
                    var kept = [];
                    names.forEach(function (el) {
                        el.style.visibility = "";
                        var r = el.getBoundingClientRect();
                        var clash = kept.some(function (k) {
                            return r.left < k.right + 2 && r.right + 2 > k.left &&
                                   r.top < k.bottom + 1 && r.bottom + 1 > k.top;
                        });
                        if (clash) { el.style.visibility = "hidden"; } else { kept.push(r); }
                    });
                }
                map.on("zoomend overlayadd", declutter);
                // until the user moves the map, a resized map is fitted again
                var touched = false;
                ["mousedown", "touchstart", "wheel", "keydown"].forEach(function (ev) {
                    map.getContainer().addEventListener(ev, function () {
                        touched = true;
                    }, {passive: true});
                });
                map.on("resize", function () { if (!touched) { fit(); } });
                fit();
                window.revlogFit = fit;
            })();
            {% endmacro %}
            """
        )

        def __init__(self) -> None:
            super().__init__()
            self._name = "RevlogFit"
            self.bounds = [[bounds[1], bounds[0]], [bounds[3], bounds[2]]]

    return _Fit()


# ---------------------------------------------------------------------------- the map
def plan_map(
    plan: Any,
    tiles: str | None = "OpenStreetMap",
    show_assignments: bool = True,
    show_closed: bool = False,
    width: str = "100%",
    height: str = "100%",
    context: bool = True,
    geodata: Any = None,
) -> folium.Map:
    """An interactive map of a plan.

    Parameters
    ----------
    plan
        A :class:`revlog.plan.Plan`.
    tiles
        Background tiles (any folium tile name) or ``None`` for a blank background.
    show_assignments
        Whether the source → outlet assignment layer is shown at first.
    show_closed
        Whether the closed candidate sites layer is shown at first.
    width, height
        Size of the map element.
    context
        Draw the place names and road links of the geodata (:func:`context_places`,
        :func:`context_roads`), which keep the map readable offline.
    geodata
        A :class:`revlog.geo.Geodata` for that context (default: the embedded one).

    Returns
    -------
    folium.Map
        Layers: ``Outlets and plant`` (circles sized by throughput, popups with kind,
        throughput, capacity, utilisation, fixed cost), ``Closed candidate sites``,
        ``Assignments``, ``Line-hauls``, one ``Runs from <base>`` layer per base (runs
        coloured by base, popup with the stop schedule, stops as small circles with their
        times), ``Place names`` and ``Road network``; a collapsed layer control, a title
        and KPI box, a legend (see the module docstring). The page sets
        ``window.revlogMap`` to the Leaflet map.
    """
    import folium

    bounds = _bounds(plan)
    m = _base_map(bounds, tiles, width, height, context, geodata)
    _assignment_layer(plan, show_assignments).add_to(m)
    _linehaul_layer(plan).add_to(m)
    colours = base_colours(list(plan.routes["base_id"]), plan)
    for layer in _run_layers(plan, colours):
        layer.add_to(m)
    for layer in _outlet_layers(plan, show_closed):
        layer.add_to(m)
    if context:
        _place_layer(bounds, geodata).add_to(m)
    folium.LayerControl(collapsed=True).add_to(m)
    for element in _box_elements(_title_html(plan), legend_html(plan, colours)):
        m.add_child(element)
    m.add_child(_fit_element(bounds))
    return m


def _base_map(
    bounds: tuple[float, float, float, float],
    tiles: str | None,
    width: str,
    height: str,
    context: bool,
    geodata: Any,
    tiles_overlay: bool = False,
) -> folium.Map:
    """The empty map around ``bounds``: tiles (a base layer unless ``tiles_overlay``), roads."""
    import folium

    centre = [(bounds[1] + bounds[3]) / 2, (bounds[0] + bounds[2]) / 2]
    m = folium.Map(
        location=centre,
        zoom_start=6,
        tiles=None,
        width=width,
        height=height,
        control_scale=True,
        zoom_snap=0.25,
        zoom_delta=0.5,
    )
    if tiles:
        name = "Background: " + str(tiles)
        folium.TileLayer(tiles, name=name, overlay=tiles_overlay).add_to(m)
    if context:
        _road_layer(bounds, geodata).add_to(m)
    return m


def _road_layer(bounds: tuple[float, float, float, float], geodata: Any) -> folium.FeatureGroup:
    """The geodata's road links: offline context."""
    import folium

    layer = folium.FeatureGroup(name="Road network (links, schematic)")
    for label, line in context_roads(bounds, geodata):
        folium.PolyLine(
            [[y, x] for x, y in line],
            color=ROAD_COLOUR,
            weight=2,
            opacity=0.8,
            class_name=CLASSES["road"],
            tooltip=html.escape(label),
        ).add_to(layer)

    return layer


def _assignment_layer(
    plan: Any, show: bool, into: folium.FeatureGroup | None = None
) -> folium.FeatureGroup:
    """Source → first-stop facility lines with their tonnes and road km (into ``into``)."""
    import folium

    layer = into or folium.FeatureGroup(name="Assignments (source → first stop)", show=show)
    for a, geom in zip(
        plan.assignments.itertuples(index=False), plan.assignments.geometry, strict=True
    ):
        if geom is None or geom.is_empty:
            continue
        folium.PolyLine(
            _latlon(geom),
            color=ASSIGNMENT_COLOUR,
            weight=1.5,
            opacity=0.7,
            class_name=CLASSES["assignment"],
            tooltip=html.escape(
                f"{a.source_id} {a.source_name} → {a.facility_id}: "
                f"{float(a.supply_t_per_year):,.1f} t/year, {float(a.km):,.1f} road km"
            ),
        ).add_to(layer)

    return layer


def _linehaul_layer(plan: Any, into: folium.FeatureGroup | None = None) -> folium.FeatureGroup:
    """Line-haul lines with tonnes, km, trips and cost (into ``into`` if given)."""
    import folium

    layer = into or folium.FeatureGroup(name="Line-hauls (full truckloads)")
    for lh, geom in zip(
        plan.linehauls.itertuples(index=False), plan.linehauls.geometry, strict=True
    ):
        if geom is None or geom.is_empty:
            continue
        folium.PolyLine(
            _latlon(geom),
            color="#000000",
            weight=3,
            dash_array="8 6",
            class_name=CLASSES["linehaul"],
            popup=folium.Popup(
                _popup_table(
                    f"Line-haul {lh.from_id} → {lh.to_id}",
                    [
                        ("tonnes", f"{float(lh.t_per_year):,.1f} t/year"),
                        ("distance", f"{float(lh.km):,.1f} road km"),
                        ("trips", f"{float(lh.trips_per_year):,.0f} /year"),
                        ("cost", f"{float(lh.cost_cny_per_year):,.0f} CNY/year"),
                    ],
                ),
                max_width=320,
                **_POPUP,
            ),
        ).add_to(layer)

    return layer


def _run_layers(
    plan: Any, colours: dict[str, str], into: folium.FeatureGroup | None = None
) -> list[folium.FeatureGroup]:
    """One layer per base: its runs (schedule popups) and their stops, in the base's colour.

    With ``into``, every base's runs go into that one layer (``colours`` may then name
    bases that have no runs in this plan).
    """
    import folium

    layers = []
    names = dict(zip(plan.outlets["site_id"], plan.outlets["name"], strict=True))
    stops_by_run = {rid: g for rid, g in plan.stops.groupby("run_id", sort=False)}
    for base in sorted(colours):
        runs = plan.routes[plan.routes["base_id"] == base]
        if into is not None and not len(runs):
            continue
        layer = into or folium.FeatureGroup(name=f"Runs from {base} {names.get(base, '')}".rstrip())
        for run, geom in zip(runs.itertuples(index=False), runs.geometry, strict=True):
            if geom is not None and not geom.is_empty:
                folium.PolyLine(
                    _latlon(geom),
                    color=colours[base],
                    weight=3,
                    opacity=0.85,
                    class_name=CLASSES["run"],
                    tooltip=html.escape(
                        f"run {run.run_id}: {int(run.stops)} stops, {float(run.km):,.0f} road km"
                    ),
                    popup=folium.Popup(schedule_html(plan, run.run_id), **_POPUP_WIDE),
                ).add_to(layer)
            stops = stops_by_run.get(run.run_id)
            if stops is None:
                continue
            for s, pt in zip(stops.itertuples(index=False), stops.geometry, strict=True):
                if int(s.seq) == 0 or s.node_id == base or pt is None:
                    continue
                folium.CircleMarker(
                    [pt.y, pt.x],
                    radius=4,
                    color=colours[base],
                    fill=True,
                    fill_opacity=0.9,
                    weight=1,
                    class_name=CLASSES["stop"],
                    tooltip=html.escape(
                        f"{s.node_id} {getattr(s, 'name', '') or ''}: run {s.run_id}, "
                        f"stop {int(s.seq)}, {clock(s.start_h)}–{clock(s.departure_h)}, "
                        f"{float(s.pickup_intact_kg) + float(s.pickup_damaged_kg):,.0f} kg"
                    ),
                ).add_to(layer)
        if into is None:
            layers.append(layer)

    return layers if into is None else [into]


def _outlet_layers(
    plan: Any,
    show_closed: bool,
    into: folium.FeatureGroup | None = None,
    opened: dict[str, int] | None = None,
) -> list[folium.FeatureGroup]:
    """Open outlets and the plant sized by throughput; the closed candidates apart.

    With ``into``, the open ones go into that layer and the closed ones are left out;
    ``opened`` maps the outlets opened in the plan's year to that year (drawn with a
    dark ring, the year in their tooltip).
    """
    import folium

    outlets = plan.outlets
    opened = opened or {}
    closed = folium.FeatureGroup(name="Closed candidate sites", show=show_closed)
    layer = into or folium.FeatureGroup(name="Outlets and plant (size: throughput)")
    top = max(float(outlets["throughput_t_per_year"].max() or 0.0), 1e-9) if len(outlets) else 1
    for o, pt in zip(outlets.itertuples(index=False), outlets.geometry, strict=True):
        if pt is None:
            continue
        rows = [
            ("kind", str(o.kind)),
            ("prefecture", str(o.prefecture or "")),
            ("throughput", f"{float(o.throughput_t_per_year):,.1f} t/year"),
            ("capacity", f"{float(o.capacity_t_per_year):,.1f} t/year"),
            ("utilisation", f"{float(o.utilisation) * 100:.0f} %"),
            ("fixed cost", f"{float(o.fixed_cost_cny_per_year):,.0f} CNY/year"),
        ]
        popup = folium.Popup(_popup_table(f"{o.site_id} {o.name}", rows), max_width=320, **_POPUP)
        if bool(o.open):
            radius = 5 + 15 * math.sqrt(max(float(o.throughput_t_per_year), 0.0) / top)
            colour = KIND_COLOURS.get(str(o.kind), "#333333")
            new = str(o.site_id) in opened
            folium.CircleMarker(
                [pt.y, pt.x],
                radius=radius,
                color=OPENED_RING_COLOUR if new else colour,
                fill_color=colour,
                fill=True,
                fill_opacity=0.6 if o.kind != "plant" else 0.9,
                weight=3.5 if new else 2,
                class_name=CLASSES["opened" if new else "outlet"],
                tooltip=html.escape(
                    f"{o.site_id} {o.name} ({o.kind}"
                    + (f", opened {opened[str(o.site_id)]})" if new else ")")
                ),
                popup=popup,
            ).add_to(layer)
        elif into is None:
            folium.CircleMarker(
                [pt.y, pt.x],
                radius=4,
                color=CLOSED_COLOUR,
                fill=False,
                weight=1,
                class_name=CLASSES["closed"],
                tooltip=html.escape(f"{o.site_id} {o.name} (closed {o.kind})"),
                popup=popup,
            ).add_to(closed)

    return [closed, layer] if into is None else [layer]  # outlets drawn on top of the runs


def _place_layer(bounds: tuple[float, float, float, float], geodata: Any) -> folium.FeatureGroup:
    """Names of the prefecture seats and neighbour hubs: offline context."""
    import folium

    layer = folium.FeatureGroup(name="Place names (prefecture seats, neighbour hubs)")
    for rank, p in enumerate(context_places(bounds, geodata).itertuples(index=False)):
        kind = "revlog-hub" if p.level != "prefecture" else "revlog-seat"
        folium.Marker(
            [p.lat, p.lon],
            icon=folium.DivIcon(
                html=(
                    "<span class='revlog-place-dot'></span>"
                    f"<span class='revlog-place-name' data-rank='{rank}'>"
                    f"{html.escape(p.name)}</span>"
                ),
                icon_size=(9, 9),
                icon_anchor=(4, 4),
                class_name=f"{CLASSES['place']} {kind}",
            ),
            interactive=False,
            keyboard=False,
        ).add_to(layer)

    return layer


def _latlon(geom: Any) -> list[list[float]]:
    return [[y, x] for x, y in geom.coords]


def _bounds(*plans: Any) -> tuple[float, float, float, float]:
    """The extent of the plans' open outlets, assignments and runs (lon/lat)."""
    boxes = [
        t.total_bounds
        for plan in plans
        for t in (plan.outlets[plan.outlets["open"].astype(bool)], plan.assignments, plan.routes)
        if len(t) and t.geometry.notna().any()
    ]
    if not boxes:
        return (89.0, 31.0, 103.5, 39.5)  # Qinghai
    return (
        float(min(b[0] for b in boxes)),
        float(min(b[1] for b in boxes)),
        float(max(b[2] for b in boxes)),
        float(max(b[3] for b in boxes)),
    )


# ---------------------------------------------------------------------------- offline HTML
def offline_assets() -> dict[str, str] | None:
    """Leaflet JS/CSS and jQuery from the installed xstatic packages, or ``None`` if absent.

    Returns
    -------
    dict or None
        ``{"leaflet_js", "leaflet_css", "jquery_js", "leaflet_version", "jquery_version"}``;
        the CSS has its images inlined as data URIs.
    """
    try:
        import xstatic.pkg.jquery as xjq
        import xstatic.pkg.leaflet as xleaf
    except ImportError:
        return None
    base = Path(xleaf.BASE_DIR)
    css = (base / "leaflet.css").read_text(encoding="utf-8")

    def inline(match: re.Match[str]) -> str:
        img = base / match.group(1)
        if not img.is_file():
            return match.group(0)
        data = base64.b64encode(img.read_bytes()).decode("ascii")
        return f"url(data:image/png;base64,{data})"

    css = re.sub(r"url\((images/[^)]+\.png)\)", inline, css)
    jq = Path(xjq.BASE_DIR)
    return {
        "leaflet_js": (base / "leaflet.js").read_text(encoding="utf-8"),
        "leaflet_css": css,
        "jquery_js": (jq / "jquery.min.js").read_text(encoding="utf-8"),
        "leaflet_version": str(xleaf.VERSION),
        "jquery_version": str(xjq.VERSION),
    }


_SCRIPT = re.compile(r'<script src="([^"]+)"></script>')
_LINK = re.compile(r'<link rel="stylesheet" href="([^"]+)"/>')


def map_html(m: folium.Map, inline: bool = True) -> str:
    """The map as one HTML document.

    Parameters
    ----------
    m
        A folium map (from :func:`plan_map` or any other; maps using awesome-marker icons
        or Bootstrap need the links that ``inline`` drops).
    inline
        Inline Leaflet and jQuery and drop the other CDN links, so that the page works
        without a network (see the module docstring). Falls back to the CDN links if the
        xstatic packages are not installed.

    Returns
    -------
    str
        The HTML text.
    """
    text = m.get_root().render()
    assets = offline_assets() if inline else None
    if assets is None:
        return text

    def script(match: re.Match[str]) -> str:
        url = match.group(1)
        if re.search(r"/leaflet(@[\d.]+)?/dist/leaflet\.js$|/leaflet\.js$", url):
            body = assets["leaflet_js"]
            name = f"Leaflet {assets['leaflet_version']}"
        elif "jquery" in url and "leaflet" not in url:
            body = assets["jquery_js"]
            name = f"jQuery {assets['jquery_version']}"
        else:
            return f"<!-- revlog: not used offline: {html.escape(url)} -->"
        body = body.replace("</script", "<\\/script")
        return f"<!-- {name}, inlined by revlog -->\n<script>{body}</script>"

    def link(match: re.Match[str]) -> str:
        url = match.group(1)
        if re.search(r"/leaflet(@[\d.]+)?/dist/leaflet\.css$|/leaflet\.css$", url):
            return (
                f"<!-- Leaflet {assets['leaflet_version']} CSS, inlined by revlog -->\n"
                f"<style>{assets['leaflet_css']}</style>"
            )
        return f"<!-- revlog: not used offline: {html.escape(url)} -->"

    return _SCRIPT.sub(script, _LINK.sub(link, text))


def save_map_html(m: folium.Map, path: str | Path, inline: bool = True) -> Path:
    """Write a folium map as a self-contained HTML file (see :func:`map_html`)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(map_html(m, inline=inline), encoding="utf-8")
    return path


# ---------------------------------------------------------------------------- static PNG
def overview_figure(
    plan: Any,
    title: str | None = None,
    figsize: tuple[float, float] | None = None,
    context: bool = True,
    geodata: Any = None,
) -> Figure:
    """A static overview of a plan for reports (matplotlib).

    Parameters
    ----------
    plan
        A :class:`revlog.plan.Plan`.
    title
        Figure title (default: the plan's name and headline KPIs).
    figsize
        Size in inches (default: 10 × 8, wider when the legend needs more columns).
    context
        Draw the road links and the names of the prefecture seats (and of the neighbour
        hubs inside the plan's extent) from the geodata, as on the interactive map.
    geodata
        A :class:`revlog.geo.Geodata` for that context (default: the embedded one).

    Returns
    -------
    matplotlib.figure.Figure
        Assignments in grey, line-hauls dashed black, runs coloured by base (the map's
        colours), open outlets sized by throughput, the plant as a star, closed candidate
        sites as small rings; axes in degrees with the aspect ratio of the plan's mean
        latitude. The legend, right of the axes, lists every base (one entry per base,
        in columns when there are many); a caption under the axes says that the lines
        are schematic.
    """
    from matplotlib.figure import Figure

    colours = base_colours(list(plan.routes["base_id"]), plan)
    n_entries = len(colours) + 7
    ncol = max(1, math.ceil(n_entries / 34))
    bounds = _bounds(plan)
    lat = (bounds[1] + bounds[3]) / 2
    if figsize is None:
        # the axes keep the plan's shape: height from the width the legend leaves
        span_x = max(bounds[2] - bounds[0], 0.5)
        span_y = max(bounds[3] - bounds[1], 0.5) / max(math.cos(math.radians(lat)), 0.1)
        width = 10.0 + 2.4 * (ncol - 1)
        axes_w = width - 2.6 * ncol - 0.9
        figsize = (width, min(max(axes_w * span_y / span_x + 1.6, 5.5), 10.0))
    fig = Figure(figsize=figsize, layout="constrained")
    ax = fig.add_subplot()
    if context:
        for _, line in context_roads(bounds, geodata, pad_deg=0.3):
            (x0, y0), (x1, y1) = line
            ax.plot([x0, x1], [y0, y1], color=ROAD_COLOUR, lw=0.8, alpha=0.7, zorder=0)
    _plot_lines(ax, plan, colours)
    _plot_sites(ax, plan)
    # keep the view on the plan (closed candidates and road links may reach farther)
    pad_x = max(0.3, 0.04 * (bounds[2] - bounds[0]))
    pad_y = max(0.3, 0.04 * (bounds[3] - bounds[1]))
    ax.set_xlim(bounds[0] - pad_x, bounds[2] + pad_x)
    ax.set_ylim(bounds[1] - pad_y, bounds[3] + pad_y)
    labels = _plot_places(ax, bounds, geodata) if context else []
    ax.set_aspect(1.0 / max(math.cos(math.radians(lat)), 0.1))
    ax.set_xlabel("longitude, °E")
    ax.set_ylabel("latitude, °N")
    ax.set_title(title if title is not None else _overview_title(plan), fontsize=10)
    fig.legend(
        handles=_legend_handles(plan, colours), loc="outside right upper", fontsize=7,
        framealpha=0.9, ncol=ncol, title=f"symbols; pickup runs by base ({len(colours)})",
        title_fontsize=7.5,
    )  # fmt: skip
    fig.supxlabel(
        textwrap.fill(schematic_note(plan), 150), fontsize=7, color="#444444", x=0.01, ha="left"
    )
    ax.grid(True, lw=0.3, alpha=0.5)
    _declutter(fig, labels)
    return fig


def _plot_lines(ax: Any, plan: Any, colours: dict[str, str]) -> None:
    """Assignments in grey, line-hauls dashed black, runs in their base's colour, stops."""
    for geom in plan.assignments.geometry:
        if geom is not None and not geom.is_empty:
            x, y = geom.xy
            ax.plot(x, y, color="#999999", lw=0.5, alpha=0.7, zorder=1)
    for geom in plan.linehauls.geometry:
        if geom is not None and not geom.is_empty:
            x, y = geom.xy
            ax.plot(x, y, color="black", lw=1.6, ls="--", zorder=2)
    for base, geom in zip(plan.routes["base_id"], plan.routes.geometry, strict=True):
        if geom is not None and not geom.is_empty:
            x, y = geom.xy
            ax.plot(x, y, color=colours[base], lw=1.2, alpha=0.9, zorder=3)
    stops = plan.stops[plan.stops["seq"] > 0]
    if len(stops):
        ax.scatter(stops.geometry.x, stops.geometry.y, s=6, color="#333333", zorder=4)


def _plot_sites(ax: Any, plan: Any) -> None:
    """Open outlets sized by throughput, the plant as a star, closed candidates as rings."""
    o = plan.outlets
    opened = o[o["open"].astype(bool) & (o["kind"] != "plant")]
    closed = o[~o["open"].astype(bool)]
    plant = o[o["kind"] == "plant"]
    top = max(float(o["throughput_t_per_year"].max() or 0.0), 1e-9) if len(o) else 1.0
    if len(closed):
        ax.scatter(
            closed.geometry.x, closed.geometry.y, s=14, facecolors="none",
            edgecolors="#aaaaaa", lw=0.8, zorder=5,
        )  # fmt: skip
    if len(opened):
        ax.scatter(
            opened.geometry.x, opened.geometry.y,
            s=30 + 300 * opened["throughput_t_per_year"].to_numpy(float) / top,
            c=[KIND_COLOURS.get(k, "#333333") for k in opened["kind"]],
            alpha=0.75, edgecolors="white", lw=0.8, zorder=6,
        )  # fmt: skip
    if len(plant):
        ax.scatter(plant.geometry.x, plant.geometry.y, s=260, marker="*", c="black", zorder=7)


def _plot_places(ax: Any, bounds: tuple[float, float, float, float], geodata: Any) -> list[Any]:
    """Names of the prefecture seats (bold) and neighbour hubs (italic); the text objects."""
    from matplotlib import patheffects

    labels = []
    halo = [patheffects.withStroke(linewidth=2.5, foreground="white")]
    for p in context_places(bounds, geodata, pad_deg=0.0).itertuples(index=False):
        seat = p.level == "prefecture"
        ax.plot([p.lon], [p.lat], "o", ms=3, color="#333333", zorder=8)
        text = ax.annotate(
            p.name, (p.lon, p.lat), xytext=(4, 3), textcoords="offset points",
            fontsize=7.5 if seat else 6.5, fontweight="bold" if seat else "normal",
            fontstyle="normal" if seat else "italic", color="#222222" if seat else "#555555",
            path_effects=halo, zorder=9,
        )  # fmt: skip
        text.set_in_layout(False)
        labels.append(text)
    return labels


def _overview_title(plan: Any) -> str:
    """The plan's name and headline KPIs."""
    k = plan.kpis
    parts = []
    if "total_cost_cny_per_year" in k.index:
        parts.append(f"{float(k['total_cost_cny_per_year']) / 1e6:,.2f} M CNY/year")
    if "outlets_open" in k.index:
        parts.append(f"{int(k['outlets_open'])} outlets")
    if "runs_per_period" in k.index:
        parts.append(f"{int(k['runs_per_period'])} runs/period")
    if "collected_t_per_year" in k.index:
        parts.append(f"{float(k['collected_t_per_year']):,.0f} t/year collected")
    return f"{plan.name}\n" + ", ".join(parts)


def _legend_handles(plan: Any, colours: dict[str, str]) -> list[Any]:
    """The symbols, then one entry per base in its colour."""
    from matplotlib.lines import Line2D

    names = dict(zip(plan.outlets["site_id"], plan.outlets["name"], strict=True))
    handles = [
        Line2D([], [], color="#999999", lw=1, label="assignment"),
        Line2D([], [], color="black", lw=1.6, ls="--", label="line-haul"),
        Line2D([], [], marker="*", color="black", ls="", ms=12, label="plant"),
        Line2D([], [], marker="o", color=KIND_COLOURS["storage"], ls="", label="storage outlet"),
        Line2D(
            [], [], marker="o", color=KIND_COLOURS["collection"], ls="", label="collection outlet"
        ),
        Line2D(
            [], [], marker="o", color="#aaaaaa", mfc="none", ls="", label="closed candidate site"
        ),
        Line2D([], [], color=ROAD_COLOUR, lw=0.8, label="road link"),
    ]
    return handles + [
        Line2D([], [], color=c, lw=2, label=f"{b} {_short_name(names.get(b))}".rstrip())
        for b, c in colours.items()
    ]


def _declutter(fig: Figure, labels: list[Any]) -> None:
    """Remove the place names that overlap a name placed before them (priority order)."""
    if len(labels) < 2:
        return
    fig.draw_without_rendering()
    renderer = fig._get_renderer()  # type: ignore[attr-defined]
    frame = labels[0].axes.get_window_extent(renderer)
    kept: list[Any] = []
    for text in labels:
        box = text.get_window_extent(renderer)
        if box.x1 > frame.x1:  # would be cut at the right edge: name left of the point
            text.set_horizontalalignment("right")
            text.set_position((-4, 3))
            box = text.get_window_extent(renderer)
        box = box.expanded(1.05, 1.1)
        if any(box.overlaps(k) for k in kept):
            text.remove()
        else:
            kept.append(box)


def save_overview_png(plan: Any, path: str | Path, dpi: int = 120) -> Path:
    """Write :func:`overview_figure` as a PNG file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    overview_figure(plan).savefig(path, dpi=dpi)
    return path
