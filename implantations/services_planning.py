"""Implantation projects (writes) and regional planning (orchestration of reads and pure
analytics).

Projects: `project_create`, `project_update`, `project_status_change` (forward one stage at a
time, or back with a reason; compare-and-swap on the status so that two concurrent changes
cannot both apply), `project_years_update` (planned and actual learners, all rows or none),
`project_partners_replace`, `project_members_replace`. Each raises `ProjectError` with a French
message naming the field, and writes nothing when it refuses.

Planning: `region_plan` ranks the candidate basins of a region by programme fit, adds their
recommended concept and its robustness where it can be computed, and picks N sites under a
budget with a minimum distance between main towns (greedy and integer programming, see
`implantations.analytics.planning`).
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from django.db import transaction
from django.utils import timezone

from diagnostics.errors import ApplicationError
from diagnostics.models import Basin, Epci, Region, User
from diagnostics.selectors.access import basin_manageable_for, region_list_for
from implantations import selectors_planning as sel
from implantations.analytics import planning as p
from implantations.models import (
    Concept,
    GovernanceMember,
    ImplantationProject,
    ProgrammeSettings,
    ProjectPartner,
    ProjectStatus,
    ProjectStatusChange,
    ProjectYear,
)
from implantations.models.projects import PROJECT_YEARS, STATUS_DATE_FIELDS, STATUS_ORDER

logger = logging.getLogger(__name__)


class ProjectError(ApplicationError):
    """An implantation project cannot be written as asked."""

    code = "project_error"


class PlanningError(ApplicationError):
    """A regional planning cannot be computed as asked."""

    code = "planning_error"


# --------------------------------------------------------------------------------------------
# Defaults per concept
# --------------------------------------------------------------------------------------------

# Learners per year 0..5 when the business model gives none: the programme's figures (turnkey
# about 80 in year 4; Fab ID 85 a year from year 1; progressive 300 distance learners after 3
# years); the ramps in between are « hypothèses à ajuster ».
DEFAULT_LEARNERS: dict[str, tuple[int, ...]] = {
    "turnkey": (0, 20, 40, 60, 80, 80),
    "fab_id": (0, 85, 85, 85, 85, 85),
    "progressive": (0, 60, 150, 300, 300, 300),
}
# Cumulated public aid over years 0-3 (€) when the business model gives none: « hypothèse à
# ajuster », editable on the planning page.
DEFAULT_COSTS: dict[str, float] = {
    "turnkey": 600_000.0,
    "fab_id": 450_000.0,
    "progressive": 350_000.0,
}
COST_YEARS = (0, 1, 2, 3)


def _business_model(concept: str, basin: Basin | None = None) -> Any:
    """The business model of a concept (pure `implantations.analytics.business_model`), with
    the assumptions of the basin's latest saved scenario for that concept when there is one."""
    from implantations.analytics.business_model import business_model
    from implantations.models import BusinessScenario

    overrides = None
    if basin is not None:
        scenario = (
            BusinessScenario.objects.filter(basin=basin, concept=concept).order_by("-id").first()
        )
        overrides = scenario.assumptions if scenario is not None else None
    return business_model(concept, overrides=overrides)


def concept_planned_learners(
    concept: str, *, basin: Basin | None = None
) -> tuple[tuple[int, ...], str]:
    """Learners per year 0..5 of a concept and where they come from: the business model (with
    the basin's saved scenario, if any), else the programme's figures."""
    from implantations.analytics.business_model import LEARNERS

    try:
        years = _business_model(concept, basin).years
        values = tuple(int(v) for v in years.sort_values("year")[LEARNERS].tolist())
        if len(values) == len(PROJECT_YEARS):
            return values, "modèle économique"
    except Exception:  # noqa: BLE001 — the programme's figures stand in, and say so
        logger.exception("business model learners unavailable for %s", concept)
    return DEFAULT_LEARNERS[concept], "chiffres du programme (hypothèse à ajuster)"


