"""Reads of a project's business model (issue 18): its funding split, CPF top-up scenarios and
services, and the project's planned business model — the basin's latest saved scenario of the
project's concept, with the project's services, its retained top-up and its funding split.

`project_business_model(project)` is the plan other pages compare against (follow-up)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from implantations.analytics import business_model as bm
from implantations.analytics import funding as fd
from implantations.analytics.site_services import Service, services_with
from implantations.models import (
    BusinessScenario,
    CpfTopUpScenario,
    ImplantationProject,
    ProjectFundingLine,
)


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
    from implantations.analytics.site_services import default_services

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
    scenario = (
        BusinessScenario.objects.filter(basin_id=project.basin_id, concept=project.concept)
        .order_by("-created_at", "-id")
        .first()
    )
    return PlanBasis(dict(scenario.assumptions) if scenario else {}, scenario)


def project_business_model(
    project: ImplantationProject,
    *,
    overrides: Mapping[str, Any] | None = None,
    public: bm.AddressablePublic | None = None,
) -> bm.BusinessModel:
    """The project's planned business model: `overrides` (default: the plan basis), the
    project's services, its retained CPF top-up and its funding split."""
    retained = project_topup_retained(project)
    return bm.business_model(
        project.concept,
        overrides=project_plan_basis(project).overrides if overrides is None else overrides,
        public=public,
        services=project_services(project),
        topup=retained.as_topup() if retained else None,
        funding=project_funding_lines(project),
    )
