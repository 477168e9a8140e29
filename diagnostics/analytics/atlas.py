"""The national atlas (issue 16): one indicator for every basin of a zoning, on a map of France
with the overseas regions as insets, and in a table.

- `ATLAS_INDICATORS`: what the atlas can show, each with its French label, unit, decimals and
  source; `atlas_values(document)` reads them from a diagnostic's document (the run's `results`),
  with the period and whether the figure is an estimate.
- `atlas_figure(frame, …)`: the choropleth. Polygons are drawn as filled `go.Scatter` traces on
  plain axes (as `choropleth.choropleth_figure`, offline, no tiles): metropolitan France on the main
  axes, each overseas region (Guadeloupe, Martinique, Guyane, La Réunion, Mayotte) on its own
  small axes at the left, each at its own scale; one colour scale for all. The basins of
  `highlight_region` are outlined in red.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import shapely

from .charts import FONT, RED_MARIANNE, SEPARATORS
from .choropleth import NA_COLOUR, SEQUENTIAL_SCALE, colour_bar_trace, colour_for, polygon_rings
from .common import format_number, plotly_text, require_columns


@dataclass(frozen=True)
class AtlasIndicator:
    code: str
    label: str
    unit: str
    decimals: int
    source: str


ATLAS_INDICATORS: dict[str, AtlasIndicator] = {
    i.code: i
    for i in (
        AtlasIndicator(
            "bmo_projects_per_1000", "Projets de recrutement pour 1 000 habitants", "‰", 1, "BMO"
        ),
        AtlasIndicator("bmo_difficulty_rate", "Part des projets jugés difficiles", "%", 1, "BMO"),
        AtlasIndicator("bmo_seasonal_rate", "Part des projets saisonniers", "%", 1, "BMO"),
        AtlasIndicator("bmo_projects", "Projets de recrutement", "", 0, "BMO"),
        AtlasIndicator("unemployment_rate", "Taux de chômage", "%", 1, "Insee"),
        AtlasIndicator(
            "job_seekers_per_1000",
            "Demandeurs d'emploi (A, B, C) pour 1 000 habitants",
            "‰",
            1,
            "France Travail",
        ),
        AtlasIndicator("tension_metiers", "Métiers en tension", "", 0, "BMO"),
        AtlasIndicator("population", "Population", "", 0, "Insee"),
    )
}
DEFAULT_INDICATOR = "bmo_projects_per_1000"
# Rates stored as shares (0.61) are shown in percent.
PERCENT_SHARES = {"bmo_difficulty_rate", "bmo_seasonal_rate"}

# Overseas regions drawn as insets, in this order (INSEE region codes).
OVERSEAS = {
    "01": "Guadeloupe",
    "02": "Martinique",
    "03": "Guyane",
    "04": "La Réunion",
    "06": "Mayotte",
}


def atlas_values(document: Mapping[str, Any] | None) -> dict[str, Any]:
    """{indicator: value, "<indicator>_period": period, "<indicator>_estimated": bool} read from
    a diagnostic's document (None where the report has no such figure). Shares are in %."""
    document = document or {}
    basin = document.get("basin") or {}
    population = basin.get("population")
    out: dict[str, Any] = {"population": population, "population_period": None}
    years = document.get("years") or {}
    bmo_years = sorted(int(y) for y, v in years.items() if v.get("bmo_projects") is not None)
    last = years.get(str(bmo_years[-1])) if bmo_years else None
    for key in (
        "bmo_projects",
        "bmo_projects_per_1000",
        "bmo_difficulty_rate",
        "bmo_seasonal_rate",
    ):
        value = (last or {}).get(key)
        if value is not None and key in PERCENT_SHARES:
            value = round(float(value) * 100, 2)
        out[key] = value
        out[f"{key}_period"] = str(bmo_years[-1]) if bmo_years else None
        out[f"{key}_estimated"] = bool((last or {}).get("bmo_estimated"))
    series = [u for u in document.get("unemployment") or [] if u.get("rate") is not None]
    out["unemployment_rate"] = series[-1]["rate"] if series else None
    out["unemployment_rate_period"] = series[-1]["period"] if series else None
    out["unemployment_rate_estimated"] = bool(series[-1].get("estimated")) if series else False
    seekers = [s for s in document.get("job_seekers") or [] if s.get("value") is not None]
    if seekers and population:
        out["job_seekers_per_1000"] = round(float(seekers[-1]["value"]) * 1000 / population, 2)
        out["job_seekers_per_1000_period"] = seekers[-1]["period"]
        out["job_seekers_per_1000_estimated"] = bool(seekers[-1].get("estimated"))
    else:
        out["job_seekers_per_1000"] = None
        out["job_seekers_per_1000_period"] = None
        out["job_seekers_per_1000_estimated"] = False
    if document.get("bmo"):
        out["tension_metiers"] = len(document.get("tension_metiers") or [])
        out["tension_metiers_period"] = out.get("bmo_projects_period")
    else:
        out["tension_metiers"] = None
        out["tension_metiers_period"] = None
    out["tension_metiers_estimated"] = out.get("bmo_projects_estimated", False)
    return out


def _area(region_code: Any) -> str:
    code = str(region_code or "")
    return code if code in OVERSEAS else "metropole"