def concept_costs_default() -> tuple[dict[str, float], str]:
    """Cost per site of each concept — the public aid of years 0 to 3 in the default business
    model — and their source; DEFAULT_COSTS if the model cannot be computed."""
    from implantations.analytics.business_model import PUBLIC_AID

    try:
        costs = {}
        for concept in DEFAULT_COSTS:
            years = _business_model(concept).years
            costs[concept] = float(years.loc[years["year"].isin(COST_YEARS), PUBLIC_AID].sum())
        return costs, "modèle économique par défaut (aide publique cumulée, années 0 à 3)"
    except Exception:  # noqa: BLE001
        logger.exception("business model costs unavailable")
    return dict(DEFAULT_COSTS), "valeurs par défaut (hypothèse à ajuster)"


# --------------------------------------------------------------------------------------------
# Projects
# --------------------------------------------------------------------------------------------


def _error(message: str, field_name: str | None, code: str) -> ProjectError:
    return ProjectError(message, code=code, extra={"field": field_name})


def _check_manageable(user: User | None, basin: Basin) -> None:
    if user is None:
        return
    if not basin_manageable_for(user).filter(pk=basin.pk).exists():
        raise _error(
            "Vous ne pouvez pas gérer les projets d'implantation de ce bassin.", None, "forbidden"
        )


def _today() -> dt.date:
    return timezone.localdate()


def _check_concept(concept: str, recommended: str, reason: str) -> str:
    if concept not in Concept.values:
        raise _error(
            f"Concept inconnu : « {concept} » (attendu : {', '.join(Concept.values)}).",
            "concept",
            "invalid_concept",
        )
    reason = (reason or "").strip()
    if recommended and concept != recommended and not reason:
        raise _error(
            f"Le concept retenu ({Concept(concept).label}) diffère du concept recommandé "
            f"({Concept(recommended).label}) : indiquez la raison de ce choix.",
            "concept_reason",
            "reason_required",
        )
    return reason


