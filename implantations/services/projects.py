"""Implantation projects (writes).

`project_create`, `project_update`, `project_status_change` (forward one stage at a time, or back
with a reason; compare-and-swap on the status so that two concurrent changes cannot both apply),
`project_years_update` (planned and actual learners, all rows or none). Each raises
`ProjectError` with a French message naming the field, and writes nothing when it refuses. A
project's partners and governance: `project_partners`; the defaults per concept (learners,
costs), also read by the plannings: `concept_defaults`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
from django.db import transaction
from django.utils import timezone

from diagnostics.errors import ApplicationError
from diagnostics.models import Basin, Epci, User
from diagnostics.models.limits import date_out_of_bounds
from diagnostics.selectors.access import basin_is_manageable
from implantations.analytics import planning_followup as pfu
from implantations.models import (
    Concept,
    ImplantationProject,
    ProjectStatus,
    ProjectStatusChange,
    ProjectYear,
)
from implantations.models.projects import PROJECT_YEARS, STATUS_DATE_FIELDS, STATUS_ORDER
from implantations.selectors import projects as sel

from .concept_defaults import concept_planned_learners


class ProjectError(ApplicationError):
    """An implantation project cannot be written as asked."""

    code = "project_error"


def project_field_error(message: str, field_name: str | None, code: str) -> ProjectError:
    return ProjectError(message, code=code, extra={"field": field_name})


def check_basin_manageable(user: User | None, basin: Basin) -> None:
    if user is None:
        return
    if not basin_is_manageable(user, basin.pk):
        raise project_field_error(
            "Vous ne pouvez pas gérer les projets d'implantation de ce bassin.", None, "forbidden"
        )


def _today() -> dt.date:
    return timezone.localdate()


def _check_concept(concept: str, recommended: str, reason: str) -> str:
    if concept not in Concept.values:
        raise project_field_error(
            f"Concept inconnu : « {concept} » (attendu : {', '.join(Concept.values)}).",
            "concept",
            "invalid_concept",
        )
    reason = (reason or "").strip()
    if recommended and concept != recommended and not reason:
        raise project_field_error(
            f"Le concept retenu ({Concept(concept).label}) diffère du concept recommandé "
            f"({Concept(recommended).label}) : indiquez la raison de ce choix.",
            "concept_reason",
            "reason_required",
        )
    return reason


def _check_start(start_year: int, study_started_on: dt.date) -> None:
    if not 2000 <= start_year <= 2100:
        raise project_field_error(
            f"Année 0 invalide : {start_year} (attendu : une année entre 2000 et 2100).",
            "start_year",
            "invalid_start_year",
        )
    if study_started_on > _today():
        raise project_field_error(
            f"La date de lancement de l'étude ({study_started_on:%d/%m/%Y}) est dans le futur.",
            "study_started_on",
            "future_date",
        )
    problem = date_out_of_bounds(study_started_on, "La date de lancement de l'étude")
    if problem:
        raise project_field_error(problem, "study_started_on", "date_out_of_bounds")


def _recommended_concept(recommendation: Any) -> str:
    concept = getattr(recommendation, "concept", None) if recommendation is not None else None
    return concept if concept in Concept.values else ""


@transaction.atomic
def project_create(
    *,
    basin: Basin,
    name: str,
    concept: str,
    start_year: int,
    study_started_on: dt.date,
    user: User | None = None,
    recommendation: Any = None,
    recommended_concept: str = "",
    concept_reason: str = "",
    host_structure: str = "",
    host_details: str = "",
    governance_name: str = "Comité de pilotage",
    epcis: Iterable[Epci] = (),
    notes: str = "",
    planned_learners: Sequence[int] | None = None,
) -> ImplantationProject:
    """Create a project in the « étude » stage with its years 0-5 (planned learners from the
    business model of the concept unless given) and the first entry of its history.

    The recommended concept is that of `recommendation` when one is given, else
    `recommended_concept`; a different chosen concept needs `concept_reason`."""
    check_basin_manageable(user, basin)
    cleaned_name = " ".join((name or "").split())
    if not cleaned_name:
        raise project_field_error("Donnez un nom au projet.", "name", "invalid_name")
    recommended = _recommended_concept(recommendation) or (
        recommended_concept if recommended_concept in Concept.values else ""
    )
    reason = _check_concept(concept, recommended, concept_reason)
    _check_start(start_year, study_started_on)
    if planned_learners is None:
        planned, _ = concept_planned_learners(concept, basin=basin)
    else:
        planned = tuple(planned_learners)
        if len(planned) != len(PROJECT_YEARS) or any(v is None or v < 0 for v in planned):
            raise project_field_error(
                "Indiquez six effectifs prévus positifs ou nuls, de l'année 0 à l'année 5.",
                "planned_learners",
                "invalid_learners",
            )
    project = ImplantationProject(
        basin=basin,
        name=cleaned_name,
        concept=concept,
        recommended_concept=recommended,
        concept_reason=reason,
        host_structure=host_structure.strip(),
        host_details=host_details.strip(),
        governance_name=(governance_name or "").strip() or "Comité de pilotage",
        start_year=start_year,
        status=ProjectStatus.STUDY,
        study_started_on=study_started_on,
        notes=notes.strip(),
        created_by=user,
    )
    if recommendation is not None:
        if recommendation.basin_id != basin.pk:
            raise project_field_error(
                "La recommandation choisie porte sur un autre bassin.",
                "recommendation",
                "recommendation_other_basin",
            )
        project.recommendation = recommendation
    project.save()
    _set_epcis(project, epcis)
    ProjectYear.objects.bulk_create(
        [
            ProjectYear(project=project, year=year, planned_learners=int(planned[year]))
            for year in PROJECT_YEARS
        ]
    )
    ProjectStatusChange.objects.create(
        project=project,
        from_status="",
        to_status=ProjectStatus.STUDY,
        effective_on=study_started_on,
        reason="Création du projet.",
        changed_by=user,
    )
    return project


def _set_epcis(project: ImplantationProject, epcis: Iterable[Epci]) -> None:
    chosen = list(epcis)
    allowed = set(sel.basin_epcis(project.basin).values_list("code", flat=True))
    outside = [e for e in chosen if e.code not in allowed]
    if outside:
        raise project_field_error(
            "EPCI sans commune dans le bassin : "
            + ", ".join(f"{e.name} ({e.code})" for e in outside)
            + ".",
            "epcis",
            "epci_outside",
        )
    project.governance_epcis.set(chosen)


@transaction.atomic
def project_update(
    *,
    project: ImplantationProject,
    user: User | None = None,
    name: str,
    concept: str,
    concept_reason: str = "",
    host_structure: str = "",
    host_details: str = "",
    governance_name: str = "Comité de pilotage",
    epcis: Iterable[Epci] = (),
    start_year: int,
    notes: str = "",
) -> ImplantationProject:
    """Edit a project's description (not its status: see `project_status_change`)."""
    check_basin_manageable(user, project.basin)
    cleaned_name = " ".join((name or "").split())
    if not cleaned_name:
        raise project_field_error("Donnez un nom au projet.", "name", "invalid_name")
    reason = _check_concept(concept, project.recommended_concept, concept_reason)
    _check_start(start_year, project.study_started_on)
    locked = ImplantationProject.objects.select_for_update().get(pk=project.pk)
    locked.name = cleaned_name
    locked.concept = concept
    locked.concept_reason = reason
    locked.host_structure = host_structure.strip()
    locked.host_details = host_details.strip()
    locked.governance_name = (governance_name or "").strip() or "Comité de pilotage"
    locked.start_year = start_year
    locked.notes = notes.strip()
    locked.save()
    _set_epcis(locked, epcis)
    return locked


