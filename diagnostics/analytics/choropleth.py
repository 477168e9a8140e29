"""Choropleth maps of the diagnostic report, pure frame → plotly Figure: polygons drawn as
`go.Scatter` traces with `fill="toself"` on plain longitude / latitude axes (no tiles, no geo
traces: they fetch a topojson from a CDN), coloured from a sequential scale, with the colour bar
carried by an invisible marker trace; a zone without a value is drawn grey. Also used by the atlas
(`polygon_rings`, `colour_for`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import pandas as pd
import plotly.colors
import plotly.graph_objects as go
import shapely
from shapely.geometry.base import BaseGeometry

from .charts import BLUE_FRANCE, BLUE_LIGHT, BLUE_MEDIUM, chart_layout, empty_note
from .common import format_number, plotly_text, require_columns
from .geometry import geometry_or_none

NA_COLOUR = "#e5e5e5"


# Sequential scale from a very light blue to bleu France (light = low, dark = high).
SEQUENTIAL_SCALE: list[list[Any]] = [
    [0.0, "#f5f5fe"],
    [0.35, BLUE_LIGHT],
    [0.7, BLUE_MEDIUM],
    [1.0, BLUE_FRANCE],
]


SIMPLIFY_RESOLUTION = 1200


def polygon_rings(geom: BaseGeometry) -> tuple[list[float | None], list[float | None]]:
    """x (longitude) and y (latitude) of a (multi)polygon's outer rings, separated by None so
    that one filled trace draws every part (holes are left out: a fill would paint them)."""
    xs: list[float | None] = []
    ys: list[float | None] = []
    for part in shapely.get_parts(geom):
        polygons = shapely.get_parts(part) if part.geom_type == "MultiPolygon" else [part]
        for polygon in polygons:
            if polygon.geom_type != "Polygon" or polygon.is_empty:
                continue
            if xs:
                xs.append(None)
                ys.append(None)
            coords = list(polygon.exterior.coords)
            xs.extend(float(c[0]) for c in coords)
            ys.extend(float(c[1]) for c in coords)
    return xs, ys


def colour_for(value: float, *, low: float, high: float, scale: Sequence[Sequence[Any]]) -> str:
    """The colour of `value` on a sequential scale spanning [low, high]."""
    position = 0.5 if high <= low else min(max((value - low) / (high - low), 0.0), 1.0)
    return str(plotly.colors.sample_colorscale([list(s) for s in scale], [position])[0])


def colour_bar_trace(
    *,
    low: float,
    high: float,
    scale: Sequence[Sequence[Any]],
    title: str,
    decimals: int,
    x: list[float | None],
    y: list[float | None],
    length: float,
    size: float | None = None,
) -> go.Scatter:
    """The colour bar of a map: an invisible marker trace carrying the scale from `low` to
    `high` (polygon traces cannot show one), its title on the right, `decimals` on the ticks."""
    marker: dict[str, Any] = {
        "color": [low],
        "cmin": low,
        "cmax": high,
        "colorscale": [list(s) for s in scale],
        "showscale": True,
        "opacity": 0,
    }
    if size is not None:
        marker["size"] = size
    marker["colorbar"] = {
        "title": {"text": title, "side": "right"},
        "thickness": 14,
        "len": length,
        "tickformat": f",.{decimals}f",
    }
    return go.Scatter(
        x=x, y=y, mode="markers", name="Échelle", marker=marker, hoverinfo="skip", showlegend=False
    )


def choropleth_figure(
    frame: pd.DataFrame,
    *,
    value: str,
    value_title: str,
    code: str = "code",
    label: str = "name",
    geometry: str = "geometry",
    title: str | None = None,
    decimals: int = 1,
    scale: Sequence[Sequence[Any]] = SEQUENTIAL_SCALE,
    height: int = 520,
) -> go.Figure:
    """A choropleth of polygons (communes of a basin, basins of a region) on plain axes.

    Input columns: `code`, `label`, `geometry` (shapely geometry or GeoJSON dict, WGS84; rows
    without one are skipped and counted in layout.meta.without_geometry), `value` (nullable).
    One filled `go.Scatter` trace per polygon coloured on `scale` between the known minimum and
    maximum; polygons with an unknown value are grey and share the legend entry « Donnée non
    disponible »; the colour bar is carried by an invisible marker trace (« Échelle »).
    """
    require_columns(frame, [code, label, geometry, value], what="la carte")
    rows = frame.copy()
    rows["_g"] = pd.Series(
        [geometry_or_none(g) for g in frame[geometry]], index=frame.index, dtype=object
    )
    drawn = rows[rows["_g"].notna()]
    without = int(len(rows) - len(drawn))
    values = pd.to_numeric(drawn[value], errors="coerce").astype("Float64")
    known = values.dropna()
    low = float(known.min()) if len(known) else 0.0
    high = float(known.max()) if len(known) else 1.0

    fig = go.Figure()
    if drawn.empty:
        layout = chart_layout(title, height)
        layout.update(
            xaxis={"visible": False},
            yaxis={"visible": False},
            annotations=[empty_note("Aucun contour à afficher pour cette carte")],
            meta={"without_geometry": without},
        )
        fig.update_layout(**layout)
        return fig

    bounds = shapely.total_bounds(list(drawn["_g"]))
    minx, miny, maxx, maxy = (float(b) for b in bounds)
    tolerance = max(maxx - minx, maxy - miny) / SIMPLIFY_RESOLUTION
    na_in_legend = False
    for geom, the_code, the_label, the_value in zip(
        drawn["_g"], drawn[code], drawn[label], values, strict=True
    ):
        simplified = shapely.simplify(geom, tolerance, preserve_topology=True)
        x, y = polygon_rings(simplified if not simplified.is_empty else geom)
        unknown = pd.isna(the_value)
        colour = (
            NA_COLOUR if unknown else colour_for(float(the_value), low=low, high=high, scale=scale)
        )
        shown = "non disponible" if unknown else format_number(float(the_value), decimals=decimals)
        fig.add_trace(
            go.Scatter(
                x=x,
                y=y,
                mode="lines",
                fill="toself",
                fillcolor=colour,
                line={"color": "white", "width": 0.6},
                name="Donnée non disponible" if unknown else plotly_text(the_label),
                legendgroup="na" if unknown else None,
                showlegend=bool(unknown and not na_in_legend),
                hoveron="fills",
                text=(
                    f"<b>{plotly_text(the_label)}</b> ({plotly_text(the_code)})"
                    f"<br>{plotly_text(value_title)} : {shown}"
                ),
                hoverinfo="text",
            )
        )
        if unknown:
            na_in_legend = True
    # The colour bar: one invisible marker trace carrying the scale.
    fig.add_trace(
        colour_bar_trace(
            low=low,
            high=high,
            scale=scale,
            title=value_title,
            decimals=decimals,
            x=[(minx + maxx) / 2],
            y=[(miny + maxy) / 2],
            length=0.8,
            size=0.1,
        )
    )
    pad_x = max((maxx - minx) * 0.04, 0.01)
    pad_y = max((maxy - miny) * 0.04, 0.01)
    mid_lat = (miny + maxy) / 2
    layout = chart_layout(title, height)
    layout.update(
        hovermode="closest",
        dragmode="pan",
        margin={"l": 0, "r": 0, "t": 50 if title else 10, "b": 0},
        legend={"orientation": "h", "yanchor": "bottom", "y": 0.01, "x": 0.01},
        xaxis={"visible": False, "range": [minx - pad_x, maxx + pad_x]},
        yaxis={
            "visible": False,
            "range": [miny - pad_y, maxy + pad_y],
            "scaleanchor": "x",
            "scaleratio": 1 / math.cos(math.radians(mid_lat)),
        },
        meta={"without_geometry": without, "low": low, "high": high},
    )
    fig.update_layout(**layout)
    return fig