def _check_start(start_year: int, study_started_on: dt.date) -> None:
    if not 2000 <= start_year <= 2100:
        raise _error(
            f"Année 0 invalide : {start_year} (attendu : une année entre 2000 et 2100).",
            "start_year",
            "invalid_start_year",
        )
    if study_started_on > _today():
        raise _error(
            f"La date de lancement de l'étude ({study_started_on:%d/%m/%Y}) est dans le futur.",
            "study_started_on",
            "future_date",
        )


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
    _check_manageable(user, basin)
    cleaned_name = " ".join((name or "").split())
    if not cleaned_name:
        raise _error("Donnez un nom au projet.", "name", "invalid_name")
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
            raise _error(
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
            raise _error(
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
        raise _error(
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
    _check_manageable(user, project.basin)
    cleaned_name = " ".join((name or "").split())
    if not cleaned_name:
        raise _error("Donnez un nom au projet.", "name", "invalid_name")
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
    _check_manageable(user, project.basin)
    if to_status not in STATUS_ORDER:
        raise _error(
            f"Statut inconnu : « {to_status} » (attendu : {', '.join(STATUS_ORDER)}).",
            "to_status",
            "invalid_status",
        )
    current = ImplantationProject.objects.get(pk=project.pk)
    source, target = current.status, to_status
    i, j = STATUS_ORDER.index(source), STATUS_ORDER.index(target)
    reason = (reason or "").strip()
    if j == i:
        raise _error(
            f"Le projet est déjà à l'étape « {status_label(source)} ».", "to_status", "same_status"
        )
    if j > i + 1:
        raise _error(
            f"Un projet avance d'une étape à la fois : de « {status_label(source)} » il passe à "
            f"« {status_label(STATUS_ORDER[i + 1])} », pas directement à "
            f"« {status_label(target)} ».",
            "to_status",
            "skipped_stage",
        )
    if j < i and not reason:
        raise _error(
            f"Indiquez pourquoi le projet revient de « {status_label(source)} » à "
            f"« {status_label(target)} ».",
            "reason",
            "reason_required",
        )
    if effective_on is None:
        raise _error("Indiquez la date d'effet.", "effective_on", "date_required")
    if effective_on > _today():
        raise _error(
            f"La date d'effet ({effective_on:%d/%m/%Y}) est dans le futur.",
            "effective_on",
            "future_date",
        )
    since = current.status_date(source)
    if isinstance(since, dt.date) and effective_on < since:
        raise _error(
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
            raise _error(
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
    _check_manageable(user, project.basin)
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


def project_partners_replace(
    *, project: ImplantationProject, partners: Sequence[Mapping[str, str]], user: User | None = None
) -> list[ProjectPartner]:
    """Replace the partners (name, kind, commitment); rows without a name are ignored."""
    _check_manageable(user, project.basin)
    cleaned = []
    for i, row in enumerate(partners, start=1):
        name = (row.get("name") or "").strip()
        if not name:
            continue
        kind = row.get("kind") or ProjectPartner.Kind.OTHER
        if kind not in set(ProjectPartner.Kind):
            raise _error(f"Partenaire n° {i} : type inconnu « {kind} ».", "partners", "bad_kind")
        cleaned.append(
            ProjectPartner(
                project=project,
                name=name[:200],
                kind=kind,
                commitment=(row.get("commitment") or "").strip()[:300],
            )
        )
    with transaction.atomic():
        project.partners.all().delete()
        ProjectPartner.objects.bulk_create(cleaned)
    return list(project.partners.order_by("name"))


def project_members_replace(
    *, project: ImplantationProject, members: Sequence[Mapping[str, str]], user: User | None = None
) -> list[GovernanceMember]:
    """Replace the governance body's members (name, organisation, function)."""
    _check_manageable(user, project.basin)
    cleaned = [
        GovernanceMember(
            project=project,
            name=(row.get("name") or "").strip()[:200],
            organisation=(row.get("organisation") or "").strip()[:200],
            function=(row.get("function") or "").strip()[:200],
        )
        for row in members
        if (row.get("name") or "").strip()
    ]
    with transaction.atomic():
        project.governance_members.all().delete()
        GovernanceMember.objects.bulk_create(cleaned)
    return list(project.governance_members.order_by("name"))


def project_followup(project: ImplantationProject, *, tolerance: float = 0.1) -> pd.DataFrame:
    """FOLLOWUP_COLUMNS of a project (planned against actual learners)."""
    return p.learners_followup(sel.project_years_frame(project), tolerance=tolerance)


# --------------------------------------------------------------------------------------------
# Regional planning
# --------------------------------------------------------------------------------------------

SOURCE_REGISTERED = "registered"
SOURCES: dict[str, str] = {
    p.LEVEL_ZONE_EMPLOI: "Zones d'emploi de la région",
    p.LEVEL_BASSIN_BMO: "Bassins BMO de la région",
    SOURCE_REGISTERED: "Bassins enregistrés",
}

# Extra columns of the planning frame.
KIND = "kind"
CODE = "code"
BASIN_ID = "basin_id"
CONCEPT = "concept"
CONCEPT_LABEL = "concept_label"
CONCEPT_NOTE = "concept_note"
ROBUSTNESS = "robustness"
ROBUSTNESS_LABEL = "robustness_label"
COST_SOURCE = "cost_source"
SELECTED = "selected"
GREEDY_SELECTED = "greedy_selected"


@dataclass
class RegionPlan:
    """A region's ranked candidates, the sites picked, and how."""

    region: Region
    source: str
    candidates: pd.DataFrame  # ranked; planning columns + the extra ones above
    selection: p.Selection | None
    costs: dict[str, float]
    costs_source: str
    bounds: p.FitBounds
    weights: p.FitWeights
    n: int
    budget: float | None
    min_km: float
    notes: list[str] = field(default_factory=list)
    sites: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=p.SITE_POINT_COLUMNS))
    timings: dict[str, float] = field(default_factory=dict)
    membership: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=p.MEMBERSHIP_COLUMNS)
    )

    @property
    def source_label(self) -> str:
        return SOURCES[self.source]

    @property
    def source_label_inline(self) -> str:
        """The source's label inside a sentence: « bassins BMO de la région »."""
        label = self.source_label
        return label[:1].lower() + label[1:]

    @property
    def selected(self) -> pd.DataFrame:
        return self.candidates[self.candidates[SELECTED]]

    def as_dict(self) -> dict[str, Any]:
        columns = [
            p.RANK,
            p.CANDIDATE_ID,
            CODE,
            p.NAME,
            p.POPULATION,
            p.MAIN_TOWN,
            p.MAIN_TOWN_POPULATION,
            p.NEAREST_SITE,
            p.NEAREST_SITE_KM,
            p.UNEMPLOYMENT_RATE,
            p.PROJECTS_PER_1000,
            p.DIFFICULTY_RATE,
            p.NEED_SOURCE,
            p.ELIGIBLE,
            p.ELIGIBILITY_SCORE,
            p.NEED_SCORE,
            p.ACCESS_SCORE,
            p.FIT,
            p.MISSING,
            CONCEPT,
            ROBUSTNESS,
            ROBUSTNESS_LABEL,
            p.COST,
            SELECTED,
        ]
        return {
            "region": {"code": self.region.code, "name": self.region.name},
            "source": self.source,
            "parameters": {
                "n": self.n,
                "budget": self.budget,
                "min_km": self.min_km,
                "costs": self.costs,
                "costs_source": self.costs_source,
                "weights": {
                    "eligibility": self.weights.eligibility,
                    "need": self.weights.need,
                    "access": self.weights.access,
                },
            },
            "candidates": [
                {c: _json(row[c]) for c in columns} for row in self.candidates.to_dict("records")
            ],
            "selection": self.selection.as_dict() if self.selection else None,
            "notes": list(self.notes),
        }


def _json(value: Any) -> Any:
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float) and value != value:  # NaN
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float):
        return round(value, 4)
    return value


