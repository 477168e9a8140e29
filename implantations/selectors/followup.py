"""Reads of the follow-up and evaluation of implantation projects (issue 18): the thresholds
(settings `FOLLOWUP_*`), a project's plan on the six lines, its evaluation year by year (key
figures, rates with their denominators, variances, flags) and the programme summary of the
sites a user reads (`project_list_for`: national admins all, delegates their regions, a mayor's
office the projects of the basins shared with it)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import pandas as pd
from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from diagnostics.models import User
from implantations.analytics import evaluation as ev
from implantations.analytics import evaluation_flags as evf
from implantations.analytics import evaluation_outcomes as evo
from implantations.models import ImplantationProject, ProjectFollowup, ProjectYear
from implantations.models.projects import PROJECT_YEARS
from implantations.selectors.business_model import ProjectModel, project_models
from implantations.selectors.projects import project_list_for

PLAN_SOURCE_SCENARIO = "modèle économique du bassin (scénario « {name} »)"
PLAN_SOURCE_DEFAULT = "modèle économique par défaut du concept (hypothèses à ajuster)"


def today() -> dt.date:
    """Today's date (one place, so that tests can pin it)."""
    return timezone.localdate()


def followup_thresholds() -> ev.Thresholds:
    """The thresholds of the settings (defaults in `evaluation.Thresholds`)."""
    return ev.Thresholds(
        late_enrolment_share=float(settings.FOLLOWUP_LATE_ENROLMENT_SHARE),
        opening_grace_days=int(settings.FOLLOWUP_OPENING_GRACE_DAYS),
        overrun_share=float(settings.FOLLOWUP_OVERRUN_SHARE),
        explain_share=float(settings.FOLLOWUP_EXPLAIN_SHARE),
        min_learners=int(settings.FOLLOWUP_MIN_LEARNERS),
    )


def _plan_source(read: ProjectModel) -> str:
    if read.scenario is None:
        return PLAN_SOURCE_DEFAULT
    return PLAN_SOURCE_SCENARIO.format(name=read.scenario.name)


def _plan_of(read: ProjectModel) -> pd.DataFrame:
    return ev.plan_lines(read.model.years, aid_from_split=read.model.aid_from_split)


def project_plan(project: ImplantationProject) -> tuple[pd.DataFrame, str]:
    """The plan of each project year on the six lines (`evaluation.PLAN_COLUMNS`) and where it
    comes from: the project's business model as its page shows it (`project_models`, the same
    computation as `business_model_for_project`): its concept with the assumptions of the
    basin's latest saved scenario for that concept (else the defaults, with the premises lent
    by the town from the basin's partnership), its services, its retained CPF top-up and its
    funding split (the public aid planned is then the split's)."""
    read = project_models([project])[project.pk]
    return _plan_of(read), _plan_source(read)


PlanByYear = dict[int, dict[str, float]]


def _by_year(plan: pd.DataFrame) -> PlanByYear:
    years = plan[ev.YEAR].astype(int).tolist()
    columns = {line: plan[line].astype(float).tolist() for line in ev.FINANCE_FIELDS}
    return {y: {line: columns[line][i] for line in ev.FINANCE_FIELDS} for i, y in enumerate(years)}


class _Plans:
    """Plans of many projects from `project_models` (a constant number of queries; each distinct
    model computed once, and its plan lines once)."""

    def __init__(self, projects: list[ImplantationProject]) -> None:
        self.models = project_models(projects)
        self.cache: dict[int, PlanByYear] = {}  # by model (models are shared, see above)

    def __call__(self, project: ImplantationProject) -> tuple[PlanByYear, str]:
        read = self.models[project.pk]
        key = id(read.model)
        if key not in self.cache:
            self.cache[key] = _by_year(_plan_of(read))
        return self.cache[key], _plan_source(read)


def followup_values(item: ProjectFollowup | None) -> dict[str, Any]:
    """The counts, amounts and explanations of a follow-up row (None everywhere if none)."""
    names = [
        *ev.COUNT_FIELDS,
        *ev.FINANCE_FIELDS,
        *(ev.explanation_field(line) for line in ev.FINANCE_FIELDS),
    ]
    if item is None:
        return dict.fromkeys(names)
    return {name: getattr(item, name) for name in names}


@dataclass
class YearEvaluation:
    year: int
    calendar_year: int
    planned_learners: int
    followup: ProjectFollowup | None
    plan: dict[str, float]
    rates: list[evo.Rate]
    explain_share: float = ev.Thresholds.explain_share

    @cached_property
    def variances(self) -> pd.DataFrame:
        """`evaluation.VARIANCE_COLUMNS` of the year (computed when read: the programme
        summary does not need them)."""
        return ev.finance_variances(
            self.plan, followup_values(self.followup), explain_share=self.explain_share
        )

    @property
    def entered(self) -> bool:
        return self.followup is not None

    @property
    def planned_costs(self) -> float:
        return float(sum(self.plan[line] for line in ev.COST_LINES))

    @property
    def actual_costs(self) -> float | None:
        if self.followup is None:
            return None
        values = [getattr(self.followup, line) for line in ev.COST_LINES]
        return None if any(v is None for v in values) else float(sum(values))

    @property
    def enrolment_share(self) -> float | None:
        if self.followup is None or not self.planned_learners:
            return None
        return self.followup.enrolled / self.planned_learners


