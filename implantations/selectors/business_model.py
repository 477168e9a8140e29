"""Reads of the business model: a basin's (the page « Modèle économique ») and a project's.

The model itself is pure (`implantations.analytics.business_model`); this module gathers what
it is computed from, as the page does: the concept (asked, else the one recommended, else
turnkey), a saved scenario's assumptions or the assumptions typed, else the defaults with the
basin's own answer to « premises lent by the town », and the basin's addressable public."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from diagnostics.models import Basin
from implantations.analytics import business_model as bm
from implantations.analytics import scoring
from implantations.models import BusinessScenario, ImplantationProject, Recommendation
from implantations.selectors.assets import basin_partnership_get
from implantations.selectors.recommendation import business_public, recommendation_latest


@dataclass
class BusinessModelRead:
    basin: Basin
    concept: str
    model: bm.BusinessModel
    recommendation: Recommendation | None
    scenario: BusinessScenario | None
    overrides: dict[str, Any]
    premises_from_assets: bool


def business_model_for_basin(
    basin: Basin,
    *,
    concept: str | None = None,
    scenario: BusinessScenario | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> BusinessModelRead:
    """The business model of `basin` as its page computes it. Raises bm.AssumptionError (codes
    → French messages) for invalid `overrides`."""
    recommendation = recommendation_latest(basin)
    if scenario is not None:
        concept = scenario.concept
    elif not concept:
        concept = (recommendation.concept if recommendation else "") or scoring.TURNKEY
    if concept not in scoring.CONCEPTS:
        concept = scoring.TURNKEY
    values: dict[str, Any] = {}
    premises_from_assets = False
    if scenario is not None:
        values = dict(scenario.assumptions)
    elif overrides:
        values = dict(overrides)
    else:
        partnership = basin_partnership_get(basin)
        if partnership is not None and partnership.town_lends_premises is not None:
            values["premises_lent"] = 1 if partnership.town_lends_premises else 0
            premises_from_assets = True
    model = bm.business_model(
        concept, overrides=values, public=business_public(basin, recommendation)
    )
    return BusinessModelRead(
        basin=basin,
        concept=concept,
        model=model,
        recommendation=recommendation,
        scenario=scenario,
        overrides=values,
        premises_from_assets=premises_from_assets,
    )


def business_scenario_latest(basin: Basin, concept: str) -> BusinessScenario | None:
    return BusinessScenario.objects.filter(basin=basin, concept=concept).order_by("-id").first()


def business_model_for_project(project: ImplantationProject) -> BusinessModelRead:
    """The business model of a project: its concept, on its basin, with the basin's latest
    saved scenario for that concept when there is one — what its planned learners come from
    (`services.projects.concept_planned_learners`)."""
    scenario = business_scenario_latest(project.basin, project.concept)
    return business_model_for_basin(project.basin, concept=project.concept, scenario=scenario)