def _bounds() -> p.FitBounds:
    settings = ProgrammeSettings.objects.filter(pk=1).first() or ProgrammeSettings()
    return p.FitBounds(
        population_min=settings.basin_population_min,
        population_max=settings.basin_population_max,
        main_town_min=settings.main_town_population_min,
        main_town_max=settings.main_town_population_max,
    )


def _region_for(user: User | None, region_code: str) -> Region:
    regions = region_list_for(user) if user is not None else Region.objects.all()
    region = regions.filter(code=str(region_code).strip()).first()
    if region is None:
        raise PlanningError(
            f"Région inconnue ou hors de votre périmètre : « {region_code} ».",
            code="region_not_found",
            extra={"field": "region"},
        )
    return region


def _candidates(
    *, user: User | None, region: Region, source: str, communes: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Basin], list[str]]:
    """(membership, identity frame [candidate_id, kind, code, name, basin_id], basins by
    candidate id, notes)."""
    notes: list[str] = []
    basins: dict[str, Basin] = {}
    if source == SOURCE_REGISTERED:
        if user is None:
            registered = list(
                Basin.objects.filter(region=region)
                .select_related("main_town")
                .defer("geometry")
                .order_by("name")
            )
        else:
            registered = sel.region_basins_for(user, region)
        basins = {str(b.pk): b for b in registered}
        membership = sel.registered_membership(registered)
        identity = pd.DataFrame.from_records(
            [(str(b.pk), SOURCE_REGISTERED, str(b.pk), b.name, b.pk) for b in registered],
            columns=[p.CANDIDATE_ID, KIND, CODE, p.NAME, BASIN_ID],
        )
        return membership, identity, basins, notes
    membership = p.zone_members(communes, level=source, region_code=region.code)
    codes = sorted(membership[p.CANDIDATE_ID].unique())
    names = sel.zone_names(source, codes)
    linked = sel.zoning_basins(source, codes)
    identity = pd.DataFrame.from_records(
        [
            (
                code,
                source,
                code,
                names.get(code, code),
                linked[code].pk if code in linked else None,
            )
            for code in codes
        ],
        columns=[p.CANDIDATE_ID, KIND, CODE, p.NAME, BASIN_ID],
    )
    basins = dict(linked)
    return membership, identity, basins, notes


