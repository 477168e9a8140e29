"""The lycées on a basin's map (`maps.basin_map_figure`): one marker trace and legend entry per
track category (professional, technological, general only, unknown), each its own symbol, with the
lycée's name, UAI, commune and tracks on hover. Pure: pandas, plotly.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import plotly.graph_objects as go

from .columns import LATITUDE, LONGITUDE, NAME
from .common import plotly_text
from .lycees import (
    CATEGORIES,
    CATEGORY,
    COMMUNE_CODE,
    COMMUNE_NAME,
    GENERAL,
    INCONNU,
    PROFESSIONNEL,
    SECTOR_LABEL,
    TECHNOLOGIQUE,
    UAI,
    VOIES_TEXT,
    lycees_described,
)

# Lycée markers: one trace (and legend entry) per track category, each its own symbol.
LYCEE_TRACE_NAMES = {
    PROFESSIONNEL: "Lycée (voie professionnelle)",
    TECHNOLOGIQUE: "Lycée (voie technologique)",
    GENERAL: "Lycée (voie générale seule)",
    INCONNU: "Lycée (voie pro. non publiée)",
}
LYCEE_MARKERS: dict[str, dict[str, Any]] = {
    PROFESSIONNEL: {"symbol": "diamond", "size": 12, "color": "#b34000"},
    TECHNOLOGIQUE: {"symbol": "triangle-up", "size": 12, "color": "#009081"},
    GENERAL: {"symbol": "circle", "size": 9, "color": "#a558a0"},
    INCONNU: {"symbol": "circle-open", "size": 10, "color": "#3a3a3a"},
}


def add_lycee_traces(fig: go.Figure, lycees: pd.DataFrame | None) -> tuple[dict[str, int], int]:
    """One marker trace per track category present; returns the counts drawn per category and
    the number of lycées without coordinates."""
    if lycees is None or not len(lycees):
        return {}, 0
    described = lycees_described(lycees)
    located = described[described[LONGITUDE].notna() & described[LATITUDE].notna()]
    counts: dict[str, int] = {}
    for category in CATEGORIES:
        group = located[located[CATEGORY] == category]
        if not len(group):
            continue
        counts[category] = len(group)
        marker = dict(LYCEE_MARKERS[category])
        if not str(marker["symbol"]).endswith("-open"):
            marker["line"] = {"color": "white", "width": 1}
        else:
            marker["line"] = {"color": marker["color"], "width": 2}
        fig.add_trace(
            go.Scatter(
                x=[float(v) for v in group[LONGITUDE]],
                y=[float(v) for v in group[LATITUDE]],
                name=LYCEE_TRACE_NAMES[category],
                mode="markers",
                marker=marker,
                customdata=[
                    [
                        plotly_text(name),
                        plotly_text(uai),
                        plotly_text(f"{commune_name or ''} ({commune_code})".strip()),
                        f" · {plotly_text(sector)}" if sector else "",
                        # One statement per hover line.
                        "<br>".join(
                            plotly_text(p[:1].upper() + p[1:]) for p in str(voies).split(" ; ")
                        ),
                    ]
                    for name, uai, commune_name, commune_code, sector, voies in zip(
                        group[NAME],
                        group[UAI],
                        group[COMMUNE_NAME].astype(object).where(group[COMMUNE_NAME].notna(), ""),
                        group[COMMUNE_CODE],
                        group[SECTOR_LABEL],
                        group[VOIES_TEXT],
                        strict=True,
                    )
                ],
                hovertemplate=(
                    "<b>%{customdata[0]}</b><br>UAI : %{customdata[1]}%{customdata[3]}"
                    "<br>Commune : %{customdata[2]}<br>%{customdata[4]}<extra></extra>"
                ),
            )
        )
    return counts, int(len(described) - len(located))
