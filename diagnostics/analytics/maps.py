"""Pure plotly map builders for basins: no tiles, no topojson, nothing fetched.

Polygons are drawn as `go.Scatter` traces with `fill="toself"` on plain x/y axes in longitude /
latitude (WGS84), the y axis scaled by 1/cos(latitude) so that a kilometre has the same length
on both axes around the map's centre (an equirectangular view, exact enough at basin scale and
valid overseas too, where Lambert 93 is not). Axes are hidden. Maps therefore render offline
with the plotly.js bundle served from our static files.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import shapely
from shapely.geometry.base import BaseGeometry

from .columns import CODE, GEOMETRY, LATITUDE, LONGITUDE, NAME, POPULATION
from .common import plotly_text
from .geometry import geometry_or_none
from .map_lycees import add_lycee_traces

MAP_COMMUNE_COLUMNS = [CODE, NAME, POPULATION, LATITUDE, LONGITUDE, GEOMETRY]

# DSFR colours: bleu France, rouge Marianne, vert émeraude (success), grey borders.
BLUE_FRANCE = "#000091"
BLUE_FRANCE_FILL = "rgba(0, 0, 145, 0.10)"
COMMUNE_LINE = "#6a6af4"
RED_MARIANNE = "#e1000f"
SITE_GREEN = "#18753c"
# Number of points a polygon outline keeps at most, roughly: the tolerance of the simplification
# is the map's extent divided by this.
SIMPLIFY_RESOLUTION = 1500
FRAME_PADDING = 0.06
NBSP = "\u202f"  # narrow no-break space, the French thousands separator


@dataclass(frozen=True)
class MapPoint:
    """A point to mark on the map (the main town, a Cnam site), WGS84."""

    label: str
    lon: float
    lat: float
    detail: str = ""


def format_population(value: Any) -> str:
    """French formatting of a head count: 20 827 (narrow no-break space), or « inconnue »."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "inconnue"
    return f"{int(value):,}".replace(",", NBSP)


def _polygons(geom: BaseGeometry) -> list[shapely.Polygon]:
    return [g for g in shapely.get_parts(geom) if g.geom_type == "Polygon"] + [
        p
        for g in shapely.get_parts(geom)
        if g.geom_type == "MultiPolygon"
        for p in shapely.get_parts(g)
    ]


def rings_xy(
    geom: BaseGeometry | None, *, interiors: bool = True
) -> tuple[list[float | None], list[float | None]]:
    """x (longitude) and y (latitude) lists of a (multi)polygon's rings, separated by None, as
    plotly draws several closed shapes in one trace. Holes are left out when `interiors` is
    False (a filled trace would otherwise paint them over)."""
    xs: list[float | None] = []
    ys: list[float | None] = []
    if geom is None or geom.is_empty:
        return xs, ys
    for polygon in _polygons(geom):
        rings = [polygon.exterior, *(polygon.interiors if interiors else [])]
        for ring in rings:
            coords = list(ring.coords)
            if not coords:
                continue
            if xs:
                xs.append(None)
                ys.append(None)
            xs.extend(float(c[0]) for c in coords)
            ys.extend(float(c[1]) for c in coords)
    return xs, ys


def _frame(
    geoms: Iterable[BaseGeometry | None], points: Iterable[tuple[float, float]]
) -> tuple[float, float, float, float] | None:
    minx = miny = math.inf
    maxx = maxy = -math.inf
    for geom in geoms:
        if geom is None or geom.is_empty:
            continue
        a, b, c, d = geom.bounds
        minx, miny, maxx, maxy = min(minx, a), min(miny, b), max(maxx, c), max(maxy, d)
    for lon, lat in points:
        minx, miny, maxx, maxy = min(minx, lon), min(miny, lat), max(maxx, lon), max(maxy, lat)
    if not math.isfinite(minx):
        return None
    return minx, miny, maxx, maxy


def _pad(
    frame: tuple[float, float, float, float], ratio: float
) -> tuple[float, float, float, float]:
    minx, miny, maxx, maxy = frame
    # A single point (or a degenerate frame) still gets about 2 km around it.
    dx = max((maxx - minx) * ratio, 0.02)
    dy = max((maxy - miny) * ratio, 0.02)
    return minx - dx, miny - dy, maxx + dx, maxy + dy