def _need(
    *,
    membership: pd.DataFrame,
    communes: pd.DataFrame,
    basins: Mapping[str, Basin],
) -> pd.DataFrame:
    """Need indicators per candidate: the latest finished diagnostic of its basin when there is
    one, else the imported facts moved through the communes."""
    facts = p.candidate_need(
        membership,
        communes,
        bmo_totals=sel.planning_bmo_totals(),
        unemployment=sel.planning_unemployment_latest(),
    ).set_index(p.CANDIDATE_ID)
    sources: dict[str, str] = {}
    for cid in facts.index:
        parts = []
        if pd.notna(facts.loc[cid, p.BMO_YEAR]):
            parts.append(f"BMO {int(facts.loc[cid, p.BMO_YEAR])}")
        if pd.notna(facts.loc[cid, p.UNEMPLOYMENT_PERIOD]):
            parts.append(f"chômage {facts.loc[cid, p.UNEMPLOYMENT_PERIOD]}")
        sources[cid] = "données importées (" + ", ".join(parts) + ")" if parts else "aucune donnée"
    runs = sel.latest_done_runs(b.pk for b in basins.values())
    for cid, basin in basins.items():
        run = runs.get(basin.pk)
        if run is None or cid not in facts.index:
            continue
        need = sel.run_need(run)
        if need is None:
            continue
        for column in (p.UNEMPLOYMENT_RATE, p.PROJECTS_PER_1000, p.DIFFICULTY_RATE):
            if need[column] is not None:
                facts.loc[cid, column] = float(need[column])
        if need[p.UNEMPLOYMENT_PERIOD]:
            facts.loc[cid, p.UNEMPLOYMENT_PERIOD] = need[p.UNEMPLOYMENT_PERIOD]
        if need[p.BMO_YEAR] is not None:
            facts.loc[cid, p.BMO_YEAR] = int(need[p.BMO_YEAR])
        finished = run.finished_at.strftime("%d/%m/%Y") if run.finished_at else ""
        sources[cid] = f"diagnostic n° {run.pk}" + (f" du {finished}" if finished else "")
    facts[p.NEED_SOURCE] = pd.Series(sources, dtype=object)
    return facts.reset_index()


def _recommendations(
    candidates: pd.DataFrame, basins: Mapping[str, Basin], *, user: User | None
) -> dict[str, dict[str, Any]]:
    """candidate_id → {concept, label, robustness, note, recommendation_id} for the candidates
    with a registered basin: its latest recorded recommendation, else one computed now by the
    recommendation service (`implantations.services.recommendation_compute`, idempotent: one
    row per set of inputs) — recomputing every basin at each page view would cost about 0.7 s
    a basin. The others get none: the concepts' conditions rest on the hosts and partners
    recorded on a basin."""
    from implantations.models import Recommendation
    from implantations.services import recommendation_compute

    out: dict[str, dict[str, Any]] = {}
    for cid in candidates[p.CANDIDATE_ID]:
        basin = basins.get(cid)
        if basin is None:
            continue
        try:
            reco = Recommendation.objects.filter(basin=basin).order_by(
                "-created_at", "-id"
            ).first() or recommendation_compute(basin=basin, user=user)
        except ApplicationError as exc:
            out[cid] = {"concept": None, "note": exc.message}
            continue
        except Exception:  # noqa: BLE001 — one basin's failure must not hide the region's plan
            logger.exception("recommendation of basin %s failed during planning", basin.pk)
            out[cid] = {"concept": None, "note": "recommandation indisponible (erreur de calcul)"}
            continue
        note = None
        if not reco.concept:
            eligible = (reco.document or {}).get("eligible") or {}
            note = (
                "aucun concept recommandé : données insuffisantes pour les noter"
                if any(eligible.values())
                else "aucun concept ne remplit sa condition d'implantation (atouts du bassin "
                "à renseigner)"
            )
        out[cid] = {
            "concept": reco.concept or None,
            "label": reco.label or None,
            "robustness": reco.robustness,
            "note": note,
            "recommendation_id": reco.pk,
        }
    return out


