"""Chart of the funding split: pure `frame -> plotly Figure`."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from diagnostics.analytics.common import require_columns

from . import business_model_columns as bmc
from . import funding as fd
from .charts import chart_layout


def funding_split_figure(
    split: pd.DataFrame, years: pd.DataFrame, *, height: int = 360
) -> go.Figure:
    """Aid per year stacked by funder (bars, FUNDER_LABELS order) and the public aid the model
    needs (line: the deficits). Input: `funding.SPLIT_COLUMNS`; `business_model.YEAR_COLUMNS`."""
    require_columns(split, fd.SPLIT_COLUMNS, what="la répartition par financeur")
    require_columns(years, [bmc.YEAR, bmc.PUBLIC_AID], what="le modèle économique")
    x = [f"Année {int(y)}" for y in years[bmc.YEAR]]
    figure = go.Figure()
    for funder in fd.FUNDER_LABELS:
        rows = split[split[fd.FUNDER] == funder].sort_values(fd.YEAR)
        if rows.empty:
            continue
        label = fd.FUNDER_LABELS[funder]
        amounts = rows.set_index(fd.YEAR)[fd.AMOUNT].reindex(years[bmc.YEAR], fill_value=0.0)
        figure.add_bar(
            name=label,
            x=x,
            y=amounts.astype(float).tolist(),
            marker={"color": fd.FUNDER_COLOURS[funder]},
            hovertemplate=f"{label} : %{{y:,.0f}} €<extra></extra>",
        )
    figure.add_scatter(
        name="Aide nécessaire (déficit)",
        x=x,
        y=years[bmc.PUBLIC_AID].astype(float).tolist(),
        mode="lines+markers",
        line={"color": "#161616", "width": 2, "dash": "dot"},
        marker={"size": 8},
        hovertemplate="Aide nécessaire : %{y:,.0f} €<extra></extra>",
    )
    layout = chart_layout(None, height)
    layout["legend"] = {"orientation": "v", "x": 1.02, "y": 1, "xanchor": "left"}
    layout["margin"] = {"l": 70, "r": 20, "t": 20, "b": 40}
    figure.update_layout(
        **layout,
        barmode="stack",
        hovermode="x unified",
        yaxis={"title": {"text": "euros"}, "gridcolor": "#eeeeee", "tickformat": ",.0f"},
    )
    return figure