def atlas_figure(
    frame: pd.DataFrame,
    *,
    value: str,
    value_title: str,
    decimals: int = 1,
    highlight_region: str | None = None,
    height: int = 640,
    scale: Sequence[Sequence[Any]] = SEQUENTIAL_SCALE,
) -> go.Figure:
    """The atlas choropleth (see the module docstring).

    Input columns: code, name, region_code, geometry (shapely or GeoJSON, WGS84; rows without
    one are skipped and counted in layout.meta.without_geometry), `value` (nullable).
    """
    require_columns(frame, ["code", "name", "region_code", "geometry", value], what="l'atlas")
    shapes = [
        g
        if isinstance(g, shapely.Geometry)
        else shapely.geometry.shape(g)
        if isinstance(g, dict)
        else None  # no outline (NA): counted in meta.without_geometry
        for g in frame["geometry"]
    ]
    rows = frame.assign(
        _g=pd.Series(shapes, index=frame.index, dtype=object),
        _area=[_area(r) for r in frame["region_code"]],
    )
    drawn = rows[[g is not None and not g.is_empty for g in rows["_g"]]]
    values = pd.to_numeric(drawn[value], errors="coerce").astype("Float64")
    known = values.dropna()
    low = float(known.min()) if len(known) else 0.0
    high = float(known.max()) if len(known) else 1.0
    areas = ["metropole", *[code for code in OVERSEAS if code in set(drawn["_area"])]]
    fig = go.Figure()
    layout: dict[str, Any] = {
        "height": height,
        "margin": {"l": 0, "r": 0, "t": 10, "b": 0},
        "plot_bgcolor": "white",
        "paper_bgcolor": "white",
        "separators": SEPARATORS,
        "font": FONT,
        "hovermode": "closest",
        "dragmode": "pan",
        "showlegend": True,
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 0.0, "x": 0.22},
        "annotations": [],
        "meta": {"without_geometry": int(len(rows) - len(drawn)), "low": low, "high": high},
    }
    insets = [a for a in areas if a != "metropole"]
    slot = 1.0 / max(len(insets), 1)
    na_in_legend = False
    highlight_in_legend = False
    for index, area in enumerate(areas):
        axis = "" if index == 0 else str(index + 1)
        part = drawn[drawn["_area"] == area]
        part_values = values[drawn["_area"] == area]
        if part.empty:
            continue
        minx, miny, maxx, maxy = (float(b) for b in shapely.total_bounds(list(part["_g"])))
        tolerance = max(maxx - minx, maxy - miny) / (900 if area == "metropole" else 250)
        for geom, code, name, region, the_value in zip(
            part["_g"], part["code"], part["name"], part["region_code"], part_values, strict=True
        ):
            simplified = shapely.simplify(geom, tolerance, preserve_topology=True)
            x, y = polygon_rings(simplified if not simplified.is_empty else geom)
            unknown = pd.isna(the_value)
            highlighted = highlight_region is not None and str(region) == str(highlight_region)
            shown = (
                "non disponible" if unknown else format_number(float(the_value), decimals=decimals)
            )
            fig.add_trace(
                go.Scatter(
                    x=x,
                    y=y,
                    xaxis=f"x{axis}",
                    yaxis=f"y{axis}",
                    mode="lines",
                    fill="toself",
                    fillcolor=NA_COLOUR
                    if unknown
                    else colour_for(float(the_value), low=low, high=high, scale=scale),
                    line={
                        "color": RED_MARIANNE if highlighted else "white",
                        "width": 1.6 if highlighted else 0.4,
                    },
                    name=(
                        "Bassins de votre région"
                        if highlighted
                        else "Donnée non disponible"
                        if unknown
                        else plotly_text(name)
                    ),
                    legendgroup="region" if highlighted else "na" if unknown else None,
                    showlegend=bool(
                        (highlighted and not highlight_in_legend)
                        or (unknown and not highlighted and not na_in_legend)
                    ),
                    hoveron="fills",
                    text=f"<b>{plotly_text(name)}</b> ({plotly_text(code)})<br>"
                    f"{plotly_text(value_title)} : {shown}",
                    hoverinfo="text",
                )
            )
            highlight_in_legend = highlight_in_legend or highlighted
            na_in_legend = na_in_legend or (unknown and not highlighted)
        pad = max(maxx - minx, maxy - miny) * 0.03 + 0.01
        ratio = 1 / math.cos(math.radians((miny + maxy) / 2))
        if area == "metropole":
            domain_x, domain_y = [0.22 if insets else 0.0, 1.0], [0.0, 1.0]
        else:
            position = insets.index(area)
            top = 1.0 - position * slot
            domain_x, domain_y = [0.0, 0.2], [max(top - slot + 0.02, 0.0), top - 0.02]
            layout["annotations"].append(
                {
                    "text": OVERSEAS[area],
                    "xref": "paper",
                    "yref": "paper",
                    "x": 0.0,
                    "y": top - 0.01,
                    "xanchor": "left",
                    "yanchor": "top",
                    "showarrow": False,
                    "font": {"size": 11},
                }
            )
        layout[f"xaxis{axis}"] = {
            "visible": False,
            "domain": domain_x,
            "range": [minx - pad, maxx + pad],
        }
        layout[f"yaxis{axis}"] = {
            "visible": False,
            "domain": domain_y,
            "range": [miny - pad, maxy + pad],
            "scaleanchor": f"x{axis}",
            "scaleratio": ratio,
        }
    fig.add_trace(
        colour_bar_trace(
            low=low,
            high=high,
            scale=scale,
            title=value_title,
            decimals=decimals,
            x=[None],
            y=[None],
            length=0.7,
        )
    )
    if drawn.empty:
        layout["annotations"].append(
            {"text": "Aucun contour à afficher", "showarrow": False, "xref": "paper",
             "yref": "paper", "x": 0.5, "y": 0.5}
        )  # fmt: skip
    fig.update_layout(**layout)
    return fig
