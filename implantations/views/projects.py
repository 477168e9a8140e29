"""Implantation project pages: list, creation (from a basin's recommendation), follow-up page
(status, plan against actual learners, partners, governance, history), edition, status change
and learners entry. Reading follows the basin (mayors with the basin shared read); writing
needs to manage the basin (another region's project: 404)."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from diagnostics.errors import ApplicationError
from diagnostics.models import Basin, User
from diagnostics.params import int_param
from diagnostics.permissions import BASIN_MANAGERS, BASIN_READERS, role_required
from diagnostics.selectors.access import basin_manageable_for
from diagnostics.selectors.partners import organisation_list_for
from implantations.analytics import planning as p
from implantations.analytics.planning_maps import learners_figure
from implantations.forms.projects import (
    LearnersForm,
    MemberFormSet,
    PartnerFormSet,
    ProjectForm,
    ProjectStatusForm,
)
from implantations.models import ImplantationProject, ProjectStatus, Recommendation
from implantations.models.projects import STATUS_ORDER
from implantations.selectors import projects as sel
from implantations.selectors.followup import project_flags_for
from implantations.services import project_partners
from implantations.services import projects as services


def _attach_error(form: Any, exc: ApplicationError) -> None:
    field = exc.extra.get("field") if isinstance(exc.extra, dict) else None
    form.add_error(field if field in form.fields else None, exc.message)


def _latest_recommendation(basin: Basin) -> Recommendation | None:
    return Recommendation.objects.filter(basin=basin).order_by("-created_at", "-id").first()


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


# --- Creation ---------------------------------------------------------------------------------
def _organisation_choices(user: User) -> list[tuple[str, str]]:
    """The typed partners the user sees (issue 18), for the partners' select."""
    return [
        (str(o.pk), f"{o.name} — {o.get_kind_display()}")
        for o in organisation_list_for(user).order_by("name")
    ]


def _formsets(request: HttpRequest, project: ImplantationProject | None) -> tuple[Any, Any]:
    kwargs = {"organisations": _organisation_choices(request.user)}  # type: ignore[arg-type]
    if request.method == "POST":
        return (
            PartnerFormSet(request.POST, prefix="partners", form_kwargs=kwargs),
            MemberFormSet(request.POST, prefix="members"),
        )
    partners = (
        [
            {
                "name": x.name,
                "kind": x.kind,
                "commitment": x.commitment,
                "organisation": str(x.organisation_id or ""),
            }
            for x in project.partners.all()
        ]
        if project
        else []
    )
    members = (
        [
            {"name": m.name, "organisation": m.organisation, "function": m.function}
            for m in project.governance_members.all()
        ]
        if project
        else []
    )
    return (
        PartnerFormSet(initial=partners, prefix="partners", form_kwargs=kwargs),
        MemberFormSet(initial=members, prefix="members"),
    )


def _relations_replace(
    project: ImplantationProject, partners: Any, members: Any, user: User
) -> None:
    """The partners and governance members of the project's forms (inside the caller's
    transaction: all or nothing with the project)."""
    project_partners.project_partners_replace(
        project=project, partners=_rows_of(partners), user=user
    )
    project_partners.project_members_replace(project=project, members=_rows_of(members), user=user)


def _rows_of(formset: Any) -> list[dict[str, str]]:
    return [
        f.cleaned_data
        for f in formset.forms
        if f.cleaned_data and (f.cleaned_data.get("name") or f.cleaned_data.get("organisation"))
    ]


