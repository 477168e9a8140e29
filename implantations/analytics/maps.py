"""Pure plotly map of Cnam sites on the outlines of the regions: no tiles, nothing fetched.

The regions are drawn from the boundaries already in the database (the union of their zones
d'emploi, `region_outlines`), with their names; the axes (degrees) are hidden. The y axis is
anchored to the x axis with a ratio of 1/cos(mean latitude), so a kilometre has the same length
in both directions around the map's centre (equirectangular view).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from diagnostics.analytics.common import plotly_text

from .columns import (
    ACTIVE,
    COMMUNE,
    DETAIL,
    GEOMETRY,
    KIND,
    LATITUDE,
    LONGITUDE,
    NAME,
    OUTLINE_COLUMNS,
    OUTLINE_SOURCE_COLUMNS,
    POINT_COLUMNS,
    REGION,
    SITE_COLUMNS,
)

BLUE_FRANCE = "#000091"
OUTLINE_GREY = "#929292"
LABEL_GREY = "#3a3a3a"  # 11:1 on white: region names stay readable
# Degrees: ~1 km, enough for a map of France a few hundred pixels wide.
OUTLINE_TOLERANCE_DEG = 0.01
GREY = "#929292"
RED_MARIANNE = "#e1000f"
# Margin around the points, as a share of their extent, and at least this many degrees.
PADDING_SHARE = 0.08
PADDING_MIN_DEG = 0.3


def _require(frame: pd.DataFrame, columns: list[str], what: str) -> None:
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise ValueError(f"{what} : colonnes manquantes {missing}")


def lat_scale_ratio(latitudes: pd.Series) -> float:
    """Pixels per degree of latitude relative to a degree of longitude: 1/cos(mean latitude)."""
    values = latitudes.dropna()
    if values.empty:
        return 1.0
    return 1.0 / math.cos(math.radians(float(values.mean())))


def axis_ranges(
    longitudes: pd.Series, latitudes: pd.Series
) -> tuple[tuple[float, float], tuple[float, float]] | None:
    """(lon range, lat range) framing the points with a margin; None without points."""
    lon = longitudes.dropna()
    lat = latitudes.dropna()
    if lon.empty or lat.empty:
        return None
    pad_lon = max((lon.max() - lon.min()) * PADDING_SHARE, PADDING_MIN_DEG)
    pad_lat = max((lat.max() - lat.min()) * PADDING_SHARE, PADDING_MIN_DEG)
    return (
        (float(lon.min() - pad_lon), float(lon.max() + pad_lon)),
        (float(lat.min() - pad_lat), float(lat.max() + pad_lat)),
    )


def _geometry(value: Any) -> BaseGeometry | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    geom = value if isinstance(value, BaseGeometry) else shape(value)
    if not geom.is_valid:
        geom = shapely.make_valid(geom)
    return None if geom.is_empty else geom


def region_outlines(
    pieces: pd.DataFrame, *, tolerance: float = OUTLINE_TOLERANCE_DEG
) -> pd.DataFrame:
    """One outline per region: the union of its pieces (zones d'emploi, communes…), simplified.

    Input OUTLINE_SOURCE_COLUMNS (region, geometry as GeoJSON dict or shapely, WGS84); rows
    without a region or a geometry are left out. Output OUTLINE_COLUMNS (region, geometry,
    longitude and latitude of a point inside it, where the name is written), sorted by region.
    """
    _require(pieces, OUTLINE_SOURCE_COLUMNS, "contours des régions")
    rows = []
    for region, part in pieces.dropna(subset=[REGION]).groupby(REGION, sort=True):
        geoms = [g for g in (_geometry(v) for v in part[GEOMETRY]) if g is not None]
        if not geoms:
            continue
        union = shapely.union_all([shapely.simplify(g, tolerance / 2) for g in geoms])
        union = shapely.simplify(union, tolerance, preserve_topology=True)
        inside = union.representative_point()
        rows.append((str(region), union, float(inside.x), float(inside.y)))
    return pd.DataFrame.from_records(rows, columns=OUTLINE_COLUMNS)


def _outline_xy(geom: BaseGeometry) -> tuple[list[float | None], list[float | None]]:
    xs: list[float | None] = []
    ys: list[float | None] = []
    polygons = list(getattr(geom, "geoms", [geom]))
    for polygon in polygons:
        if polygon.geom_type != "Polygon":
            continue
        for ring in (polygon.exterior, *polygon.interiors):
            if xs:
                xs.append(None)
                ys.append(None)
            xs.extend(float(c[0]) for c in ring.coords)
            ys.extend(float(c[1]) for c in ring.coords)
    return xs, ys


def joined_xy(
    geoms: Iterable[Any], rings: Callable[[Any], tuple[list[float | None], list[float | None]]]
) -> tuple[list[float | None], list[float | None]]:
    """The x and y of every geometry's rings (`rings` reads one geometry), as one line trace:
    None between two geometries."""
    xs: list[float | None] = []
    ys: list[float | None] = []
    for geom in geoms:
        x, y = rings(geom)
        if x and xs:
            xs.append(None)
            ys.append(None)
        xs += x
        ys += y
    return xs, ys


def _add_region_traces(figure: go.Figure, regions: pd.DataFrame) -> None:
    xs, ys = joined_xy(regions[GEOMETRY], _outline_xy)
    figure.add_trace(
        go.Scatter(
            x=xs,
            y=ys,
            mode="lines",
            name="Limites des régions",
            line={"color": OUTLINE_GREY, "width": 1},
            fill="none",
            hoverinfo="skip",
        )
    )
    figure.add_trace(
        go.Scatter(
            x=regions[LONGITUDE].tolist(),
            y=regions[LATITUDE].tolist(),
            mode="text",
            text=regions[REGION].tolist(),
            textfont={"size": 11, "color": LABEL_GREY},
            name="Régions",
            showlegend=False,
            hoverinfo="skip",
        )
    )


def cnam_sites_figure(
    sites: pd.DataFrame,
    basins: pd.DataFrame | None = None,
    regions: pd.DataFrame | None = None,
) -> go.Figure:
    """Map of the Cnam sites, optionally of the basins' main towns, on the regions' outlines.

    Input columns: `sites` SITE_COLUMNS (name, kind, commune, latitude, longitude, active);
    `basins` POINT_COLUMNS (name, detail, latitude, longitude); `regions` OUTLINE_COLUMNS
    (`region_outlines`). Rows without coordinates are left out. Traces: « Limites des
    régions » and their names (only when regions are given), « Sites en activité », « Sites
    fermés » (only when there are some), « Bassins (ville principale) » (only when given and not
    empty). With regions the degree axes are hidden and the frame takes in all of them.
    """
    _require(sites, SITE_COLUMNS, "sites Cnam")
    sites = sites.dropna(subset=[LATITUDE, LONGITUDE]).sort_values(NAME, kind="stable")
    figure = go.Figure()
    with_regions = regions is not None and not regions.empty
    if regions is not None and with_regions:
        _require(regions, OUTLINE_COLUMNS, "contours des régions")
        _add_region_traces(figure, regions)
    for active, label, color, symbol in (
        (True, "Sites Cnam en activité", BLUE_FRANCE, "circle"),
        (False, "Sites Cnam fermés", GREY, "circle-open"),
    ):
        part = sites[sites[ACTIVE] == active]
        if part.empty:
            continue
        hover = [
            f"<b>{plotly_text(row[NAME])}</b><br>{plotly_text(row[KIND])}"
            + (f"<br>{plotly_text(row[COMMUNE])}" if row[COMMUNE] else "")
            for _, row in part.iterrows()
        ]
        figure.add_trace(
            go.Scatter(
                x=part[LONGITUDE].tolist(),
                y=part[LATITUDE].tolist(),
                mode="markers",
                name=label,
                marker={
                    # Larger than the basins' diamonds drawn over them: a site in a basin's
                    # main town shows as a ring around the diamond.
                    "size": 17,
                    "color": color,
                    "symbol": symbol,
                    "line": {"width": 1, "color": "white"},
                },
                hovertext=hover,
                hoverinfo="text",
            )
        )
    points = sites
    if basins is not None:
        _require(basins, POINT_COLUMNS, "bassins")
        basins = basins.dropna(subset=[LATITUDE, LONGITUDE]).sort_values(NAME, kind="stable")
        if not basins.empty:
            figure.add_trace(
                go.Scatter(
                    x=basins[LONGITUDE].tolist(),
                    y=basins[LATITUDE].tolist(),
                    mode="markers",
                    name="Bassins (ville principale)",
                    marker={
                        "size": 9,
                        "color": RED_MARIANNE,
                        "symbol": "diamond",
                        "line": {"width": 1, "color": "white"},
                    },
                    hovertext=[
                        f"<b>{plotly_text(n)}</b><br>{plotly_text(d)}"
                        for n, d in zip(basins[NAME], basins[DETAIL], strict=True)
                    ],
                    hoverinfo="text",
                )
            )
            points = pd.concat([sites[[LATITUDE, LONGITUDE]], basins[[LATITUDE, LONGITUDE]]])

    if regions is not None and with_regions:
        # The frame takes in the regions' outlines (their bounds as two corner points).
        bounds = shapely.union_all(list(regions[GEOMETRY])).bounds
        corners = pd.DataFrame(
            {LONGITUDE: [bounds[0], bounds[2]], LATITUDE: [bounds[1], bounds[3]]}
        )
        points = pd.concat([points[[LATITUDE, LONGITUDE]], corners[[LATITUDE, LONGITUDE]]])
    # With the regions' outlines the map reads as a map: no degree axes.
    axis: dict[str, object] = (
        {"visible": False, "showgrid": False} if with_regions else {"showgrid": True}
    )
    return lonlat_layout(figure, points[LONGITUDE], points[LATITUDE], height=480, axis=axis)


def lonlat_layout(
    figure: go.Figure,
    lon: pd.Series,
    lat: pd.Series,
    *,
    height: int,
    axis: dict[str, object] | None = None,
) -> go.Figure:
    """Lay out a longitude / latitude scatter map: axes titled in degrees, the latitude scaled
    to keep distances true at the points' mean latitude, ranges around the points; `axis`
    adds the same properties to both axes."""
    ranges = axis_ranges(lon, lat)
    xaxis: dict[str, object] = {
        "title": {"text": "longitude (°)"},
        "zeroline": False,
        **(axis or {}),
    }
    yaxis: dict[str, object] = {
        "title": {"text": "latitude (°)"},
        "zeroline": False,
        **(axis or {}),
        "scaleanchor": "x",
        "scaleratio": lat_scale_ratio(lat),
    }
    if ranges is not None:
        xaxis["range"] = list(ranges[0])
        yaxis["range"] = list(ranges[1])
    figure.update_layout(
        xaxis=xaxis,
        yaxis=yaxis,
        template="plotly_white",
        margin={"l": 50, "r": 10, "t": 10, "b": 40},
        legend={"orientation": "h", "y": -0.12},
        height=height,
        hovermode="closest",
        separators=", ",
    )
    return figure
