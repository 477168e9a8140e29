"""Evaluation pages of implantation projects (issue 18): the yearly evaluation of a site
(rates, variances to the business model, flags) and the programme summary of the sites a user
reads. Reading follows the project's basin (`views.projects.project_readable`)."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from diagnostics.models import User
from diagnostics.params import int_param
from diagnostics.permissions import BASIN_READERS, role_required
from implantations.analytics import evaluation as ev
from implantations.analytics import evaluation_outcomes as evo
from implantations.analytics.evaluation_charts import variances_figure
from implantations.selectors import followup as sel
from implantations.selectors.projects import project_manageable_for
from implantations.views.followup import begun_years
from implantations.views.projects import project_readable


def rate_rows(rates: list[evo.Rate]) -> list[dict[str, Any]]:
    return [
        {**rate.as_dict(), "pct": rate.value * 100 if rate.value is not None else None}
        for rate in rates
    ]


def variance_rows(variances: Any) -> list[dict[str, Any]]:
    rows = []
    for record in variances.to_dict("records"):
        share = record[ev.VARIANCE_SHARE]
        rows.append(
            {
                "line": record[ev.LINE],
                "label": record[ev.LABEL],
                "kind": record[ev.KIND],
                "planned": _value(record[ev.PLANNED]),
                "actual": _value(record[ev.ACTUAL]),
                "variance": _value(record[ev.VARIANCE]),
                "pct": None if _value(share) is None else float(share) * 100,
                "explanation_required": bool(record[ev.EXPLANATION_REQUIRED]),
            }
        )
    return rows


def _value(value: Any) -> float | None:
    return None if value is None or value is pd.NA or pd.isna(value) else float(value)


@role_required(*BASIN_READERS)
@require_GET
def project_evaluation(request: HttpRequest, pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    project = project_readable(request, pk)
    can_manage = project_manageable_for(user).filter(pk=project.pk).exists()
    evaluation = sel.project_evaluation(project)
    asked = int_param(request.GET, "annee", minimum=0, maximum=5)
    entered = evaluation.entered_years
    if asked is not None:
        current = evaluation.year(asked)
    elif entered:
        current = entered[-1]
    else:
        begun = begun_years(project)
        current = evaluation.year(begun[-1] if begun else 0)
    assert current is not None
    followup = current.followup
    explanations = (
        {line: getattr(followup, ev.explanation_field(line)) for line in ev.FINANCE_FIELDS}
        if followup is not None
        else {}
    )
    rows = variance_rows(current.variances)
    for row in rows:
        row["explanation"] = explanations.get(row["line"], "")
    has_finances = followup is not None and any(
        getattr(followup, line) is not None for line in ev.FINANCE_FIELDS
    )
    return render(
        request,
        "implantations/evaluation.html",
        {
            "project": evaluation.project,
            "can_manage": can_manage,
            "evaluation": evaluation,
            "current": current,
            "followup": followup,
            "year_tabs": [
                {
                    "year": y.year,
                    "calendar_year": y.calendar_year,
                    "entered": y.entered,
                    "active": y.year == current.year,
                }
                for y in evaluation.years
            ],  # fmt: skip
            "rates": rate_rows(current.rates),
            "variance_rows": rows,
            "has_finances": has_finances,
            "figure": json.loads(variances_figure(current.variances).to_json())
            if has_finances
            else None,
            "flags": [f.as_dict() for f in evaluation.flags],
            "thresholds": evaluation.thresholds,
            "threshold_pcts": _threshold_pcts(evaluation.thresholds),
            "enrolment_pct": current.enrolment_share * 100
            if current.enrolment_share is not None
            else None,
            "outcomes_unentered": _outcomes_unentered(followup),
        },
    )


def _threshold_pcts(t: ev.Thresholds) -> dict[str, float]:
    return {
        "late": t.late_enrolment_share * 100,
        "overrun": t.overrun_share * 100,
        "explain": t.explain_share * 100,
    }


def _outcomes_unentered(followup: Any) -> int | None:
    if followup is None or followup.completed is None:
        return None
    entered = sum(getattr(followup, name) or 0 for name in ev.OUTCOME_FIELDS)
    return followup.completed - entered


# --- Programme summary ----------------------------------------------------------------------------
def site_rows(programme: sel.ProgrammeEvaluation) -> list[dict[str, Any]]:
    rows = []
    for site in programme.sites:
        last = site.entered_years[-1] if site.entered_years else None
        rows.append(
            {
                "project": site.project,
                "last": last,
                "years_entered": len(site.entered_years),
                "enrolled": sum(y.followup.enrolled for y in site.entered_years if y.followup),
                "planned": sum(y.planned_learners for y in site.entered_years),
                "flags": site.flags,
                "flag_codes": site.flag_codes,
            }
        )
    return rows


@role_required(*BASIN_READERS)
@require_GET
def evaluation_summary(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    calendar_year = int_param(request.GET, "annee", minimum=2000, maximum=2100)
    programme = sel.programme_evaluation(user, calendar_year=calendar_year)
    years = sorted(
        {y.calendar_year for s in programme.sites for y in s.entered_years}, reverse=True
    )
    return render(
        request,
        "implantations/evaluation_summary.html",
        {
            "programme": programme,
            "sites": site_rows(programme),
            "rates": rate_rows(programme.rates),
            "calendar_year": calendar_year,
            "years": years,
            "threshold_pcts": _threshold_pcts(programme.thresholds),
            "cost_pct": programme.cost_variance_share * 100
            if programme.cost_variance_share is not None
            else None,
        },
    )
