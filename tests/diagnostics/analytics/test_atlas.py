"""National atlas (diagnostics.analytics.atlas): figures read from a document, and the map of
France with the overseas regions as insets."""

from __future__ import annotations

import pandas as pd
from shapely.geometry import box, mapping

from diagnostics.analytics.atlas import atlas_figure, atlas_values


def document() -> dict:
    return {
        "basin": {"population": 20_000},
        "years": {
            "2024": {"bmo_projects": 120, "bmo_difficulty_rate": 0.5, "bmo_estimated": True},
            "2025": {
                "bmo_projects": 168,
                "bmo_projects_per_1000": 8.4,
                "bmo_difficulty_rate": 0.6123,
                "bmo_seasonal_rate": 0.1,
                "bmo_estimated": True,
            },
        },
        "unemployment": [
            {"period": "2023-T4", "rate": 5.8, "estimated": False},
            {"period": "2024-T1", "rate": 5.5, "estimated": False},
            {"period": "2024-T2", "rate": None},
        ],
        "job_seekers": [{"period": "2024-02", "value": 650, "estimated": True}],
        "bmo": {"years": [2024, 2025]},
        "tension_metiers": [{"code": "A1Z40"}, {"code": "B1Z40"}],
    }


def test_atlas_values_read_the_last_figures():
    values = atlas_values(document())

    assert values["bmo_projects"] == 168 and values["bmo_projects_period"] == "2025"
    assert values["bmo_difficulty_rate"] == 61.23  # a share shown in %
    assert values["bmo_projects_estimated"] is True
    assert (values["unemployment_rate"], values["unemployment_rate_period"]) == (5.5, "2024-T1")
    assert values["job_seekers_per_1000"] == 32.5  # 650 × 1 000 / 20 000
    assert values["tension_metiers"] == 2
    assert atlas_values(None)["bmo_projects"] is None


def test_atlas_figure_puts_overseas_regions_in_insets_and_outlines_the_region():
    frame = pd.DataFrame(
        {
            "code": ["1101", "4404", "0101", "0401"],
            "name": ["Paris", "Chaumont", "Basse-Terre", "Saint-Denis"],
            "region_code": ["11", "44", "01", "04"],
            "geometry": [
                mapping(box(2.2, 48.8, 2.5, 49.0)),
                mapping(box(5.0, 48.0, 5.5, 48.3)),
                mapping(box(-61.8, 16.0, -61.5, 16.3)),
                mapping(box(55.3, -21.3, 55.8, -20.9)),
            ],
            "value": [10.0, 20.0, None, 30.0],
        }
    )

    figure = atlas_figure(frame, value="value", value_title="Valeur", highlight_region="44")

    layout = figure.layout
    assert layout.xaxis2.domain == (0.0, 0.2) and layout.xaxis3.domain == (0.0, 0.2)
    assert layout.xaxis.domain == (0.22, 1.0)
    assert [a.text for a in layout.annotations] == ["Guadeloupe", "La Réunion"]
    by_name = {trace.name: trace for trace in figure.data}
    assert by_name["Bassins de votre région"].line.color == "#e1000f"
    assert by_name["Donnée non disponible"].xaxis == "x2"  # Basse-Terre, no value: grey, inset
    assert layout.meta["low"] == 10.0 and layout.meta["high"] == 30.0
