"""Recommendation and business-model charts (pure plotly)."""

from __future__ import annotations

import pytest

from implantations.analytics.business_model import business_model
from implantations.analytics.charts import (
    business_model_figure,
    learners_figure,
    scores_figure,
    sensitivity_figure,
    waterfall_figure,
)
from implantations.analytics.criteria import FAB_ID, TURNKEY
from implantations.analytics.profile import DEFAULT_PROFILE
from implantations.analytics.scores import concept_scores, pillar_scores, raw_frame, score_criteria


@pytest.fixture
def scored():  # type: ignore[no-untyped-def]
    values = {
        "bmo_projects_per_1000": 37.5,  # 0.5
        "vocational_lycees": 3,  # 1.0
        "unemployment_rate": None,  # missing
        "population": 65_000,  # 0.5
    }
    return score_criteria(raw_frame({k: {"raw": v} for k, v in values.items()}), DEFAULT_PROFILE)


def test_waterfall_adds_known_criteria_up_to_the_score(scored) -> None:  # type: ignore[no-untyped-def]
    figure = waterfall_figure(scored, TURNKEY)
    trace = figure.data[0]

    assert trace.type == "waterfall"
    assert trace.name == "Points apportés"  # the caption's series, not « série 1 »
    # Turnkey weights 14, 15 and 4 (33 points known): 100·14/33·0.5, 100·15/33, 100·4/33·0.5.
    assert list(trace.x[1]) == [
        "Projets / 1 000 hab.",
        "Lycées pro. ou techno.",
        "Population",
        "Score",
    ]
    assert list(trace.x[0]) == ["Demande", "Accueil", "Accès", "Total"]
    assert list(trace.measure) == ["relative", "relative", "relative", "total"]
    assert trace.y[-1] == pytest.approx(concept_scores(scored)[TURNKEY])
    assert trace.y[0] == pytest.approx(100 * 14 / 33 * 0.5)
    # (14·0.5 + 15·1 + 4·0.5) · 100 / 33 = 2400 / 33 = 72.73, written the French way.
    assert trace.text[-1] == "72,7"


def test_waterfall_leaves_out_missing_and_unweighted_criteria(scored) -> None:  # type: ignore[no-untyped-def]
    trace = waterfall_figure(scored, FAB_ID).data[0]
    # Fab ID: unemployment missing, lycées weighted 0: projects and population only.
    assert list(trace.x[1]) == ["Projets / 1 000 hab.", "Population", "Score"]


def test_scores_figure_marks_failed_constraints(scored) -> None:  # type: ignore[no-untyped-def]
    figure = scores_figure(
        pillar_scores(scored),
        concept_scores(scored),
        {"turnkey": True, "fab_id": False, "progressive": True},
    )
    assert [t.name for t in figure.data][:2] == [
        "Demande des employeurs",
        "Publics éloignés de l'emploi",
    ]
    assert figure.data[0].y == ("Clef en main", "Fab ID (tiers-lieu) ✕", "Progressif")
    assert "condition non remplie" in figure.layout.annotations[1].text


def test_sensitivity_figure_highlights_the_recommended_concept() -> None:
    figure = sensitivity_figure(
        {"turnkey": 0.7, "fab_id": 0.3, "progressive": 0, "none": 0}, TURNKEY
    )
    bar = figure.data[0]
    assert list(bar.x) == [70.0, 30.0, 0.0, 0.0]
    assert bar.marker.color[0] == "#000091" and bar.marker.color[1] != "#000091"


def test_business_model_figure_draws_costs_below_zero() -> None:
    years = business_model(FAB_ID, overrides={"premises_lent": 1}).years
    figure = business_model_figure(years)
    names = [t.name for t in figure.data]

    assert "Locaux" not in names  # lent by the town: no premises cost at all
    # Steering 0.5 FTE × 55,000 = 27,500; the services' 1.5 FTE × 55,000 = 82,500 (no direct
    # cost by default): the AMI's two full-time staff, 110,000 in all.
    staff = next(t for t in figure.data if t.name == "Personnel de pilotage")
    assert list(staff.y) == [0, -27_500, -27_500, -27_500, -27_500, -27_500]
    services = next(t for t in figure.data if t.name.startswith("Services"))
    assert list(services.y) == [0, -82_500, -82_500, -82_500, -82_500, -82_500]
    balance = figure.data[-1]
    assert balance.name == "Solde" and balance.y[4] == pytest.approx(9_500)
    assert list(learners_figure(years).data[0].y) == [0, 85, 85, 85, 85, 85]
