"""Pure plotly figures of regional planning and project follow-up: no tiles, nothing fetched.

- `region_plan_figure`: the candidates' outlines filled by programme fit (`go.Scatter` with
  `fill="toself"` on longitude / latitude axes), their main towns (coloured by fit, with the
  colour bar), the sites picked (stars) and the existing Cnam sites.
- `learners_figure`: planned against actual learners per year, gaps highlighted.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
import plotly.graph_objects as go
from plotly.colors import sample_colorscale
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from diagnostics.analytics.common import format_number, plotly_text
from diagnostics.analytics.geometry import geometry_from_geojson

from . import planning_columns as pc
from . import planning_followup as pfu
from .honesty import INSUFFICIENT, format_figure
from .maps import BLUE_FRANCE, GREY, RED_MARIANNE, lonlat_layout

# Fit 0 → pale, 100 → blue France.
FIT_SCALE = [[0.0, "#f4f6ff"], [0.5, "#8585f6"], [1.0, BLUE_FRANCE]]
INELIGIBLE_FILL = "rgba(146, 146, 146, 0.25)"
SIMPLIFY_DEG = 0.004
FOLLOWUP_COLORS = {
    pfu.FLAG_ON_TRACK: "#18753c",
    pfu.FLAG_AHEAD: "#0063cb",
    pfu.FLAG_BEHIND: RED_MARIANNE,
    pfu.FLAG_PENDING: GREY,
}
MAP_CANDIDATE_COLUMNS = [pc.CANDIDATE_ID, pc.NAME, pc.FIT, pc.ELIGIBLE, pc.LATITUDE, pc.LONGITUDE]
SELECTED = "selected"


def _require(frame: pd.DataFrame, columns: list[str], what: str) -> None:
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise ValueError(f"{what} : colonnes manquantes {missing}")


def _rings(geom: BaseGeometry | None) -> list[list[tuple[float, float]]]:
    """Exterior rings of the polygons of `geom`, simplified for display."""
    if geom is None or geom.is_empty:
        return []
    simple = geom.simplify(SIMPLIFY_DEG, preserve_topology=True)
    if isinstance(simple, Polygon):
        polygons = [simple]
    elif isinstance(simple, MultiPolygon):
        polygons = list(simple.geoms)
    else:
        polygons = [g for g in getattr(simple, "geoms", []) if isinstance(g, Polygon)]
    return [list(poly.exterior.coords) for poly in polygons if not poly.is_empty]


def _fit_color(fit: float | None) -> str:
    if fit is None or pd.isna(fit):
        return INELIGIBLE_FILL
    color = sample_colorscale(FIT_SCALE, [max(0.0, min(float(fit) / 100, 1.0))])[0]
    # "rgb(r, g, b)" → translucent fill so that the outlines and points stay readable.
    return color.replace("rgb(", "rgba(").replace(")", ", 0.75)")


def _fit_text(fit: Any) -> str:
    # Honesty rules: one rounding rule; no fit shown on too little data.
    return INSUFFICIENT if fit is None or pd.isna(fit) else f"{format_figure(float(fit))} / 100"


def region_plan_figure(
    candidates: pd.DataFrame,
    *,
    geometries: Mapping[str, Any],
    sites: pd.DataFrame,
) -> go.Figure:
    """Map of a region's candidates. Input: `candidates` MAP_CANDIDATE_COLUMNS (+ optional
    `selected` bool), `geometries` candidate_id → GeoJSON (WGS84), `sites` SITE_POINT_COLUMNS.
    Ineligible candidates are filled grey; picked ones are outlined in red with a star."""
    _require(candidates, MAP_CANDIDATE_COLUMNS, "candidats")
    _require(sites, pc.SITE_POINT_COLUMNS, "sites Cnam")
    frame = candidates.sort_values(pc.CANDIDATE_ID, kind="mergesort")
    selected = (
        frame[SELECTED].fillna(False).astype(bool)
        if SELECTED in frame.columns
        else pd.Series(False, index=frame.index)
    )
    figure = go.Figure()
    lons: list[float] = []
    lats: list[float] = []
    for (_, row), is_selected in zip(frame.iterrows(), selected, strict=True):
        geom = geometry_from_geojson(geometries.get(str(row[pc.CANDIDATE_ID])))
        eligible = row[pc.ELIGIBLE]
        fill = INELIGIBLE_FILL if eligible is False else _fit_color(row[pc.FIT])
        hover = (
            f"<b>{plotly_text(row[pc.NAME])}</b><br>adéquation {_fit_text(row[pc.FIT])}"
            + ("<br>hors critères d'éligibilité" if eligible is False else "")
            + ("<br><b>retenu</b>" if is_selected else "")
        )
        for ring in _rings(geom):
            xs = [float(x) for x, _ in ring]
            ys = [float(y) for _, y in ring]
            lons.extend(xs)
            lats.extend(ys)
            figure.add_trace(
                go.Scatter(
                    x=xs,
                    y=ys,
                    mode="lines",
                    fill="toself",
                    fillcolor=fill,
                    line={
                        "color": RED_MARIANNE if is_selected else "#666666",
                        "width": 2.5 if is_selected else 0.6,
                    },
                    hoveron="fills",
                    hoverinfo="text",
                    text=hover,
                    showlegend=False,
                )
            )
    located = frame.dropna(subset=[pc.LATITUDE, pc.LONGITUDE])
    if len(located):
        fits = pd.to_numeric(located[pc.FIT], errors="coerce").astype(float)
        figure.add_trace(
            go.Scatter(
                x=located[pc.LONGITUDE].astype(float).tolist(),
                y=located[pc.LATITUDE].astype(float).tolist(),
                mode="markers",
                name="Villes principales (couleur : adéquation)",
                marker={
                    "size": 9,
                    "color": fits.fillna(0).tolist(),
                    "cmin": 0,
                    "cmax": 100,
                    "colorscale": FIT_SCALE,
                    "line": {"width": 1, "color": "#3a3a3a"},
                    "colorbar": {
                        "title": {"text": "adéquation"},
                        "thickness": 12,
                        "len": 0.6,
                    },
                },
                hovertext=[
                    f"<b>{plotly_text(n)}</b><br>adéquation {_fit_text(f)}"
                    for n, f in zip(located[pc.NAME], located[pc.FIT], strict=True)
                ],
                hoverinfo="text",
            )
        )
        lons.extend(located[pc.LONGITUDE].astype(float).tolist())
        lats.extend(located[pc.LATITUDE].astype(float).tolist())
        chosen = located[selected.loc[located.index]]
        if len(chosen):
            figure.add_trace(
                go.Scatter(
                    x=chosen[pc.LONGITUDE].astype(float).tolist(),
                    y=chosen[pc.LATITUDE].astype(float).tolist(),
                    mode="markers+text",
                    name="Sites proposés",
                    text=[plotly_text(n) for n in chosen[pc.NAME]],
                    textposition="top center",
                    textfont={"size": 11, "color": "#161616"},
                    marker={
                        "size": 18,
                        "symbol": "star",
                        "color": RED_MARIANNE,
                        "line": {"width": 1, "color": "white"},
                    },
                    hoverinfo="text",
                    hovertext=[f"<b>{plotly_text(n)}</b><br>site proposé" for n in chosen[pc.NAME]],
                )
            )
    located_sites = sites.dropna(subset=[pc.LATITUDE, pc.LONGITUDE])
    if len(located_sites):
        figure.add_trace(
            go.Scatter(
                x=located_sites[pc.LONGITUDE].astype(float).tolist(),
                y=located_sites[pc.LATITUDE].astype(float).tolist(),
                mode="markers",
                name="Sites Cnam existants",
                marker={
                    "size": 13,
                    "symbol": "square",
                    "color": "#161616",
                    "line": {"width": 1.5, "color": "white"},
                },
                hovertext=[f"<b>{plotly_text(n)}</b><br>site Cnam" for n in located_sites[pc.NAME]],
                hoverinfo="text",
            )
        )
        # Sites far outside the region would squash the map: frame the candidates only, unless
        # there are none.
        if not lons:
            lons.extend(located_sites[pc.LONGITUDE].astype(float).tolist())
            lats.extend(located_sites[pc.LATITUDE].astype(float).tolist())
    lon_series, lat_series = pd.Series(lons, dtype=float), pd.Series(lats, dtype=float)
    # "domain": the plot area shrinks to keep the scale rather than widening the ranges.
    return lonlat_layout(figure, lon_series, lat_series, height=640, axis={"constrain": "domain"})


def learners_figure(followup: pd.DataFrame) -> go.Figure:
    """Planned (bars, outlined) against actual learners (bars coloured by their flag) per year,
    with the gap written above each known year. Input: FOLLOWUP_COLUMNS."""
    _require(followup, pfu.FOLLOWUP_COLUMNS, "suivi des apprenants")
    frame = followup.sort_values(pc.YEAR, kind="mergesort")
    labels = [
        f"Année {y}<br>{c}" for y, c in zip(frame[pc.YEAR], frame[pfu.CALENDAR_YEAR], strict=True)
    ]
    figure = go.Figure()
    figure.add_trace(
        go.Bar(
            x=labels,
            y=frame[pfu.PLANNED].fillna(0).astype(int).tolist(),
            name="Prévu",
            marker={"color": "#e3e3fd", "line": {"color": BLUE_FRANCE, "width": 1.5}},
            hovertemplate="%{x}<br>prévu : %{y}<extra></extra>",
        )
    )
    known = frame[pfu.ACTUAL].notna()
    actual = [int(v) if pd.notna(v) else None for v in frame[pfu.ACTUAL]]
    gap_texts = []
    for gap, share, is_known in zip(frame[pfu.GAP], frame[pfu.GAP_SHARE], known, strict=True):
        if not is_known:
            gap_texts.append("")
            continue
        text = ("+" if gap > 0 else "") + format_number(float(gap))
        if pd.notna(share):
            text += f" ({'+' if share > 0 else ''}{format_number(float(share) * 100)} %)"
        gap_texts.append(text)
    figure.add_trace(
        go.Bar(
            x=labels,
            y=actual,
            name="Réel (couleur : suivi)",
            marker={"color": [FOLLOWUP_COLORS[f] for f in frame[pfu.FLAG]]},
            text=gap_texts,
            textposition="outside",
            hovertemplate="%{x}<br>réel : %{y}<br>écart : %{text}<extra></extra>",
        )
    )
    top = max(
        [0]
        + frame[pfu.PLANNED].fillna(0).astype(int).tolist()
        + [v for v in actual if v is not None]
    )
    figure.update_layout(
        barmode="group",
        template="plotly_white",
        margin={"l": 50, "r": 10, "t": 20, "b": 60},
        legend={"orientation": "h", "y": -0.2},
        height=380,
        yaxis={"title": {"text": "apprenants"}, "range": [0, top * 1.2 + 1]},
    )
    return figure


def candidate_outlines(
    membership: pd.DataFrame, geometries: Mapping[str, Any], *, simplify_deg: float = SIMPLIFY_DEG
) -> dict[str, Any]:
    """candidate_id → GeoJSON union of its communes' outlines (MEMBERSHIP_COLUMNS; geometries:
    commune_code → GeoJSON), simplified for display; candidates without any outline are left
    out."""
    from diagnostics.analytics.geometry import geometry_to_geojson, union

    _require(membership, pc.MEMBERSHIP_COLUMNS, "composition des candidats")
    out: dict[str, Any] = {}
    for cid, codes in membership.groupby(pc.CANDIDATE_ID, sort=True)[pc.COMMUNE_CODE]:
        shapes = [geometry_from_geojson(geometries.get(code)) for code in codes]
        merged = union(s for s in shapes if s is not None)
        if merged is None or merged.is_empty:
            continue
        out[str(cid)] = geometry_to_geojson(
            merged.simplify(simplify_deg, preserve_topology=True), precision=4
        )
    return out