def status_label(status: str) -> str:
    return ProjectStatus(status).label


def project_status_change(
    *,
    project: ImplantationProject,
    to_status: str,
    effective_on: dt.date,
    reason: str = "",
    user: User | None = None,
) -> ImplantationProject:
    """Move a project to another stage.

    Forward: only to the next stage (étude → convention → ouverture → auto-portage), dated on
    or after the current stage's date and not in the future; the new stage's date is set.
    Back: to any earlier stage, with a reason; the dates of the stages left are cleared (the
    history keeps them). Two concurrent changes: the second one finds the status changed and
    is refused."""
    check_basin_manageable(user, project.basin)
    if to_status not in STATUS_ORDER:
        raise project_field_error(
            f"Statut inconnu : « {to_status} » (attendu : {', '.join(STATUS_ORDER)}).",
            "to_status",
            "invalid_status",
        )
    current = ImplantationProject.objects.get(pk=project.pk)
    source, target = current.status, to_status
    i, j = STATUS_ORDER.index(source), STATUS_ORDER.index(target)
    reason = (reason or "").strip()
    if j == i:
        raise project_field_error(
            f"Le projet est déjà à l'étape « {status_label(source)} ».", "to_status", "same_status"
        )
    if j > i + 1:
        raise project_field_error(
            f"Un projet avance d'une étape à la fois : de « {status_label(source)} » il passe à "
            f"« {status_label(STATUS_ORDER[i + 1])} », pas directement à "
            f"« {status_label(target)} ».",
            "to_status",
            "skipped_stage",
        )
    if j < i and not reason:
        raise project_field_error(
            f"Indiquez pourquoi le projet revient de « {status_label(source)} » à "
            f"« {status_label(target)} ».",
            "reason",
            "reason_required",
        )
    if effective_on is None:
        raise project_field_error("Indiquez la date d'effet.", "effective_on", "date_required")
    if effective_on > _today():
        raise project_field_error(
            f"La date d'effet ({effective_on:%d/%m/%Y}) est dans le futur.",
            "effective_on",
            "future_date",
        )
    problem = date_out_of_bounds(effective_on, "La date d'effet")
    if problem:
        raise project_field_error(problem, "effective_on", "date_out_of_bounds")
    since = current.status_date(source)
    if isinstance(since, dt.date) and effective_on < since:
        raise project_field_error(
            f"La date d'effet ({effective_on:%d/%m/%Y}) précède celle de l'étape en cours "
            f"« {status_label(source)} » ({since:%d/%m/%Y}).",
            "effective_on",
            "date_before_stage",
        )

    updates: dict[str, Any] = {"status": target, "updated_at": timezone.now()}
    if j > i:
        updates[STATUS_DATE_FIELDS[target]] = effective_on
    else:
        for later in STATUS_ORDER[j + 1 :]:
            updates[STATUS_DATE_FIELDS[later]] = None
    with transaction.atomic():
        # Compare-and-swap: applies only if nobody changed the status meanwhile.
        changed = ImplantationProject.objects.filter(pk=project.pk, status=source).update(**updates)
        if changed != 1:
            raise project_field_error(
                "Le statut du projet vient d'être modifié par quelqu'un d'autre : rechargez la "
                "page.",
                None,
                "concurrent_change",
            )
        ProjectStatusChange.objects.create(
            project_id=project.pk,
            from_status=source,
            to_status=target,
            effective_on=effective_on,
            reason=reason,
            changed_by=user,
        )
    project.refresh_from_db()
    return project


