"""Pure plotly figures of the national planning (issue 16): nothing fetched, no tiles.

- `national_plan_figure`: the candidate basins of France filled by programme fit — the national
  atlas' choropleth (`diagnostics.analytics.atlas.atlas_figure`: metropolitan France, the
  overseas regions as insets) — with the chosen sites (red stars) and the existing Cnam sites
  (black squares) placed on the map or inset that contains them.
- `tradeoff_figure`: coverage of the population and of the recruitment projects against the
  budget (or the number of sites), the current choice marked.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import plotly.graph_objects as go

from diagnostics.analytics.atlas import atlas_figure
from diagnostics.analytics.common import plotly_text

from . import planning_columns as pc
from . import planning_national as nat
from .honesty import format_figure
from .maps import BLUE_FRANCE, RED_MARIANNE
from .planning_maps import FIT_SCALE

MAP_COLUMNS = ["code", "name", "region_code", "geometry", pc.FIT, pc.LATITUDE, pc.LONGITUDE]
CHOSEN = "selected"
RANKED = "ranked"  # optional bool: False → filled grey, not coloured by its fit
NOT_RANKED_LABEL = "Non classé (inéligible ou données insuffisantes)"
GREEN = "#18753c"


def _axes(figure: go.Figure) -> list[tuple[str, tuple[float, float], tuple[float, float]]]:
    """(suffix, x range, y range) of each map or inset of an atlas figure."""
    out = []
    layout = figure.layout.to_plotly_json()
    for key, axis in layout.items():
        if not key.startswith("xaxis") or not axis.get("range"):
            continue
        suffix = key[len("xaxis") :]
        y = layout.get(f"yaxis{suffix}", {}).get("range")
        if y:
            out.append((suffix, tuple(axis["range"]), tuple(y)))
    return out


def _placed(figure: go.Figure, lons: list[float], lats: list[float]) -> dict[str, list[int]]:
    """Axis suffix → positions of the points that fall inside that map or inset."""
    out: dict[str, list[int]] = {}
    axes = _axes(figure)
    for k, (lon, lat) in enumerate(zip(lons, lats, strict=True)):
        for suffix, (x0, x1), (y0, y1) in axes:
            if x0 <= lon <= x1 and y0 <= lat <= y1:
                out.setdefault(suffix, []).append(k)
                break
    return out


def national_plan_figure(frame: pd.DataFrame, *, sites: pd.DataFrame) -> go.Figure:
    """The map of the national planning. Input: `frame` MAP_COLUMNS (+ `selected` bool; the
    geometry as GeoJSON or shapely, WGS84; code, name, region_code of each basin), `sites`
    SITE_POINT_COLUMNS (active Cnam sites). Basins are coloured by fit (grey when not shown or
    not `ranked`), chosen main towns are stars, Cnam sites squares. layout.meta.off_map counts the
    points that fall on no map nor inset."""
    pc.require_columns(frame, MAP_COLUMNS, "les candidats de la carte")
    pc.require_columns(sites, pc.SITE_POINT_COLUMNS, "les sites Cnam")
    # Drawn in this order (the last on top, where registered basins overlap zones): not ranked,
    # ranked, chosen.
    order = pd.Series(0, index=frame.index)
    if RANKED in frame.columns:
        order = order + frame[RANKED].fillna(False).astype(bool).astype(int)
    if CHOSEN in frame.columns:
        order = order + 2 * frame[CHOSEN].fillna(False).astype(bool).astype(int)
    frame = frame.assign(_order=order).sort_values(["_order", "code"], kind="mergesort")
    shown = pd.to_numeric(frame[pc.FIT], errors="coerce")
    if RANKED in frame.columns:
        shown = shown.where(frame[RANKED].fillna(False).astype(bool))
    figure = atlas_figure(
        frame.assign(_fit=shown),
        value="_fit",
        value_title="Adéquation (sur 100)",
        decimals=1,
        scale=FIT_SCALE,
        height=680,
    )
    for trace in figure.data:
        if trace.name == "Donnée non disponible":
            trace.name = NOT_RANKED_LABEL
    chosen_mask = (
        frame[CHOSEN].fillna(False).astype(bool)
        if CHOSEN in frame.columns
        else pd.Series(False, index=frame.index)
    )
    chosen = frame[chosen_mask].dropna(subset=[pc.LATITUDE, pc.LONGITUDE])
    off_map = 0
    layers: list[tuple[pd.DataFrame, dict[str, Any], str]] = [
        (
            sites.dropna(subset=[pc.LATITUDE, pc.LONGITUDE]),
            {"size": 11, "symbol": "square", "color": "#161616", "line": {"width": 1.5,
             "color": "white"}},
            "Sites Cnam existants",
        ),
        (
            chosen,
            {"size": 17, "symbol": "star", "color": RED_MARIANNE, "line": {"width": 1,
             "color": "white"}},
            "Sites proposés",
        ),
    ]  # fmt: skip
    for points, marker, label in layers:
        if points.empty:
            continue
        lons = points[pc.LONGITUDE].astype(float).tolist()
        lats = points[pc.LATITUDE].astype(float).tolist()
        names = points[pc.NAME].astype(str).tolist() if pc.NAME in points else ["site"] * len(lons)
        placed = _placed(figure, lons, lats)
        off_map += len(lons) - sum(len(v) for v in placed.values())
        first = True
        for suffix, positions in placed.items():
            figure.add_trace(
                go.Scatter(
                    x=[lons[k] for k in positions],
                    y=[lats[k] for k in positions],
                    xaxis=f"x{suffix}",
                    yaxis=f"y{suffix}",
                    mode="markers",
                    name=label,
                    legendgroup=label,
                    showlegend=first,
                    marker=marker,
                    hoverinfo="text",
                    hovertext=[
                        f"<b>{plotly_text(names[k])}</b><br>"
                        + ("site proposé" if label == "Sites proposés" else "site Cnam")
                        for k in positions
                    ],
                )
            )
            first = False
    meta = dict(figure.layout.meta or {})
    meta["off_map"] = off_map
    figure.update_layout(meta=meta)
    return figure


def _percent_text(value: Any) -> str:
    return "—" if value is None or pd.isna(value) else f"{format_figure(float(value) * 100)} %"


def tradeoff_figure(curve: pd.DataFrame) -> go.Figure:
    """Coverage of the population and of the recruitment projects (% of France's) at each point
    of the curve (TRADEOFF_COLUMNS), against the budget (k€) or the number of sites; the
    current choice is circled. Hover: sites, cost, covered need and the bound on the gap."""
    pc.require_columns(curve, nat.TRADEOFF_COLUMNS, "la courbe de compromis")
    frame = curve.sort_values(nat.STEP, kind="mergesort")
    by_budget = bool(len(frame)) and frame[nat.AXIS].iloc[0] == nat.AXIS_BUDGET
    x = (frame[nat.STEP] / 1000).tolist() if by_budget else frame[nat.STEP].astype(int).tolist()
    hover = [
        f"{'budget ' + format_figure(step / 1000, 0) + ' k€' if by_budget else str(int(step)) + ' sites au plus'}"
        f"<br>{sites} site{'s' if sites > 1 else ''} retenu{'s' if sites > 1 else ''}, "
        f"coût {format_figure(cost / 1000, 0)} k€"
        f"<br>besoin couvert (somme des adéquations) {format_figure(objective)}"
        f"<br>population couverte {_percent_text(pop)}"
        f"<br>projets de recrutement couverts {_percent_text(projects)}"
        f"<br>écart à l'optimum ≤ {_percent_text(gap)}"
        for step, sites, cost, objective, pop, projects, gap in zip(
            frame[nat.STEP],
            frame[nat.SITES],
            frame[nat.COST],
            frame[nat.OBJECTIVE],
            frame[nat.POPULATION_SHARE],
            frame[nat.PROJECTS_SHARE],
            frame[nat.GAP_BOUND],
            strict=True,
        )
    ]
    figure = go.Figure()
    for column, label, colour, dash in (
        (nat.POPULATION_SHARE, "Population couverte", BLUE_FRANCE, "solid"),
        (nat.PROJECTS_SHARE, "Projets de recrutement couverts (BMO)", GREEN, "dash"),
    ):
        values = [None if pd.isna(v) else float(v) * 100 for v in frame[column]]
        figure.add_trace(
            go.Scatter(
                x=x,
                y=values,
                mode="lines+markers",
                name=label,
                line={"color": colour, "width": 2.5, "dash": dash},
                marker={"size": 8},
                hovertext=hover,
                hoverinfo="text",
            )
        )
    current = frame[frame[nat.CURRENT].astype(bool)]
    if len(current):
        cx = (current[nat.STEP] / 1000).tolist() if by_budget else current[nat.STEP].tolist()
        for column in (nat.POPULATION_SHARE, nat.PROJECTS_SHARE):
            value = current[column].iloc[0]
            if pd.isna(value):
                continue
            figure.add_trace(
                go.Scatter(
                    x=cx,
                    y=[float(value) * 100],
                    mode="markers",
                    name="Choix actuel",
                    legendgroup="current",
                    showlegend=column == nat.POPULATION_SHARE,
                    marker={
                        "size": 16,
                        "symbol": "circle-open",
                        "color": RED_MARIANNE,
                        "line": {"width": 3},
                    },
                    hoverinfo="skip",
                )
            )
    figure.update_layout(
        template="plotly_white",
        height=380,
        margin={"l": 60, "r": 10, "t": 20, "b": 60},
        legend={"orientation": "h", "y": -0.25},
        separators=", ",
        hovermode="closest",
        xaxis={
            "title": {"text": "budget (k€)" if by_budget else "nombre de sites au plus"},
            "tickformat": ",.0f",
        },
        yaxis={"title": {"text": "part de la France couverte (%)"}, "rangemode": "tozero"},
    )
    return figure
