"""Maps of a plan: an interactive folium map (HTML that works offline) and a static PNG.

:func:`plan_map` draws the open outlets and the plant sized by throughput, the closed
candidate sites, the source → outlet assignments, the line-hauls, and every pickup run
as a road-following line coloured by its base, with a popup holding the stop schedule.
Each kind of feature is its own layer in the layer control.

:func:`save_map_html` writes the map as a single self-contained HTML file: folium links
Leaflet, jQuery, Bootstrap and marker icons from CDNs; here Leaflet (JS and CSS, its
images as data URIs) and jQuery (which folium's popups need) are inlined from the
PyPI packages ``xstatic-leaflet`` and ``xstatic-jquery``, and the links that the map does
not use (Bootstrap, Font Awesome, awesome-markers) are dropped. Only the background tiles
(OpenStreetMap) need a network; without one the map still shows every layer on a blank
background.
"""

from __future__ import annotations

import base64
import html
import math
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import folium
    from matplotlib.figure import Figure

#: Colours of the bases' runs (colour-blind friendly qualitative palette, then tab20).
PALETTE = [
    "#0072B2",
    "#D55E00",
    "#009E73",
    "#CC79A7",
    "#E69F00",
    "#56B4E9",
    "#8C564B",
    "#7F7F7F",
    "#BCBD22",
    "#17BECF",
    "#1F77B4",
    "#FF7F0E",
    "#2CA02C",
    "#D62728",
    "#9467BD",
    "#E377C2",
]
KIND_COLOURS = {"plant": "#000000", "storage": "#8B0000", "collection": "#1B5E20"}
#: CSS classes given to the map's vector features (so tests and stylesheets can find them).
CLASSES = {
    "outlet": "revlog-outlet",
    "closed": "revlog-closed-site",
    "assignment": "revlog-assignment",
    "linehaul": "revlog-linehaul",
    "run": "revlog-run",
    "stop": "revlog-stop",
}


def base_colours(base_ids: list[str]) -> dict[str, str]:
    """A stable colour per base id (sorted order, palette cycled)."""
    return {b: PALETTE[i % len(PALETTE)] for i, b in enumerate(sorted(set(base_ids)))}


def clock(hours: float) -> str:
    """Hours from the start of the period as ``day N HH:MM`` (day 1 is the first day)."""
    minutes = round(float(hours) * 60.0)
    day, rest = divmod(minutes, 24 * 60)
    return f"day {day + 1} {rest // 60:02d}:{rest % 60:02d}"


def _popup_table(title: str, rows: list[tuple[str, str]]) -> str:
    body = "".join(
        f"<tr><th style='text-align:left;padding-right:6px'>{html.escape(k)}</th>"
        f"<td>{html.escape(v)}</td></tr>"
        for k, v in rows
    )
    return f"<b>{html.escape(title)}</b><table>{body}</table>"


