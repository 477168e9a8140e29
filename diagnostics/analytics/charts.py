"""Pure frame → plotly Figure builders for the diagnostic report.

Everything renders offline with the plotly.js bundle served from our static files. The maps are
in `choropleth`.

Series keep their breaks: a missing period becomes a gap in the line (never joined across) and
is named in an annotation; estimated points are drawn hollow and say « estimé » on hover.
French number format (decimal comma, narrow no-break space for thousands).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from .columns import (
    DIFFICULT,
    ESTIMATED,
    METIER_CODE,
    METIER_LABEL,
    PERIOD,
    PROJECTS,
    RATE,
    SEASONAL,
    VALUE,
    YEAR,
)
from .common import format_number, plotly_text, require_columns
from .periods import missing_periods, period_from_index, period_index, period_kind

# DSFR palette: bleu France and its tints, rouge Marianne, greys.
BLUE_FRANCE = "#000091"
BLUE_MEDIUM = "#6a6af4"
BLUE_LIGHT = "#cacafb"
RED_MARIANNE = "#e1000f"
GREEN = "#18753c"
GREY_TEXT = "#3a3a3a"
SERIES_COLOURS = [BLUE_FRANCE, RED_MARIANNE, "#666666", GREEN, "#a558a0"]
SEPARATORS = ", "  # decimal comma, space as thousands separator
FONT = {"family": "Marianne, Arial, sans-serif", "size": 13, "color": "#161616"}


def chart_layout(title: str | None, height: int) -> dict[str, Any]:
    return {
        "title": {"text": title, "x": 0.01, "xanchor": "left"} if title else None,
        "height": height,
        "margin": {"l": 60, "r": 20, "t": 50 if title else 20, "b": 50},
        "plot_bgcolor": "white",
        "paper_bgcolor": "white",
        "separators": SEPARATORS,
        "font": FONT,
        "hovermode": "x unified",
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.0, "xanchor": "right", "x": 1},
    }


def _gap_note(missing: Sequence[str]) -> dict[str, Any]:
    shown = ", ".join(missing[:6]) + ("…" if len(missing) > 6 else "")
    return {
        "text": f"Série interrompue : {shown} {'manque' if len(missing) == 1 else 'manquent'}",
        "showarrow": False,
        "xref": "paper",
        "yref": "paper",
        "x": 0,
        "y": -0.18,
        "xanchor": "left",
        "font": {"size": 11, "color": RED_MARIANNE},
    }


def _full_periods(periods: Sequence[object]) -> list[str]:
    """Every period from the first to the last (so a missing one leaves a gap)."""
    present = [str(p) for p in periods]
    if not present:
        return []
    kind = period_kind(present[0])
    indexes = sorted({period_index(p) for p in present})
    return [period_from_index(i, kind) for i in range(indexes[0], indexes[-1] + 1)]


def line_chart(
    frame: pd.DataFrame,
    *,
    period: str = PERIOD,
    series: Mapping[str, str],
    y_title: str,
    title: str | None = None,
    estimated: str | None = ESTIMATED,
    decimals: int = 1,
    suffix: str = "",
    height: int = 380,
) -> go.Figure:
    """Lines of one or more columns over periods (years, "2023-T3" or "2024-01").

    `series` maps a column of `frame` to its legend name; the first is the basin's and carries
    the `estimated` flag (hollow markers, « estimé » on hover). Missing periods between the
    first and the last are gaps (connectgaps off) listed in an annotation; layout.meta.gaps
    holds them. Input columns: `period`, the `series` columns, optionally `estimated`.
    """
    require_columns(frame, [period, *series], what="la série à tracer")
    fig = go.Figure()
    known = frame[frame[list(series)].notna().any(axis=1)]
    axis = _full_periods(known[period].tolist()) if len(known) else []
    gaps = missing_periods(known[period].astype(str).tolist()) if len(known) else []
    indexed = frame.assign(_p=frame[period].astype(str)).drop_duplicates("_p").set_index("_p")
    indexed = indexed.reindex(axis)
    for position, (column, name) in enumerate(series.items()):
        values = [None if pd.isna(v) else float(v) for v in indexed[column].tolist()]  # None → gap
        flags = (
            [bool(v) if not pd.isna(v) else False for v in indexed[estimated].tolist()]
            if position == 0 and estimated and estimated in indexed.columns
            else [False] * len(values)
        )
        texts = [
            ""
            if v is None
            else f"{format_number(v, decimals=decimals)}{suffix}{' (estimé)' if f else ''}"
            for v, f in zip(values, flags, strict=True)
        ]
        colour = SERIES_COLOURS[position % len(SERIES_COLOURS)]
        fig.add_trace(
            go.Scatter(
                x=axis,
                y=values,
                name=name,
                mode="lines+markers",
                connectgaps=False,
                line={"color": colour, "width": 3 if position == 0 else 1.5},
                marker={
                    "color": ["white" if f else colour for f in flags],
                    "line": {"color": colour, "width": 1.5},
                    "size": 6 if position == 0 else 4,
                },
                text=texts,
                hovertemplate="%{text}<extra>" + name + "</extra>",
            )
        )
    layout = chart_layout(title, height)
    layout.update(
        xaxis={"type": "category", "showgrid": False, "tickangle": -45, "nticks": 20},
        yaxis={
            "title": {"text": y_title},
            "gridcolor": "#eeeeee",
            "rangemode": "tozero",
            "tickformat": f",.{decimals}f" if decimals == 0 else "",
        },
        meta={"gaps": gaps},
    )
    if gaps:
        layout["annotations"] = [_gap_note(gaps)]
    if not axis:
        layout["annotations"] = [empty_note()]
    fig.update_layout(**layout)
    return fig


def empty_note(text: str = "Aucune donnée disponible") -> dict[str, Any]:
    return {
        "text": text,
        "showarrow": False,
        "xref": "paper",
        "yref": "paper",
        "x": 0.5,
        "y": 0.5,
        "font": {"size": 14, "color": GREY_TEXT},
    }


def unemployment_figure(unemployment: pd.DataFrame, *, height: int = 380) -> go.Figure:
    """The basin's quarterly unemployment rate, with its region and France when present.

    Input: the diagnostic's « unemployment » table (period, rate, estimated, and optionally
    region_rate, france_rate)."""
    series = {RATE: "Bassin"}
    for column, name in (("region_rate", "Région"), ("france_rate", "France")):
        if column in unemployment.columns:
            series[column] = name
    return line_chart(
        unemployment,
        series=series,
        y_title="Taux de chômage (%)",
        title="Taux de chômage trimestriel",
        decimals=1,
        suffix="\u202f%",
        height=height,
    )


def job_seekers_figure(job_seekers: pd.DataFrame, *, height: int = 380) -> go.Figure:
    """Monthly job seekers of the basin. Input: period, value, estimated."""
    return line_chart(
        job_seekers,
        series={VALUE: "Demandeurs d'emploi"},
        y_title="Demandeurs d'emploi",
        title="Demandeurs d'emploi inscrits (catégories A, B, C)",
        decimals=0,
        height=height,
    )


def projects_figure(bmo_years: pd.DataFrame, *, height: int = 380) -> go.Figure:
    """Recruitment projects per year: all, judged difficult, seasonal (grouped bars).

    Input: the « bmo_years » table (year, projects, difficult, seasonal, estimated). A missing
    year between two surveys is kept as an empty slot and named in an annotation."""
    require_columns(bmo_years, [YEAR, PROJECTS, DIFFICULT, SEASONAL], what="les projets BMO")
    years = sorted(int(y) for y in bmo_years[YEAR])
    axis = [str(y) for y in range(years[0], years[-1] + 1)] if years else []
    gaps = missing_periods(years)
    indexed = bmo_years.assign(_y=bmo_years[YEAR].astype(int).astype(str)).set_index("_y")
    indexed = indexed.reindex(axis)
    estimated = (
        [bool(v) if not pd.isna(v) else False for v in indexed[ESTIMATED].tolist()]
        if ESTIMATED in indexed.columns
        else [False] * len(axis)
    )
    fig = go.Figure()
    for column, name, colour in (
        (PROJECTS, "Projets de recrutement", BLUE_FRANCE),
        (DIFFICULT, "dont jugés difficiles", RED_MARIANNE),
        (SEASONAL, "dont saisonniers", BLUE_LIGHT),
    ):
        values = [None if pd.isna(v) else float(v) for v in indexed[column].tolist()]
        fig.add_trace(
            go.Bar(
                x=axis,
                y=values,
                name=name,
                marker={"color": colour},
                text=[
                    "" if v is None else f"{format_number(v)}{' (estimé)' if e else ''}"
                    for v, e in zip(values, estimated, strict=True)
                ],
                textposition="none",
                hovertemplate="%{text}<extra>" + name + "</extra>",
            )
        )
    layout = chart_layout("Projets de recrutement (BMO)", height)
    layout.update(
        barmode="group",
        xaxis={"type": "category"},
        yaxis={"title": {"text": "Projets"}, "gridcolor": "#eeeeee", "tickformat": ",.0f"},
        meta={"gaps": gaps},
    )
    if gaps:
        layout["annotations"] = [_gap_note(gaps)]
    if not axis:
        layout["annotations"] = [empty_note()]
    fig.update_layout(**layout)
    return fig


def _shorten(text: str, limit: int = 48) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def top_metiers_figure(
    metiers: pd.DataFrame,
    *,
    measure: str = PROJECTS,
    title: str = "Métiers les plus recherchés",
    height: int | None = None,
) -> go.Figure:
    """Horizontal bars of métiers by `measure` (projects or difficult), largest on top.

    Input columns: metier_code, metier_label, `measure`, optionally estimated. Rows with an
    unknown `measure` are left out."""
    require_columns(metiers, [METIER_CODE, METIER_LABEL, measure], what="les métiers")
    rows = metiers[metiers[measure].notna()].sort_values(
        [measure, METIER_CODE], ascending=[True, False], kind="mergesort"
    )
    names = [
        str(label) if not pd.isna(label) else str(code)
        for label, code in zip(rows[METIER_LABEL], rows[METIER_CODE], strict=True)
    ]
    labels = [plotly_text(_shorten(name)) for name in names]
    values = [float(v) for v in rows[measure]]
    estimated = (
        [bool(v) for v in rows[ESTIMATED].fillna(False)]
        if ESTIMATED in rows.columns
        else [False] * len(values)
    )
    colour = RED_MARIANNE if measure == DIFFICULT else BLUE_FRANCE
    fig = go.Figure(
        go.Bar(
            x=values,
            y=labels,
            orientation="h",
            marker={"color": colour},
            text=[format_number(v) for v in values],
            textposition="outside",
            # The whole name in the hover (the axis shortens it) and in the chart's caption and
            # data table (`meta.labels`, read by cnam/charts.js).
            customdata=[
                [plotly_text(c), " (estimé)" if e else "", plotly_text(name)]
                for c, e, name in zip(rows[METIER_CODE], estimated, names, strict=True)
            ],
            meta={"labels": [plotly_text(name) for name in names]},
            hovertemplate="%{customdata[2]} (%{customdata[0]}) : %{text}%{customdata[1]}<extra></extra>",
            showlegend=False,
        )
    )
    layout = chart_layout(title, height or max(260, 40 + 30 * len(values)))
    layout.update(
        hovermode="closest",
        margin={"l": 20, "r": 40, "t": 50, "b": 30},
        xaxis={
            "gridcolor": "#eeeeee",
            "tickformat": ",.0f",
            "title": {
                "text": "Projets jugés difficiles"
                if measure == DIFFICULT
                else "Projets de recrutement"
            },
        },
        yaxis={"automargin": True},
    )
    if not values:
        layout["annotations"] = [empty_note()]
    fig.update_layout(**layout)
    return fig
