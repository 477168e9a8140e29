"""The heat-map of the published tension indicator and its factors (plotly) and its French text
alternative. Input: `tension_vintages.tension_vintages`."""

from __future__ import annotations

import numbers
from typing import Any

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .columns import BASSIN_BMO_CODE, ROME_CODE
from .common import format_number, require_columns
from .tension_vintages import vintage_column, vintage_years
from .tensions_published import (
    ABSENT,
    FACTOR_KEYS,
    INDICATOR_KEYS,
    INDICATOR_LABELS,
    NOT_PUBLISHED,
    ROME_LABEL,
)


def _row_label(
    label: Any, rome: Any, bassin: Any, *, with_bassin: bool, whole: bool = False
) -> str:
    """« label (code[, bassin B]) », the label cut at 42 characters for the axis unless
    `whole` (the hover, the chart's caption and data table)."""
    text = str(label) if label and not pd.isna(label) else str(rome)
    text = text if whole or len(text) <= 42 else text[:41].rstrip() + "…"
    return f"{text} ({rome}{', bassin ' + str(bassin) if with_bassin else ''})"


HEATMAP_SCALE = [
    [0.0, "#f5f5fe"],
    [0.25, "#cacafb"],
    [0.5, "#fcc0b0"],
    [0.75, "#f95c5e"],
    [1.0, "#c9191e"],
]


def tension_heatmap_figure(
    vintages: pd.DataFrame, *, max_rows: int = 40, row_height: int = 26
) -> go.Figure:
    """Heat-map of the published indicator and its factors, one panel per vintage side by side.

    Input: `tension_vintages` (its order is kept; the first `max_rows` rows are drawn). A cell
    with a 1–5 value is coloured and prints it; « non publié », « absent », « non renseigné »
    cells are left grey and print the word (never a colour for an unknown value)."""
    require_columns(vintages, [BASSIN_BMO_CODE, ROME_CODE, ROME_LABEL], what="la carte de chaleur")
    years = vintage_years(vintages)
    rows = vintages.head(max_rows)
    with_bassin = len(set(rows[BASSIN_BMO_CODE])) > 1
    keys = list(zip(rows[ROME_LABEL], rows[ROME_CODE], rows[BASSIN_BMO_CODE], strict=True))
    y_labels = [_row_label(*key, with_bassin=with_bassin) for key in keys]
    y_whole = [_row_label(*key, with_bassin=with_bassin, whole=True) for key in keys]
    x_labels = [INDICATOR_LABELS[k] for k in INDICATOR_KEYS]
    fig = make_subplots(
        rows=1,
        cols=max(len(years), 1),
        shared_yaxes=True,
        horizontal_spacing=0.02,
        subplot_titles=[f"Millésime {y}" for y in years] or [""],
    )
    for i, year in enumerate(years, start=1):
        z: list[list[float | None]] = []
        text: list[list[str]] = []
        for _, row in rows.iterrows():
            z_row: list[float | None] = []
            t_row: list[str] = []
            for key in INDICATOR_KEYS:
                value = row[vintage_column(key, year)]
                if (
                    isinstance(value, numbers.Real)
                    and not isinstance(value, bool)
                    and not pd.isna(float(value))
                ):
                    z_row.append(float(value))
                    t_row.append(format_number(float(value)))
                else:
                    z_row.append(None)
                    t_row.append(str(value))
            z.append(z_row)
            text.append(t_row)
        fig.add_trace(
            go.Heatmap(
                z=z,
                x=x_labels,
                y=y_labels,
                text=text,
                texttemplate="%{text}",
                textfont={"size": 10},
                zmin=1,
                zmax=5,
                colorscale=HEATMAP_SCALE,
                showscale=i == len(years),
                colorbar={
                    "title": {"text": "1 = faible<br>5 = forte"},
                    "tickvals": [1, 2, 3, 4, 5],
                },
                xgap=2,
                ygap=2,
                # The row's whole name in the hover (each cell's customdata) and in the
                # chart's data table (`meta.labels`, read by cnam/charts.js).
                customdata=[[name] * len(x_labels) for name in y_whole],
                meta={"labels": y_whole},
                hovertemplate=f"%{{customdata}}<br>%{{x}} {year} : %{{text}}<extra></extra>",
                name=str(year),
            ),
            row=1,
            col=i,
        )
        fig.update_xaxes(
            title_text="Indicateur et facteurs publiés (1 à 5)", tickangle=-40, row=1, col=i
        )
    fig.update_yaxes(autorange="reversed", automargin=True)
    fig.update_yaxes(title_text="Métier (code ROME)", row=1, col=1)
    fig.update_layout(
        title={
            "text": "Tension publiée par métier et ses facteurs (Dares, France Travail)",
            "x": 0.01,
            "xanchor": "left",
        },
        height=max(320, 230 + row_height * len(rows)),
        margin={"l": 20, "r": 20, "t": 80, "b": 170},
        plot_bgcolor="#e5e5e5",
        paper_bgcolor="white",
        separators=", ",
        font={"family": "Marianne, Arial, sans-serif", "size": 12, "color": "#161616"},
        meta={"rows": len(rows), "total_rows": len(vintages)},
    )
    if not len(rows):
        fig.add_annotation(
            text="Aucun indicateur de tension publié",
            showarrow=False,
            xref="paper",
            yref="paper",
            x=0.5,
            y=0.5,
        )
    return fig


def tension_heatmap_caption(vintages: pd.DataFrame, *, max_rows: int = 40) -> str:
    """The heat-map's text alternative (French): what it shows, the strongest tensions of the
    last vintage, and what is not published."""
    years = vintage_years(vintages)
    if not years or not len(vintages):
        return "Aucun indicateur de tension publié pour les bassins BMO du bassin."
    last = years[-1]
    column = vintage_column("tension", last)
    strongest = vintages[vintages[column].map(lambda v: v == 5)]
    names = list(
        dict.fromkeys(
            str(lab) if lab else str(rome)
            for lab, rome in zip(strongest[ROME_LABEL], strongest[ROME_CODE], strict=True)
        )
    )
    text = (
        f"Carte de chaleur : pour {format_number(len(vintages))} métier(s) × bassin(s) BMO, "
        f"l'indicateur de tension publié et ses six facteurs (échelle 1 à 5), millésimes "
        f"{' et '.join(str(y) for y in years)} côte à côte."
    )
    if len(vintages) > max_rows:
        text += f" Seuls les {max_rows} premiers sont dessinés ; le tableau les donne tous."
    text += (
        f" En {last}, {format_number(len(strongest))} métier(s) au niveau de tension le plus "
        "fort (5)"
        + (f" : {', '.join(names[:8])}{', etc' if len(names) > 8 else ''}." if names else ".")
    )
    unpublished = [
        y
        for y in years
        if all(
            vintages[vintage_column(k, y)].map(lambda v: v in (NOT_PUBLISHED, ABSENT)).all()
            for k in FACTOR_KEYS.values()
        )
    ]
    if unpublished:
        text += (
            " Les facteurs ne sont pas publiés en "
            + ", ".join(str(y) for y in unpublished)
            + " (cases « non publié »)."
        )
    return text