def _simplify(geom: BaseGeometry | None, tolerance: float) -> BaseGeometry | None:
    if geom is None or geom.is_empty or tolerance <= 0:
        return geom
    simplified = shapely.simplify(geom, tolerance, preserve_topology=True)
    return geom if simplified.is_empty else simplified


def _commune_points(communes: pd.DataFrame) -> pd.DataFrame:
    """Where to put each commune's hover marker: its centre, else a point inside its polygon."""
    lons: list[float | None] = []
    lats: list[float | None] = []
    for lon, lat, geom in zip(
        communes[LONGITUDE], communes[LATITUDE], communes[GEOMETRY], strict=True
    ):
        if lon is not None and lat is not None and not (pd.isna(lon) or pd.isna(lat)):
            lons.append(float(lon))
            lats.append(float(lat))
        elif geom is not None:
            point = geom.representative_point()
            lons.append(float(point.x))
            lats.append(float(point.y))
        else:
            lons.append(None)
            lats.append(None)
    return communes.assign(
        _lon=pd.Series(lons, index=communes.index, dtype=object),
        _lat=pd.Series(lats, index=communes.index, dtype=object),
    )


def basin_map_figure(
    *,
    communes: pd.DataFrame,
    basin_geometry: BaseGeometry | dict[str, Any] | None = None,
    main_town: MapPoint | None = None,
    site: MapPoint | None = None,
    lycees: pd.DataFrame | None = None,
    height: int = 520,
) -> go.Figure:
    """Map of a basin: its outline filled, its communes' outlines, a hover marker per commune
    (name, INSEE code, population), its lycées, the main town, and the nearest Cnam site when it
    lies within the frame of the basin.

    Input columns of `communes` (one row per commune): code, name, population (int or None),
    latitude, longitude (WGS84, may be None), geometry (shapely geometry, GeoJSON dict or None).
    `lycees`: the columns of `analytics.lycees.LYCEE_COLUMNS`; those without coordinates are
    counted, not drawn, and lycées never widen the frame (a wrong coordinate would zoom out).

    Traces, in this order and each only when there is something to draw: « Bassin » (filled
    outline), « Communes » (outlines), « Communes (survol) » (markers), one « Lycée (…) » trace
    per track category (`LYCEE_TRACE_NAMES`: official vocational, technological, general only,
    unpublished), « Site Cnam le plus proche », « Ville principale » (last: on top). Layout
    metadata: `meta.site_in_frame` says whether the site was drawn, `meta.lycees` how many
    lycées of each category were drawn, `meta.lycees_without_coordinates` how many were not.
    """
    missing = [c for c in MAP_COMMUNE_COLUMNS if c not in communes.columns]
    if missing:
        raise ValueError(f"Colonnes manquantes pour la carte : {', '.join(missing)}")

    shapes = pd.Series(
        [geometry_or_none(g) for g in communes[GEOMETRY]], index=communes.index, dtype=object
    )
    communes = communes.assign(**{GEOMETRY: shapes})
    outline = geometry_or_none(basin_geometry)
    communes = _commune_points(communes)

    main_points = [(main_town.lon, main_town.lat)] if main_town else []
    marker_points = [
        (float(x), float(y))
        for x, y in zip(communes["_lon"], communes["_lat"], strict=True)
        if x is not None and y is not None and not (pd.isna(x) or pd.isna(y))
    ]
    frame = _frame([outline, *communes[GEOMETRY]], [*main_points, *marker_points])

    fig = go.Figure()
    site_in_frame = False
    if frame is None:
        fig.update_layout(
            height=height,
            xaxis={"visible": False},
            yaxis={"visible": False},
            annotations=[
                {
                    "text": "Aucun contour ni centre de commune à afficher",
                    "showarrow": False,
                    "xref": "paper",
                    "yref": "paper",
                    "x": 0.5,
                    "y": 0.5,
                }
            ],
            meta={"site_in_frame": False, "lycees": {}, "lycees_without_coordinates": 0},
        )
        return fig

    extent = max(frame[2] - frame[0], frame[3] - frame[1])
    tolerance = extent / SIMPLIFY_RESOLUTION

    if outline is not None:
        x, y = rings_xy(_simplify(outline, tolerance), interiors=False)
        fig.add_trace(
            go.Scatter(
                x=x,
                y=y,
                name="Bassin",
                mode="lines",
                fill="toself",
                fillcolor=BLUE_FRANCE_FILL,
                line={"color": BLUE_FRANCE, "width": 2.5},
                hoverinfo="skip",
            )
        )

    commune_x: list[float | None] = []
    commune_y: list[float | None] = []
    for geom in communes[GEOMETRY]:
        x, y = rings_xy(_simplify(geom, tolerance))
        if not x:
            continue
        if commune_x:
            commune_x.append(None)
            commune_y.append(None)
        commune_x.extend(x)
        commune_y.extend(y)
    if commune_x:
        fig.add_trace(
            go.Scatter(
                x=commune_x,
                y=commune_y,
                name="Communes",
                mode="lines",
                line={"color": COMMUNE_LINE, "width": 0.8},
                hoverinfo="skip",
            )
        )

    located = communes[communes["_lon"].notna()]
    if len(located):
        fig.add_trace(
            go.Scatter(
                x=[float(v) for v in located["_lon"]],
                y=[float(v) for v in located["_lat"]],
                name="Communes (survol)",
                mode="markers",
                marker={"size": 5, "color": COMMUNE_LINE, "opacity": 0.55},
                customdata=[
                    [plotly_text(n), plotly_text(c), format_population(p)]
                    for n, c, p in zip(
                        located[NAME], located[CODE], located[POPULATION], strict=True
                    )
                ],
                hovertemplate=(
                    "<b>%{customdata[0]}</b><br>Code INSEE : %{customdata[1]}"
                    "<br>Population : %{customdata[2]}<extra></extra>"
                ),
                showlegend=False,
            )
        )

    lycee_counts, lycees_unlocated = add_lycee_traces(fig, lycees)

    minx, miny, maxx, maxy = _pad(frame, FRAME_PADDING)
    if site is not None and minx <= site.lon <= maxx and miny <= site.lat <= maxy:
        site_in_frame = True
        fig.add_trace(
            go.Scatter(
                x=[site.lon],
                y=[site.lat],
                name="Site Cnam le plus proche",
                mode="markers+text",
                marker={"symbol": "square", "size": 12, "color": SITE_GREEN},
                text=[plotly_text(site.label)],
                textposition="bottom center",
                textfont={"color": SITE_GREEN, "size": 12},
                hovertemplate=(
                    f"<b>{plotly_text(site.label)}</b><br>{plotly_text(site.detail)}<extra></extra>"
                ),
            )
        )

    if main_town is not None:
        fig.add_trace(
            go.Scatter(
                x=[main_town.lon],
                y=[main_town.lat],
                name="Ville principale",
                mode="markers+text",
                marker={
                    "symbol": "star",
                    "size": 16,
                    "color": RED_MARIANNE,
                    "line": {"color": "white", "width": 1},
                },
                text=[plotly_text(main_town.label)],
                textposition="top center",
                textfont={"color": "#161616", "size": 13},
                hovertemplate=(
                    f"<b>{plotly_text(main_town.label)}</b><br>{plotly_text(main_town.detail)}"
                    "<extra></extra>"
                ),
            )
        )

    mid_lat = (miny + maxy) / 2
    fig.update_layout(
        height=height,
        margin={"l": 0, "r": 0, "t": 0, "b": 0},
        plot_bgcolor="white",
        paper_bgcolor="white",
        dragmode="pan",
        hovermode="closest",
        separators=", ",
        # Below the map (plotly widens the bottom margin for it): with the lycées' entries, a
        # legend inside the frame would cover the south of the basin.
        legend={
            "orientation": "h",
            "yanchor": "top",
            "y": -0.01,
            "xanchor": "left",
            "x": 0.0,
            "bgcolor": "rgba(255,255,255,0.8)",
        },
        xaxis={"visible": False, "range": [minx, maxx]},
        yaxis={
            "visible": False,
            "range": [miny, maxy],
            "scaleanchor": "x",
            "scaleratio": 1 / math.cos(math.radians(mid_lat)),
        },
        meta={
            "site_in_frame": site_in_frame,
            "lycees": lycee_counts,
            "lycees_without_coordinates": lycees_unlocated,
        },
    )
    return fig
