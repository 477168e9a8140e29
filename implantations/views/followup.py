"""Follow-up and evaluation pages of implantation projects (issue 18): a year's entry form and
the CSV import (the basin's managers), the yearly evaluation page of a site, the programme
summary of the sites a user reads, and their CSV exports. Reading follows the project's basin
(`project_list_for`); another region's project is a 404."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from diagnostics.exports import table_csv
from diagnostics.models import User
from diagnostics.params import int_param
from diagnostics.permissions import BASIN_MANAGERS, BASIN_READERS, role_required
from implantations.analytics import evaluation as ev
from implantations.analytics import evaluation_flags as evf
from implantations.analytics import evaluation_outcomes as evo
from implantations.analytics.evaluation_charts import variances_figure
from implantations.forms.followup import FollowupForm, FollowupImportForm
from implantations.models import ImplantationProject
from implantations.models.projects import PROJECT_YEARS
from implantations.selectors import followup as sel
from implantations.selectors.projects import project_list_for, project_manageable_for
from implantations.services import followup as services


def _readable(request: HttpRequest, pk: int) -> ImplantationProject:
    user: User = request.user  # type: ignore[assignment]
    return get_object_or_404(project_list_for(user), pk=pk)


def _manageable(request: HttpRequest, pk: int) -> ImplantationProject:
    user: User = request.user  # type: ignore[assignment]
    return get_object_or_404(project_manageable_for(user), pk=pk)


def _begun_years(project: ImplantationProject) -> list[int]:
    this_year = sel.today().year
    return [y for y in PROJECT_YEARS if project.start_year + y <= this_year]


def _year_choices(project: ImplantationProject) -> list[tuple[int, str]]:
    return [(y, f"Année {y} ({project.start_year + y})") for y in _begun_years(project)]


# --- Entry ------------------------------------------------------------------------------------
@role_required(*BASIN_MANAGERS)
@require_http_methods(["GET", "POST"])
def project_followup(request: HttpRequest, pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    project = _manageable(request, pk)
    choices = _year_choices(project)
    plan, plan_source = sel.project_plan(project)
    plan_by_year = {int(r[ev.YEAR]): r for r in plan.to_dict("records")}
    status = 200
    if request.method == "POST":
        form = FollowupForm(request.POST, years=choices)
        year = int_param(request.POST, "year", minimum=0, maximum=5)
        if form.is_valid():
            try:
                services.followup_year_save(
                    project=project,
                    year=form.cleaned_data["year"],
                    values=form.values(),
                    comment=form.cleaned_data["comment"],
                    user=user,
                )
            except services.FollowupError as exc:
                errors = exc.extra.get("errors") or {}
                for name, message in errors.items():
                    form.add_error(name if name in form.fields else None, message)
                if not errors:
                    form.add_error(None, exc.message)
            else:
                messages.success(
                    request,
                    f"Le suivi de l'année {form.cleaned_data['year']} "
                    f"({project.start_year + form.cleaned_data['year']}) est enregistré.",
                )
                return redirect(
                    f"{reverse('project-evaluation', args=[project.pk])}?annee={form.cleaned_data['year']}"
                )
        status = 400
    else:
        year = int_param(request.GET, "annee", minimum=0, maximum=5)
        begun = _begun_years(project)
        if year is None or year not in begun:
            year = begun[-1] if begun else None
        initial: dict[str, Any] = {"year": year}
        item = project.followups.filter(year=year).first() if year is not None else None
        if item is not None:
            initial.update(sel.followup_values(item))
            initial["comment"] = item.comment
        form = FollowupForm(initial=initial, years=choices)
    shown_year = year if year is not None and year in plan_by_year else None
    line_plan = (
        {line: float(plan_by_year[shown_year][line]) for line in ev.FINANCE_FIELDS}
        if shown_year is not None
        else None
    )
    thresholds = sel.followup_thresholds()
    return render(
        request,
        "implantations/followup_form.html",
        {
            "project": project,
            "form": form,
            "has_years": bool(choices),
            "year_choices": choices,
            "entered_years": set(project.followups.values_list("year", flat=True)),
            "shown_calendar_year": project.start_year + shown_year
            if shown_year is not None
            else None,
            "line_rows": form.line_rows(line_plan),
            "shown_year": shown_year,
            "plan_source": plan_source,
            "explain_pct": thresholds.explain_share * 100,
        },
        status=status,
    )


@role_required(*BASIN_MANAGERS)
@require_http_methods(["GET", "POST"])
def project_followup_import(request: HttpRequest, pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    project = _manageable(request, pk)
    rows: list[dict[str, Any]] = []
    status = 200
    if request.method == "POST":
        form = FollowupImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                result = services.followup_import(
                    project=project, content=upload.read(), filename=upload.name, user=user
                )
            except services.FollowupError as exc:
                form.add_error("file", exc.message)
                rows = list(exc.extra.get("rows") or [])
            else:
                years = ", ".join(f"{y} ({project.start_year + y})" for y in result.years)
                replaced = (
                    f" ; {len(result.replaced)} année(s) déjà saisie(s) remplacée(s), l'historique "
                    "garde les anciennes valeurs"
                    if result.replaced
                    else ""
                )
                messages.success(request, f"Suivi importé : année(s) {years}{replaced}.")
                return redirect("project-evaluation", pk=project.pk)
        status = 400
    else:
        form = FollowupImportForm()
    return render(
        request,
        "implantations/followup_import.html",
        {
            "project": project,
            "form": form,
            "rows": rows,
            "columns": services.CSV_HEADER,
        },
        status=status,
    )


@role_required(*BASIN_MANAGERS)
@require_GET
def project_followup_template(request: HttpRequest, pk: int) -> HttpResponse:
    project = _manageable(request, pk)
    response = HttpResponse(
        services.followup_template_csv(project), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="modele-suivi-projet-{project.pk}.csv"'
    return response


# --- Evaluation -------------------------------------------------------------------------------
def _rate_rows(rates: list[evo.Rate]) -> list[dict[str, Any]]:
    return [
        {**rate.as_dict(), "pct": rate.value * 100 if rate.value is not None else None}
        for rate in rates
    ]


def _variance_rows(variances: Any) -> list[dict[str, Any]]:
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
    project = _readable(request, pk)
    can_manage = project_manageable_for(user).filter(pk=project.pk).exists()
    evaluation = sel.project_evaluation(project)
    asked = int_param(request.GET, "annee", minimum=0, maximum=5)
    entered = evaluation.entered_years
    if asked is not None:
        current = evaluation.year(asked)
    elif entered:
        current = entered[-1]
    else:
        begun = _begun_years(project)
        current = evaluation.year(begun[-1] if begun else 0)
    assert current is not None
    followup = current.followup
    explanations = (
        {line: getattr(followup, ev.explanation_field(line)) for line in ev.FINANCE_FIELDS}
        if followup is not None
        else {}
    )
    variance_rows = _variance_rows(current.variances)
    for row in variance_rows:
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
            "rates": _rate_rows(current.rates),
            "variance_rows": variance_rows,
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
def _site_rows(programme: sel.ProgrammeEvaluation) -> list[dict[str, Any]]:
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
            "sites": _site_rows(programme),
            "rates": _rate_rows(programme.rates),
            "calendar_year": calendar_year,
            "years": years,
            "threshold_pcts": _threshold_pcts(programme.thresholds),
            "cost_pct": programme.cost_variance_share * 100
            if programme.cost_variance_share is not None
            else None,
        },
    )


# --- Exports ----------------------------------------------------------------------------------
FOLLOWUP_EXPORT_COLUMNS = [
    "year", "calendar_year", "planned_learners", *ev.COUNT_FIELDS, "completion_rate",
    "certification_rate", "job_rate", "positive_rate", "rates_note", "source", "updated_at",
]  # fmt: skip
FOLLOWUP_EXPORT_LABELS = [
    "Année du projet", "Année civile", "Apprenants prévus", "Inscrits", "Parcours achevés",
    "Certifiés", "En emploi à 6 mois", "En formation à 6 mois", "En recherche d'emploi à 6 mois",
    "Situation inconnue à 6 mois", "Taux d'achèvement", "Taux de certification",
    "En emploi à 6 mois (taux)", "Sorties positives (taux)", "Taux non calculés",
    "Origine de la saisie", "Mis à jour le",
]  # fmt: skip


def _rate_cell(rates: list[evo.Rate], code: str) -> Any:
    rate = next((r for r in rates if r.code == code), None)
    return None if rate is None or rate.value is None else round(rate.value, 4)


def _rates_note(rates: list[evo.Rate]) -> str:
    return " ; ".join(f"{r.label} : {r.reason}" for r in rates if r.value is None and r.reason)


@role_required(*BASIN_READERS)
@require_GET
def project_followup_export(request: HttpRequest, pk: int) -> HttpResponse:
    evaluation = sel.project_evaluation(_readable(request, pk))
    project = evaluation.project
    rows = []
    for y in evaluation.entered_years:
        f = y.followup
        assert f is not None
        rows.append(
            [
                y.year, y.calendar_year, y.planned_learners,
                *(getattr(f, name) for name in ev.COUNT_FIELDS),
                _rate_cell(y.rates, "completion"), _rate_cell(y.rates, "certification"),
                _rate_cell(y.rates, "job"), _rate_cell(y.rates, "positive"),
                _rates_note(y.rates), f.get_source_display(),
                timezone.localtime(f.updated_at).isoformat(timespec="minutes"),
            ]
        )  # fmt: skip
    payload = {
        "title": f"Suivi des apprenants — {project.name}",
        "columns": FOLLOWUP_EXPORT_COLUMNS,
        "labels": FOLLOWUP_EXPORT_LABELS,
        "rows": rows,
    }
    response = HttpResponse(table_csv(payload), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="suivi-projet-{project.pk}.csv"'
    return response


@role_required(*BASIN_READERS)
@require_GET
def project_variances_export(request: HttpRequest, pk: int) -> HttpResponse:
    evaluation = sel.project_evaluation(_readable(request, pk))
    project = evaluation.project
    rows = []
    for y in evaluation.entered_years:
        f = y.followup
        assert f is not None
        for record in _variance_rows(y.variances):
            explanation = (
                getattr(f, ev.explanation_field(record["line"]))
                if record["line"] in ev.LINES
                else ""
            )
            rows.append(
                [
                    y.year, y.calendar_year, record["label"], record["kind"], record["planned"],
                    record["actual"], record["variance"],
                    None if record["pct"] is None else round(record["pct"] / 100, 4),
                    "oui" if record["explanation_required"] else "non", explanation,
                ]
            )  # fmt: skip
    payload = {
        "title": f"Écarts au modèle économique — {project.name}",
        "columns": [
            "year", "calendar_year", "line", "kind", "planned", "actual", "variance",
            "variance_share", "explanation_required", "explanation",
        ],
        "labels": [
            "Année du projet", "Année civile", "Poste", "Nature", "Prévu (€)", "Réel (€)",
            "Écart (€)", "Écart (part du prévu)", "Explication requise", "Explication",
        ],
        "rows": rows,
    }  # fmt: skip
    response = HttpResponse(table_csv(payload), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="ecarts-projet-{project.pk}.csv"'
    return response


@role_required(*BASIN_READERS)
@require_GET
def evaluation_summary_export(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    calendar_year = int_param(request.GET, "annee", minimum=2000, maximum=2100)
    programme = sel.programme_evaluation(user, calendar_year=calendar_year)
    rows = []
    for row in _site_rows(programme):
        project = row["project"]
        rows.append(
            [
                project.pk, project.name, project.basin.name, project.basin.region.name,
                project.get_status_display(), row["years_entered"], row["planned"],
                row["enrolled"], ", ".join(evf.FLAG_LABELS[c] for c in row["flag_codes"]),
                " | ".join(f.detail for f in row["flags"]),
            ]
        )  # fmt: skip
    payload = {
        "title": "Évaluation du programme : sites",
        "columns": [
            "project", "name", "basin", "region", "status", "years_entered", "planned_learners",
            "enrolled", "flags", "flag_details",
        ],
        "labels": [
            "N° du projet", "Projet", "Bassin", "Région", "Statut", "Années suivies",
            "Apprenants prévus (années suivies)", "Inscrits (années suivies)", "Signalements",
            "Détail des signalements",
        ],
        "rows": rows,
    }  # fmt: skip
    response = HttpResponse(table_csv(payload), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="evaluation-programme.csv"'
    return response