@role_required(*BASIN_MANAGERS)
@require_http_methods(["GET", "POST"])
def project_create(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    basins = basin_manageable_for(user).select_related("region").order_by("name")
    source = request.POST if request.method == "POST" else request.GET
    basin = None
    basin_id = int_param(source, "basin")
    if basin_id is not None:
        basin = basins.filter(pk=basin_id).first()
    recommendation = None
    reco_id = int_param(source, "recommendation")
    if basin is not None:
        if reco_id is not None:
            recommendation = Recommendation.objects.filter(pk=reco_id, basin=basin).first()
        if recommendation is None:
            recommendation = _latest_recommendation(basin)
    epcis = sel.basin_epcis(basin) if basin is not None else None
    if request.method == "POST":
        form = ProjectForm(request.POST, basins=basins, epcis=epcis)
        partners, members = _formsets(request, None)
        if form.is_valid() and partners.is_valid() and members.is_valid():
            data = form.cleaned_data
            try:
                with transaction.atomic():
                    project = services.project_create(
                        basin=data["basin"],
                        user=user,
                        recommendation=recommendation
                        if recommendation and recommendation.basin_id == data["basin"].pk
                        else None,
                        name=data["name"],
                        concept=data["concept"],
                        concept_reason=data["concept_reason"],
                        host_structure=data["host_structure"],
                        host_details=data["host_details"],
                        governance_name=data["governance_name"],
                        epcis=data["governance_epcis"],
                        start_year=data["start_year"],
                        study_started_on=data["study_started_on"],
                        notes=data["notes"],
                    )
                    _relations_replace(project, partners, members, user)
            except ApplicationError as exc:
                _attach_error(form, exc)
            else:
                messages.success(request, f"Le projet « {project.name} » est créé.")
                return redirect("project-detail", pk=project.pk)
    else:
        today = timezone.localdate()
        initial: dict[str, Any] = {
            "start_year": today.year + 1,
            "study_started_on": today,
            "governance_name": "Comité de pilotage",
        }
        if basin is not None:
            initial["basin"] = basin.pk
            initial["name"] = f"Implantation Cnam — {basin.name}"
            if recommendation is not None and recommendation.concept:
                initial["concept"] = recommendation.concept
        form = ProjectForm(initial=initial, basins=basins, epcis=epcis)
        partners, members = _formsets(request, None)
    return render(
        request,
        "implantations/project_form.html",
        {
            "form": form,
            "partners": partners,
            "members": members,
            "basin": basin,
            "recommendation": recommendation,
            "creating": True,
        },
    )


# --- Follow-up page ---------------------------------------------------------------------------
def _readable(request: HttpRequest, pk: int) -> ImplantationProject:
    user: User = request.user  # type: ignore[assignment]
    return get_object_or_404(sel.project_list_for(user), pk=pk)


def _manageable(request: HttpRequest, pk: int) -> ImplantationProject:
    user: User = request.user  # type: ignore[assignment]
    return get_object_or_404(sel.project_manageable_for(user), pk=pk)


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
        actual = record[p.ACTUAL]
        gap = record[p.GAP]
        share = record[p.GAP_SHARE]
        rows.append(
            {
                "year": int(record[p.YEAR]),
                "calendar_year": int(record[p.CALENDAR_YEAR]),
                "planned": int(record[p.PLANNED]),
                "actual": None if actual is None or actual is p.pd.NA else int(actual),
                "gap": None if gap is None or gap is p.pd.NA else int(gap),
                "gap_pct": None if share is None or share is p.pd.NA else float(share) * 100,
                "flag": record[p.FLAG],
                "flag_label": p.FLAG_LABELS[record[p.FLAG]],
            }
        )
    return rows


@role_required(*BASIN_READERS)
@require_GET
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    project = sel.project_detail(_readable(request, pk))
    can_manage = sel.project_manageable_for(user).filter(pk=project.pk).exists()
    followup = services.project_followup(project)
    totals = p.followup_totals(followup)
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


# --- Edition ----------------------------------------------------------------------------------
@role_required(*BASIN_MANAGERS)
@require_http_methods(["GET", "POST"])
def project_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    project = _manageable(request, pk)
    epcis = sel.basin_epcis(project.basin)
    if request.method == "POST":
        form = ProjectForm(request.POST, epcis=epcis, creating=False)
        partners, members = _formsets(request, project)
        if form.is_valid() and partners.is_valid() and members.is_valid():
            data = form.cleaned_data
            try:
                with transaction.atomic():
                    services.project_update(
                        project=project,
                        user=user,
                        name=data["name"],
                        concept=data["concept"],
                        concept_reason=data["concept_reason"],
                        host_structure=data["host_structure"],
                        host_details=data["host_details"],
                        governance_name=data["governance_name"],
                        epcis=data["governance_epcis"],
                        start_year=data["start_year"],
                        notes=data["notes"],
                    )
                    _relations_replace(project, partners, members, user)
            except ApplicationError as exc:
                _attach_error(form, exc)
            else:
                messages.success(request, "Le projet est mis à jour.")
                return redirect("project-detail", pk=project.pk)
    else:
        form = ProjectForm(
            initial={
                "name": project.name,
                "concept": project.concept,
                "concept_reason": project.concept_reason,
                "host_structure": project.host_structure,
                "host_details": project.host_details,
                "governance_name": project.governance_name,
                "governance_epcis": list(project.governance_epcis.all()),
                "start_year": project.start_year,
                "notes": project.notes,
            },
            epcis=epcis,
            creating=False,
        )
        partners, members = _formsets(request, project)
    return render(
        request,
        "implantations/project_form.html",
        {
            "form": form,
            "partners": partners,
            "members": members,
            "project": project,
            "basin": project.basin,
            "recommendation": project.recommendation,
            "creating": False,
        },
    )


@role_required(*BASIN_MANAGERS)
@require_POST
def project_status(request: HttpRequest, pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    project = _manageable(request, pk)
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
    project = _manageable(request, pk)
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