def region_plan(
    *,
    region_code: str,
    user: User | None = None,
    source: str = p.LEVEL_ZONE_EMPLOI,
    n: int = 5,
    budget: float | None = None,
    min_km: float = 40.0,
    costs: Mapping[str, float] | None = None,
    weights: p.FitWeights | None = None,
    eligible_only: bool = True,
    time_limit_s: float = 10.0,
) -> RegionPlan:
    """Rank a region's candidates by programme fit and pick at most `n` sites.

    `source`: « zone_emploi » / « bassin_bmo » (every zone of the region, built on the fly
    without saving anything) or « registered » (the region's basins the user may read).
    `costs`: cost per site of each concept (defaults: the business model's cumulated public
    aid over years 0-3, else DEFAULT_COSTS); a candidate without a recommended concept costs
    the most expensive concept's (prudent). With `eligible_only`, candidates known to be
    ineligible (population or main town outside the programme's bounds) are not picked.
    Raises PlanningError (French message) on bad parameters or a region out of reach."""
    from time import perf_counter

    timings: dict[str, float] = {}
    start = perf_counter()
    if source not in SOURCES:
        raise PlanningError(
            f"Source inconnue : « {source} » (attendu : {', '.join(SOURCES)}).",
            code="invalid_source",
            extra={"field": "source"},
        )
    if n < 1:
        raise PlanningError(
            f"Le nombre de sites doit être au moins 1 (reçu : {n}).",
            code="invalid_n",
            extra={"field": "n"},
        )
    if budget is not None and not math.isfinite(budget):
        raise PlanningError(
            f"Le budget doit être un nombre fini (reçu : {budget}).",
            code="invalid_budget",
            extra={"field": "budget"},
        )
    if not math.isfinite(min_km):
        raise PlanningError(
            f"La distance minimale doit être un nombre fini (reçu : {min_km}).",
            code="invalid_min_km",
            extra={"field": "min_km"},
        )
    if budget is not None and budget < 0:
        raise PlanningError(
            f"Le budget doit être positif ou nul (reçu : {budget}).",
            code="invalid_budget",
            extra={"field": "budget"},
        )
    if min_km < 0:
        raise PlanningError(
            f"La distance minimale doit être positive ou nulle (reçu : {min_km}).",
            code="invalid_min_km",
            extra={"field": "min_km"},
        )
    weights = weights or p.FitWeights()
    try:
        weights.check()
    except ValueError as exc:
        raise PlanningError(str(exc), code="invalid_weights", extra={"field": "weights"}) from exc
    default_costs, costs_source = concept_costs_default()
    unit_costs = dict(default_costs)
    if costs:
        for concept, value in costs.items():
            if concept not in unit_costs:
                raise PlanningError(
                    f"Concept inconnu dans les coûts : « {concept} ».",
                    code="invalid_costs",
                    extra={"field": "costs"},
                )
            if value is None or not math.isfinite(value) or value < 0:
                raise PlanningError(
                    f"Coût négatif ou manquant pour {Concept(concept).label}.",
                    code="invalid_costs",
                    extra={"field": f"cost_{concept}"},
                )
            if float(value) != default_costs[concept]:
                costs_source = "saisis sur la page"
            unit_costs[concept] = float(value)
    region = _region_for(user, region_code)
    bounds = _bounds()
    notes: list[str] = []

    communes = sel.planning_communes_frame()
    timings["communes"] = perf_counter() - start
    membership, identity, basins, extra_notes = _candidates(
        user=user, region=region, source=source, communes=communes
    )
    notes.extend(extra_notes)
    main_towns = {
        cid: b.main_town_id
        for cid, b in basins.items()
        if source == SOURCE_REGISTERED and b.main_town_id
    }
    summary = p.candidate_summary(membership, communes, main_towns=main_towns)
    sites = sel.active_sites_frame()
    summary = p.with_nearest_site(summary, sites)
    if sites.empty:
        notes.append(
            "Aucun site Cnam actif n'est renseigné : l'éloignement n'est pas calculé et le "
            "score repose sur l'éligibilité et le besoin."
        )
    t = perf_counter()
    need = _need(membership=membership, communes=communes, basins=basins)
    timings["besoin"] = perf_counter() - t
    for part in (identity, summary, need):
        part[p.CANDIDATE_ID] = part[p.CANDIDATE_ID].astype(object)
    identity[BASIN_ID] = identity[BASIN_ID].astype("Int64")
    frame = identity.merge(summary, on=p.CANDIDATE_ID, how="inner").merge(
        need, on=p.CANDIDATE_ID, how="left"
    )
    if frame.empty:
        ranked = frame.assign(**{c: pd.Series(dtype=object) for c in p.FIT_COLUMNS})
    else:
        ranked = p.programme_fit(frame, bounds=bounds, weights=weights)

    t = perf_counter()
    recos = _recommendations(ranked, basins, user=user)
    timings["recommandations"] = perf_counter() - t
    ranked[CONCEPT] = [recos.get(cid, {}).get("concept") for cid in ranked[p.CANDIDATE_ID]]
    ranked[CONCEPT_LABEL] = [
        Concept(c).label if c in Concept.values else None for c in ranked[CONCEPT]
    ]
    ranked[ROBUSTNESS] = [recos.get(cid, {}).get("robustness") for cid in ranked[p.CANDIDATE_ID]]
    ranked[ROBUSTNESS_LABEL] = [recos.get(cid, {}).get("label") for cid in ranked[p.CANDIDATE_ID]]
    ranked[CONCEPT_NOTE] = [
        recos.get(cid, {}).get("note")
        or (
            None
            if cid in recos
            else "pas de bassin enregistré : structures d'accueil et partenaires inconnus"
        )
        for cid in ranked[p.CANDIDATE_ID]
    ]
    most_expensive = max(unit_costs.values()) if unit_costs else 0.0
    ranked[p.COST] = [
        unit_costs.get(c, most_expensive) if c else most_expensive for c in ranked[CONCEPT]
    ]
    ranked[COST_SOURCE] = [
        "concept recommandé" if c in unit_costs else "concept inconnu : le plus coûteux"
        for c in ranked[CONCEPT]
    ]

    t = perf_counter()
    selectable = ranked
    if eligible_only and len(ranked):
        selectable = ranked[ranked[p.ELIGIBLE].fillna(True).astype(bool)]
    selectable = selectable[selectable[p.FIT].notna()]
    selection = None
    try:
        selection = p.sites_select(
            selectable.assign(**{p.VALUE: selectable[p.FIT].astype(float)})[
                p.SELECTION_INPUT_COLUMNS
            ],
            n=n,
            budget=budget,
            min_km=min_km,
            time_limit_s=time_limit_s,
        )
    except ValueError as exc:
        raise PlanningError(str(exc), code="invalid_selection") from exc
    timings["sélection"] = perf_counter() - t
    chosen = set(selection.chosen)
    greedy = set(selection.greedy_chosen)
    ranked[SELECTED] = ranked[p.CANDIDATE_ID].isin(chosen)
    ranked[GREEDY_SELECTED] = ranked[p.CANDIDATE_ID].isin(greedy)
    if eligible_only:
        ineligible = int((ranked[p.ELIGIBLE] == False).sum())  # noqa: E712
        if ineligible:
            notes.append(
                f"{ineligible} candidat{'s' if ineligible > 1 else ''} hors des critères "
                "d'éligibilité (population du bassin ou de la ville principale) ne "
                f"{'sont' if ineligible > 1 else 'est'} pas retenu{'s' if ineligible > 1 else ''}"
                " dans la sélection."
            )
    timings["total"] = perf_counter() - start
    return RegionPlan(
        region=region,
        source=source,
        candidates=ranked.reset_index(drop=True),
        selection=selection,
        costs=unit_costs,
        costs_source=costs_source,
        bounds=bounds,
        weights=weights,
        n=n,
        budget=budget,
        min_km=min_km,
        notes=notes,
        sites=sites,
        timings=timings,
        membership=membership,
    )


