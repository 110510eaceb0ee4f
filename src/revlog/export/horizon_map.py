"""The map of a multi-year plan: one layer group per year, chosen with a year control.

:func:`horizon_map` draws, for each year of a :class:`~revlog.horizon.plan.HorizonPlan`,
the open outlets and the plant (sized by that year's throughput), the assignments, the
line-hauls and the pickup runs, coloured by base with the same colour in every year, as
one layer group. The year groups are the base layers of the layer control (radio
buttons, the control open at the top right), so exactly one year shows at a time; the
outlets opened in the year shown carry a dark ring. The title box holds the horizon's
KPIs and a table of the years (outlets open, opened, routed cost), the row of the year
shown in bold. Place names and road links are the same offline context as on
:func:`revlog.export.maps.plan_map`; the page sets ``window.revlogMap`` and
``window.revlogYear`` (the year shown).
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

from revlog.export.maps import (
    OPENED_RING_COLOUR,
    _assignment_layer,
    _base_map,
    _bounds,
    _box_elements,
    _fit_element,
    _linehaul_layer,
    _money,
    _outlet_layers,
    _place_layer,
    _run_layers,
    base_colours,
    legend_html,
)

if TYPE_CHECKING:
    import folium

__all__ = ["horizon_map", "opened_in"]

#: CSS class of the rows of the title box's year table (``data-year`` holds the year).
YEAR_ROW_CLASS = "revlog-year-row"

_YEAR_CSS = f"""
table.revlog-years {{border-collapse: collapse; margin-top: 5px;}}
table.revlog-years th {{font-weight: normal; color: #555; text-align: right;
  padding: 0 0 0 9px;}}
table.revlog-years th:first-child, table.revlog-years td:first-child {{text-align: left;
  padding-left: 0;}}
table.revlog-years td {{text-align: right; padding: 0 0 0 9px;}}
tr.{YEAR_ROW_CLASS}.revlog-year-shown td {{font-weight: bold; background: #eef2f7;}}
"""


def opened_in(hplan: Any, year: int) -> dict[str, int]:
    """The outlets a multi-year plan opens in ``year`` (not existing ones, not the plant).

    Returns
    -------
    dict
        ``{site_id: year}``.
    """
    o = hplan.outlets
    new = (o["open_from_year"] == year).fillna(False) & ~o["existing"] & (o["kind"] != "plant")
    return {str(s): int(year) for s in o.loc[new, "site_id"]}


def _title_html(hplan: Any) -> str:
    years = list(hplan.plans)
    k = hplan.kpis
    kpis = [
        ("discounted total", _money(float(k.get("discounted_total_cny", float("nan")))) + " CNY"),
        (
            "planning ahead saves",
            _money(float(k.get("planning_saves_cny", float("nan")))) + " CNY (location)",
        ),
        ("outlets opened", f"{int(k.get('outlets_opened', 0))}"),
    ]
    rows = "".join(f"<tr><th>{html.escape(a)}</th><td>{html.escape(b)}</td></tr>" for a, b in kpis)
    year_rows = []
    for r in hplan.years.itertuples(index=False):
        year_rows.append(
            f"<tr class='{YEAR_ROW_CLASS}' data-year='{int(r.year)}'><td>{int(r.year)}</td>"
            f"<td>{int(r.outlets_open)}</td><td>{len(opened_in(hplan, int(r.year)))}</td>"
            f"<td>{float(r.total_cost_cny_per_year) / 1e6:,.2f} M</td></tr>"
        )
    table = (
        "<table class='revlog-years'><tr><th>year</th><th>open</th><th>opened</th>"
        "<th>routed CNY/yr</th></tr>" + "".join(year_rows) + "</table>"
    )
    sub = f"revlog multi-year plan · {years[0]}–{years[-1]} · choose the year top right"
    return (
        f"<div class='revlog-title'><div class='revlog-name'>{html.escape(hplan.name)}</div>"
        f"<div class='revlog-sub'>{html.escape(sub)}</div></div>"
        f"<table class='revlog-kpis'>{rows}</table>{table}"
    )


def _year_element(first_year: int) -> Any:
    """Mark the title box's row of the year shown; ``window.revlogYear`` holds it."""
    from branca.element import MacroElement
    from jinja2 import Template

    class _Year(MacroElement):
        _template = Template(
            """
            {% macro header(this, kwargs) %}<style>{{ this.css }}</style>{% endmacro %}
            {% macro script(this, kwargs) %}
            (function () {
                var map = {{ this._parent.get_name() }};
                function show(year) {
                    window.revlogYear = year;
                    document.querySelectorAll("tr.{{ this.row_class }}").forEach(
                        function (tr) {
                            tr.classList.toggle("revlog-year-shown", tr.dataset.year == year);
                        });
                }
                map.on("baselayerchange", function (e) { show(parseInt(e.name, 10)); });
                show({{ this.first_year }});
            })();
            {% endmacro %}
            """
        )

        def __init__(self) -> None:
            super().__init__()
            self._name = "RevlogYear"
            self.css = _YEAR_CSS
            self.row_class = YEAR_ROW_CLASS
            self.first_year = int(first_year)

    return _Year()


def horizon_map(
    hplan: Any,
    tiles: str | None = "OpenStreetMap",
    width: str = "100%",
    height: str = "100%",
    context: bool = True,
    geodata: Any = None,
) -> folium.Map:
    """An interactive map of a multi-year plan, one year at a time.

    Parameters
    ----------
    hplan
        A :class:`revlog.horizon.plan.HorizonPlan`.
    tiles
        Background tiles (any folium tile name) or ``None`` for a blank background.
    width, height
        Size of the map element.
    context
        Draw the place names and road links of the geodata (as on ``plan_map``).
    geodata
        A :class:`revlog.geo.Geodata` for that context (default: the embedded one).

    Returns
    -------
    folium.Map
        Base layers (radio buttons): one group per year, named by the year, the first
        year shown; overlays: the background tiles, the road network and the place names.
        See the module docstring.
    """
    import folium

    plans = list(hplan.plans.values())
    years = [int(y) for y in hplan.plans]
    bounds = _bounds(*plans)
    # the tiles an overlay, so that the years are the only base layers (the radio buttons)
    m = _base_map(bounds, tiles, width, height, context, geodata, tiles_overlay=True)
    bases = sorted({str(b) for p in plans for b in p.routes["base_id"]})
    colours = base_colours(bases, plans[-1])
    for year, plan in zip(years, plans, strict=True):
        group = folium.FeatureGroup(name=str(year), overlay=False, show=year == years[0])
        _assignment_layer(plan, True, into=group)
        _linehaul_layer(plan, into=group)
        _run_layers(plan, colours, into=group)
        _outlet_layers(plan, False, into=group, opened=opened_in(hplan, year))
        group.add_to(m)
    if context:
        _place_layer(bounds, geodata).add_to(m)
    folium.LayerControl(collapsed=False).add_to(m)
    ring = (
        f"<span class='revlog-swatch-dot' style='width:14px;height:14px;"
        f"border:3px solid {OPENED_RING_COLOUR};background:#fff'></span>"
    )
    legend = legend_html(plans[-1], colours, extra_symbols=((ring, "opened in the year shown"),))
    title = _title_html(hplan)
    for element in _box_elements(title, legend):
        m.add_child(element)
    m.add_child(_year_element(years[0]))
    m.add_child(_fit_element(bounds))
    return m