def schedule_html(plan: Any, run_id: str) -> str:
    """The stop schedule of one run as an HTML table (for popups and reports)."""
    runs = plan.routes.set_index("run_id")
    run = runs.loc[run_id]
    stops = plan.stops[plan.stops["run_id"] == run_id].sort_values("seq")
    head = (
        f"<b>Run {html.escape(run_id)}</b> — {html.escape(str(run['vehicle_type']))} "
        f"#{int(run['vehicle'])}, trip {int(run['trip'])}<br>"
        f"{float(run['km']):,.1f} km, {float(run['drive_h']):.2f} h driving, "
        f"{float(run['duty_h']):.2f} h on duty, "
        f"{(float(run['intact_kg']) + float(run['damaged_kg'])):,.0f} kg "
        f"({float(run['damaged_kg']):,.0f} kg damaged), {float(run['cost_cny']):,.0f} CNY"
    )
    cells = ["#", "place", "arrive", "depart", "pickup kg", "load kg"]
    rows = []
    for s in stops.itertuples(index=False):
        name = getattr(s, "name", None)
        place = f"{s.node_id}" + (f" {name}" if isinstance(name, str) and name else "")
        pickup = float(s.pickup_intact_kg) + float(s.pickup_damaged_kg)
        load = float(s.load_intact_kg) + float(s.load_damaged_kg)
        rows.append(
            [
                str(int(s.seq)),
                place,
                clock(s.arrival_h),
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


def plan_map(
    plan: Any,
    tiles: str | None = "OpenStreetMap",
    show_assignments: bool = True,
    show_closed: bool = False,
    width: str = "100%",
    height: str = "100%",
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

    Returns
    -------
    folium.Map
        Layers: ``Outlets and plant`` (circles sized by throughput, popups with kind,
        throughput, capacity, utilisation, fixed cost), ``Closed candidate sites``,
        ``Assignments``, ``Line-hauls``, one ``Runs from <base>`` layer per base (runs
        coloured by base, popup with the stop schedule, stops as small circles with their
        times) and a layer control.
    """
    import folium

    outlets = plan.outlets
    bounds = _bounds(plan)
    centre = [(bounds[1] + bounds[3]) / 2, (bounds[0] + bounds[2]) / 2]
    m = folium.Map(
        location=centre, zoom_start=7, tiles=None, width=width, height=height, control_scale=True
    )
    if tiles:
        folium.TileLayer(tiles, name="Background: " + str(tiles)).add_to(m)

    # assignments
    layer = folium.FeatureGroup(name="Assignments (source → first stop)", show=show_assignments)
    for a, geom in zip(
        plan.assignments.itertuples(index=False), plan.assignments.geometry, strict=True
    ):
        if geom is None or geom.is_empty:
            continue
        folium.PolyLine(
            _latlon(geom),
            color="#777777",
            weight=1.5,
            opacity=0.7,
            class_name=CLASSES["assignment"],
            tooltip=html.escape(
                f"{a.source_id} {a.source_name} → {a.facility_id}: "
                f"{float(a.supply_t_per_year):,.1f} t/year, {float(a.km):,.1f} km"
            ),
        ).add_to(layer)
    layer.add_to(m)

    # line-hauls
    layer = folium.FeatureGroup(name="Line-hauls (full truckloads)")
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
                        ("distance", f"{float(lh.km):,.1f} km"),
                        ("trips", f"{float(lh.trips_per_year):,.0f} /year"),
                        ("cost", f"{float(lh.cost_cny_per_year):,.0f} CNY/year"),
                    ],
                ),
                max_width=320,
            ),
        ).add_to(layer)
    layer.add_to(m)

    # runs, one layer per base
    colours = base_colours(list(plan.routes["base_id"]))
    names = dict(zip(outlets["site_id"], outlets["name"], strict=True))
    stops_by_run = {rid: g for rid, g in plan.stops.groupby("run_id", sort=False)}
    for base in sorted(colours):
        layer = folium.FeatureGroup(name=f"Runs from {base} {names.get(base, '')}".rstrip())
        runs = plan.routes[plan.routes["base_id"] == base]
        for run, geom in zip(runs.itertuples(index=False), runs.geometry, strict=True):
            if geom is not None and not geom.is_empty:
                folium.PolyLine(
                    _latlon(geom),
                    color=colours[base],
                    weight=3,
                    opacity=0.85,
                    class_name=CLASSES["run"],
                    tooltip=html.escape(
                        f"run {run.run_id}: {int(run.stops)} stops, {float(run.km):,.0f} km"
                    ),
                    popup=folium.Popup(schedule_html(plan, run.run_id), max_width=560),
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
        layer.add_to(m)

    # outlets on top
    closed = folium.FeatureGroup(name="Closed candidate sites", show=show_closed)
    layer = folium.FeatureGroup(name="Outlets and plant (size: throughput)")
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
        popup = folium.Popup(_popup_table(f"{o.site_id} {o.name}", rows), max_width=320)
        if bool(o.open):
            radius = 5 + 15 * math.sqrt(max(float(o.throughput_t_per_year), 0.0) / top)
            folium.CircleMarker(
                [pt.y, pt.x],
                radius=radius,
                color=KIND_COLOURS.get(str(o.kind), "#333333"),
                fill=True,
                fill_opacity=0.6 if o.kind != "plant" else 0.9,
                weight=2,
                class_name=CLASSES["outlet"],
                tooltip=html.escape(f"{o.site_id} {o.name} ({o.kind})"),
                popup=popup,
            ).add_to(layer)
        else:
            folium.CircleMarker(
                [pt.y, pt.x],
                radius=4,
                color="#999999",
                fill=False,
                weight=1,
                class_name=CLASSES["closed"],
                tooltip=html.escape(f"{o.site_id} {o.name} (closed {o.kind})"),
                popup=popup,
            ).add_to(closed)
    closed.add_to(m)
    layer.add_to(m)
    folium.LayerControl(collapsed=False).add_to(m)
    m.fit_bounds([[bounds[1], bounds[0]], [bounds[3], bounds[2]]])
    return m


def _latlon(geom: Any) -> list[list[float]]:
    return [[y, x] for x, y in geom.coords]


def _bounds(plan: Any) -> tuple[float, float, float, float]:
    boxes = [
        t.total_bounds
        for t in (plan.outlets, plan.assignments, plan.routes)
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
    plan: Any, title: str | None = None, figsize: tuple[float, float] = (10, 8)
) -> Figure:
    """A static overview of a plan for reports (matplotlib).

    Parameters
    ----------
    plan
        A :class:`revlog.plan.Plan`.
    title
        Figure title (default: the plan's name and headline KPIs).
    figsize
        Size in inches.

    Returns
    -------
    matplotlib.figure.Figure
        Assignments in grey, line-hauls dashed black, runs coloured by base, open outlets
        sized by throughput, the plant as a star, closed candidate sites as small rings;
        axes in degrees with the aspect ratio of the plan's mean latitude.
    """
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    fig = Figure(figsize=figsize, layout="constrained")
    ax = fig.add_subplot()
    for geom in plan.assignments.geometry:
        if geom is not None and not geom.is_empty:
            x, y = geom.xy
            ax.plot(x, y, color="#999999", lw=0.5, alpha=0.7, zorder=1)
    for geom in plan.linehauls.geometry:
        if geom is not None and not geom.is_empty:
            x, y = geom.xy
            ax.plot(x, y, color="black", lw=1.6, ls="--", zorder=2)
    colours = base_colours(list(plan.routes["base_id"]))
    for base, geom in zip(plan.routes["base_id"], plan.routes.geometry, strict=True):
        if geom is not None and not geom.is_empty:
            x, y = geom.xy
            ax.plot(x, y, color=colours[base], lw=1.2, alpha=0.9, zorder=3)
    stops = plan.stops[plan.stops["seq"] > 0]
    if len(stops):
        ax.scatter(stops.geometry.x, stops.geometry.y, s=6, color="#333333", zorder=4)
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
    lat = float(o.geometry.y.mean()) if len(o) else 36.0
    ax.set_aspect(1.0 / max(math.cos(math.radians(lat)), 0.1))
    ax.set_xlabel("longitude, °E")
    ax.set_ylabel("latitude, °N")
    k = plan.kpis
    if title is None:
        parts = [f"{plan.name}"]
        if "total_cost_cny_per_year" in k.index:
            parts.append(f"{float(k['total_cost_cny_per_year']) / 1e6:,.2f} M CNY/year")
        if "outlets_open" in k.index:
            parts.append(f"{int(k['outlets_open'])} outlets")
        if "runs_per_period" in k.index:
            parts.append(f"{int(k['runs_per_period'])} runs/period")
        title = ", ".join(parts)
    ax.set_title(title)
    handles = [
        Line2D([], [], color="#999999", lw=1, label="assignment"),
        Line2D([], [], color="black", lw=1.6, ls="--", label="line-haul"),
        Line2D([], [], marker="*", color="black", ls="", ms=12, label="plant"),
        Line2D([], [], marker="o", color=KIND_COLOURS["storage"], ls="", label="storage outlet"),
        Line2D(
            [], [], marker="o", color=KIND_COLOURS["collection"], ls="", label="collection outlet"
        ),
    ]
    handles += [
        Line2D([], [], color=c, lw=1.5, label=f"runs from {b}")
        for b, c in list(colours.items())[:12]
    ]
    ax.legend(handles=handles, loc="best", fontsize=7, framealpha=0.85)
    ax.grid(True, lw=0.3, alpha=0.5)
    return fig


def save_overview_png(plan: Any, path: str | Path, dpi: int = 120) -> Path:
    """Write :func:`overview_figure` as a PNG file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    overview_figure(plan).savefig(path, dpi=dpi)
    return path
