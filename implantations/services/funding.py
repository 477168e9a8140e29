"""Writes of a project's business model (issue 18): the funding split by funder, the CPF
top-up scenarios (one retained) and the project's services.

Each write checks that the user manages the project's basin, validates everything first and
writes all or nothing; a refusal is a `FundingError` whose French message names the field, with
`extra["errors"]` = {row or field: message} for the forms and the API.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction

from diagnostics.errors import ApplicationError
from diagnostics.models import User
from diagnostics.selectors.access import basin_is_manageable
from implantations.analytics import business_model_columns as bmc
from implantations.analytics import funding as fd
from implantations.analytics.site_services import ServiceError, default_services, services_with
from implantations.models import (
    CpfTopUpScenario,
    ImplantationProject,
    ProjectFundingLine,
    ProjectService,
)
from implantations.selectors import business_model as sel


class FundingError(ApplicationError):
    """A project's funding, top-up or services cannot be written as asked."""

    code = "funding_error"


def _check_manageable(user: User | None, project: ImplantationProject) -> None:
    if user is None:
        return
    if not basin_is_manageable(user, project.basin_id):
        raise FundingError(
            "Seuls les délégués de la région du bassin modifient le modèle économique du projet.",
            code="forbidden",
        )


# --- Funding split ----------------------------------------------------------------------------
@dataclass(frozen=True)
class FundingInput:
    funder: str
    annual_amount: float
    first_year: int
    last_year: int
    funder_name: str = ""
    conditions: str = ""

    def as_line(self) -> fd.FundingLine:
        return fd.FundingLine(
            funder=self.funder,
            amount=float(self.annual_amount),
            first_year=int(self.first_year),
            last_year=int(self.last_year),
            name=self.funder_name,
            conditions=self.conditions,
        )


def project_funding_replace(
    *, project: ImplantationProject, lines: Sequence[FundingInput], user: User | None
) -> list[ProjectFundingLine]:
    """Replace the project's funding split by `lines` (an empty list removes it: the business
    model then shows the computed need). Refused, naming the line and field: an unknown funder,
    an amount ≤ 0, a year outside 0-5 or a last year before the first; and a year whose total
    aid exceeds the costs of the project's planned business model that year."""
    _check_manageable(user, project)
    errors: dict[str, dict[str, str]] = {}
    for index, item in enumerate(lines):
        problems = fd.funding_line_problems(item.as_line())
        if problems:  # named after the form's (and the API's) fields
            errors[str(index)] = {
                {"amount": "annual_amount"}.get(k, k): v for k, v in problems.items()
            }
    if errors:
        first, first_problems = next(iter(errors.items()))
        field, message = next(iter(first_problems.items()))
        raise FundingError(
            f"Ligne {int(first) + 1} : {message}",
            code="invalid_funding_line",
            extra={"errors": errors, "field": field},
        )
    plan = sel.project_business_model(project)
    coherence = fd.funding_coherence_problems(
        [item.as_line() for item in lines], plan.years[bmc.COSTS].tolist()
    )
    if coherence:
        messages = list(coherence.values())
        raise FundingError(
            " ".join(messages),
            code="funding_over_costs",
            extra={"errors": {"total": {str(y): m for y, m in coherence.items()}}},
        )
    with transaction.atomic():
        ImplantationProject.objects.select_for_update().filter(pk=project.pk).first()
        project.funding_lines.all().delete()
        created = ProjectFundingLine.objects.bulk_create(
            [
                ProjectFundingLine(
                    project=project,
                    funder=item.funder,
                    funder_name=item.funder_name.strip(),
                    annual_amount=Decimal(str(round(float(item.annual_amount), 2))),
                    first_year=int(item.first_year),
                    last_year=int(item.last_year),
                    conditions=item.conditions.strip(),
                    position=index,
                )
                for index, item in enumerate(lines)
            ]
        )
        project.save(update_fields=["updated_at"])
    return created


# --- CPF top-up -------------------------------------------------------------------------------
def _decimal(value: Any, field: str, label: str) -> Decimal:
    try:
        number = Decimal(str(value).replace(",", ".").replace("\u202f", "").replace(" ", ""))
    except (InvalidOperation, ValueError) as exc:
        raise FundingError(
            f"{label} : valeur « {value} » non numérique.",
            code="invalid_topup",
            extra={"field": field, "errors": {field: f"Valeur « {value} » non numérique."}},
        ) from exc
    if not number.is_finite():
        raise FundingError(f"{label} : nombre attendu.", extra={"field": field})
    return number


