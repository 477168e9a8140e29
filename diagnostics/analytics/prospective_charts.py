"""Pure frame → plotly Figure builders for the prospective section of the report (issue 17):
saturated métiers, bridges, replacement needs, projections with their interval, key sectors.
Same look as `charts.py` (DSFR colours, French number format, offline). A projection is never
drawn without its 80 % interval; an estimate says « estimé » on hover."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from .charts import BLUE_FRANCE, BLUE_LIGHT, GREEN, RED_MARIANNE, chart_layout, empty_note
from .columns import (
    AREA,
    BASSIN_BMO_CODE,
    CHANGE,
    FAMILY_LABEL,
    FORECAST,
    HORIZON,
    JOB_SEEKERS_ABC,
    JOB_SEEKERS_CONCERNED,
    LOWER,
    NAF_SECTION,
    OBSERVED,
    OFFERS,
    PERIOD,
    REFERENCE_SHARE,
    ROME_CODE,
    ROME_LABEL,
    SECTOR_LABEL,
    SENIOR_SHARE,
    SHARE,
    TARGET_ROME_CODE,
    TARGET_ROME_LABEL,
    UPPER,
    YEAR,
)
from .common import format_number, plotly_text, require_columns
from .replacement import AREA_LABELS

GREY = "#929292"


def _short(text: Any, limit: int = 46) -> str:
    value = str(text or "")
    return value if len(value) <= limit else value[: limit - 1].rstrip() + "…"


def _label(label: Any, code: Any, bassin: Any = None, *, whole: bool = False) -> str:
    """The axis label « label (code) », shortened to fit; `whole`: not shortened (the hover
    and the chart's data table, `_whole_labels`)."""
    where = f", bassin {bassin}" if bassin else ""
    shown = str(label or "") if whole else _short(label)
    return plotly_text(f"{shown or code} ({code}{where})")


def _whole_labels(labels: Sequence[str]) -> dict[str, Any]:
    """A bar trace's arguments that give its categories whole where the axis shortens them:
    the hover reads them (`customdata`) and so do the chart's caption and data table
    (`meta.labels`, read by cnam/charts.js)."""
    return {"customdata": list(labels), "meta": {"labels": list(labels)}}


def _bassins(rows: pd.DataFrame) -> list[Any]:
    """Each row's bassin when the rows span several bassins BMO (else None: one bassin)."""
    if BASSIN_BMO_CODE not in rows.columns or len(set(rows[BASSIN_BMO_CODE])) <= 1:
        return [None] * len(rows)
    return rows[BASSIN_BMO_CODE].tolist()


def _bars_layout(title: str, rows: int, *, x_title: str) -> dict[str, Any]:
    layout = chart_layout(title, max(260, 120 + 28 * rows))
    layout.update(
        hovermode="closest",
        barmode="group",
        margin={"l": 20, "r": 20, "t": 60, "b": 50},
        xaxis={"title": {"text": x_title}, "gridcolor": "#eeeeee", "rangemode": "tozero"},
        yaxis={"autorange": "reversed", "automargin": True},
    )
    return layout


def saturated_figure(saturated: pd.DataFrame, *, max_rows: int = 15) -> go.Figure:
    """Job seekers beside offers for the saturated métiers (largest surplus first)."""
    require_columns(
        saturated, [ROME_CODE, ROME_LABEL, OFFERS, JOB_SEEKERS_ABC], what="les métiers saturés"
    )
    rows = saturated.head(max_rows)
    pairs = list(zip(rows[ROME_LABEL], rows[ROME_CODE], strict=True))
    labels = [_label(lab, code) for lab, code in pairs]
    whole = [_label(lab, code, whole=True) for lab, code in pairs]
    fig = go.Figure()
    for column, name, colour in (
        (JOB_SEEKERS_ABC, "Demandeurs d'emploi A, B, C", RED_MARIANNE),
        (OFFERS, "Offres enregistrées", BLUE_FRANCE),
    ):
        values = [None if pd.isna(v) else float(v) for v in rows[column]]
        fig.add_trace(
            go.Bar(
                y=labels,
                x=values,
                name=name,
                orientation="h",
                marker={"color": colour},
                hovertemplate="%{customdata}<br>" + name + " : %{x:,.0f}<extra></extra>",
                **_whole_labels(whole),
            )
        )
    layout = _bars_layout(
        "Métiers saturés : demandeurs et offres", len(rows), x_title="Nombre (moyenne annuelle)"
    )
    if rows.empty:
        layout["annotations"] = [empty_note("Aucun métier saturé selon la règle")]
    fig.update_layout(**layout)
    return fig


def bridges_figure(targets: pd.DataFrame, *, max_rows: int = 15) -> go.Figure:
    """Job seekers of close saturated métiers per métier in tension (bridges)."""
    require_columns(
        targets,
        [TARGET_ROME_CODE, TARGET_ROME_LABEL, JOB_SEEKERS_CONCERNED],
        what="les passerelles",
    )
    rows = targets[pd.to_numeric(targets[JOB_SEEKERS_CONCERNED]).fillna(0) > 0].head(max_rows)
    pairs = list(zip(rows[TARGET_ROME_LABEL], rows[TARGET_ROME_CODE], strict=True))
    fig = go.Figure(
        go.Bar(
            y=[_label(lab, code) for lab, code in pairs],
            x=[float(v) for v in rows[JOB_SEEKERS_CONCERNED]],
            orientation="h",
            marker={"color": GREEN},
            name="Demandeurs des métiers saturés proches",
            hovertemplate="%{customdata}<br>%{x:,.0f} demandeurs d'emploi de métiers saturés proches<extra></extra>",
            **_whole_labels([_label(lab, code, whole=True) for lab, code in pairs]),
        )
    )
    layout = _bars_layout(
        "Passerelles vers les métiers en tension",
        len(rows),
        x_title="Demandeurs d'emploi concernés",
    )
    if rows.empty:
        layout["annotations"] = [
            empty_note("Aucune passerelle : aucun métier saturé proche d'un métier en tension")
        ]
    fig.update_layout(**layout)
    return fig


def replacement_figure(frame: pd.DataFrame) -> go.Figure:
    """Share of the 55–64 year-olds among the 20–64, basin (estimated), region and France."""
    require_columns(frame, [YEAR, AREA, SENIOR_SHARE], what="les indicateurs de remplacement")
    fig = go.Figure()
    colours = {"basin": BLUE_FRANCE, "region": RED_MARIANNE, "france": GREY}
    for area, colour in colours.items():
        rows = frame[frame[AREA] == area].sort_values(YEAR)
        if rows.empty:
            continue
        values = [None if pd.isna(v) else float(v) * 100 for v in rows[SENIOR_SHARE]]
        estimated = area == "basin"
        fig.add_trace(
            go.Scatter(
                x=[str(y) for y in rows[YEAR]],
                y=values,
                name=AREA_LABELS[area],
                mode="lines+markers",
                connectgaps=False,
                line={
                    "color": colour,
                    "width": 3 if estimated else 1.5,
                    "dash": "dot" if estimated else "solid",
                },
                marker={
                    "color": "white" if estimated else colour,
                    "line": {"color": colour, "width": 1.5},
                },
                text=[
                    ""
                    if v is None
                    else f"{format_number(v, decimals=1)} %{' (estimé)' if estimated else ''}"
                    for v in values
                ],
                hovertemplate="%{text}<extra>" + AREA_LABELS[area] + "</extra>",
            )
        )
    layout = chart_layout("Part des 55-64 ans parmi les 20-64 ans", 360)
    layout.update(
        xaxis={"type": "category", "showgrid": False, "tickangle": -45},
        yaxis={"title": {"text": "% des 20-64 ans"}, "gridcolor": "#eeeeee"},
    )
    if frame.empty:
        layout["annotations"] = [empty_note()]
    fig.update_layout(**layout)
    return fig


def projection_figure(
    table: pd.DataFrame, *, title: str, y_title: str, decimals: int = 0
) -> go.Figure:
    """The observed series, then the projection with its 80 % interval (a shaded band) —
    never the projection alone. Input: `projections.Projection.table` of one series."""
    require_columns(
        table, [PERIOD, HORIZON, OBSERVED, FORECAST, LOWER, UPPER], what="la projection"
    )
    observed = table[table[HORIZON] == 0]
    future = table[table[HORIZON] > 0]
    fig = go.Figure()
    fmt = f",.{decimals}f"
    if len(future) and len(observed):
        last = observed.iloc[-1]
        band_x = [str(last[PERIOD]), *future[PERIOD].astype(str)]
        anchor = float(last[OBSERVED])
        upper = [anchor, *(float(v) for v in future[UPPER])]
        lower = [anchor, *(float(v) for v in future[LOWER])]
        fig.add_trace(
            go.Scatter(
                x=band_x,
                y=upper,
                mode="lines",
                line={"width": 0},
                showlegend=False,
                name="Intervalle à 80 % (borne haute)",
                hovertemplate="%{x} : borne haute %{y:" + fmt + "}<extra></extra>",
            )
        )
        fig.add_trace(
            go.Scatter(
                x=band_x,
                y=lower,
                mode="lines",
                line={"width": 0},
                fill="tonexty",
                fillcolor="rgba(106, 106, 244, 0.25)",
                name="Intervalle à 80 % (borne basse)",
                hovertemplate="%{x} : borne basse %{y:" + fmt + "}<extra></extra>",
            )
        )
    fig.add_trace(
        go.Scatter(
            x=observed[PERIOD].astype(str).tolist(),
            y=[float(v) for v in observed[OBSERVED]],
            name="Observé",
            mode="lines",
            line={"color": BLUE_FRANCE, "width": 2.5},
            hovertemplate="%{x} : %{y:" + fmt + "}<extra>Observé</extra>",
        )
    )
    if len(future) and len(observed):
        last = observed.iloc[-1]
        fig.add_trace(
            go.Scatter(
                x=[str(last[PERIOD]), *future[PERIOD].astype(str)],
                y=[float(last[OBSERVED]), *(float(v) for v in future[FORECAST])],
                name="Projection",
                mode="lines+markers",
                line={"color": BLUE_FRANCE, "width": 2, "dash": "dash"},
                marker={"color": "white", "line": {"color": BLUE_FRANCE, "width": 1.5}},
                customdata=[
                    [None, None],
                    *(
                        [float(lo), float(up)]
                        for lo, up in zip(future[LOWER], future[UPPER], strict=True)
                    ),
                ],
                hovertemplate="%{x} : %{y:"
                + fmt
                + "} (intervalle %{customdata[0]:"
                + fmt
                + "} – %{customdata[1]:"
                + fmt
                + "})<extra>Projection</extra>",
            )
        )
    layout = chart_layout(title, 340)
    periods = [*observed[PERIOD].astype(str), *future[PERIOD].astype(str)]
    layout.update(
        xaxis={
            "type": "category",
            "categoryorder": "array",
            "categoryarray": periods,
            "showgrid": False,
            "tickangle": -45,
            "nticks": 16,
        },
        yaxis={"title": {"text": y_title}, "gridcolor": "#eeeeee"},
        hovermode="closest",
    )
    if table.empty:
        layout["annotations"] = [empty_note("Pas de projection (voir la raison ci-dessous)")]
    fig.update_layout(**layout)
    return fig


def families_figure(changes: pd.DataFrame) -> go.Figure:
    """Change in BMO projects per family between the first and the last campaign (diverging)."""
    require_columns(changes, [FAMILY_LABEL, CHANGE], what="les évolutions par famille")
    rows = changes.sort_values(CHANGE, ascending=False, kind="mergesort")
    values = [float(v) for v in rows[CHANGE]]
    fig = go.Figure(
        go.Bar(
            y=[plotly_text(_short(v)) for v in rows[FAMILY_LABEL]],
            x=values,
            orientation="h",
            marker={"color": [GREEN if v >= 0 else RED_MARIANNE for v in values]},
            hovertemplate="%{customdata}<br>%{x:+,.0f} projets<extra></extra>",
            name="Variation des projets",
            **_whole_labels([plotly_text(str(v)) for v in rows[FAMILY_LABEL]]),
        )
    )
    title = "Évolution des projets de recrutement par famille de métiers"
    if len(rows):
        first, last = rows["first_period"].iloc[0], rows["last_period"].iloc[0]
        title += f" ({first} → {last})"
    layout = _bars_layout(title, len(rows), x_title="Variation du nombre de projets")
    layout["xaxis"]["rangemode"] = "normal"
    layout["xaxis"]["zeroline"] = True
    if rows.empty:
        layout["annotations"] = [empty_note("Moins de deux campagnes BMO : pas d'évolution")]
    fig.update_layout(**layout)
    return fig


def naf_figure(sectors: pd.DataFrame, *, vintages: Sequence[str] = ()) -> go.Figure:
    """Share of each NAF section in the job seekers of the basin's bassins BMO beside France."""
    require_columns(
        sectors, [NAF_SECTION, SECTOR_LABEL, SHARE, REFERENCE_SHARE], what="les secteurs"
    )
    rows = sectors
    labels = [plotly_text(_short(lab or "Activité inconnue")) for lab in rows[SECTOR_LABEL]]
    whole = [plotly_text(str(lab or "Activité inconnue")) for lab in rows[SECTOR_LABEL]]
    fig = go.Figure()
    for column, name, colour in (
        (SHARE, "Bassins BMO du bassin", BLUE_FRANCE),
        (REFERENCE_SHARE, "France", BLUE_LIGHT),
    ):
        fig.add_trace(
            go.Bar(
                y=labels,
                x=[None if pd.isna(v) else float(v) * 100 for v in rows[column]],
                orientation="h",
                name=name,
                marker={"color": colour},
                hovertemplate="%{customdata}<br>" + name + " : %{x:.1f} %<extra></extra>",
                **_whole_labels(whole),
            )
        )
    title = "Demandeurs d'emploi par secteur de leur dernier employeur"
    if vintages:
        title += f" ({', '.join(vintages)})"
    layout = _bars_layout(title, len(rows), x_title="% des demandeurs d'emploi")
    if rows.empty:
        layout["annotations"] = [empty_note()]
    fig.update_layout(**layout)
    return fig