def region_plan_geometries(plan: RegionPlan) -> dict[str, Any]:
    """candidate_id → GeoJSON outline for the map: the published polygon of a zone d'emploi,
    the stored outline of a registered basin, the union of its communes' outlines for a bassin
    BMO (simplified for display)."""
    ids = plan.candidates[p.CANDIDATE_ID].astype(str).tolist()
    if plan.source == p.LEVEL_ZONE_EMPLOI:
        return sel.zone_emploi_geometries(ids)
    if plan.source == SOURCE_REGISTERED:
        return sel.basin_geometries(int(i) for i in ids)
    from implantations.analytics.planning_maps import candidate_outlines

    # The union of a region's ~5,000 commune outlines takes seconds: kept per process until
    # the territories are loaded again (the key holds the latest load's time).
    key = (plan.region.code, tuple(ids), sel.territories_version())
    cached = _OUTLINES_CACHE.get(key)
    if cached is not None:
        return cached
    geometries = sel.commune_geometries(plan.membership[p.COMMUNE_CODE].unique().tolist())
    outlines = candidate_outlines(plan.membership, geometries)
    _OUTLINES_CACHE[key] = outlines
    while len(_OUTLINES_CACHE) > 8:
        _OUTLINES_CACHE.pop(next(iter(_OUTLINES_CACHE)))
    return outlines