@dataclass
class ProjectEvaluation:
    project: ImplantationProject
    years: list[YearEvaluation]
    flags: list[evf.Flag]
    plan_source: str
    thresholds: ev.Thresholds
    opening_planned_on: dt.date | None = None
    history: list[Any] = field(default_factory=list)

    def year(self, year: int) -> YearEvaluation | None:
        return next((y for y in self.years if y.year == year), None)

    @property
    def entered_years(self) -> list[YearEvaluation]:
        return [y for y in self.years if y.entered]

    @property
    def flag_codes(self) -> list[str]:
        return sorted({f.code for f in self.flags})


def _projects_with_followup(qs: QuerySet[ImplantationProject]) -> QuerySet[ImplantationProject]:
    return qs.prefetch_related(
        Prefetch("years", queryset=ProjectYear.objects.order_by("year")),
        Prefetch(
            "followups",
            queryset=ProjectFollowup.objects.select_related("entered_by").order_by("year"),
        ),
    )


def _evaluate(
    project: ImplantationProject,
    thresholds: ev.Thresholds,
    today: dt.date,
    plans: _Plans | None = None,
) -> ProjectEvaluation:
    plan_by_year, source = (plans or _Plans([project]))(project)
    planned_learners = {y.year: y.planned_learners for y in project.years.all()}
    followups = {f.year: f for f in project.followups.all()}
    years = []
    for year in PROJECT_YEARS:
        item = followups.get(year)
        line_plan = dict(plan_by_year[year])
        values = followup_values(item)
        years.append(
            YearEvaluation(
                year=year,
                calendar_year=project.start_year + year,
                planned_learners=int(planned_learners.get(year, 0)),
                followup=item,
                plan=line_plan,
                explain_share=thresholds.explain_share,
                rates=evo.outcome_rates(values, min_learners=thresholds.min_learners)
                if item is not None
                else [],
            )
        )
    opening = evf.planned_opening(project.start_year, [y.planned_learners for y in years])
    frame = pd.DataFrame(
        [
            {
                ev.YEAR: y.year,
                "calendar_year": y.calendar_year,
                "planned_learners": y.planned_learners,
                ev.ENROLLED: y.followup.enrolled if y.followup is not None else None,
                "planned_costs": y.planned_costs,
                "actual_costs": y.actual_costs,
            }
            for y in years
        ],
        columns=evf.FLAG_INPUT_COLUMNS,
    )
    flags = evf.project_flags(
        frame,
        opening_planned_on=opening,
        opened_on=project.opened_on,
        today=today,
        thresholds=thresholds,
    )
    return ProjectEvaluation(
        project=project,
        years=years,
        flags=flags,
        plan_source=source,
        thresholds=thresholds,
        opening_planned_on=opening,
    )


def project_evaluation(project: ImplantationProject) -> ProjectEvaluation:
    """A project's evaluation, years 0 to 5, with the history of its follow-up entries."""
    project = _projects_with_followup(
        ImplantationProject.objects.select_related("basin", "basin__region")
    ).get(pk=project.pk)
    evaluation = _evaluate(project, followup_thresholds(), today())
    evaluation.history = list(
        ProjectFollowup.history.filter(project_id=project.pk)  # type: ignore[attr-defined]
        .select_related("history_user")
        .order_by("-history_date", "-history_id")[:30]
    )
    return evaluation


def project_flags_for(projects: list[ImplantationProject]) -> dict[int, list[evf.Flag]]:
    """The flags of several projects (prefetched or not)."""
    thresholds, day = followup_thresholds(), today()
    rows = list(
        _projects_with_followup(ImplantationProject.objects.filter(pk__in=[p.pk for p in projects]))
    )
    plans = _Plans(rows)
    return {p.pk: _evaluate(p, thresholds, day, plans).flags for p in rows}


@dataclass
class ProgrammeEvaluation:
    sites: list[ProjectEvaluation]
    counts: dict[str, int | None]
    rates: list[evo.Rate]
    planned_learners: int  # over the years entered
    planned_costs: float
    actual_costs: float | None
    years_entered: int
    thresholds: ev.Thresholds

    @property
    def flagged(self) -> list[ProjectEvaluation]:
        return [s for s in self.sites if s.flags]

    @property
    def cost_variance_share(self) -> float | None:
        if self.actual_costs is None or not self.planned_costs:
            return None
        return self.actual_costs / self.planned_costs - 1


def programme_evaluation(user: User, *, calendar_year: int | None = None) -> ProgrammeEvaluation:
    """The evaluation of every project `user` reads: per site its flags, and over all sites
    (or the year `calendar_year` only) the sums of the counts, the rates on these sums (ratios
    of sums, never means of rates) and the planned against actual costs of the years whose
    costs were entered."""
    thresholds, day = followup_thresholds(), today()
    projects = list(_projects_with_followup(project_list_for(user).order_by("basin__name", "name")))
    plans = _Plans(projects)
    sites = [_evaluate(p, thresholds, day, plans) for p in projects]
    entered = [
        y
        for s in sites
        for y in s.entered_years
        if calendar_year is None or y.calendar_year == calendar_year
    ]
    counts = evo.counts_sum([followup_values(y.followup) for y in entered])
    with_costs = [y for y in entered if y.actual_costs is not None]
    return ProgrammeEvaluation(
        sites=sites,
        counts=counts,
        rates=evo.outcome_rates(counts, min_learners=thresholds.min_learners) if entered else [],
        planned_learners=sum(y.planned_learners for y in entered),
        planned_costs=float(sum(y.planned_costs for y in with_costs)),
        actual_costs=float(sum(y.actual_costs or 0 for y in with_costs)) if with_costs else None,
        years_entered=len(entered),
        thresholds=thresholds,
    )
