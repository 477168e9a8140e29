"""A project's business-model inputs (issue 18), for the managers of its basin: the funding
split by funder, the project's services, the CPF top-up scenarios. Invalid input re-renders the
form with its errors and a 400; nothing is half-written (`implantations.services.funding`).
The business model itself is shown on the basin's page with `?projet=<id>`."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from diagnostics.errors import ApplicationError
from diagnostics.models import User
from diagnostics.params import int_param, is_integer_text
from diagnostics.permissions import BASIN_MANAGERS, role_required
from implantations.analytics import funding as fd
from implantations.forms.funding import FundingFormSet, ServicesForm, TopUpForm
from implantations.models import ImplantationProject
from implantations.selectors import business_model as sel
from implantations.selectors.projects import project_manageable_for
from implantations.services import funding as services


def _manageable(request: HttpRequest, pk: int) -> ImplantationProject:
    user: User = request.user  # type: ignore[assignment]
    return get_object_or_404(project_manageable_for(user), pk=pk)


def model_url(project: ImplantationProject, anchor: str = "") -> str:
    url = f"{reverse('business-model', args=[project.basin_id])}?projet={project.pk}"
    return url + (f"#{anchor}" if anchor else "")


@role_required(*BASIN_MANAGERS)
@require_http_methods(["GET", "POST"])
def project_funding(request: HttpRequest, pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    project = _manageable(request, pk)
    total_errors: list[str] = []
    if request.method == "POST":
        formset = FundingFormSet(request.POST, prefix="lignes")
        if formset.is_valid():
            lines = [
                services.FundingInput(
                    funder=row["funder"],
                    funder_name=row.get("funder_name") or "",
                    annual_amount=float(row["annual_amount"]),
                    first_year=row["first_year"],
                    last_year=row["last_year"],
                    conditions=row.get("conditions") or "",
                )
                for row in formset.lines()  # type: ignore[attr-defined]
            ]
            try:
                services.project_funding_replace(project=project, lines=lines, user=user)
            except ApplicationError as exc:
                errors = exc.extra.get("errors") if isinstance(exc.extra, dict) else None
                filled = [
                    f for f in formset.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")
                ]
                for key, problems in (errors or {}).items():
                    if key == "total":
                        total_errors.extend(problems.values())
                    elif is_integer_text(key) and int(key) < len(filled):
                        for field, message in problems.items():
                            filled[int(key)].add_error(
                                field if field in filled[int(key)].fields else None, message
                            )
                if not errors:
                    total_errors.append(exc.message)
            else:
                messages.success(
                    request,
                    f"Financements enregistrés : {len(lines)} ligne{'s' if len(lines) > 1 else ''}.",
                )
                return redirect(model_url(project, "financements"))
    else:
        formset = FundingFormSet(
            prefix="lignes",
            initial=[
                {
                    "funder": row.funder,
                    "funder_name": row.funder_name,
                    "annual_amount": row.annual_amount,
                    "first_year": row.first_year,
                    "last_year": row.last_year,
                    "conditions": row.conditions,
                }
                for row in sel.project_funding_rows(project)
            ],
        )
    has_errors = request.method == "POST" and (
        total_errors or any(formset.errors) or formset.non_form_errors()
    )
    plan = sel.project_business_model(project)
    return render(
        request,
        "implantations/project_funding.html",
        {
            "project": project,
            "formset": formset,
            "total_errors": total_errors,
            "plan": plan,
            "plan_label": sel.project_plan_basis(project).label,
            "need": [round(float(v)) for v in plan.years["public_aid"]],
            "costs": [round(float(v)) for v in plan.years["costs"]],
            "funders": fd.FUNDER_LABELS,
            "model_url": model_url(project, "financements"),
        },
        status=400 if has_errors else 200,
    )


@role_required(*BASIN_MANAGERS)
@require_http_methods(["GET", "POST"])
def project_services(request: HttpRequest, pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    project = _manageable(request, pk)
    current = sel.project_services(project)
    form = ServicesForm(services=current)
    error = ""
    if request.method == "POST":
        if request.POST.get("action") == "reset":
            services.project_services_replace(project=project, user=user, values={})
            messages.success(request, "Services ramenés aux valeurs par défaut du concept.")
            return redirect(model_url(project, "services"))
        form = ServicesForm(request.POST, services=current)
        if form.is_valid():
            try:
                services.project_services_replace(project=project, user=user, values=form.values())
            except ApplicationError as exc:
                error = exc.message
            else:
                messages.success(request, "Services du projet enregistrés.")
                return redirect(model_url(project, "services"))
    return render(
        request,
        "implantations/project_services.html",
        {
            "project": project,
            "form": form,
            "error": error,
            "customised": sel.project_service_values(project),
            "model_url": model_url(project, "services"),
        },
        status=400 if request.method == "POST" and (error or form.errors) else 200,
    )


TOPUP_ACTIONS = ("save", "retain", "unretain", "delete")


@role_required(*BASIN_MANAGERS)
@require_http_methods(["GET", "POST"])
def project_topup(request: HttpRequest, pk: int) -> HttpResponse:
    """The project's CPF top-up scenarios: save one (from the simulation), retain, delete."""
    user: User = request.user  # type: ignore[assignment]
    project = _manageable(request, pk)
    initial: dict[str, Any] = {
        "rate_percent": 50,
        "ceiling": 500,
        "learners": 10,
        "path_price": fd.DEFAULT_PATH_PRICE[project.concept],
    }
    for name in ("rate_percent", "ceiling", "learners", "path_price"):
        if request.GET.get(f"ab-{name}"):
            initial[name] = request.GET[f"ab-{name}"]
    form = TopUpForm(initial=initial)
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "save")
        if action not in TOPUP_ACTIONS:
            messages.error(request, "Action inconnue : rien n'a été modifié.")
            return redirect("project-topup", pk=project.pk)
        if action == "save":
            form = TopUpForm(request.POST)
            if form.is_valid():
                data = form.cleaned_data
                if not (data.get("name") or "").strip():
                    form.add_error("name", "Donnez un nom au scénario d'abondement.")
                else:
                    try:
                        saved = services.topup_scenario_save(
                            project=project,
                            user=user,
                            name=data["name"],
                            authority=data.get("authority") or "",
                            rate_percent=data["rate_percent"],
                            ceiling=data["ceiling"],
                            learners=data["learners"],
                            path_price=data["path_price"],
                            retained=data["retained"],
                        )
                    except ApplicationError as exc:
                        exc.add_to(form)
                    else:
                        messages.success(
                            request, f"Scénario d'abondement « {saved.name} » enregistré."
                        )
                        return redirect(model_url(project, "abondement"))
            status = 400
        else:
            scenario_id = int_param(request.POST, "scenario")
            try:
                if scenario_id is None:
                    raise services.FundingError("Scénario d'abondement introuvable.")
                if action == "delete":
                    name = services.topup_scenario_delete(
                        project=project, user=user, scenario_id=scenario_id
                    )
                    messages.success(request, f"Scénario « {name} » supprimé.")
                else:
                    scenario = services.topup_scenario_retain(
                        project=project,
                        user=user,
                        scenario_id=scenario_id,
                        retained=action == "retain",
                    )
                    messages.success(
                        request,
                        f"Scénario « {scenario.name} » "
                        + ("retenu pour le projet." if scenario.retained else "n'est plus retenu."),
                    )
            except ApplicationError as exc:
                messages.error(request, exc.message)
            return redirect(model_url(project, "abondement"))
    return render(
        request,
        "implantations/project_topup.html",
        {
            "project": project,
            "form": form,
            "scenarios": sel.project_topup_list(project),
            "model_url": model_url(project, "abondement"),
        },
        status=status,
    )
