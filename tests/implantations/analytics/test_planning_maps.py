"""Planning figures, pure: the region map (polygons filled by fit, picked sites, Cnam sites) and
the planned-against-actual learners chart."""

from __future__ import annotations

import pandas as pd
import pytest

from implantations.analytics import planning_columns as pc
from implantations.analytics import planning_followup as pfu
from implantations.analytics import planning_maps as m
from implantations.analytics.maps import RED_MARIANNE


def square(lon: float, lat: float, size: float = 0.2) -> dict:
    ring = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


def candidates() -> pd.DataFrame:
    return pd.DataFrame(
        [
            ("A", "Alpha", 80.0, True, 48.1, 5.1, True),
            ("B", "Beta", 40.0, False, 48.5, 5.1, False),
        ],
        columns=[*m.MAP_CANDIDATE_COLUMNS, m.SELECTED],
    )


def sites() -> pd.DataFrame:
    return pd.DataFrame([("Cnam Nancy", 48.69, 6.18)], columns=pc.SITE_POINT_COLUMNS)


def test_region_plan_figure_traces():
    figure = m.region_plan_figure(
        candidates(), geometries={"A": square(5.0, 48.0), "B": square(5.0, 48.4)}, sites=sites()
    )

    polygons = [t for t in figure.data if t.fill == "toself"]
    assert len(polygons) == 2
    alpha, beta = polygons
    # Alpha is picked: red outline; Beta is not eligible: grey fill.
    assert alpha.line.color == RED_MARIANNE
    assert beta.fillcolor == m.INELIGIBLE_FILL
    assert "adéquation 80,0 / 100" in alpha.text
    names = [t.name for t in figure.data if t.name]
    assert names == [
        "Villes principales (couleur : adéquation)",
        "Sites proposés",
        "Sites Cnam existants",
    ]
    picked = next(t for t in figure.data if t.name == "Sites proposés")
    assert list(picked.text) == ["Alpha"]
    # Framed on the candidates (5.0-5.2°E, 48.0-48.6°N) with the 0.3° minimum margin.
    assert list(figure.layout.xaxis.range) == pytest.approx([4.7, 5.5])
    assert list(figure.layout.yaxis.range) == pytest.approx([47.7, 48.9])


def test_region_plan_figure_refuses_missing_columns():
    with pytest.raises(ValueError, match="candidats : colonnes manquantes \\['fit'\\]"):
        m.region_plan_figure(candidates().drop(columns=[pc.FIT]), geometries={}, sites=sites())


def test_candidate_outlines_union_of_communes():
    membership = pd.DataFrame({pc.CANDIDATE_ID: ["A", "A", "B"], pc.COMMUNE_CODE: ["1", "2", "9"]})
    # Two adjacent 0.2° squares → one 0.4 × 0.2 rectangle; B has no outline.
    outlines = m.candidate_outlines(membership, {"1": square(5.0, 48.0), "2": square(5.2, 48.0)})

    assert list(outlines) == ["A"]
    ring = outlines["A"]["coordinates"][0]
    xs = sorted({x for x, _ in ring})
    assert xs == pytest.approx([5.0, 5.4])


def test_learners_figure_gap_labels_and_colours():
    followup = pfu.learners_followup(
        pd.DataFrame(
            {
                "year": [0, 1, 2],
                "calendar_year": [2024, 2025, 2026],
                "planned": [0, 40, 60],
                "actual": [0, 30, None],
            }
        )
    )

    figure = m.learners_figure(followup)

    planned, actual = figure.data
    assert list(planned.y) == [0, 40, 60]
    assert list(actual.y) == [0, 30, None]
    # Year 1: 30 − 40 = −10, −25 % → below the plan (red).
    assert list(actual.text) == ["0", "-10 (-25 %)", ""]
    assert list(actual.marker.color) == [
        m.FOLLOWUP_COLORS["conforme"],
        m.FOLLOWUP_COLORS["en_retard"],
        m.FOLLOWUP_COLORS["a_saisir"],
    ]