@dataclass(frozen=True)
class YearInput:
    year: int
    planned: int | None
    actual: int | None
    comment: str = ""


def project_years_update(
    *, project: ImplantationProject, rows: Sequence[YearInput], user: User | None = None
) -> list[ProjectYear]:
    """Replace the planned and actual learners of years 0-5: every row is checked first (the
    errors are all listed), then all are written in one transaction, or none."""
    check_basin_manageable(user, project.basin)
    errors: list[str] = []
    seen: set[int] = set()
    this_year = _today().year
    for row in rows:
        label = f"année {row.year}"
        if row.year not in PROJECT_YEARS:
            errors.append(f"Année {row.year} hors du plan (0 à 5).")
            continue
        if row.year in seen:
            errors.append(f"Année {row.year} en double.")
        seen.add(row.year)
        if row.planned is None or row.planned < 0:
            errors.append(f"{label.capitalize()} : effectif prévu manquant ou négatif.")
        if row.actual is not None and row.actual < 0:
            errors.append(f"{label.capitalize()} : effectif réel négatif ({row.actual}).")
        calendar = project.start_year + row.year
        if row.actual is not None and calendar > this_year:
            errors.append(
                f"{label.capitalize()} ({calendar}) : l'effectif réel d'une année qui n'a pas "
                "commencé ne peut pas être saisi."
            )
    if errors:
        raise ProjectError(
            " ".join(errors), code="invalid_learners", extra={"field": None, "errors": errors}
        )
    with transaction.atomic():
        by_year = {
            y.year: y for y in ProjectYear.objects.select_for_update().filter(project=project)
        }
        for row in rows:
            item = by_year.get(row.year) or ProjectYear(project=project, year=row.year)
            item.planned_learners = int(row.planned or 0)
            item.actual_learners = row.actual
            item.comment = (row.comment or "").strip()[:300]
            item.save()
        ImplantationProject.objects.filter(pk=project.pk).update(updated_at=timezone.now())
    return list(project.years.order_by("year"))


def project_followup(project: ImplantationProject, *, tolerance: float = 0.1) -> pd.DataFrame:
    """FOLLOWUP_COLUMNS of a project (planned against actual learners)."""
    return pfu.learners_followup(sel.project_years_frame(project), tolerance=tolerance)
