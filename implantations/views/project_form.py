"""Creation (from a basin's recommendation) and edition of an implantation project, with its
partners and governance members (formsets written in the project's transaction). Writing needs to
manage the basin (another region's project: 404)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from diagnostics.errors import ApplicationError
from diagnostics.models import Basin, User
from diagnostics.params import int_param
from diagnostics.permissions import BASIN_MANAGERS, role_required
from diagnostics.selectors.access import basin_manageable_for
from diagnostics.selectors.partners import organisation_list_for
from implantations.forms.projects import (
    MemberFormSet,
    PartnerFormSet,
    ProjectForm,
)
from implantations.models import ImplantationProject, Recommendation
from implantations.selectors import projects as sel
from implantations.services import project_partners
from implantations.services import projects as services
from implantations.views.projects import project_manageable


def _latest_recommendation(basin: Basin) -> Recommendation | None:
    return Recommendation.objects.filter(basin=basin).order_by("-created_at", "-id").first()


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
                exc.add_to(form)
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


# --- Edition ----------------------------------------------------------------------------------
@role_required(*BASIN_MANAGERS)
@require_http_methods(["GET", "POST"])
def project_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    project = project_manageable(request, pk)
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
                exc.add_to(form)
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