_OUTLINES_CACHE: dict[tuple[Any, ...], dict[str, Any]] = {}


CSV_COLUMNS: list[tuple[str, str]] = [
    (p.RANK, "rang"),
    (CODE, "code"),
    (p.NAME, "candidat"),
    (p.POPULATION, "population"),
    (p.MAIN_TOWN, "ville principale"),
    (p.MAIN_TOWN_POPULATION, "population de la ville principale"),
    (p.ELIGIBLE, "éligible"),
    (p.NEAREST_SITE, "site Cnam le plus proche"),
    (p.NEAREST_SITE_KM, "distance au site (km)"),
    (p.UNEMPLOYMENT_RATE, "taux de chômage (%)"),
    (p.PROJECTS_PER_1000, "projets de recrutement pour 1 000 hab."),
    (p.DIFFICULTY_RATE, "part des projets difficiles"),
    (p.NEED_SOURCE, "source du besoin"),
    (p.ELIGIBILITY_SCORE, "score éligibilité (0-1)"),
    (p.NEED_SCORE, "score besoin (0-1)"),
    (p.ACCESS_SCORE, "score éloignement (0-1)"),
    (p.FIT, "adéquation (0-100)"),
    (p.MISSING, "composantes manquantes"),
    (CONCEPT_LABEL, "concept recommandé"),
    (ROBUSTNESS_LABEL, "robustesse"),
    (p.COST, "coût retenu (€)"),
    (SELECTED, "retenu"),
]


def region_plan_csv_rows(plan: RegionPlan) -> list[list[Any]]:
    """Header then one row per candidate, in rank order (for the CSV export)."""
    rows: list[list[Any]] = [[label for _, label in CSV_COLUMNS]]
    for record in plan.candidates.to_dict("records"):
        row = []
        for column, _ in CSV_COLUMNS:
            value = _json(record.get(column))
            if isinstance(value, bool):
                value = "oui" if value else "non"
            elif isinstance(value, float):
                value = f"{value:.4f}".rstrip("0").rstrip(".").replace(".", ",")
            row.append("" if value is None else value)
        rows.append(row)
    return rows
