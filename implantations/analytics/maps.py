"""Pure plotly map of Cnam sites: points on longitude / latitude axes, no tiles, nothing fetched.

The y axis is anchored to the x axis with a ratio of 1/cos(mean latitude), so a kilometre has
the same length in both directions around the map's centre (equirectangular view).
"""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go

from diagnostics.analytics.common import plotly_text

from .columns import (
    ACTIVE,
    COMMUNE,
    DETAIL,
    KIND,
    LATITUDE,
    LONGITUDE,
    NAME,
    POINT_COLUMNS,
    SITE_COLUMNS,
)

BLUE_FRANCE = "#000091"
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


def cnam_sites_figure(sites: pd.DataFrame, basins: pd.DataFrame | None = None) -> go.Figure:
    """Scatter map of the Cnam sites, and optionally of the basins' main towns.

    Input columns: `sites` SITE_COLUMNS (name, kind, commune, latitude, longitude, active);
    `basins` POINT_COLUMNS (name, detail, latitude, longitude). Rows without coordinates are
    left out. Traces: « Sites en activité », « Sites fermés » (only when there are some),
    « Bassins (ville principale) » (only when given and not empty).
    """
    _require(sites, SITE_COLUMNS, "sites Cnam")
    sites = sites.dropna(subset=[LATITUDE, LONGITUDE]).sort_values(NAME, kind="stable")
    figure = go.Figure()
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

    return lonlat_layout(
        figure, points[LONGITUDE], points[LATITUDE], height=480, axis={"showgrid": True}
    )


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
    )
    return figure
