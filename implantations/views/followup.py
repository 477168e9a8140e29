"""Follow-up entry of implantation projects (issue 18): a year's entry form, the CSV import and
its template, for the basin's managers. The evaluation pages are in `views.evaluation`, the CSV
exports in `views.evaluation_exports`. Writing needs to manage the project's basin
(`views.projects.project_manageable`); another region's project is a 404."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from diagnostics.models import User
from diagnostics.params import int_param
from diagnostics.permissions import BASIN_MANAGERS, role_required
from implantations.analytics import evaluation as ev
from implantations.forms.followup import FollowupForm, FollowupImportForm
from implantations.models import ImplantationProject
from implantations.models.projects import PROJECT_YEARS
from implantations.selectors import followup as sel
from implantations.services import followup as services
from implantations.views.projects import project_manageable


def begun_years(project: ImplantationProject) -> list[int]:
    this_year = sel.today().year
    return [y for y in PROJECT_YEARS if project.start_year + y <= this_year]


def _year_choices(project: ImplantationProject) -> list[tuple[int, str]]:
    return [(y, f"Année {y} ({project.start_year + y})") for y in begun_years(project)]


# --- Entry ------------------------------------------------------------------------------------
@role_required(*BASIN_MANAGERS)
@require_http_methods(["GET", "POST"])
def project_followup(request: HttpRequest, pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    project = project_manageable(request, pk)
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
        begun = begun_years(project)
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
    project = project_manageable(request, pk)
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
    project = project_manageable(request, pk)
    response = HttpResponse(
        services.followup_template_csv(project), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="modele-suivi-projet-{project.pk}.csv"'
    return response
