"""Reads of the business model: a basin's (the page « Modèle économique ») and a project's —
with, for a project (issue 18), its funding split, CPF top-up scenarios and services.

The model itself is pure (`implantations.analytics.business_model`); this module gathers what
it is computed from, as the page does: the concept (asked, else the one recommended, else
turnkey), a saved scenario's assumptions or the assumptions typed, else the defaults with the
basin's own answer to « premises lent by the town », and the basin's addressable public."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.db.models import prefetch_related_objects

from diagnostics.models import Basin
from implantations.analytics import business_model as bm
from implantations.analytics import business_model_assumptions as bma
from implantations.analytics import criteria
from implantations.analytics import funding as fd
from implantations.analytics.site_services import Service, default_services, services_with
from implantations.models import (
    BasinPartnership,
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
    top-up and funding, see `project_model_inputs`). Raises AssumptionError (codes → French
    messages) for invalid `overrides`."""
    recommendation = recommendation_latest(basin)
    if scenario is not None:
        concept = scenario.concept
    elif not concept:
        concept = (recommendation.concept if recommendation else "") or criteria.TURNKEY
    concept = _model_concept(concept)
    values, premises_from_assets = _model_values(
        scenario, overrides, lambda: basin_partnership_get(basin)
    )
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


def _model_values(
    scenario: BusinessScenario | None,
    overrides: Mapping[str, Any] | None,
    partnership_of: Callable[[], BasinPartnership | None],
) -> tuple[dict[str, Any], bool]:
    """The assumptions a model is computed with: the saved scenario's, else those typed, else the
    defaults with the basin's answer to « premises lent by the town » (read only then); and
    whether that answer was used."""
    if scenario is not None:
        return dict(scenario.assumptions), False
    if overrides:
        return dict(overrides), False
    partnership = partnership_of()
    if partnership is not None and partnership.town_lends_premises is not None:
        return {"premises_lent": 1 if partnership.town_lends_premises else 0}, True
    return {}, False


def _model_concept(concept: str) -> str:
    return concept if concept in criteria.CONCEPTS else criteria.TURNKEY


def business_scenario_latest(basin: Basin, concept: str) -> BusinessScenario | None:
    return BusinessScenario.objects.filter(basin=basin, concept=concept).order_by("-id").first()


def business_scenarios_latest(basin_ids: Iterable[int]) -> dict[tuple[int, str], BusinessScenario]:
    """(basin, concept) → the latest saved scenario, as `business_scenario_latest` (one query)."""
    latest: dict[tuple[int, str], BusinessScenario] = {}
    for scenario in BusinessScenario.objects.filter(basin_id__in=set(basin_ids)).order_by("id"):
        latest[(scenario.basin_id, scenario.concept)] = scenario
    return latest


def business_model_for_project(project: ImplantationProject) -> BusinessModelRead:
    """The business model of a project: its concept, on its basin, with the basin's latest
    saved scenario for that concept when there is one — what its planned learners come from
    (`services.concept_defaults.concept_planned_learners`)."""
    scenario = business_scenario_latest(project.basin, project.concept)
    return business_model_for_basin(
        project.basin,
        concept=project.concept,
        scenario=scenario,
        inputs=project_model_inputs(project),
    )


@dataclass(frozen=True)
class ProjectModel:
    """A project's business model as `business_model_for_project` computes it, without the
    basin's addressable public (which changes only the public-share column and the warnings,
    never a revenue or a cost)."""

    model: bm.BusinessModel
    scenario: BusinessScenario | None
    premises_from_assets: bool


# What `project_model_inputs` reads of a project (prefetched by `project_models`).
PROJECT_MODEL_PREFETCH = ("funding_lines", "topup_scenarios", "services")


def project_models(projects: list[ImplantationProject]) -> dict[int, ProjectModel]:
    """Project pk → its business model, computed as `business_model_for_project` does (the
    follow-up's plan, issue 18): the latest saved scenario of each basin and concept and the
    partnerships read in one query each, the funding lines, top-ups and services prefetched
    (unless already), each distinct (concept, assumptions, inputs) computed once — the number of
    queries does not grow with the number of projects."""
    if not projects:
        return {}
    prefetch_related_objects(projects, *PROJECT_MODEL_PREFETCH)
    scenarios = business_scenarios_latest(p.basin_id for p in projects)
    without_scenario = {p.basin_id for p in projects if (p.basin_id, p.concept) not in scenarios}
    partnerships = (
        {
            row.basin_id: row
            for row in BasinPartnership.objects.filter(basin_id__in=without_scenario)
        }
        if without_scenario
        else {}
    )
    cache: dict[str, bm.BusinessModel] = {}
    out: dict[int, ProjectModel] = {}
    for project in projects:
        scenario = scenarios.get((project.basin_id, project.concept))
        values, from_assets = _model_values(
            scenario, None, partial(partnerships.get, project.basin_id)
        )
        concept = _model_concept(scenario.concept if scenario is not None else project.concept)
        inputs = project_model_inputs(project)
        key = repr((concept, sorted(values.items()), inputs))
        if key not in cache:
            cache[key] = bm.business_model(concept, overrides=values, **inputs)
        out[project.pk] = ProjectModel(cache[key], scenario, from_assets)
    return out


# --- A project's funding split, CPF top-up and services (issue 18) -----------------------------
# Read through `.all()` so that a prefetch (`PROJECT_MODEL_PREFETCH`) is used when there is one.
def project_funding_rows(project: ImplantationProject) -> list[ProjectFundingLine]:
    return sorted(project.funding_lines.all(), key=lambda row: (row.position, row.pk))


def project_funding_lines(project: ImplantationProject) -> list[fd.FundingLine]:
    return [row.as_line() for row in project_funding_rows(project)]


def project_topup_list(project: ImplantationProject) -> list[CpfTopUpScenario]:
    return list(project.topup_scenarios.select_related("created_by").all())


def project_topup_retained(project: ImplantationProject) -> CpfTopUpScenario | None:
    return next((row for row in project.topup_scenarios.all() if row.retained), None)


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
    public: bma.AddressablePublic | None = None,
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
