"""Pure plotly figures of the programme dashboard (issue 18): no tiles, nothing fetched.

- `programme_timeline_figure`: cumulative projects launched and sites open per year (bars)
  against the targets (lines with markers; a year without target has no point).
- `programme_map_figure`: the implantation projects at their basin's main town, coloured by
  status, and the existing Cnam sites, on the regions' outlines (`maps.region_outlines`).
  Metropolitan France fills the main axes; each overseas region with a point or an outline
  (Guadeloupe, Martinique, Guyane, La Réunion, Mayotte) gets its own small axes at the left,
  at its own scale, as in the national atlas.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import shapely

from diagnostics.analytics.common import format_number, plotly_text

from . import programme as pg
from .maps import BLUE_FRANCE, GREY, LABEL_GREY, OUTLINE_GREY, joined_xy

STATUS_COLOURS = {
    pg.STATUS_STUDY: "#b34000",  # DSFR warning 425
    pg.STATUS_CONVENTION: "#a558a0",
    pg.STATUS_OPENING: "#18753c",  # DSFR success 425
    pg.STATUS_SELF_FINANCED: BLUE_FRANCE,
}
STATUS_SYMBOLS = {
    pg.STATUS_STUDY: "circle-open",
    pg.STATUS_CONVENTION: "square",
    pg.STATUS_OPENING: "circle",
    pg.STATUS_SELF_FINANCED: "star",
}
SITE_COLOUR = GREY
FONT = {"family": "Marianne, Arial, sans-serif", "size": 13, "color": "#161616"}

# Map columns -----------------------------------------------------------------------------------
AREA = "area"
REGION_CODE = pg.REGION_CODE
NAME = pg.NAME
DETAIL = "detail"
STATUS = pg.STATUS
LATITUDE = pg.LATITUDE
LONGITUDE = pg.LONGITUDE
GEOMETRY = "geometry"
MAP_PROJECT_COLUMNS = [NAME, DETAIL, STATUS, REGION_CODE, LATITUDE, LONGITUDE]
MAP_SITE_COLUMNS = [NAME, DETAIL, REGION_CODE, LATITUDE, LONGITUDE]
MAP_OUTLINE_COLUMNS = [REGION_CODE, NAME, GEOMETRY, LONGITUDE, LATITUDE]

# Overseas regions drawn as insets, in this order (INSEE region codes), as in the atlas.
OVERSEAS = {
    "01": "Guadeloupe",
    "02": "Martinique",
    "03": "Guyane",
    "04": "La Réunion",
    "06": "Mayotte",
}
METROPOLE = "metropole"


def _require(frame: pd.DataFrame, columns: list[str], what: str) -> None:
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise ValueError(f"{what} : colonnes manquantes {missing}")


# --- Timeline ------------------------------------------------------------------------------------
def programme_timeline_figure(timeline: pd.DataFrame, *, height: int = 380) -> go.Figure:
    """Bars: projects launched and sites open (cumulative, end of year); lines: their targets.

    Input TIMELINE_COLUMNS (`programme.programme_timeline`)."""
    _require(timeline, pg.TIMELINE_COLUMNS, "la chronologie")
    years = [str(int(y)) for y in timeline[pg.YEAR]]
    figure = go.Figure()
    for column, label, colour in (
        (pg.PLANNED_ACTUAL, "Projets lancés (réalisé)", "#cacafb"),
        (pg.OPEN_ACTUAL, "Sites ouverts (réalisé)", BLUE_FRANCE),
    ):
        values = [int(v) for v in timeline[column]]
        figure.add_trace(
            go.Bar(
                x=years,
                y=values,
                name=label,
                marker={"color": colour},
                text=[format_number(v) for v in values],
                textposition="outside",
                hovertemplate="%{x} : %{y}<extra>" + label + "</extra>",
            )
        )
    for column, label, colour, dash in (
        (pg.PLANNED_TARGET, "Objectif de projets lancés", "#6a6af4", "dot"),
        (pg.OPEN_TARGET, "Objectif de sites ouverts", "#e1000f", "dash"),
    ):
        targets: list[int | None] = [None if pd.isna(v) else int(v) for v in timeline[column]]
        if all(v is None for v in targets):
            continue
        figure.add_trace(
            go.Scatter(
                x=years,
                y=targets,
                mode="lines+markers",
                name=label,
                line={"color": colour, "dash": dash, "width": 2},
                marker={"size": 8},
                connectgaps=False,
                hovertemplate="%{x} : %{y}<extra>" + label + "</extra>",
            )
        )
    figure.update_layout(
        height=height,
        barmode="group",
        template="plotly_white",
        separators=", ",
        font=FONT,
        margin={"l": 50, "r": 10, "t": 20, "b": 40},
        legend={"orientation": "h", "y": -0.15},
        xaxis={"type": "category", "title": {"text": "fin de l'année"}},
        yaxis={"title": {"text": "nombre (cumul)"}, "rangemode": "tozero"},
        hovermode="x unified",
    )
    return figure


# --- Map -----------------------------------------------------------------------------------------
def _area(region_code: Any) -> str:
    code = str(region_code or "")
    return code if code in OVERSEAS else METROPOLE


def _rings_xy(geom: Any) -> tuple[list[float | None], list[float | None]]:
    xs: list[float | None] = []
    ys: list[float | None] = []
    for polygon in shapely.get_parts(geom):
        if polygon.geom_type != "Polygon" or polygon.is_empty:
            continue
        if xs:
            xs.append(None)
            ys.append(None)
        xs.extend(float(c[0]) for c in polygon.exterior.coords)
        ys.extend(float(c[1]) for c in polygon.exterior.coords)
    return xs, ys


def _bounds(
    lons: list[float], lats: list[float], geoms: list[Any]
) -> tuple[float, float, float, float] | None:
    xs, ys = list(lons), list(lats)
    for geom in geoms:
        minx, miny, maxx, maxy = geom.bounds
        xs += [minx, maxx]
        ys += [miny, maxy]
    if not xs:
        return None
    return min(xs), min(ys), max(xs), max(ys)


def programme_map_figure(
    projects: pd.DataFrame,
    sites: pd.DataFrame,
    outlines: pd.DataFrame,
    *,
    status_labels: dict[str, str],
    height: int = 560,
) -> go.Figure:
    """The map of the programme (see the module docstring).

    Input: `projects` MAP_PROJECT_COLUMNS (one point per project, status a code of
    `status_labels`), `sites` MAP_SITE_COLUMNS (existing Cnam sites), `outlines`
    MAP_OUTLINE_COLUMNS (region outlines, shapely WGS84). Rows without coordinates are left out
    and counted in layout.meta.without_position. One legend entry per status present."""
    _require(projects, MAP_PROJECT_COLUMNS, "carte du programme (projets)")
    _require(sites, MAP_SITE_COLUMNS, "carte du programme (sites)")
    _require(outlines, MAP_OUTLINE_COLUMNS, "carte du programme (régions)")
    located = projects.dropna(subset=[LATITUDE, LONGITUDE])
    sites = sites.dropna(subset=[LATITUDE, LONGITUDE])
    points_area = pd.concat([located[[REGION_CODE]].map(_area), sites[[REGION_CODE]].map(_area)])[
        REGION_CODE
    ]
    outline_area = outlines[REGION_CODE].map(_area)
    present = set(points_area) | set(outline_area)
    areas = [METROPOLE, *[code for code in OVERSEAS if code in present]]
    insets = [a for a in areas if a != METROPOLE]
    slot = 1.0 / max(len(insets), 1)
    figure = go.Figure()
    layout: dict[str, Any] = {
        "height": height,
        "margin": {"l": 0, "r": 0, "t": 10, "b": 0},
        "plot_bgcolor": "white",
        "paper_bgcolor": "white",
        "separators": ", ",
        "font": FONT,
        "hovermode": "closest",
        "dragmode": "pan",
        "legend": {"orientation": "h", "yanchor": "top", "y": -0.01, "x": 0.0},
        "annotations": [],
        "meta": {"without_position": int(len(projects) - len(located))},
    }
    in_legend: set[str] = set()
    for index, area in enumerate(areas):
        axis = "" if index == 0 else str(index + 1)
        where = {"xaxis": f"x{axis}", "yaxis": f"y{axis}"}
        part_outlines = outlines[outline_area == area]
        part_projects = located[located[REGION_CODE].map(_area) == area]
        part_sites = sites[sites[REGION_CODE].map(_area) == area]
        if not part_outlines.empty:
            xs, ys = joined_xy(part_outlines[GEOMETRY], _rings_xy)
            figure.add_trace(
                go.Scatter(
                    x=xs, y=ys, mode="lines", fill="toself", fillcolor="#f6f6f6",
                    line={"color": OUTLINE_GREY, "width": 0.8}, hoverinfo="skip",
                    name="Régions", showlegend=False, **where,
                )
            )  # fmt: skip
            if area == METROPOLE:
                figure.add_trace(
                    go.Scatter(
                        x=part_outlines[LONGITUDE].tolist(),
                        y=part_outlines[LATITUDE].tolist(),
                        mode="text",
                        text=[plotly_text(n) for n in part_outlines[NAME]],
                        textfont={"size": 10, "color": LABEL_GREY},
                        hoverinfo="skip",
                        showlegend=False,
                        **where,
                    )
                )
        if not part_sites.empty:
            figure.add_trace(
                go.Scatter(
                    x=part_sites[LONGITUDE].tolist(),
                    y=part_sites[LATITUDE].tolist(),
                    mode="markers",
                    name="Sites Cnam existants",
                    legendgroup="sites",
                    showlegend="sites" not in in_legend,
                    # An open ring, larger than the projects' markers drawn over it: a project
                    # in a town with a Cnam site shows inside the ring.
                    marker={"size": 24, "color": SITE_COLOUR, "symbol": "circle-open",
                            "line": {"width": 2, "color": SITE_COLOUR}},
                    hovertext=[
                        f"<b>{plotly_text(n)}</b><br>{plotly_text(d)}"
                        for n, d in zip(part_sites[NAME], part_sites[DETAIL], strict=True)
                    ],
                    hoverinfo="text",
                    **where,
                )
            )  # fmt: skip
            in_legend.add("sites")
        for status, label in status_labels.items():
            part = part_projects[part_projects[STATUS] == status]
            if part.empty:
                continue
            figure.add_trace(
                go.Scatter(
                    x=part[LONGITUDE].tolist(),
                    y=part[LATITUDE].tolist(),
                    mode="markers",
                    name=f"Projet : {label}",
                    legendgroup=status,
                    showlegend=status not in in_legend,
                    marker={
                        "size": 14,
                        "color": STATUS_COLOURS.get(status, GREY),
                        "symbol": STATUS_SYMBOLS.get(status, "circle"),
                        "line": {"width": 2 if status == pg.STATUS_STUDY else 1,
                                 "color": STATUS_COLOURS.get(status, GREY)
                                 if status == pg.STATUS_STUDY else "white"},
                    },
                    hovertext=[
                        f"<b>{plotly_text(n)}</b><br>{plotly_text(d)}<br>{plotly_text(label)}"
                        for n, d in zip(part[NAME], part[DETAIL], strict=True)
                    ],
                    hoverinfo="text",
                    **where,
                )
            )  # fmt: skip
            in_legend.add(status)
        bounds = _bounds(
            [*part_projects[LONGITUDE].tolist(), *part_sites[LONGITUDE].tolist()],
            [*part_projects[LATITUDE].tolist(), *part_sites[LATITUDE].tolist()],
            list(part_outlines[GEOMETRY]),
        )
        if bounds is None:
            continue
        minx, miny, maxx, maxy = bounds
        pad = max(maxx - minx, maxy - miny) * 0.04 + 0.1
        ratio = 1 / math.cos(math.radians((miny + maxy) / 2))
        if area == METROPOLE:
            domain_x, domain_y = [0.2 if insets else 0.0, 1.0], [0.0, 1.0]
        else:
            position = insets.index(area)
            top = 1.0 - position * slot
            domain_x, domain_y = [0.0, 0.18], [max(top - slot + 0.03, 0.0), top - 0.03]
            layout["annotations"].append(
                {"text": OVERSEAS[area], "xref": "paper", "yref": "paper", "x": 0.0,
                 "y": top - 0.005, "xanchor": "left", "yanchor": "top", "showarrow": False,
                 "font": {"size": 11}}
            )  # fmt: skip
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
    if not len(located) and not len(sites):
        layout["annotations"].append(
            {"text": "Aucun site à afficher", "showarrow": False, "xref": "paper",
             "yref": "paper", "x": 0.5, "y": 0.5}
        )  # fmt: skip
    figure.update_layout(**layout)
    return figure
