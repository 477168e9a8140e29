"""Pure plotly figures of the recommendation and the business model (rendered offline with the
plotly.js bundle of our static files). French number format (decimal comma, thin spaces).

- `waterfall_figure(scored, concept)`: each criterion's contribution to a concept's score, in
  pillar order, up to the total (missing criteria are left out: they contribute nothing and the
  table says so).
- `scores_figure(pillars, scores, eligible)`: the three scores stacked by pillar, each pillar
  beside the total, with the concepts failing their constraint marked.
- `sensitivity_figure(winner_shares, concept)`: share of the Monte Carlo draws won by each
  concept.
- `business_model_figure(years)`: revenues (up) and costs (down) per year with the balance.
- `learners_figure(years)`: learners per year.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from diagnostics.analytics.common import format_number, require_columns
from implantations.analytics.criteria import CONCEPT_LABELS, CONCEPTS, CRITERIA_BY_CODE, PILLARS
from implantations.analytics.score_columns import (
    CRITERION,
    LABEL,
    MISSING,
    PILLAR,
    contribution_column,
    weight_column,
)

from . import business_model_columns as bmc
from .honesty import INSUFFICIENT, format_figure

BLUE_FRANCE = "#000091"
BLUE_MEDIUM = "#6a6af4"
BLUE_LIGHT = "#cacafb"
RED_MARIANNE = "#e1000f"
GREEN = "#18753c"
GREY = "#929292"
FONT = {"family": "Marianne, Arial, sans-serif", "size": 13, "color": "#161616"}
SEPARATORS = ", "
# One colour per pillar (DSFR illustrative palette).
PILLAR_COLOURS = {
    "demand": "#000091",
    "public": "#e1000f",
    "adults": "#6a6af4",
    "hosts": "#18753c",
    "access": "#a558a0",
    "partners": "#c3992a",
}
COST_COLOURS = {
    bmc.GTEC: "#fcc0b0",
    bmc.INVESTMENT: "#f95c5e",
    bmc.STAFF: "#e1000f",
    bmc.SERVICES: "#ce614a",
    bmc.TEACHING: "#a94645",
    bmc.OVERHEADS: "#cecece",
    bmc.PREMISES: "#929292",
}
REVENUE_COLOURS = {
    bmc.CPF: "#000091",
    bmc.CPF_TOPUP: "#313178",
    bmc.REGION: "#6a6af4",
    bmc.OPCO: "#8585f6",
    bmc.FEES: "#cacafb",
    bmc.ARDAN: "#18753c",
    bmc.SERVICES_REVENUE: "#68a532",
}


def chart_layout(title: str | None, height: int) -> dict[str, Any]:
    return {
        "title": {"text": title, "x": 0.01, "xanchor": "left"} if title else None,
        "height": height,
        "margin": {"l": 60, "r": 20, "t": 50 if title else 20, "b": 50},
        "plot_bgcolor": "white",
        "paper_bgcolor": "white",
        "separators": SEPARATORS,
        "font": FONT,
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.0, "xanchor": "right", "x": 1},
    }


def _fr(value: float, decimals: int = 1) -> str:
    # The one rounding rule of every figure shown (half-up): the same text as the pages.
    return format_figure(float(value), decimals)


def short_label(code: str) -> str:
    return CRITERIA_BY_CODE[code].short_label if code in CRITERIA_BY_CODE else code


# Pillar names short enough to sit under their criteria on the waterfall's axis.
PILLAR_SHORT = {
    "demand": "Demande",
    "public": "Publics",
    "adults": "Actifs",
    "hosts": "Accueil",
    "access": "Accès",
    "partners": "Partenaires",
}


def waterfall_figure(scored: pd.DataFrame, concept: str, *, height: int = 460) -> go.Figure:
    """Contributions (points out of 100) of the known criteria weighted for `concept`, in pillar
    order, then the total. Input: `scores.score_criteria` output."""
    if concept not in CONCEPTS:
        raise ValueError(f"Concept inconnu : « {concept} »")
    require_columns(
        scored,
        [CRITERION, PILLAR, LABEL, MISSING, weight_column(concept), contribution_column(concept)],
        what="les critères notés",
    )
    rows = scored[(~scored[MISSING]) & (scored[weight_column(concept)] > 0)]
    order = {p: i for i, p in enumerate(PILLARS)}
    rows = rows.assign(_o=rows[PILLAR].map(order)).sort_values("_o", kind="stable")
    values = rows[contribution_column(concept)].astype(float).tolist()
    labels = [short_label(c) for c in rows[CRITERION]]
    groups = [PILLAR_SHORT[p] for p in rows[PILLAR]]
    total = float(sum(values))
    figure = go.Figure(
        go.Waterfall(
            # The series' name in the chart's caption and data table (cnam/charts.js).
            name="Points apportés",
            orientation="v",
            measure=["relative"] * len(values) + ["total"],
            # Two-level axis: the pillar under its criteria.
            x=[[*groups, "Total"], [*labels, "Score"]],
            y=[*values, total],
            text=[_fr(v) for v in values] + [_fr(total)],
            textposition="outside",
            hovertext=[
                f"<b>{label}</b><br>{PILLARS[p]}<br>+{_fr(v)} point(s)"
                for label, p, v in zip(rows[LABEL], rows[PILLAR], values, strict=True)
            ]
            + [f"<b>Score {CONCEPT_LABELS[concept]}</b><br>{_fr(total)} sur 100"],
            hoverinfo="text",
            connector={"line": {"color": GREY, "width": 1}},
            increasing={"marker": {"color": BLUE_MEDIUM}},
            totals={"marker": {"color": BLUE_FRANCE}},
        )
    )
    layout = chart_layout(None, height)
    layout["margin"] = {"l": 50, "r": 20, "t": 20, "b": 110}
    figure.update_layout(
        **layout,
        showlegend=False,
        yaxis={
            "title": {"text": "points (sur 100)"},
            "range": [0, max(100.0, total * 1.1)],
            "gridcolor": "#eeeeee",
        },
        xaxis={"tickangle": -35, "automargin": True, "tickfont": {"size": 12}},
    )
    return figure


def scores_figure(
    pillars: pd.DataFrame,
    scores: Mapping[str, float | None],
    eligible: Mapping[str, bool],
    *,
    height: int = 300,
) -> go.Figure:
    """Horizontal bars, one per concept, stacked by pillar (points), total at the end; a
    concept failing its constraint is named « condition non remplie ». `pillars`: rows = pillar
    codes, columns = concepts (`scores.pillar_scores`)."""
    missing = [k for k in CONCEPTS if k not in pillars.columns]
    if missing:
        raise ValueError(f"Colonnes manquantes dans les piliers : {missing}")
    names = [CONCEPT_LABELS[k] + ("" if eligible.get(k) else " ✕") for k in CONCEPTS]
    figure = go.Figure()
    for pillar, label in PILLARS.items():
        if pillar not in pillars.index:
            continue
        values = [float(v) for v in pillars.loc[pillar, list(CONCEPTS)].to_numpy()]
        figure.add_bar(
            name=label,
            y=names,
            x=values,
            orientation="h",
            marker={"color": PILLAR_COLOURS[pillar]},
            customdata=[_fr(v) for v in values],
            hovertemplate=f"{label} : %{{customdata}} points<extra>%{{y}}</extra>",
        )
    annotations = []
    for name, k in zip(names, CONCEPTS, strict=True):
        score = scores.get(k)
        text = INSUFFICIENT if score is None else f"<b>{_fr(score)}</b>"
        if not eligible.get(k):
            text += " · condition non remplie"
        annotations.append(
            {
                "x": score or 0,
                "y": name,
                "text": text,
                "xanchor": "left",
                "xshift": 6,
                "showarrow": False,
                "font": {"color": "#161616" if eligible.get(k) else GREY},
            }
        )
    layout = chart_layout(None, height)
    layout["margin"] = {"l": 150, "r": 30, "t": 60, "b": 40}
    layout["legend"] = {
        "orientation": "h",
        "yanchor": "bottom",
        "y": 1.02,
        "x": 0,
        "traceorder": "normal",
    }
    figure.update_layout(
        **layout,
        barmode="stack",
        annotations=annotations,
        xaxis={"range": [0, 115], "title": {"text": "score (sur 100)"}, "gridcolor": "#eeeeee"},
        yaxis={"autorange": "reversed"},
    )
    return figure


def sensitivity_figure(
    winner_shares: Mapping[str, float], concept: str | None, *, height: int = 240
) -> go.Figure:
    """Share of the draws won by each concept (and by « aucun concept »), the recommended one
    in bleu France."""
    keys = [*CONCEPTS, "none"]
    labels = [CONCEPT_LABELS.get(k, "Aucun concept") for k in keys]
    values = [float(winner_shares.get(k, 0.0)) * 100 for k in keys]
    colours = [
        BLUE_FRANCE if (k == concept or (concept is None and k == "none")) else BLUE_LIGHT
        for k in keys
    ]
    figure = go.Figure(
        go.Bar(
            x=values,
            y=labels,
            orientation="h",
            marker={"color": colours},
            text=[f"{_fr(v, 0)} %" for v in values],
            textposition="outside",
            hovertemplate="%{y} : %{x:.1f} % des tirages<extra></extra>",
        )
    )
    layout = chart_layout(None, height)
    layout["margin"] = {"l": 150, "r": 40, "t": 10, "b": 40}
    figure.update_layout(
        **layout,
        showlegend=False,
        xaxis={"range": [0, 112], "title": {"text": "% des tirages"}, "gridcolor": "#eeeeee"},
        yaxis={"autorange": "reversed"},
    )
    return figure


def business_model_figure(years: pd.DataFrame, *, height: int = 420) -> go.Figure:
    """Per year: revenues stacked above zero, costs stacked below, and the balance (line).
    Input: `business_model.YEAR_COLUMNS`."""
    require_columns(
        years,
        [bmc.YEAR, *bmc.COST_ITEMS, *bmc.REVENUE_ITEMS, bmc.BALANCE],
        what="le modèle économique",
    )
    x = [f"Année {int(y)}" for y in years[bmc.YEAR]]
    figure = go.Figure()
    for column, label in bmc.REVENUE_ITEMS.items():
        values = years[column].astype(float)
        if not (values > 0).any():
            continue
        figure.add_bar(
            name=label,
            x=x,
            y=values.tolist(),
            marker={"color": REVENUE_COLOURS[column]},
            legendgroup="recettes",
            legendgrouptitle={"text": "Recettes"},
            hovertemplate=f"{label} : %{{y:,.0f}} €<extra></extra>",
        )
    for column, label in bmc.COST_ITEMS.items():
        values = years[column].astype(float)
        if not (values > 0).any():
            continue
        figure.add_bar(
            name=label,
            x=x,
            y=(-values).tolist(),
            marker={"color": COST_COLOURS[column]},
            legendgroup="couts",
            legendgrouptitle={"text": "Coûts"},
            customdata=values.tolist(),
            hovertemplate=f"{label} : %{{customdata:,.0f}} €<extra></extra>",
        )
    figure.add_scatter(
        name="Solde",
        x=x,
        y=years[bmc.BALANCE].astype(float).tolist(),
        mode="lines+markers",
        line={"color": "#161616", "width": 2},
        marker={"size": 8},
        hovertemplate="Solde : %{y:,.0f} €<extra></extra>",
    )
    layout = chart_layout(None, height)
    layout["legend"] = {"orientation": "v", "x": 1.02, "y": 1, "xanchor": "left"}
    layout["margin"] = {"l": 70, "r": 20, "t": 20, "b": 40}
    figure.update_layout(
        **layout,
        barmode="relative",
        hovermode="x unified",
        yaxis={
            "title": {"text": "euros"},
            "gridcolor": "#eeeeee",
            "zeroline": True,
            "zerolinecolor": "#161616",
            "tickformat": ",.0f",
        },
    )
    return figure


def learners_figure(years: pd.DataFrame, *, height: int = 260) -> go.Figure:
    """Learners per year (bars)."""
    require_columns(years, [bmc.YEAR, bmc.LEARNERS], what="le modèle économique")
    x = [f"Année {int(y)}" for y in years[bmc.YEAR]]
    values = years[bmc.LEARNERS].astype(int).tolist()
    figure = go.Figure(
        go.Bar(
            x=x,
            y=values,
            marker={"color": BLUE_FRANCE},
            text=[format_number(v) for v in values],
            textposition="outside",
            hovertemplate="%{x} : %{y} apprenants<extra></extra>",
        )
    )
    layout = chart_layout(None, height)
    layout["margin"] = {"l": 50, "r": 20, "t": 20, "b": 40}
    figure.update_layout(
        **layout,
        showlegend=False,
        yaxis={
            "title": {"text": "apprenants"},
            "gridcolor": "#eeeeee",
            "range": [0, max(values + [1]) * 1.2],
        },
    )
    return figure
