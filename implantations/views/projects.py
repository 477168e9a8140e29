"""Implantation project pages: the list, a project's page (status, plan against actual learners,
partners, governance, history), its status change and learners entry. Creation and edition are
in `views.project_form`. Reading follows the basin (mayors with the basin shared read); writing
needs to manage the basin (another region's project: 404)."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from diagnostics.errors import ApplicationError
from diagnostics.models import User
from diagnostics.permissions import BASIN_MANAGERS, BASIN_READERS, role_required
from implantations.analytics import planning_columns as pc
from implantations.analytics import planning_followup as pfu
from implantations.analytics.planning_maps import learners_figure
from implantations.forms.projects import (
    LearnersForm,
    ProjectStatusForm,
)
from implantations.models import ImplantationProject, ProjectStatus
from implantations.models.projects import STATUS_ORDER
from implantations.selectors import projects as sel
from implantations.selectors.followup import project_flags_for
from implantations.services import projects as services


def project_readable(request: HttpRequest, pk: int) -> ImplantationProject:
    user: User = request.user  # type: ignore[assignment]
    return get_object_or_404(sel.project_list_for(user), pk=pk)


def project_manageable(request: HttpRequest, pk: int) -> ImplantationProject:
    user: User = request.user  # type: ignore[assignment]
    return get_object_or_404(sel.project_manageable_for(user), pk=pk)


# --- List -------------------------------------------------------------------------------------
@role_required(*BASIN_READERS)
@require_GET
def project_list(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    projects = list(
        sel.project_list_for(user).prefetch_related("years").order_by("basin__name", "name")
    )
    rows = []
    for project in projects:
        years = list(project.years.all())
        known = [y for y in years if y.actual_learners is not None]
        rows.append(
            {
                "project": project,
                "planned_total": sum(y.planned_learners for y in years),
                "known_planned": sum(y.planned_learners for y in known),
                "known_actual": sum(y.actual_learners or 0 for y in known),
                "years_known": len(known),
            }
        )
    return render(
        request,
        "implantations/project_list.html",
        {"rows": rows, "can_create": user.can_manage_basins},
    )


# --- Project page -----------------------------------------------------------------------------
def _steps(project: ImplantationProject) -> list[dict[str, Any]]:
    current = project.status_index
    return [
        {
            "code": code,
            "label": ProjectStatus(code).label,
            "date": project.status_date(code),
            "done": i < current,
            "current": i == current,
        }
        for i, code in enumerate(STATUS_ORDER)
    ]


def _followup_rows(followup: Any) -> list[dict[str, Any]]:
    rows = []
    for record in followup.to_dict("records"):
        actual = record[pfu.ACTUAL]
        gap = record[pfu.GAP]
        share = record[pfu.GAP_SHARE]
        rows.append(
            {
                "year": int(record[pc.YEAR]),
                "calendar_year": int(record[pfu.CALENDAR_YEAR]),
                "planned": int(record[pfu.PLANNED]),
                "actual": None if actual is None or actual is pd.NA else int(actual),
                "gap": None if gap is None or gap is pd.NA else int(gap),
                "gap_pct": None if share is None or share is pd.NA else float(share) * 100,
                "flag": record[pfu.FLAG],
                "flag_label": pfu.FLAG_LABELS[record[pfu.FLAG]],
            }
        )
    return rows


@role_required(*BASIN_READERS)
@require_GET
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    project = sel.project_detail(project_readable(request, pk))
    can_manage = sel.project_manageable_for(user).filter(pk=project.pk).exists()
    followup = services.project_followup(project)
    totals = pfu.followup_totals(followup)
    comments = {y.year: y.comment for y in project.years.all()}
    rows = _followup_rows(followup)
    for row in rows:
        row["comment"] = comments.get(row["year"], "")
    status_form = None
    if can_manage:
        next_index = min(project.status_index + 1, len(STATUS_ORDER) - 1)
        status_form = ProjectStatusForm(
            initial={"to_status": STATUS_ORDER[next_index], "effective_on": timezone.localdate()}
        )
    return render(
        request,
        "implantations/project_detail.html",
        {
            "project": project,
            "can_manage": can_manage,
            "steps": _steps(project),
            "history": sel.project_status_history(project),
            "rows": rows,
            "totals": totals,
            "gap_pct_total": totals["gap_share"] * 100 if totals["gap_share"] is not None else None,
            "figure": json.loads(learners_figure(followup).to_json()),
            "status_form": status_form,
            "is_last_status": project.status_index == len(STATUS_ORDER) - 1,
            "followup_flags": project_flags_for([project]).get(project.pk, []),
        },
    )


# --- Status and learners ------------------------------------------------------------------------
@role_required(*BASIN_MANAGERS)
@require_POST
def project_status(request: HttpRequest, pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    project = project_manageable(request, pk)
    form = ProjectStatusForm(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else "Statut"
            messages.error(request, f"{label} : {' '.join(str(e) for e in errors)}")
        return redirect("project-detail", pk=project.pk)
    data = form.cleaned_data
    try:
        services.project_status_change(
            project=project,
            to_status=data["to_status"],
            effective_on=data["effective_on"],
            reason=data["reason"],
            user=user,
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, f"Le projet passe à l'étape « {ProjectStatus(project.status).label} »."
        )
    return redirect("project-detail", pk=project.pk)


@role_required(*BASIN_MANAGERS)
@require_http_methods(["GET", "POST"])
def project_learners(request: HttpRequest, pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    project = project_manageable(request, pk)
    years = {y.year: y for y in project.years.all()}
    errors: list[str] = []
    if request.method == "POST":
        form = LearnersForm(request.POST, start_year=project.start_year)
        if form.is_valid():
            rows = [
                services.YearInput(
                    year=year,
                    planned=form.cleaned_data[f"planned_{year}"],
                    actual=form.cleaned_data[f"actual_{year}"],
                    comment=form.cleaned_data[f"comment_{year}"],
                )
                for year in range(6)
            ]
            try:
                services.project_years_update(project=project, rows=rows, user=user)
            except ApplicationError as exc:
                errors = list(exc.extra.get("errors") or [exc.message])
            else:
                messages.success(request, "Les effectifs sont enregistrés.")
                return redirect("project-detail", pk=project.pk)
    else:
        initial: dict[str, Any] = {}
        for year, item in years.items():
            initial[f"planned_{year}"] = item.planned_learners
            initial[f"actual_{year}"] = item.actual_learners
            initial[f"comment_{year}"] = item.comment
        form = LearnersForm(initial=initial, start_year=project.start_year)
    return render(
        request,
        "implantations/project_learners.html",
        {
            "project": project,
            "form": form,
            "errors": errors,
            "this_year": timezone.localdate().year,
        },
    )