def topup_scenario_save(
    *,
    project: ImplantationProject,
    user: User | None,
    name: str,
    rate_percent: Any,
    ceiling: Any,
    learners: Any,
    path_price: Any,
    authority: str = "",
    retained: bool = False,
) -> CpfTopUpScenario:
    """Save a CPF top-up scenario for the project (retained: it becomes the only retained one
    and enters the project's business model). Refused with the field named: a blank or taken
    name, a rate outside 0-100 %, a negative ceiling, price or number of learners."""
    _check_manageable(user, project)
    name = (name or "").strip()
    if not name:
        raise FundingError(
            "Donnez un nom au scénario d'abondement.",
            code="invalid_topup",
            extra={"field": "name", "errors": {"name": "Nom obligatoire."}},
        )
    rate = _decimal(rate_percent, "rate_percent", "Taux")
    ceiling_value = _decimal(ceiling, "ceiling", "Plafond par apprenant")
    price = _decimal(path_price, "path_price", "Prix du parcours")
    count = _decimal(learners, "learners", "Apprenants abondés")
    if count != count.to_integral_value():
        raise FundingError(
            "Le nombre d'apprenants abondés est un nombre entier.",
            code="invalid_topup",
            extra={"field": "learners", "errors": {"learners": "Nombre entier attendu."}},
        )
    topup = fd.CpfTopUp(
        rate=float(rate) / 100,
        ceiling=float(ceiling_value),
        learners=int(count),
        path_price=float(price),
    )
    problems = {{"rate": "rate_percent"}.get(k, k): v for k, v in fd.topup_problems(topup).items()}
    if problems:
        field, message = next(iter(problems.items()))
        raise FundingError(
            message, code="invalid_topup", extra={"field": field, "errors": problems}
        )
    if project.topup_scenarios.filter(name=name).exists():
        raise FundingError(
            f"Un scénario d'abondement s'appelle déjà « {name} » pour ce projet.",
            code="invalid_topup",
            extra={"field": "name", "errors": {"name": "Nom déjà utilisé."}},
        )
    try:
        with transaction.atomic():
            if retained:
                project.topup_scenarios.filter(retained=True).update(retained=False)
            scenario = CpfTopUpScenario.objects.create(
                project=project,
                name=name,
                authority=authority.strip(),
                rate_percent=rate.quantize(Decimal("0.01")),
                ceiling=ceiling_value.quantize(Decimal("0.01")),
                learners=int(count),
                path_price=price.quantize(Decimal("0.01")),
                retained=retained,
                created_by=user,
            )
            project.save(update_fields=["updated_at"])
    except IntegrityError as exc:  # a concurrent save took the name
        raise FundingError(
            f"Un scénario d'abondement s'appelle déjà « {name} » pour ce projet.",
            code="invalid_topup",
            extra={"field": "name", "errors": {"name": "Nom déjà utilisé."}},
        ) from exc
    return scenario


def _scenario(project: ImplantationProject, scenario_id: int) -> CpfTopUpScenario:
    scenario = project.topup_scenarios.filter(pk=scenario_id).first()
    if scenario is None:
        raise FundingError(
            f"Scénario d'abondement n° {scenario_id} introuvable pour ce projet.",
            code="not_found",
        )
    return scenario


def topup_scenario_retain(
    *, project: ImplantationProject, user: User | None, scenario_id: int, retained: bool = True
) -> CpfTopUpScenario:
    """Mark a scenario as the retained one (the others lose the mark), or unmark it."""
    _check_manageable(user, project)
    with transaction.atomic():
        scenario = _scenario(project, scenario_id)
        if retained:
            project.topup_scenarios.exclude(pk=scenario.pk).filter(retained=True).update(
                retained=False
            )
        scenario.retained = retained
        scenario.save(update_fields=["retained"])
        project.save(update_fields=["updated_at"])
    return scenario


def topup_scenario_delete(
    *, project: ImplantationProject, user: User | None, scenario_id: int
) -> str:
    _check_manageable(user, project)
    with transaction.atomic():
        scenario = _scenario(project, scenario_id)
        name = scenario.name
        scenario.delete()
        project.save(update_fields=["updated_at"])
    return name


# --- Services ---------------------------------------------------------------------------------
def project_services_replace(
    *,
    project: ImplantationProject,
    user: User | None,
    values: Mapping[str, Mapping[str, Any]],
) -> list[ProjectService]:
    """Store the project's own figures for its concept's services ({code: {staff_time,
    time_unit, direct_cost, revenue, reach, conversion}}); an empty mapping goes back to the
    concept's defaults. Refused, naming « code.field »: a service the concept does not offer,
    a non-number, a negative value, a conversion above 1."""
    _check_manageable(user, project)
    try:
        services = services_with(project.concept, values)
    except ServiceError as exc:
        key, message = next(iter(exc.problems.items()))
        raise FundingError(
            f"{key} : {message}.",
            code="invalid_service",
            extra={"field": key, "errors": exc.problems},
        ) from exc
    offered = {s.code for s in default_services(project.concept)}
    with transaction.atomic():
        project.services.all().delete()
        created = ProjectService.objects.bulk_create(
            [
                ProjectService(
                    project=project,
                    code=s.code,
                    staff_time=Decimal(str(round(s.staff_time, 2))),
                    time_unit=s.time_unit,
                    direct_cost=Decimal(str(round(s.direct_cost, 2))),
                    revenue=Decimal(str(round(s.revenue, 2))),
                    reach=int(round(s.reach)),
                    conversion=Decimal(str(round(s.conversion, 3))),
                )
                for s in services
                if s.code in values and s.code in offered
            ]
        )
        project.save(update_fields=["updated_at"])
    return created
