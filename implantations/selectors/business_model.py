"""Reads of the business model: a basin's (the page « Modèle économique ») and a project's —
with, for a project (issue 18), its funding split, CPF top-up scenarios and services.

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
from implantations.analytics import funding as fd
from implantations.analytics import scoring
from implantations.analytics.site_services import Service, default_services, services_with
from implantations.models import (
    BusinessScenario,
    CpfTopUpScenario,
    ImplantationProject,
    ProjectFundingLine,
    Recommendation,
)
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
    inputs: Mapping[str, Any] | None = None,
) -> BusinessModelRead:
    """The business model of `basin` as its page computes it (`inputs`: a project's services,
    top-up and funding, see `project_model_inputs`). Raises bm.AssumptionError (codes → French
    messages) for invalid `overrides`."""
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
        concept,
        overrides=values,
        public=business_public(basin, recommendation),
        **dict(inputs or {}),
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
    return business_model_for_basin(
        project.basin,
        concept=project.concept,
        scenario=scenario,
        inputs=project_model_inputs(project),
    )


# --- A project's funding split, CPF top-up and services (issue 18) -----------------------------
def project_funding_rows(project: ImplantationProject) -> list[ProjectFundingLine]:
    return list(project.funding_lines.order_by("position", "id"))


def project_funding_lines(project: ImplantationProject) -> list[fd.FundingLine]:
    return [row.as_line() for row in project_funding_rows(project)]


def project_topup_list(project: ImplantationProject) -> list[CpfTopUpScenario]:
    return list(project.topup_scenarios.select_related("created_by").all())


def project_topup_retained(project: ImplantationProject) -> CpfTopUpScenario | None:
    return project.topup_scenarios.filter(retained=True).first()


def project_service_values(project: ImplantationProject) -> dict[str, dict[str, Any]]:
    """The project's own service figures by code (only for the concept's services)."""
    return {row.code: row.as_values() for row in project.services.all()}


def project_services(project: ImplantationProject) -> list[Service]:
    """The concept's services with the project's own figures where it has entered some (a
    service the concept does not offer, left from a former concept, is ignored)."""
    offered = {s.code for s in default_services(project.concept)}
    values = {k: v for k, v in project_service_values(project).items() if k in offered}
    return services_with(project.concept, values)


@dataclass(frozen=True)
class PlanBasis:
    """Where a project's plan assumptions come from: the basin's latest saved scenario of the
    project's concept, or the defaults."""

    overrides: Mapping[str, Any]
    scenario: BusinessScenario | None

    @property
    def label(self) -> str:
        if self.scenario is None:
            return "hypothèses par défaut du concept"
        return f"scénario « {self.scenario.name} » du bassin"


def project_plan_basis(project: ImplantationProject) -> PlanBasis:
    scenario = business_scenario_latest(project.basin, project.concept)
    return PlanBasis(dict(scenario.assumptions) if scenario else {}, scenario)


def project_business_model(
    project: ImplantationProject,
    *,
    overrides: Mapping[str, Any] | None = None,
    public: bm.AddressablePublic | None = None,
) -> bm.BusinessModel:
    """The project's planned business model: `overrides` (default: the plan basis), the
    project's services, its retained CPF top-up and its funding split."""
    return bm.business_model(
        project.concept,
        overrides=project_plan_basis(project).overrides if overrides is None else overrides,
        public=public,
        **project_model_inputs(project),
    )


def project_model_inputs(project: ImplantationProject) -> dict[str, Any]:
    """What a project adds to its business model: `services`, `topup` (the retained one) and
    `funding` (the split by funder), as keyword arguments of `bm.business_model`."""
    retained = project_topup_retained(project)
    return {
        "services": project_services(project),
        "topup": retained.as_topup() if retained else None,
        "funding": project_funding_lines(project),
    }
