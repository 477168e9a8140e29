"""Pure plotly figures of a project's evaluation (issue 18).

- `variances_figure(variances)`: planned against actual per line of one year (grouped bars),
  the variance written beside each actual.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from diagnostics.analytics.common import format_number, require_columns

from . import evaluation as ev
from .charts import BLUE_FRANCE, FONT, RED_MARIANNE, SEPARATORS


def variances_figure(variances: pd.DataFrame, *, height: int = 380) -> go.Figure:
    """Planned (outlined bars) and actual amounts (filled; red where an explanation is
    required) of the six lines. Input: `evaluation.VARIANCE_COLUMNS` (totals left out)."""
    require_columns(variances, ev.VARIANCE_COLUMNS, what="écarts au plan")
    lines = variances[variances[ev.KIND] != ev.KIND_TOTAL]
    labels = [str(v) for v in lines[ev.LABEL]]
    planned = [None if pd.isna(v) else float(v) for v in lines[ev.PLANNED]]
    actual = [None if pd.isna(v) else float(v) for v in lines[ev.ACTUAL]]
    texts = []
    for share in lines[ev.VARIANCE_SHARE]:
        texts.append(
            ""
            if pd.isna(share)
            else f"{'+' if share > 0 else ''}{format_number(float(share) * 100, decimals=1)} %"
        )
    colours = [RED_MARIANNE if flag else BLUE_FRANCE for flag in lines[ev.EXPLANATION_REQUIRED]]
    figure = go.Figure()
    figure.add_trace(
        go.Bar(
            y=labels,
            x=planned,
            orientation="h",
            name="Prévu (modèle économique)",
            marker={"color": "#e3e3fd", "line": {"color": BLUE_FRANCE, "width": 1.5}},
            hovertemplate="%{y}<br>prévu : %{x:,.0f} €<extra></extra>",
        )
    )
    figure.add_trace(
        go.Bar(
            y=labels,
            x=actual,
            orientation="h",
            name="Réel (rouge : écart à expliquer)",
            marker={"color": colours},
            text=texts,
            textposition="outside",
            hovertemplate="%{y}<br>réel : %{x:,.0f} €<br>écart : %{text}<extra></extra>",
        )
    )
    top = max([0.0] + [v for v in planned + actual if v is not None])
    figure.update_layout(
        barmode="group",
        template="plotly_white",
        font=FONT,
        separators=SEPARATORS,
        height=height,
        margin={"l": 10, "r": 20, "t": 10, "b": 40},
        legend={"orientation": "h", "y": -0.22},
        xaxis={"title": {"text": "euros"}, "range": [0, top * 1.25 + 1], "tickformat": ",.0f"},
        yaxis={"autorange": "reversed", "automargin": True},
    )
    return figure
